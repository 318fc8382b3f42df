package session

import (
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// These tests use go-keyring's in-memory mock; session/keyringtest runs the same operations
// against a real Secret Service.

func TestSecretsRoundTrip(t *testing.T) {
	keyring.MockInit()
	rsaKey, _ := testKeys(t)
	s := NewSecrets()
	if err := s.Check(); err != nil {
		t.Fatalf("Check on a working keyring: %v", err)
	}
	if _, err := s.Get("prod"); !errors.Is(err, ErrNoSecret) || !strings.Contains(err.Error(), "keygen --profile prod") {
		t.Fatalf("missing entry: %v", err)
	}
	withKid := *rsaKey
	withKid.KeyID = "registered-kid"
	if err := s.Set("prod", SecretEntry{ClientID: "client-1", Key: &withKid}); err != nil {
		t.Fatal(err)
	}
	e, err := s.Get("prod")
	if err != nil {
		t.Fatal(err)
	}
	if e.ClientID != "client-1" || !sameKey(e.Key, rsaKey) || e.Key.KeyID != "registered-kid" || e.Key.Format != "OS keyring" {
		t.Fatalf("read back %q %v", e.ClientID, e.Key)
	}
	// What the keyring holds is the PEM key and the client id, under service "fhirscope".
	raw, err := keyring.Get(KeyringService, "prod")
	if err != nil || !strings.Contains(raw, `-----BEGIN PRIVATE KEY-----`) || !strings.Contains(raw, `"client_id":"client-1"`) {
		t.Fatalf("raw entry: %v %.80q", err, raw)
	}

	if err := s.SetClientID("prod", "client-2"); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Get("prod"); e.ClientID != "client-2" || e.Key == nil {
		t.Fatalf("SetClientID lost the key: %+v", e)
	}
	_, ecKey := testKeys(t)
	if err := s.SetKey("prod", ecKey); err != nil {
		t.Fatal(err)
	}
	if e, _ := s.Get("prod"); e.ClientID != "client-2" || !sameKey(e.Key, ecKey) {
		t.Fatalf("SetKey lost the client id: %+v", e)
	}
	if err := s.Rename("prod", "prod2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("prod"); !errors.Is(err, ErrNoSecret) {
		t.Fatalf("old name still there: %v", err)
	}
	if e, err := s.Get("prod2"); err != nil || e.ClientID != "client-2" {
		t.Fatalf("renamed entry: %v", err)
	}
	if err := s.Delete("prod2"); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete("prod2"); err != nil {
		t.Fatalf("deleting a missing entry: %v", err)
	}
	if err := s.SetClientID("only-id", "c"); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Get("only-id"); err != nil || e.Key != nil || e.ClientID != "c" {
		t.Fatalf("client-id-only entry: %+v %v", e, err)
	}
}

func TestSecretsNoKeyring(t *testing.T) {
	// What go-keyring returns on Linux when the session bus has no Secret Service.
	keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	defer keyring.MockInit()
	rsaKey, _ := testKeys(t)
	s := NewSecrets()
	for name, err := range map[string]error{
		"check":  s.Check(),
		"set":    s.Set("p", SecretEntry{ClientID: "c", Key: rsaKey}),
		"get":    func() error { _, err := s.Get("p"); return err }(),
		"delete": s.Delete("p"),
		"setkey": s.SetKey("p", rsaKey),
	} {
		if !errors.Is(err, ErrNoKeyring) {
			t.Errorf("%s: %v does not match ErrNoKeyring", name, err)
			continue
		}
		var ke *KeyringError
		if !errors.As(err, &ke) {
			t.Errorf("%s: not a *KeyringError", name)
		}
		for _, want := range []string{"no OS keyring is available", "org.freedesktop.secrets", "--key-file FILE",
			EnvPrivateKeyFile, EnvClientID, "will not write them to disk"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: message lacks %q:\n%s", name, want, err)
			}
		}
	}
}

func TestSecretsTooBigAndForeignEntries(t *testing.T) {
	keyring.MockInitWithError(keyring.ErrSetDataTooBig)
	rsaKey, _ := testKeys(t)
	err := NewSecrets().Set("p", SecretEntry{Key: rsaKey})
	var se *SecretError
	if !errors.As(err, &se) || errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "too big") {
		t.Errorf("too big: %v", err)
	}

	keyring.MockInit()
	if err := keyring.Set(KeyringService, "p", "hunter2"); err != nil {
		t.Fatal(err)
	}
	s := NewSecrets()
	if _, err := s.Get("p"); !errors.As(err, &se) || !strings.Contains(err.Error(), "not written by fhirscope") {
		t.Errorf("foreign entry: %v", err)
	}
	// A foreign entry is not overwritten by a partial update.
	if err := s.SetClientID("p", "c"); err == nil {
		t.Error("SetClientID overwrote an entry it could not read")
	}
	if raw, _ := keyring.Get(KeyringService, "p"); raw != "hunter2" {
		t.Errorf("entry changed to %q", raw)
	}
	if err := keyring.Set(KeyringService, "q", `{"fhirscope_secret":"v1","private_key":"garbage"}`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("q"); !errors.Is(err, ErrKeyMalformed) || !strings.Contains(err.Error(), "no longer parses") {
		t.Errorf("damaged key entry: %v", err)
	}
}

// TestSecretPayloadFitsPlatformLimits: Windows Credential Manager takes at most 2560 bytes and
// macOS `security` about 3000 (its 4096-byte command line carries the entry base64-encoded).
// RSA 2048 and EC P-384 entries must fit both; RSA 3072 must fit macOS.
func TestSecretPayloadFitsPlatformLimits(t *testing.T) {
	keyring.MockInit()
	rsaKey, ecKey := testKeys(t)
	if genRSA3072 == nil {
		var err error
		if genRSA3072, err = GenerateKey(AlgRS384, 3072); err != nil {
			t.Fatal(err)
		}
	}
	longID := strings.Repeat("x", 64)
	for _, c := range []struct {
		key   *Key
		limit int
	}{{rsaKey, 2560}, {ecKey, 2560}, {genRSA3072, 3000}} {
		if err := NewSecrets().Set("p", SecretEntry{ClientID: longID, Key: c.key}); err != nil {
			t.Fatal(err)
		}
		raw, _ := keyring.Get(KeyringService, "p")
		if len(raw) > c.limit {
			t.Errorf("%s entry is %d bytes, over %d", c.key.Type(), len(raw), c.limit)
		}
	}
}
