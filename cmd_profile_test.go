package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"fhirscope/session"
)

// These tests run the keygen and profile commands as a script would, with a temporary
// FHIRSCOPE_CONFIG and go-keyring's in-memory mock (process-global: this test binary never
// talks to a real keyring; session/keyringtest does).

type sessionCLIResult struct {
	code           int
	stdout, stderr string
}

func sessionCLI(t *testing.T, args ...string) sessionCLIResult {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(args, &out, &errOut)
	return sessionCLIResult{code, out.String(), errOut.String()}
}

// sessionCLIEnv gives each test its own config file and an empty mock keyring.
func sessionCLIEnv(t *testing.T) (dir, config string) {
	t.Helper()
	keyring.MockInit()
	dir = t.TempDir()
	config = filepath.Join(dir, "conf", "config.json")
	t.Setenv(session.EnvConfig, config)
	t.Setenv(session.EnvClientID, "")
	t.Setenv(session.EnvPrivateKeyFile, "")
	t.Chdir(dir)
	return dir, config
}

func (r sessionCLIResult) want(t *testing.T, code int, stderrHas ...string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stderrHas {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

func TestProfileCLIKeyringFlow(t *testing.T) {
	dir, config := sessionCLIEnv(t)
	jwksFile := filepath.Join(dir, "jwks.json")

	// keygen before the profile exists, as registration needs the JWKS first.
	r := sessionCLI(t, "keygen", "--profile", "prod", "--jwks-out", jwksFile)
	r.want(t, 0, `stored in the OS keyring (service "fhirscope", entry "prod")`, "RSA 2048-bit")
	if r.stdout != "" {
		t.Errorf("stdout should be empty with --jwks-out: %q", r.stdout)
	}
	jwks, err := os.ReadFile(jwksFile)
	if err != nil {
		t.Fatal(err)
	}
	assertPublicOnlyJWKS(t, jwks)

	sessionCLI(t, "keygen", "--profile", "prod").want(t, 1, "already has a RSA 2048-bit key", "--force")

	sessionCLI(t, "profile", "add", "prod", "--base", "https://emr.example.org/apis/default/fhir",
		"--client-id", "client-123", "--scopes", "system/Patient.read system/Observation.read",
		"--jwks-uri", "https://app.example.org/jwks.json").want(t, 0, `added profile "prod" (key: OS keyring)`)
	e, err := session.NewSecrets().Get("prod")
	if err != nil || e.ClientID != "client-123" || e.Key == nil {
		t.Fatalf("keyring entry after add: %+v %v", e, err)
	}
	if st, _ := os.Stat(config); st.Mode().Perm() != 0o600 {
		t.Errorf("config mode %v", st.Mode())
	}

	r = sessionCLI(t, "profile", "list")
	r.want(t, 0)
	if !strings.Contains(r.stdout, "*  prod") || !strings.Contains(r.stdout, "client-123") {
		t.Errorf("list:\n%s", r.stdout)
	}
	r = sessionCLI(t, "profile", "show")
	r.want(t, 0)
	for _, s := range []string{"prod (default)", "OS keyring - RSA 2048-bit, RS384, kid " + e.Key.KeyID, "system/Observation.read"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("show lacks %q:\n%s", s, r.stdout)
		}
	}
	r = sessionCLI(t, "profile", "export-jwks", "prod")
	r.want(t, 0)
	if r.stdout != string(jwks) {
		t.Errorf("export-jwks differs from keygen's JWKS:\n%s\n%s", r.stdout, jwks)
	}

	sessionCLI(t, "profile", "set", "prod", "--client-id", "client-456").want(t, 0)
	if e, _ := session.NewSecrets().Get("prod"); e.ClientID != "client-456" {
		t.Errorf("set --client-id did not reach the keyring: %q", e.ClientID)
	}
	sessionCLI(t, "profile", "rename", "prod", "live").want(t, 0)
	if _, err := session.NewSecrets().Get("live"); err != nil {
		t.Errorf("keyring entry did not follow the rename: %v", err)
	}
	r = sessionCLI(t, "profile", "show", "live", "--json")
	r.want(t, 0)
	var p session.Profile
	if err := json.Unmarshal([]byte(r.stdout), &p); err != nil || p.ClientID != "client-456" || p.KeyID != e.Key.KeyID {
		t.Errorf("show --json: %v %+v", err, p)
	}

	// Replacing the key takes --force and changes the JWKS.
	r = sessionCLI(t, "keygen", "--profile", "live", "--force", "--alg", "ES384")
	r.want(t, 0, "warning: ES384: OpenEMR accepts only RS384")
	if r.stdout == string(jwks) || !strings.Contains(r.stdout, `"crv": "P-384"`) {
		t.Errorf("new JWKS:\n%s", r.stdout)
	}
	if p, _ := loadCLIProfile(t, "live"); p.Alg != session.AlgES384 {
		t.Errorf("profile alg not updated: %q", p.Alg)
	}

	// rm: refused (profile kept) without a keyring, forced with --force, clean with one.
	keyring.MockInitWithError(errors.New("dbus: no Secret Service"))
	sessionCLI(t, "profile", "rm", "live").want(t, 1, "no OS keyring is available", "--force removes the profile anyway")
	if _, err := loadCLIProfile(t, "live"); err != nil {
		t.Fatal("profile removed although its keyring entry was not")
	}
	keyring.MockInit()
	_ = session.NewSecrets().Set("live", session.SecretEntry{ClientID: "x"})
	sessionCLI(t, "profile", "rm", "live").want(t, 0, "and its keyring entry")
	if _, err := keyring.Get(session.KeyringService, "live"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("keyring entry left after rm: %v", err)
	}
}

func loadCLIProfile(t *testing.T, name string) (session.Profile, error) {
	t.Helper()
	st, err := session.OpenDefaultStore()
	if err != nil {
		t.Fatal(err)
	}
	return st.Get(name)
}

func assertPublicOnlyJWKS(t *testing.T, jwks []byte) {
	t.Helper()
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(jwks, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS: %v\n%s", err, jwks)
	}
	for _, m := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := set.Keys[0][m]; ok {
			t.Errorf("private member %q in the JWKS", m)
		}
	}
	if set.Keys[0]["use"] != "sig" || set.Keys[0]["kid"] == "" {
		t.Errorf("JWKS key: %v", set.Keys[0])
	}
}

// TestProfileCLIWithoutKeyring: the scripted path for headless hosts, a key file.
func TestProfileCLIWithoutKeyring(t *testing.T) {
	dir, _ := sessionCLIEnv(t)
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	defer keyring.MockInit()

	r := sessionCLI(t, "keygen", "--profile", "ci")
	r.want(t, 1, "no OS keyring is available", session.EnvPrivateKeyFile, "--key-out FILE")

	sessionCLI(t, "keygen", "--key-out", "ci.pem", "--jwks-out", "ci-jwks.json").want(t, 0, "written to ci.pem (mode 0600)")
	if st, err := os.Stat(filepath.Join(dir, "ci.pem")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	sessionCLI(t, "keygen", "--key-out", "ci.pem").want(t, 1, "never overwrites")

	sessionCLI(t, "profile", "add", "ci", "--base", "http://127.0.0.1:8300/apis/default/fhir", "--client-id", "cid",
		"--key-file", "ci.pem", "--default").want(t, 0, "key: file "+filepath.Join(dir, "ci.pem"))
	p, err := loadCLIProfile(t, "ci")
	if err != nil {
		t.Fatal(err)
	}
	id, key, err := session.LoadCredentials(p, session.NewSecrets())
	if err != nil || id != "cid" || key == nil {
		t.Fatalf("credentials from the key file without a keyring: %v", err)
	}
	sessionCLI(t, "profile", "add", "bad", "--base", "https://h/fhir", "--key-file", "ci-jwks.json").
		want(t, 1, "public key(s) and no private key")
	sessionCLI(t, "profile", "rm", "ci").want(t, 0, "its key file "+filepath.Join(dir, "ci.pem")+" is left in place")
}

func TestProfileCLIImportKey(t *testing.T) {
	sessionCLIEnv(t)
	fixture, err := filepath.Abs(filepath.Join(sessionTestdata(t), "keys", "rsa-pkcs1.pem"))
	if err != nil {
		t.Fatal(err)
	}
	sessionCLI(t, "profile", "add", "imp", "--base", "https://h/fhir", "--client-id", "c").
		want(t, 1, "keygen --profile imp", "--import-key FILE")
	sessionCLI(t, "profile", "add", "imp", "--base", "https://h/fhir", "--client-id", "c", "--import-key", fixture).want(t, 0)
	if e, err := session.NewSecrets().Get("imp"); err != nil || e.Key == nil || e.ClientID != "c" {
		t.Fatalf("imported entry: %v", err)
	}
	sessionCLI(t, "profile", "add", "imp2", "--base", "https://h/fhir", "--import-key",
		filepath.Join(sessionTestdata(t), "keys", "rsa-encrypted-pkcs8.pem")).want(t, 1, "passphrase")
	sessionCLI(t, "profile", "add", "imp3", "--base", "https://h/fhir", "--key-file", fixture, "--keyring").want(t, 1, "choose one")
}

// sessionRepoRoot is the package directory, captured before any test changes directory.
var sessionRepoRoot, _ = os.Getwd()

func sessionTestdata(t *testing.T) string {
	t.Helper()
	return filepath.Join(sessionRepoRoot, "session", "testdata")
}
