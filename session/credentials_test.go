package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

func writeKeyFile(t *testing.T, k *Key, mode os.FileMode) string {
	t.Helper()
	pemBytes, err := k.MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "key.pem")
	if err := os.WriteFile(path, pemBytes, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // umask
		t.Fatal(err)
	}
	return path
}

func TestResolveCredentialsPrecedence(t *testing.T) {
	keyring.MockInit()
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvPrivateKeyFile, "")
	rsaKey, ecKey := testKeys(t)
	s := NewSecrets()
	if err := s.Set("p", SecretEntry{ClientID: "from-keyring", Key: rsaKey}); err != nil {
		t.Fatal(err)
	}
	p := Profile{Name: "p", BaseURL: "https://h/fhir"}

	// Keyring only.
	c, err := ResolveCredentials(p, s)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientID != "from-keyring" || c.ClientIDSource != SourceKeyring || c.KeySource != SourceKeyring || !sameKey(c.Key, rsaKey) {
		t.Fatalf("keyring: %+v", c)
	}

	// The profile's client id and key file beat the keyring.
	p.ClientID = "from-profile"
	p.KeyFile = writeKeyFile(t, ecKey, 0o600)
	c, err = ResolveCredentials(p, s)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientID != "from-profile" || c.ClientIDSource != SourceProfile || c.KeySource != SourceFile ||
		c.KeyPath != p.KeyFile || !sameKey(c.Key, ecKey) {
		t.Fatalf("profile: %+v", c)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "OpenEMR accepts only RS384") {
		t.Errorf("ES384 warning: %v", c.Warnings)
	}

	// The environment beats both.
	envKey := writeKeyFile(t, rsaKey, 0o644)
	t.Setenv(EnvClientID, "from-env")
	t.Setenv(EnvPrivateKeyFile, envKey)
	c, err = ResolveCredentials(p, s)
	if err != nil {
		t.Fatal(err)
	}
	if c.ClientID != "from-env" || c.ClientIDSource != SourceEnv || c.KeySource != SourceEnv || !sameKey(c.Key, rsaKey) {
		t.Fatalf("env: %+v", c)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "chmod 600") {
		t.Errorf("loose permission warning: %v", c.Warnings)
	}
	id, key, err := LoadCredentials(p, s)
	if err != nil || id != "from-env" || !sameKey(key, rsaKey) {
		t.Errorf("LoadCredentials: %q %v %v", id, key, err)
	}
}

// TestKeyFileReadEachTime: the file is the source of truth; replacing it takes effect at once.
func TestKeyFileReadEachTime(t *testing.T) {
	keyring.MockInitWithError(errors.New("no keyring here")) // a key file must not need one
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvPrivateKeyFile, "")
	rsaKey, ecKey := testKeys(t)
	p := Profile{Name: "p", BaseURL: "https://h/fhir", ClientID: "cid", KeyFile: writeKeyFile(t, rsaKey, 0o600)}
	_, k1, err := LoadCredentials(p, NewSecrets())
	if err != nil {
		t.Fatal(err)
	}
	pemBytes, _ := ecKey.MarshalPEM()
	if err := os.WriteFile(p.KeyFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	_, k2, err := LoadCredentials(p, NewSecrets())
	if err != nil {
		t.Fatal(err)
	}
	if !sameKey(k1, rsaKey) || !sameKey(k2, ecKey) {
		t.Error("the key file was not re-read")
	}
	if err := os.WriteFile(p.KeyFile, []byte("oops"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadCredentials(p, NewSecrets()); !errors.Is(err, ErrKeyMalformed) || !strings.Contains(err.Error(), p.KeyFile) {
		t.Errorf("broken key file: %v", err)
	}
	p.KeyFile = filepath.Join(t.TempDir(), "missing.pem")
	if _, _, err := LoadCredentials(p, NewSecrets()); !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "key_file of profile p") {
		t.Errorf("missing key file: %v", err)
	}
}

func TestResolveCredentialsFailures(t *testing.T) {
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvPrivateKeyFile, "")
	rsaKey, ecKey := testKeys(t)
	p := Profile{Name: "p", BaseURL: "https://h/fhir"}

	keyring.MockInitWithError(errors.New("dbus: connection refused"))
	if _, _, err := LoadCredentials(p, NewSecrets()); !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), EnvPrivateKeyFile) {
		t.Errorf("keyring profile without keyring: %v", err)
	}
	if _, _, err := LoadCredentials(p, nil); !errors.Is(err, ErrNoKeyring) {
		t.Errorf("nil Secrets: %v", err)
	}

	keyring.MockInit()
	s := NewSecrets()
	if _, _, err := LoadCredentials(p, s); !errors.Is(err, ErrNoSecret) || !strings.Contains(err.Error(), "keygen --profile p") {
		t.Errorf("nothing stored: %v", err)
	}
	_ = s.Set("p", SecretEntry{Key: rsaKey})
	if _, _, err := LoadCredentials(p, s); !errors.Is(err, ErrNoClientID) {
		t.Errorf("no client id: %v", err)
	}
	_ = s.Set("p", SecretEntry{ClientID: "c"})
	if _, _, err := LoadCredentials(p, s); !errors.Is(err, ErrNoSecret) || !strings.Contains(err.Error(), "no private key") {
		t.Errorf("no key: %v", err)
	}

	// The profile pins kid and alg.
	_ = s.Set("p", SecretEntry{ClientID: "c", Key: ecKey})
	p.Alg = AlgRS384
	if _, _, err := LoadCredentials(p, s); err == nil || !strings.Contains(err.Error(), "the profile says RS384 but its key is EC P-384") {
		t.Errorf("alg mismatch: %v", err)
	}
	p.Alg, p.KeyID = AlgES384, "registered"
	if _, k, err := LoadCredentials(p, s); err != nil || k.KeyID != "registered" {
		t.Errorf("kid override: %v", err)
	}
}

// TestEnvKeyWithoutClientIDNamesTheClientID: with the key from the environment, a missing client
// id is reported as such even when the keyring (asked for it) is unavailable.
func TestEnvKeyWithoutClientIDNamesTheClientID(t *testing.T) {
	rsaKey, _ := testKeys(t)
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvPrivateKeyFile, writeKeyFile(t, rsaKey, 0o600))
	keyring.MockInitWithError(errors.New("no bus"))
	defer keyring.MockInit()
	_, _, err := LoadCredentials(Profile{Name: "ci", BaseURL: "https://h/fhir"}, NewSecrets())
	if !errors.Is(err, ErrNoClientID) || !strings.Contains(err.Error(), EnvClientID+"=ID") || !strings.Contains(err.Error(), "keyring was not available") {
		t.Errorf("got %v", err)
	}
	t.Setenv(EnvClientID, "ci-client")
	if id, k, err := LoadCredentials(Profile{Name: "ci", BaseURL: "https://h/fhir"}, nil); err != nil || id != "ci-client" || !sameKey(k, rsaKey) {
		t.Errorf("env only, no keyring at all: %v", err)
	}
}
