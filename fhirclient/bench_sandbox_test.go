package fhirclient_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient/fhirtest"
)

// The search benchmark runs the sandbox in a child process (this test binary, re-executed),
// as a real server would be: its CPU and allocations then stay out of the client's numbers.
const childSandboxEnv = "FHIRCLIENT_CHILD_SANDBOX"

func TestMain(m *testing.M) {
	if os.Getenv(childSandboxEnv) != "" {
		os.Exit(serveChildSandbox())
	}
	os.Exit(m.Run())
}

// serveChildSandbox serves a sandbox with the patient count from the environment, registers
// an enabled client for the JWKS given, prints "FHIRBASE CLIENTID" and serves until its
// stdin closes (the parent ended).
func serveChildSandbox() int {
	patients, _ := strconv.Atoi(os.Getenv(childSandboxEnv))
	srv := fhirtest.NewHandler(fhirtest.Options{Patients: patients})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv.SetOrigin("http://" + l.Addr().String())
	id, err := srv.RegisterClient(fhirtest.ClientRegistration{Name: "bench", Scopes: patientScopes,
		JWKS: []byte(os.Getenv(childSandboxEnv + "_JWKS")), Enabled: true})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(srv.FHIRBase(), id)
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	_ = srv.Serve(l)
	return 0
}

// childSandbox starts the child and returns its FHIR base and the registered client id.
func childSandbox(b *testing.B, patients int, jwks []byte) (base, clientID string) {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childSandboxEnv+"="+strconv.Itoa(patients), childSandboxEnv+"_JWKS="+string(jwks))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = stdin.Close()
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	f := strings.Fields(line)
	if err != nil || len(f) != 2 {
		b.Fatalf("child sandbox: %q %v", line, err)
	}
	return f[0], f[1]
}
