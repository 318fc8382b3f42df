package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"fhirscope/fhirclient/fhirtest"
)

// TestSandboxCommand runs `fhirscope sandbox` in-process on a free port, uses its demo client
// over real HTTP as an outside client would, then stops it and checks the key is gone.
func TestSandboxCommand(t *testing.T) {
	for _, flavor := range []string{"openemr-7.0.4", "openemr-7.0.2", "paged"} {
		t.Run(flavor, func(t *testing.T) {
			sb := startSandboxCmd(t, sandboxConfig{flavor: flavorOf(t, flavor), patients: 7, seed: 3,
				data: map[string]string{"paged": "basic", "openemr-7.0.2": "lazy"}[flavor]})
			info, stdout, cancel, done := sb.info, &sb.stdout, sb.stop, sb.done
			if fi, err := os.Stat(info.PrivateKeyFile); err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("key file %v %v", fi, err)
			}
			tok := tokenFor(t, info)
			req, _ := http.NewRequest(http.MethodGet, info.FHIRBase+"/Patient", nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var b struct{ Total int }
			_ = json.NewDecoder(resp.Body).Decode(&b)
			resp.Body.Close()
			if resp.StatusCode != 200 || b.Total != 7 {
				t.Fatalf("Patient search: %d total %d", resp.StatusCode, b.Total)
			}
			if !strings.Contains(stdout.String(), info.ClientID) || !strings.Contains(stdout.String(), info.FHIRBase) {
				t.Fatalf("stdout lacks the client id or base:\n%s", stdout.String())
			}
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("sandbox did not stop")
			}
			if _, err := os.Stat(filepath.Dir(info.PrivateKeyFile)); !os.IsNotExist(err) {
				t.Fatalf("key directory left behind: %v", err)
			}
		})
	}
}

func TestSandboxCommandFlags(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := runSandbox([]string{"--flavor", "openemr-6"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "unknown sandbox flavor") {
		t.Fatalf("bad flavor: %d %q", code, errOut.String())
	}
	if code := runSandbox([]string{"--data", "lots"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "--data") {
		t.Fatalf("bad data kind: %d", code)
	}
	if code := runSandbox([]string{"--patients", "0"}, &out, &errOut); code != 2 {
		t.Fatalf("bad patients: %d", code)
	}
	if code := runSandbox([]string{"--addr", "256.1.1.1:99999", "--patients", "1"}, &out, &errOut); code != 1 {
		t.Fatalf("bad addr: %d", code)
	}
}

// sandboxRun is `fhirscope sandbox` running in-process for a test.
type sandboxRun struct {
	info           sandboxInfo
	stdout, stderr bytes.Buffer
	stop           context.CancelFunc // as Ctrl-C does
	done           chan error         // serveSandbox's return
}

// startSandboxCmd serves cfg (on a free port, quiet, 300 s tokens, an info file in a temp
// dir) and waits until the info file says where it listens.
func startSandboxCmd(t *testing.T, cfg sandboxConfig) *sandboxRun {
	t.Helper()
	cfg.addr, cfg.infoFile, cfg.lifetime, cfg.quiet = "127.0.0.1:0", filepath.Join(t.TempDir(), "info.json"), 300*time.Second, true
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	sb := &sandboxRun{stop: cancel, done: make(chan error, 1)}
	go func() { sb.done <- serveSandbox(ctx, cfg, &sb.stdout, &sb.stderr) }()
	sb.info = waitInfo(t, cfg.infoFile, sb.done)
	return sb
}

func waitInfo(t *testing.T, path string, done chan error) sandboxInfo {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("sandbox exited early: %v", err)
		default:
		}
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			var info sandboxInfo
			if err := json.Unmarshal(b, &info); err != nil {
				t.Fatal(err)
			}
			return info
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no info file")
	return sandboxInfo{}
}

func tokenFor(t *testing.T, info sandboxInfo) string {
	t.Helper()
	pemBytes, err := os.ReadFile(info.PrivateKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemBytes)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS384, Key: k.(*rsa.PrivateKey)}, (&jose.SignerOptions{}).WithType("JWT"))
	jti := make([]byte, 16)
	_, _ = rand.Read(jti)
	now := time.Now()
	assertion, err := jwt.Signed(signer).Claims(jwt.Claims{Issuer: info.ClientID, Subject: info.ClientID,
		Audience: jwt.Audience{info.TokenURL}, IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(time.Minute)),
		ID: hex.EncodeToString(jti)}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(info.TokenURL, url.Values{"grant_type": {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {assertion}, "scope": {"system/Patient.read system/Observation.read"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var tok struct {
		AccessToken string `json:"access_token"`
		Scope       string
	}
	if err := json.Unmarshal(body, &tok); err != nil || resp.StatusCode != 200 || tok.Scope != "system/Patient.read system/Observation.read" {
		t.Fatalf("token: %d %s", resp.StatusCode, body)
	}
	return tok.AccessToken
}

func flavorOf(t *testing.T, name string) fhirtest.Flavor {
	t.Helper()
	f, err := fhirtest.ParseFlavor(name)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// lockedBuffer is a bytes.Buffer safe for the server's handler goroutines and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestLogRequestsKeepsSecretsOut(t *testing.T) {
	var log lockedBuffer
	srv := fhirtest.NewServer(fhirtest.Options{Patients: 1, Faults: fhirtest.FaultConfig{Rules: []fhirtest.FaultRule{
		{PathPrefix: "/drop", Kind: fhirtest.FaultDrop}}}})
	defer srv.Close()
	ts := httptest.NewServer(logRequests(srv, &log))
	defer ts.Close()
	srv.SetOrigin(ts.URL)
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/oauth2/default/token", strings.NewReader("client_assertion=SECRET-ASSERTION"))
	req.Header.Set("Authorization", "Bearer SECRET-TOKEN")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// The dropped-connection fault still works through the logging wrapper (Hijack via Unwrap).
	if resp, err := http.Get(ts.URL + "/drop"); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped connection answered %d", resp.StatusCode)
	}
	// A line is written once its handler returns, which may be after the client has its answer.
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(log.String(), "GET /drop") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	out := log.String()
	if !strings.Contains(out, "POST /oauth2/default/token -> 400") || !strings.Contains(out, "GET /drop") || strings.Contains(out, "SECRET") {
		t.Fatalf("log:\n%s", out)
	}
}

func TestSandboxCommandTLS(t *testing.T) {
	sb := startSandboxCmd(t, sandboxConfig{flavor: fhirtest.Flavor704, patients: 2, seed: 1, data: "basic", tls: true})
	info, cancel, done := sb.info, sb.stop, sb.done
	if !strings.HasPrefix(info.FHIRBase, "https://127.0.0.1:") || info.CAFile == "" {
		t.Fatalf("info %+v", info)
	}
	if _, err := http.Get(info.FHIRBase + "/metadata"); err == nil {
		t.Fatal("self-signed certificate trusted without the CA file")
	}
	caPEM, err := os.ReadFile(info.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(caPEM)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(info.FHIRBase + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("metadata over TLS: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(info.CAFile); !os.IsNotExist(err) {
		t.Fatal("CA file left behind")
	}
}

// TestSandboxStopRemovesKeyDespiteSlowRequest: a request still running at Ctrl-C must not
// keep the private key on disk, nor keep the sandbox from stopping.
func TestSandboxStopRemovesKeyDespiteSlowRequest(t *testing.T) {
	sb := startSandboxCmd(t, sandboxConfig{flavor: fhirtest.Flavor704, patients: 2, seed: 1, data: "basic"})
	info, cancel, done := sb.info, sb.stop, sb.done
	body, feed := io.Pipe() // a request body that never ends keeps the handler busy
	defer feed.Close()
	go func() {
		u := strings.Replace(info.TokenURL, "/token", "/registration", 1)
		if resp, err := http.Post(u, "application/json", body); err == nil {
			resp.Body.Close()
		}
	}()
	_, _ = feed.Write([]byte(`{"client_name":`))
	time.Sleep(200 * time.Millisecond)
	cancel()
	// The key is removed at once, not after the server has drained.
	deadline := time.Now().Add(time.Second)
	for {
		if _, err := os.Stat(filepath.Dir(info.PrivateKeyFile)); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("key directory still there 1 s after the stop signal")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("sandbox did not stop with a request in flight")
	}
}
