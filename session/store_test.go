package session

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"
)

func TestConfigPath(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv(EnvConfig, "")
	t.Setenv("XDG_CONFIG_HOME", "")
	if p, _ := ConfigPath(); p != filepath.Join(home, ".config", "fhirscope", "config.json") {
		t.Errorf("default: %s", p)
	}
	t.Setenv("XDG_CONFIG_HOME", "relative/ignored") // the XDG spec says relative values are invalid
	if p, _ := ConfigPath(); p != filepath.Join(home, ".config", "fhirscope", "config.json") {
		t.Errorf("relative XDG: %s", p)
	}
	t.Setenv("XDG_CONFIG_HOME", "/xdg")
	if p, _ := ConfigPath(); p != "/xdg/fhirscope/config.json" {
		t.Errorf("XDG: %s", p)
	}
	t.Setenv(EnvConfig, "/elsewhere/conf.json")
	if p, _ := ConfigPath(); p != "/elsewhere/conf.json" {
		t.Errorf("override: %s", p)
	}
}

func newTestStore(t *testing.T) (*Store, string) {
	t.Helper()
	keyring.MockInit()
	path := filepath.Join(t.TempDir(), "cfg", "fhirscope", "config.json")
	s, err := OpenStore(path, NewSecrets())
	if err != nil {
		t.Fatal(err)
	}
	return s, path
}

func TestStoreLifecycle(t *testing.T) {
	s, path := newTestStore(t)
	if _, err := s.Default(); !errors.Is(err, ErrNoProfiles) {
		t.Fatalf("empty store Default: %v", err)
	}
	prod := Profile{Name: "prod", BaseURL: "https://emr.example.org/apis/default/fhir/", ClientID: " abc ",
		Scopes: []string{"system/Patient.read system/Observation.read", "system/Patient.read"}}
	if err := s.Add(prod); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(Profile{Name: "test", BaseURL: "http://127.0.0.1:8300/apis/default/fhir", KeyFile: "/keys/test.pem"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Add(prod); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("duplicate add: %v", err)
	}

	// File and directory permissions, and no temp file left behind.
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("config mode: %v %v", st.Mode(), err)
	}
	if dst, _ := os.Stat(filepath.Dir(path)); dst.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", dst.Mode())
	}
	for _, e := range mustReadDir(t, filepath.Dir(path)) { // no temp file left behind
		if e != "config.json" && e != "config.json.lock" {
			t.Errorf("stray file %s", e)
		}
	}

	// A fresh store sees the same, normalised.
	again, err := OpenStore(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := again.Get("prod")
	if err != nil {
		t.Fatal(err)
	}
	if got.BaseURL != "https://emr.example.org/apis/default/fhir" || got.ClientID != "abc" ||
		strings.Join(got.Scopes, " ") != "system/Patient.read system/Observation.read" {
		t.Errorf("normalised profile: %+v", got)
	}
	if d, _ := again.Default(); d.Name != "prod" {
		t.Errorf("first profile should be the default, got %q", d.Name)
	}
	if names := profileNames(again.List()); names != "prod,test" {
		t.Errorf("List: %s", names)
	}

	if err := s.SetDefault("test"); err != nil {
		t.Fatal(err)
	}
	if err := s.Update("prod", func(p *Profile) error { p.JWKSURI = "https://app.example.org/jwks.json"; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.Update("prod", func(p *Profile) error { p.BaseURL = "ftp://x"; return nil }); err == nil {
		t.Error("Update accepted an ftp base URL")
	}
	if err := s.Update("prod", func(p *Profile) error { p.Name = "x"; return nil }); err == nil {
		t.Error("Update renamed")
	}
	if p, _ := s.Get("prod"); p.JWKSURI == "" || p.BaseURL != "https://emr.example.org/apis/default/fhir" {
		t.Errorf("after updates: %+v", p)
	}
	if err := s.Rename("test", "staging"); err != nil {
		t.Fatal(err)
	}
	if s.DefaultName() != "staging" {
		t.Errorf("default did not follow the rename: %q", s.DefaultName())
	}
	if _, err := s.Get("test"); !errors.Is(err, ErrProfileNotFound) || !strings.Contains(err.Error(), "staging") {
		t.Errorf("Get old name: %v", err)
	}
	if err := s.Delete("staging"); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Default(); err != nil || d.Name != "prod" {
		t.Errorf("the last profile left becomes the default: %v %v", d.Name, err)
	}
}

func profileNames(ps []Profile) string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return strings.Join(names, ",")
}

func TestStoreDeleteAndRenameMoveKeyringEntries(t *testing.T) {
	s, _ := newTestStore(t)
	rsaKey, _ := testKeys(t)
	if err := s.Add(Profile{Name: "a", BaseURL: "https://h/fhir"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Secrets().Set("a", SecretEntry{ClientID: "cid", Key: rsaKey}); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename("a", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(KeyringService, "a"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("old entry left: %v", err)
	}
	if e, err := s.Secrets().Get("b"); err != nil || e.ClientID != "cid" {
		t.Fatalf("entry not moved: %v", err)
	}

	// A key waiting in the keyring under the new name is not overwritten by a rename.
	if err := s.Secrets().SetKey("waiting", rsaKey); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename("b", "waiting"); !errors.Is(err, ErrKeyExists) {
		t.Fatalf("rename onto a keyring entry: %v", err)
	}
	if _, err := s.Get("b"); err != nil {
		t.Fatal("a refused rename changed the profile")
	}
	if e, _ := s.Secrets().Get("b"); e == nil || e.ClientID != "cid" {
		t.Fatal("a refused rename moved the entry")
	}

	// Keyring gone: deleting a keyring profile keeps it and says why.
	keyring.MockInitWithError(errors.New("dbus: no session bus"))
	err := s.Delete("b")
	if !errors.Is(err, ErrNoKeyring) {
		t.Fatalf("Delete without keyring: %v", err)
	}
	if _, err := s.Get("b"); err != nil {
		t.Fatal("profile removed although its secret could not be")
	}
	if err := s.Forget("b"); err != nil {
		t.Fatal(err)
	}
	if len(s.List()) != 0 {
		t.Error("Forget kept the profile")
	}

	keyring.MockInit()
	if err := s.Add(Profile{Name: "c", BaseURL: "https://h/fhir"}); err != nil {
		t.Fatal(err)
	}
	_ = s.Secrets().Set("c", SecretEntry{ClientID: "x", Key: rsaKey})
	if err := s.Delete("c"); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Get(KeyringService, "c"); !errors.Is(err, keyring.ErrNotFound) {
		t.Errorf("Delete left the keyring entry: %v", err)
	}
}

func TestStoreKeepsSymlink(t *testing.T) {
	keyring.MockInit()
	dir := t.TempDir()
	real := filepath.Join(dir, "dotfiles", "fhirscope.json")
	if err := os.MkdirAll(filepath.Dir(real), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(real, []byte(`{"version":1,"profiles":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	s, err := OpenStore(link, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Add(Profile{Name: "p", BaseURL: "https://h/fhir"}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced by a file")
	}
	if b, _ := os.ReadFile(real); !strings.Contains(string(b), `"name": "p"`) {
		t.Errorf("target not updated: %s", b)
	}
}

// TestStoreSeesOtherWriters: a change re-reads the file, so a profile added by another
// process in between survives.
func TestStoreSeesOtherWriters(t *testing.T) {
	s1, path := newTestStore(t)
	s2, err := OpenStore(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s1.Add(Profile{Name: "one", BaseURL: "https://h/fhir"}); err != nil {
		t.Fatal(err)
	}
	if err := s2.Add(Profile{Name: "two", BaseURL: "https://h/fhir"}); err != nil {
		t.Fatal(err)
	}
	if err := s1.Load(); err != nil || profileNames(s1.List()) != "one,two" {
		t.Errorf("after two writers: %s %v", profileNames(s1.List()), err)
	}
}

func TestStoreTightensItsOwnDirectory(t *testing.T) {
	keyring.MockInit()
	dir := filepath.Join(t.TempDir(), "fhirscope")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Chmod(dir, 0o755)
	s, err := OpenStore(filepath.Join(dir, "config.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(dir); st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v", st.Mode().Perm())
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "config.json")); !strings.Contains(string(b), `"profiles": []`) {
		t.Errorf("empty store saved as %s", b)
	}
}

// TestConcurrentStoresLoseNothing: separate stores (as separate processes would have) adding
// profiles at the same time all land in the file.
func TestConcurrentStoresLoseNothing(t *testing.T) {
	_, path := newTestStore(t)
	const writers, each = 4, 10
	errs := make(chan error, writers*each)
	done := make(chan struct{})
	for w := range writers {
		go func() {
			defer func() { done <- struct{}{} }()
			st, err := OpenStore(path, nil)
			if err != nil {
				errs <- err
				return
			}
			for i := range each {
				errs <- st.Add(Profile{Name: fmt.Sprintf("w%d-%d", w, i), BaseURL: "https://h/fhir"})
			}
		}()
	}
	for range writers {
		<-done
	}
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := OpenStore(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(st.List()); n != writers*each {
		t.Errorf("%d profiles in the file, want %d", n, writers*each)
	}
}

func mustReadDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}
