package keyringtest

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

	jose "github.com/go-jose/go-jose/v4"

	"fhirscope/session"
)

// realSecrets returns Secrets on the real OS keyring, skipping (or failing, when
// FHIRSCOPE_REQUIRE_KEYRING=1) when none answers.
func realSecrets(t *testing.T) *session.Secrets {
	t.Helper()
	s := session.NewSecrets()
	s.Timeout = 10 * time.Second
	if err := s.Check(); err != nil {
		if os.Getenv("FHIRSCOPE_REQUIRE_KEYRING") == "1" {
			t.Fatalf("FHIRSCOPE_REQUIRE_KEYRING=1 but no Secret Service is reachable: %v", err)
		}
		t.Skipf("SKIPPED: no Secret Service reachable (run inside dbus-run-session with gnome-keyring; "+
			"set FHIRSCOPE_REQUIRE_KEYRING=1 to make this a failure): %v", err)
	}
	return s
}

func uniqueProfile(t *testing.T, s *session.Secrets) string {
	name := fmt.Sprintf("fhirscope-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() { _ = s.Delete(name) })
	return name
}

// TestRealKeyringStoreReadSign: a key stored in the real keyring, read back through a profile,
// signs an RS384 assertion that verifies with the public JWKS exported before it was stored.
func TestRealKeyringStoreReadSign(t *testing.T) {
	secrets := realSecrets(t)
	t.Setenv(session.EnvClientID, "")
	t.Setenv(session.EnvPrivateKeyFile, "")
	key, err := session.GenerateKey(session.AlgRS384, 2048)
	if err != nil {
		t.Fatal(err)
	}
	jwks, err := key.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	name := uniqueProfile(t, secrets)
	store, err := session.OpenStore(filepath.Join(t.TempDir(), "config.json"), secrets)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.Add(session.Profile{Name: name, BaseURL: "https://emr.example.org/apis/default/fhir"}); err != nil {
		t.Fatal(err)
	}
	if err := secrets.Set(name, session.SecretEntry{ClientID: "real-client", Key: key}); err != nil {
		t.Fatal(err)
	}
	// Overwriting keeps one entry (Secret Service replaces items with the same attributes).
	if err := secrets.SetClientID(name, "real-client-2"); err != nil {
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
	if creds.ClientID != "real-client-2" || creds.KeySource != session.SourceKeyring || creds.Key.KeyID != key.KeyID {
		t.Fatalf("read back: %+v", creds)
	}
	assertion := signAssertion(t, creds.ClientID, creds.Key)
	verifyWithJWKS(t, assertion, jwks, key.KeyID)

	// Rename moves the entry, Delete removes it.
	newName := name + "-renamed"
	t.Cleanup(func() { _ = secrets.Delete(newName) })
	if err := store.Rename(name, newName); err != nil {
		t.Fatal(err)
	}
	if _, err := secrets.Get(name); !errors.Is(err, session.ErrNoSecret) {
		t.Errorf("old entry after rename: %v", err)
	}
	if e, err := secrets.Get(newName); err != nil || e.Key == nil || e.Key.Thumbprint() != key.Thumbprint() {
		t.Fatalf("renamed entry: %v", err)
	}
	if err := store.Delete(newName); err != nil {
		t.Fatal(err)
	}
	if _, err := secrets.Get(newName); !errors.Is(err, session.ErrNoSecret) {
		t.Errorf("entry after delete: %v", err)
	}
}

func signAssertion(t *testing.T, clientID string, k *session.Key) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Alg), Key: k.Signer},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.KeyID))
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := json.Marshal(map[string]any{"iss": clientID, "sub": clientID,
		"aud": "https://emr.example.org/oauth2/default/token", "jti": fmt.Sprint(time.Now().UnixNano()),
		"iat": time.Now().Unix(), "exp": time.Now().Add(5 * time.Minute).Unix()})
	obj, err := signer.Sign(claims)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return compact
}

func verifyWithJWKS(t *testing.T, compact string, jwks []byte, kid string) {
	t.Helper()
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(kid)
	if len(keys) != 1 {
		t.Fatalf("kid %s not in the JWKS", kid)
	}
	jws, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.RS384})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := jws.Verify(keys[0]); err != nil {
		t.Fatalf("assertion from the keyring key does not verify with the exported JWKS: %v", err)
	}
}

// TestNoSecretServiceIsReportedPlainly runs go-keyring against a session bus address where
// nothing listens (as on a headless host) in a child process, since godbus caches its bus
// connection per process. It needs no keyring, so it always runs.
func TestNoSecretServiceIsReportedPlainly(t *testing.T) {
	if os.Getenv("FHIRSCOPE_KEYRINGTEST_CHILD") == "1" {
		childNoKeyring()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestNoSecretServiceIsReportedPlainly$", "-test.v")
	cmd.Env = append(os.Environ(), "FHIRSCOPE_KEYRINGTEST_CHILD=1",
		"DBUS_SESSION_BUS_ADDRESS=unix:path="+filepath.Join(t.TempDir(), "no-bus-here"),
		session.EnvClientID+"=", session.EnvPrivateKeyFile+"=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, want := range []string{"CHECK: no OS keyring is available", "LOAD: no OS keyring is available",
		"--key-file FILE", session.EnvPrivateKeyFile, session.EnvClientID, "IS ErrNoKeyring: true"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q:\n%s", want, out)
		}
	}
}

func childNoKeyring() {
	s := session.NewSecrets()
	s.Timeout = 10 * time.Second
	checkErr := s.Check()
	_, _, loadErr := session.LoadCredentials(session.Profile{Name: "p", BaseURL: "https://h/fhir"}, s)
	fmt.Println("CHECK:", checkErr)
	fmt.Println("LOAD:", loadErr)
	fmt.Println("IS ErrNoKeyring:", errors.Is(checkErr, session.ErrNoKeyring) && errors.Is(loadErr, session.ErrNoKeyring))
}
