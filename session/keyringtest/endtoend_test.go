package keyringtest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// TestRealKeyringKeyGetsToken: a key kept in the real keyring, read back, signs the client
// assertion fhirclient sends, and the OpenEMR-compatible sandbox (which verifies it against
// the registered public JWKS, over real HTTP) grants a token.
func TestRealKeyringKeyGetsToken(t *testing.T) {
	secrets := realSecrets(t)
	t.Setenv(session.EnvClientID, "")
	t.Setenv(session.EnvPrivateKeyFile, "")
	srv := fhirtest.NewServer(fhirtest.Options{Patients: 3})
	defer srv.Close()

	store, err := session.OpenStore(filepath.Join(t.TempDir(), "config.json"), secrets)
	if err != nil {
		t.Fatal(err)
	}
	name := uniqueProfile(t, secrets)
	key, err := session.GenerateKey(session.AlgRS384, 2048)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.InstallKey(name, key, false); err != nil {
		t.Fatal(err)
	}
	jwks, err := key.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	scopes := []string{"system/Patient.read"}
	clientID, err := srv.RegisterClient(fhirtest.ClientRegistration{Name: "keyringtest", Scopes: scopes, JWKS: jwks, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := store.AddProfile(session.Profile{Name: name, BaseURL: srv.FHIRBase(), ClientID: clientID, Scopes: scopes},
		session.AddOptions{}); err != nil {
		t.Fatal(err)
	}

	p, err := store.Get(name)
	if err != nil {
		t.Fatal(err)
	}
	creds, err := session.ResolveCredentials(p, secrets)
	if err != nil {
		t.Fatal(err)
	}
	if creds.KeySource != session.SourceKeyring {
		t.Fatalf("key came from %s", creds.KeySource)
	}
	client, err := fhirclient.New(p.BaseURL,
		fhirclient.WithCredentials(fhirclient.Credentials{ClientID: creds.ClientID, Signer: creds.Key.Signer,
			Alg: creds.Key.Alg, KeyID: creds.Key.KeyID}),
		fhirclient.WithScopes(p.Scopes))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tok, err := client.Token(ctx)
	if err != nil {
		t.Fatalf("the sandbox refused the assertion signed with the keyring key: %v", err)
	}
	if tok.AccessToken == "" || len(tok.Dropped()) != 0 {
		t.Errorf("token: granted %v, dropped %v", tok.Granted, tok.Dropped())
	}
	if err := store.Delete(name); err != nil {
		t.Fatal(err)
	}
}

// TestRealKeyringCLI runs the built binary ($FHIRSCOPE_BIN, set by .ci/run) as a user would:
// keygen into the real keyring, profile add, export-jwks, show, rm.
func TestRealKeyringCLI(t *testing.T) {
	secrets := realSecrets(t)
	bin := os.Getenv("FHIRSCOPE_BIN")
	if bin == "" {
		t.Skip("SKIPPED: set FHIRSCOPE_BIN to a built fhirscope binary to run the CLI against the real keyring")
	}
	dir := t.TempDir()
	name := uniqueProfile(t, secrets)
	env := append(os.Environ(), session.EnvConfig+"="+filepath.Join(dir, "config.json"),
		session.EnvClientID+"=", session.EnvPrivateKeyFile+"=")
	fhirscope := func(args ...string) (string, string) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env, cmd.Dir = env, dir
		var out, errOut strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("fhirscope %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errOut.String())
		}
		return out.String(), errOut.String()
	}
	fhirscope("keygen", "--profile", name, "--jwks-out", "jwks.json")
	fhirscope("profile", "add", name, "--base", "https://emr.example.org/apis/default/fhir", "--client-id", "cli-client")
	exported, _ := fhirscope("profile", "export-jwks", name)
	written, err := os.ReadFile(filepath.Join(dir, "jwks.json"))
	if err != nil || exported != string(written) {
		t.Fatalf("export-jwks differs from keygen's JWKS: %v", err)
	}
	if show, _ := fhirscope("profile", "show", name); !strings.Contains(show, "OS keyring - RSA 2048-bit, RS384") {
		t.Errorf("show:\n%s", show)
	}
	e, err := secrets.Get(name)
	if err != nil || e.ClientID != "cli-client" || e.Key == nil {
		t.Fatalf("real keyring entry: %v", err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries { // the config, its lock and the public JWKS; never a key file
		if n := e.Name(); n != "config.json" && n != "config.json.lock" && n != "jwks.json" {
			t.Errorf("unexpected file in the work dir: %s", n)
		}
	}
	fhirscope("profile", "rm", name)
	if _, err := secrets.Get(name); !errors.Is(err, session.ErrNoSecret) {
		t.Errorf("entry after rm: %v", err)
	}
}
