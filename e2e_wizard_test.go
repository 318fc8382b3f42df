package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fhirscope/session"
)

// TestE2EWizardFirstRun drives the built binary's first run in real tmux: no profile yet, so
// the setup wizard starts; it checks the sandbox's base URL live, generates a key, registers
// the client (the sandbox runs with --auto-enable, standing in for the OpenEMR admin), saves
// key and client ID in the OS keyring, and connects. The keyring is a real Secret Service:
// in CI inside dbus-run-session with gnome-keyring; elsewhere the test skips and says why
// (FHIRSCOPE_REQUIRE_KEYRING=1 makes that a failure).
func TestE2EWizardFirstRun(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	// This test binary's other tests swap go-keyring for its in-memory mock (process-wide), so
	// the real keyring is asked from a fresh process: the built binary, or a probe re-exec.
	if err := realKeyringCheck(); err != nil {
		if os.Getenv("FHIRSCOPE_REQUIRE_KEYRING") == "1" {
			t.Fatalf("FHIRSCOPE_REQUIRE_KEYRING=1 but no Secret Service is reachable: %v", err)
		}
		t.Skipf("SKIPPED: the wizard saves into the OS keyring and none is reachable here (run inside "+
			"dbus-run-session with gnome-keyring; FHIRSCOPE_REQUIRE_KEYRING=1 makes this a failure): %v", err)
	}
	bin := fhirscopeBinary(t)
	name := fmt.Sprintf("e2e-wizard-%d", os.Getpid())

	// The sandbox as a user would start it, enabling registered clients at once.
	dir := t.TempDir()
	info := filepath.Join(dir, "sandbox.json")
	sandbox := exec.Command(bin, "sandbox", "--addr", "127.0.0.1:0", "--auto-enable", "--patients", "30", "--quiet", "--write-info", info)
	sandbox.Stdout, sandbox.Stderr = os.Stderr, os.Stderr
	if err := sandbox.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sandbox.Process.Kill(); _ = sandbox.Wait() })
	var si struct {
		FHIRBase string `json:"fhir_base"`
	}
	deadline := time.Now().Add(e2eTimeout)
	for {
		data, err := os.ReadFile(info)
		if err == nil && json.Unmarshal(data, &si) == nil && si.FHIRBase != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the sandbox did not write %s: %v", info, err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	home := t.TempDir()
	config := filepath.Join(home, "fhirscope-config.json")
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "FHIRSCOPE_CONFIG=" + config,
		"FHIRSCOPE_PRIVATE_KEY_FILE=", "FHIRSCOPE_CLIENT_ID=", "TERM=xterm-256color", "NO_COLOR="}
	// The wizard writes into the real keyring: remove the profile (and its secrets) however
	// the test ends, registered before the wizard runs so a failed step does not leave them
	// in a developer's keyring. Cleanups run last-in first-out: after tmux stops the binary.
	cli := func(args ...string) (string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.Output()
		return string(out), err
	}
	t.Cleanup(func() { _, _ = cli("profile", "rm", name, "--force") })
	tm := startTmux(t, 120, 40, dir, env, fmt.Sprintf("%q; echo \"fhirscope exited with $?\"; sleep 60", bin))

	tm.waitFor("wizard", "Set up a profile", "step 1 of 8: Profile name")
	tm.text(name)
	tm.keys("Enter")
	tm.waitFor("base step", "FHIR base URL")
	tm.text(si.FHIRBase)
	scr := tm.waitFor("live discovery", "✓ OpenEMR 7.0.4", "token endpoint ")
	if !strings.Contains(scr, "/oauth2/default/token") {
		t.Errorf("the token endpoint should show:\n%s", scr)
	}
	tm.keys("Enter")
	tm.waitFor("client ID step", "Client ID", "leave empty")
	tm.keys("Enter")
	tm.waitFor("key step", "Generate a new key")
	tm.keys("Down", "Down", "Enter")
	tm.waitFor("key choice", "RSA 2048 (RS384) · recommended")
	tm.keys("Enter")
	scr = tm.waitFor("JWKS", "Public key set (JWKS)", `"kty":"RSA"`)
	if strings.Contains(scr, `"d":`) {
		t.Errorf("the public JWKS shows a private member:\n%s", scr)
	}
	tm.keys("Enter")
	tm.waitFor("scopes", "Scopes to request", "[x] system/Patient.read")
	tm.keys("Enter")
	tm.waitFor("registration", "Register this client now")
	tm.keys("Enter")
	tm.waitFor("registered", "Registered. Client ID:", "Admin > System > API")
	if _, err := os.Stat(config); err == nil {
		t.Fatal("the config was written before Save")
	}
	tm.keys("Enter")
	tm.waitFor("summary", "Review and save", "stored in the OS keyring")
	tm.keys("Enter")
	scr = tm.waitFor("connected", "Connected with profile "+name, "Granted", "system/Patient.read")
	tm.keys("Enter")
	tm.waitFor("types", "Resource types", "Patient")
	tm.keys("q")
	tm.waitFor("quit", "fhirscope exited with 0")

	// The profile is in the config without a key file; key and client ID are in the real
	// keyring: the binary mints a token from them alone.
	store, err := session.OpenStore(config, nil)
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.Get(name)
	if err != nil || p.ClientID == "" || p.KeyFile != "" {
		t.Fatalf("saved profile %+v: %v\n%s", p, err, scr)
	}
	if tok, err := cli("token", "--profile", name); err != nil || strings.Count(strings.TrimSpace(tok), ".") != 2 {
		t.Fatalf("fhirscope token with the key and client ID from the keyring: %v %q", err, tok)
	}
	entries, _ := os.ReadDir(home)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".pem") {
			t.Errorf("a key file was written: %s", e.Name())
		}
	}
}

// realKeyringCheck asks the real Secret Service whether it works, from a fresh copy of this
// test binary running only TestRealKeyringProbe (no mock installed there).
func realKeyringCheck() error {
	cmd := exec.Command(os.Args[0], "-test.run=^TestRealKeyringProbe$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), "FHIRSCOPE_KEYRING_PROBE=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("keyring probe: %v: %s", err, out)
	}
	if msg, ok := strings.CutPrefix(lineWith(string(out), "PROBE:"), "PROBE: "); ok && msg != "ok" {
		return errors.New(msg)
	}
	return nil
}

func lineWith(s, prefix string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), prefix) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// TestRealKeyringProbe is realKeyringCheck's helper process; run on its own it does nothing.
func TestRealKeyringProbe(t *testing.T) {
	if os.Getenv("FHIRSCOPE_KEYRING_PROBE") != "1" {
		t.Skip("helper process of the end-to-end wizard test")
	}
	s := session.NewSecrets()
	s.Timeout = 10 * time.Second
	if err := s.Check(); err != nil {
		fmt.Println("PROBE:", strings.ReplaceAll(err.Error(), "\n", " "))
		return
	}
	fmt.Println("PROBE: ok")
}
