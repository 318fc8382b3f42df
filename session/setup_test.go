package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

// TestInstallKeyThenAddProfile is the order a real setup takes: key, register its JWKS,
// then the profile with the client id the server returned.
func TestInstallKeyThenAddProfile(t *testing.T) {
	t.Setenv(EnvClientID, "")
	t.Setenv(EnvPrivateKeyFile, "")
	s, _ := newTestStore(t)
	rsaKey, ecKey := testKeys(t)

	if err := s.InstallKey("prod", rsaKey, false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("prod"); !errors.Is(err, ErrProfileNotFound) {
		t.Fatalf("InstallKey created a profile: %v", err)
	}
	if err := s.InstallKey("prod", ecKey, false); !errors.Is(err, ErrKeyExists) || !strings.Contains(err.Error(), rsaKey.KeyID) {
		t.Fatalf("second key without replace: %v", err)
	}
	p := Profile{Name: "prod", BaseURL: "https://emr.example.org/apis/default/fhir", ClientID: "cid"}
	if err := s.AddProfile(p, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get("prod")
	if got.Alg != AlgRS384 || got.KeyID != rsaKey.KeyID || got.KeyFile != "" {
		t.Errorf("profile after AddProfile: %+v", got)
	}
	id, key, err := LoadCredentials(got, s.Secrets())
	if err != nil || id != "cid" || !sameKey(key, rsaKey) {
		t.Fatalf("credentials: %q %v", id, err)
	}
	if e, _ := s.Secrets().Get("prod"); e.ClientID != "cid" {
		t.Errorf("client id not in the keyring entry: %q", e.ClientID)
	}

	// Replacing updates the profile's alg and kid to the new key's.
	if err := s.InstallKey("prod", ecKey, true); err != nil {
		t.Fatal(err)
	}
	got, _ = s.Get("prod")
	if got.Alg != AlgES384 || got.KeyID != ecKey.KeyID {
		t.Errorf("after replacing: %+v", got)
	}
	k, src, err := LoadKey(got, s.Secrets())
	if err != nil || src != SourceKeyring || !sameKey(k, ecKey) {
		t.Errorf("LoadKey: %v %v", src, err)
	}
	if err := s.AddProfile(p, AddOptions{}); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("adding a second prod: %v", err)
	}
	// The failed add must not have touched the existing profile's keyring entry.
	if e, _ := s.Secrets().Get("prod"); !sameKey(e.Key, ecKey) {
		t.Error("a refused AddProfile changed the keyring")
	}
}

func TestAddProfileKeyChoices(t *testing.T) {
	t.Setenv(EnvPrivateKeyFile, "")
	s, _ := newTestStore(t)
	rsaKey, _ := testKeys(t)

	if err := s.AddProfile(Profile{Name: "nokey", BaseURL: "https://h/fhir"}, AddOptions{}); err == nil ||
		!strings.Contains(err.Error(), "keygen --profile nokey") {
		t.Errorf("keyring profile without a key: %v", err)
	}
	if err := s.AddProfile(Profile{Name: "imp", BaseURL: "https://h/fhir", ClientID: "c"}, AddOptions{ImportKey: rsaKey}); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Secrets().Get("imp"); err != nil || !sameKey(e.Key, rsaKey) || e.ClientID != "c" {
		t.Fatalf("imported: %v", err)
	}

	if err := s.AddProfile(Profile{Name: "mismatch", BaseURL: "https://h/fhir", Alg: AlgES384}, AddOptions{ImportKey: rsaKey}); err == nil ||
		!strings.Contains(err.Error(), "the profile says ES384") {
		t.Errorf("alg that the key cannot sign: %v", err)
	}
	keyFile := writeKeyFile(t, rsaKey, 0o600)
	if err := s.AddProfile(Profile{Name: "mismatch2", BaseURL: "https://h/fhir", Alg: AlgES384, KeyFile: keyFile}, AddOptions{}); err == nil {
		t.Error("key file with a mismatched alg accepted")
	}
	keyring.MockInitWithError(errors.New("no keyring")) // a key-file profile never needs it
	if err := s.AddProfile(Profile{Name: "file", BaseURL: "https://h/fhir", KeyFile: keyFile}, AddOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get("file"); got.KeyID != "" || got.Alg != "" {
		t.Errorf("a key-file profile should follow the file, not pin alg/kid: %+v", got)
	}
	if err := s.InstallKey("file", rsaKey, false); !errors.Is(err, ErrKeyExists) || !strings.Contains(err.Error(), keyFile) {
		t.Errorf("InstallKey over a key-file profile: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "pub.pem")
	jwks, _ := rsaKey.PublicJWKS()
	_ = os.WriteFile(bad, jwks, 0o600)
	if err := s.AddProfile(Profile{Name: "pub", BaseURL: "https://h/fhir", KeyFile: bad}, AddOptions{}); !errors.Is(err, ErrKeyPublicOnly) {
		t.Errorf("public key file: %v", err)
	}
	if err := s.AddProfile(Profile{Name: "both", BaseURL: "https://h/fhir", KeyFile: keyFile}, AddOptions{ImportKey: rsaKey}); err == nil {
		t.Error("key file and import both accepted")
	}
	if err := s.AddProfile(Profile{Name: "kr", BaseURL: "https://h/fhir"}, AddOptions{ImportKey: rsaKey}); !errors.Is(err, ErrNoKeyring) {
		t.Errorf("keyring profile with no keyring: %v", err)
	}
	if _, err := s.Get("kr"); err == nil {
		t.Error("profile added although its key could not be stored")
	}
}

func TestWritePrivateKeyFile(t *testing.T) {
	rsaKey, _ := testKeys(t)
	path := filepath.Join(t.TempDir(), "export.pem")
	if err := WritePrivateKeyFile(path, rsaKey); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode())
	}
	data, _ := os.ReadFile(path)
	if k, err := ParseKey(data); err != nil || !sameKey(k, rsaKey) {
		t.Errorf("exported key: %v", err)
	}
	if err := WritePrivateKeyFile(path, rsaKey); err == nil || !strings.Contains(err.Error(), "never overwrites") {
		t.Errorf("overwrite: %v", err)
	}
}

func TestProfileValidation(t *testing.T) {
	good := Profile{Name: "a", BaseURL: "https://h/fhir"}
	for name, mutate := range map[string]func(*Profile){
		"bad name":        func(p *Profile) { p.Name = "-x" },
		"long name":       func(p *Profile) { p.Name = strings.Repeat("a", 65) },
		"no base":         func(p *Profile) { p.BaseURL = "" },
		"relative base":   func(p *Profile) { p.BaseURL = "/apis/default/fhir" },
		"query":           func(p *Profile) { p.BaseURL = "https://h/fhir?x=1" },
		"userinfo":        func(p *Profile) { p.BaseURL = "https://u:pw@h/fhir" },
		"token scheme":    func(p *Profile) { p.TokenURL = "file:///etc/passwd" },
		"alg":             func(p *Profile) { p.Alg = "HS256" },
		"scope space":     func(p *Profile) { p.Scopes = []string{"a b"} },
		"relative key":    func(p *Profile) { p.KeyFile = "key.pem" },
		"client id space": func(p *Profile) { p.ClientID = "abc def" },
		"escape in id":    func(p *Profile) { p.ClientID = "abc\x1b]52;c;x\x07" },
		"bidi in kid":     func(p *Profile) { p.KeyID = "abc\u202edef" },
		"bidi in url":     func(p *Profile) { p.JWKSURI = "https://h/\u2066x" },
	} {
		p := good
		mutate(&p)
		var pe *ProfileError
		if err := p.Validate(); !errors.As(err, &pe) {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
	if err := good.Validate(); err != nil {
		t.Errorf("good profile: %v", err)
	}
}

func TestFieldValidators(t *testing.T) {
	for s, ok := range map[string]bool{
		"https://emr.example.org/apis/default/fhir/": true, " http://127.0.0.1:8300/apis/default/fhir ": true,
		"": false, "emr.example.org": false, "https://": false, "https://h/fhir?x": false,
	} {
		if err := ValidBaseURL(s); (err == nil) != ok {
			t.Errorf("ValidBaseURL(%q) = %v", s, err)
		}
	}
	for s, ok := range map[string]bool{"": true, " abc-123_XYZ ": true, "a b": false, "a\x1b[2J": false} {
		if err := ValidClientID(s); (err == nil) != ok {
			t.Errorf("ValidClientID(%q) = %v", s, err)
		}
	}
}
