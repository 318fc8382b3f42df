package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fhirscope/session"
)

func TestKeygenCLIFlags(t *testing.T) {
	sessionCLIEnv(t)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"keygen", "--alg", "HS256"}, 2, "unknown algorithm"},
		{[]string{"keygen", "--bits", "1024"}, 2, "2048 or 3072"},
		{[]string{"keygen", "--alg", "ES384", "--bits", "3072"}, 2, "P-384"},
		{[]string{"keygen", "extra"}, 2, "unexpected argument"},
		{[]string{"keygen", "--nope"}, 2, "flag provided but not defined"},
		{[]string{"keygen", "--profile", "bad name"}, 1, "letters, digits"},
		{[]string{"keygen", "--help"}, 0, "Usage: fhirscope keygen"},
	} {
		sessionCLI(t, c.args...).want(t, c.code, c.msg)
	}
}

// TestKeygenCLIDefaultProfile: without --profile the key goes to the default profile's entry
// (or "default"), and the JWKS goes to stdout for piping.
func TestKeygenCLIDefaultProfile(t *testing.T) {
	dir, _ := sessionCLIEnv(t)
	r := sessionCLI(t, "keygen", "--bits", "3072")
	r.want(t, 0, `entry "default"`, "RSA 3072-bit")
	assertPublicOnlyJWKS(t, []byte(r.stdout))
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("keygen wrote files on its own: %v", entries)
	}
	sessionCLI(t, "profile", "add", "default", "--base", "https://h/fhir").want(t, 0)
	sessionCLI(t, "keygen").want(t, 1, "already has")
	r = sessionCLI(t, "keygen", "--key-out", filepath.Join(dir, "only-file.pem"))
	r.want(t, 0, "written to")
	if strings.Contains(r.stderr, "keyring") {
		t.Errorf("--key-out alone should leave the keyring alone: %s", r.stderr)
	}
}

func TestProfileCLIHelpAndErrors(t *testing.T) {
	_, config := sessionCLIEnv(t)
	sessionCLI(t, "profile").want(t, 2, "Usage: fhirscope profile COMMAND")
	if r := sessionCLI(t, "profile", "--help"); r.code != 0 || !strings.Contains(r.stdout, "export-jwks") || !strings.Contains(r.stdout, config) {
		t.Errorf("profile --help: %d %s", r.code, r.stdout)
	}
	for _, sub := range []string{"list", "show", "add", "set", "rename", "default", "rm", "export-jwks", "export-key"} {
		sessionCLI(t, "profile", sub, "--help").want(t, 0, "Usage: fhirscope profile "+sub)
	}
	sessionCLI(t, "profile", "frobnicate").want(t, 2, "unknown command")
	sessionCLI(t, "profile", "add").want(t, 2, "Usage")
	sessionCLI(t, "profile", "show").want(t, 1, "no profiles configured")
	sessionCLI(t, "profile", "list").want(t, 0, "no profiles yet")
	sessionCLI(t, "profile", "add", "p", "--base", "ftp://x", "--key-file", "/nonexistent").want(t, 1, "base_url")
	sessionCLI(t, "profile", "default", "nope").want(t, 1, "profile not found")

	// A hand-broken config is reported with its line and left alone.
	broken := "{\n  \"version\": 1,\n  \"profiles\": [\n    {\"name\": \"a\" \"base_url\": \"https://h\"}\n  ]\n}\n"
	if err := os.MkdirAll(filepath.Dir(config), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(config, []byte(broken), 0o600); err != nil {
		t.Fatal(err)
	}
	sessionCLI(t, "profile", "list").want(t, 1, config+":4:")
	sessionCLI(t, "profile", "add", "b", "--base", "https://h/fhir", "--key-file", "/x").want(t, 1, "will not overwrite")
	sessionCLI(t, "keygen", "--profile", "b").want(t, 1, config+":4:")
	if b, _ := os.ReadFile(config); string(b) != broken {
		t.Error("the broken config was rewritten")
	}
}

// TestProfileCLIExportKey: the private key leaves the keyring only into a new 0600 file the
// user named, and it is the key whose JWKS was registered.
func TestProfileCLIExportKey(t *testing.T) {
	dir, _ := sessionCLIEnv(t)
	r := sessionCLI(t, "keygen", "--profile", "mig")
	r.want(t, 0)
	sessionCLI(t, "profile", "add", "mig", "--base", "https://h/fhir", "--client-id", "c").want(t, 0)
	sessionCLI(t, "profile", "export-key", "mig").want(t, 2, "--out")
	out := filepath.Join(dir, "mig.pem")
	r2 := sessionCLI(t, "profile", "export-key", "mig", "--out", out)
	r2.want(t, 0, "from the OS keyring", "mode 0600")
	if r2.stdout != "" {
		t.Errorf("private key material on stdout: %q", r2.stdout)
	}
	st, err := os.Stat(out)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("exported file: %v %v", st, err)
	}
	data, _ := os.ReadFile(out)
	key, err := session.ParseKey(data)
	if err != nil {
		t.Fatal(err)
	}
	jwks, _ := key.PublicJWKS()
	if string(jwks) != r.stdout {
		t.Error("the exported key is not the one keygen published")
	}
	sessionCLI(t, "profile", "export-key", "mig", "--out", out).want(t, 1, "never overwrites")
}

func TestProfileCLISwitchToKeyFile(t *testing.T) {
	dir, _ := sessionCLIEnv(t)
	sessionCLI(t, "keygen", "--profile", "sw").want(t, 0)
	sessionCLI(t, "profile", "add", "sw", "--base", "https://h/fhir", "--client-id", "c").want(t, 0)
	sessionCLI(t, "keygen", "--key-out", "file.pem", "--alg", "ES384").want(t, 0)
	sessionCLI(t, "profile", "set", "sw", "--key-file", "missing.pem").want(t, 1, "no such file")
	sessionCLI(t, "profile", "set", "sw", "--key-file", "file.pem").want(t, 0)
	r := sessionCLI(t, "profile", "show", "sw")
	if !strings.Contains(r.stdout, "file "+filepath.Join(dir, "file.pem")+" - EC P-384, ES384") || !strings.Contains(r.stdout, "alg:          (from the key)") {
		t.Errorf("show after switching:\n%s", r.stdout)
	}
}
