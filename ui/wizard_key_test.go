package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	jose "github.com/go-jose/go-jose/v4"

	"fhirscope/fhirclient/fhirtest"
)

// A pasted PEM and a pasted private JWK both parse as they arrive and are taken with tab;
// garbage is refused with a plain reason, and tab does not go on.
func TestWizardKeyPaste(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	e := newWizardEnv(t, 100, 30, false)
	e.toBase("clinic")
	e.toKey(srv, "")
	w := e.wiz()
	w.keys.choice = 1
	e.d.press("enter")

	e.d.send(tea.PasteMsg{Content: "hello, this is not a key"})
	e.d.until("garbage refused", func() bool { return w.keys.err != nil })
	if scr := e.d.screen(); !strings.Contains(scr, "✗ ") {
		t.Errorf("the parse error should show:\n%s", scr)
	}
	e.d.press("tab")
	if w.step != wsKey || !strings.Contains(e.d.screen(), "Paste a private key that parses first") {
		t.Fatalf("tab should refuse garbage:\n%s", e.d.screen())
	}

	// A JWK of the same key: the paste area is cleared first (esc, choose paste again).
	e.d.press("esc")
	if w.keys.mode != keyChoose || w.keys.paste.Value() != "" {
		t.Fatal("esc should close the paste and drop its text (a private key)")
	}
	e.d.press("enter")
	jwk, err := jose.JSONWebKey{Key: testKey(t).Signer, Algorithm: "RS384", Use: "sig", KeyID: "my-registered-kid"}.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	e.d.send(tea.PasteMsg{Content: string(jwk)})
	e.d.until("JWK parsed", func() bool { return w.keys.parsed != nil })
	if got := w.keys.parsed.KeyID; got != "my-registered-kid" {
		t.Errorf("the JWK's own kid should be kept, got %q", got)
	}
	if !strings.Contains(e.d.screen(), "✓ RSA 2048-bit") {
		t.Errorf("the parsed key should be described:\n%s", e.d.screen())
	}
	e.d.press("tab")
	e.waitStep(wsJWKS)
	if w.keys.paste.Value() != "" {
		t.Error("the pasted private key should not stay in the text area")
	}

	// Back to the key step, paste the PEM instead: it replaces the key.
	e.d.press("esc")
	e.waitStep(wsKey)
	e.pasteTestKey()
	if w.keys.key.KeyID != testKey(t).KeyID {
		t.Errorf("kid %q, want the PEM's thumbprint", w.keys.key.KeyID)
	}
}

// Generating: an EC key is flagged as refused by OpenEMR before and after it is made; the
// public JWKS shown holds no private member.
func TestWizardKeyGenerate(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	e := newWizardEnv(t, 120, 40, false)
	e.toBase("clinic")
	e.toKey(srv, "")
	w := e.wiz()
	w.keys.choice = 2
	e.d.press("enter")
	if !strings.Contains(e.d.screen(), "RSA 2048 (RS384) · recommended") {
		t.Fatalf("RSA 2048 should be the first, recommended choice:\n%s", e.d.screen())
	}
	e.d.press("down", "down")
	if !strings.Contains(e.d.screen(), "OpenEMR accepts only RS384") {
		t.Errorf("choosing EC should warn:\n%s", e.d.screen())
	}
	e.d.press("enter")
	e.waitStep(wsJWKS)
	if w.keys.key.Alg != "ES384" {
		t.Fatalf("alg %s", w.keys.key.Alg)
	}
	scr := e.d.screen()
	if !strings.Contains(scr, "ES384: OpenEMR accepts only RS384") {
		t.Errorf("the JWKS step should repeat the key's warning:\n%s", scr)
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(w.jwks.raw, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("JWKS %s: %v", w.jwks.raw, err)
	}
	for _, m := range []string{"d", "p", "q", "dp", "dq", "qi"} {
		if _, ok := set.Keys[0][m]; ok {
			t.Errorf("the public JWKS carries %q", m)
		}
	}
	if !strings.Contains(flat(scr), "Admin > System > API Clients") {
		t.Errorf("the JWKS step should say what to do in OpenEMR:\n%s", scr)
	}
}

// A key file: a typed path that does not exist is explained; one chosen in the file picker
// loads.
func TestWizardKeyFromFile(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "client.pem"), testKeyPEM(t), 0o600); err != nil {
		t.Fatal(err)
	}
	e := newWizardEnv(t, 100, 30, false)
	e.toBase("clinic")
	e.toKey(srv, "")
	w := e.wiz()
	w.keys.picker.CurrentDirectory = dir
	e.d.press("enter") // "Load it from a file"
	e.d.typeText(filepath.Join(dir, "missing.pem"))
	e.d.press("enter")
	e.d.until("missing file explained", func() bool { return w.keys.err != nil })
	if !strings.Contains(e.d.screen(), "no such file") {
		t.Errorf("screen:\n%s", e.d.screen())
	}
	e.d.press("tab") // into the file picker
	e.d.until("directory listed", func() bool { return strings.Contains(e.d.screen(), "client.pem") })
	e.d.press("enter")
	e.waitStep(wsJWKS)
	if w.keys.key.KeyID != testKey(t).KeyID || !strings.Contains(w.keys.from, "client.pem") {
		t.Errorf("key %s from %s", w.keys.key.KeyID, w.keys.from)
	}
}

// The public JWKS is saved to a new file on request; an existing file is never replaced.
func TestWizardJWKSSaveRefusesOverwrite(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	dir := t.TempDir()
	existing := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(existing, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := newWizardEnv(t, 100, 30, false)
	e.toBase("clinic")
	e.toKey(srv, "")
	e.pasteTestKey()
	w := e.wiz()
	e.d.press("s")
	if !w.jwks.editing || w.jwks.path.Value() != "clinic-jwks.json" {
		t.Fatalf("s should ask for a path, suggesting one: %q", w.jwks.path.Value())
	}
	e.d.press("ctrl+u")
	e.d.typeText(existing)
	e.d.press("enter")
	e.d.until("refusal", func() bool { return w.jwks.saveErr != nil })
	if data, _ := os.ReadFile(existing); string(data) != "keep me" {
		t.Fatal("an existing file was overwritten")
	}
	if !strings.Contains(e.d.screen(), "already exists") {
		t.Errorf("the refusal should say why:\n%s", e.d.screen())
	}
	e.d.press("ctrl+u")
	fresh := filepath.Join(dir, "new-jwks.json")
	e.d.typeText(fresh)
	e.d.press("enter")
	e.d.until("saved", func() bool { return w.jwks.saved != "" })
	data, err := os.ReadFile(fresh)
	if err != nil || !json.Valid(data) || strings.Contains(string(data), `"d"`) {
		t.Fatalf("saved JWKS %s: %v", data, err)
	}
	if !strings.Contains(e.d.screen(), "JWKS saved to "+fresh) {
		t.Errorf("screen:\n%s", e.d.screen())
	}
}

// A kid is cut by cells, never inside a character, and shown inert.
func TestShortKIDCutsByCellsAndSanitises(t *testing.T) {
	for kid, want := range map[string]string{
		"short":                       "short",
		strings.Repeat("a", 43):       strings.Repeat("a", 16) + "…",
		"é" + strings.Repeat("ü", 20): "é" + strings.Repeat("ü", 15) + "…",
		"a\x1b[2Jb":                   "a␛[2Jb",
	} {
		if got := shortKID(kid); got != want {
			t.Errorf("shortKID(%q) = %q, want %q", kid, got, want)
		}
	}
}
