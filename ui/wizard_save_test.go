package ui

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient/doctor"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// The whole first run: no client ID, so the wizard registers the client with the public JWKS
// and the chosen scopes, says an admin must enable it, saves key and client ID in the keyring
// (nothing before Save), and connects. The new client is not enabled yet: the doctor runs at
// once and names that cause. Once the admin step is done, retrying connects.
func TestWizardRegisterSaveThenEnableConnects(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 2, Now: time.Now}) // profile clients sign with the real clock
	e := newWizardEnv(t, 120, 40, false)
	e.toBase("clinic")
	e.toKey(srv, "")
	e.pasteTestKey()
	e.toScopes()
	scopes := e.wiz().scopes.Selected()
	e.d.press("enter")
	e.waitStep(wsRegister)
	e.d.press("enter") // "Register this client now"
	e.d.until("registered", func() bool { return e.wiz().reg.clientID != "" || e.wiz().reg.err != nil })
	w := e.wiz()
	if w.reg.err != nil {
		t.Fatalf("registration failed: %v", w.reg.err)
	}
	clientID := w.reg.clientID
	if !strings.Contains(flat(e.d.screen()), "must now enable this client under Admin > System > API Clients") {
		t.Errorf("the admin step should be spelled out:\n%s", e.d.screen())
	}
	if _, err := os.Stat(e.store.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("something was saved before Save: %v", err)
	}
	if _, err := e.store.Secrets().Get("clinic"); !errors.Is(err, session.ErrNoSecret) {
		t.Fatalf("the keyring was written before Save: %v", err)
	}

	e.d.press("enter")
	e.waitStep(wsSummary)
	if scr := e.d.screen(); !strings.Contains(scr, clientID) || !strings.Contains(scr, "stored in the OS keyring") {
		t.Errorf("summary:\n%s", scr)
	}
	e.d.press("enter")
	// Saved, connected, the token refused (client disabled): the doctor comes up by itself.
	e.d.until("doctor after the failed connect", func() bool {
		ds, ok := e.app.Top().(*DoctorScreen)
		return ok && ds.Report() != nil
	})
	named := false
	for _, c := range e.app.Top().(*DoctorScreen).Report().Checks {
		named = named || c.Status == doctor.Fail && c.ID == "token.request" && strings.Contains(c.Cause+c.Detail, "DISABLED until an admin enables it")
	}
	if !named {
		t.Errorf("the doctor should name the disabled client:\n%s", e.d.screen())
	}
	p, err := e.store.Get("clinic")
	if err != nil || p.ClientID != clientID || p.KeyFile != "" || strings.Join(p.Scopes, " ") != strings.Join(scopes, " ") {
		t.Fatalf("saved profile %+v: %v", p, err)
	}
	entry, err := e.store.Secrets().Get("clinic")
	if err != nil || entry.ClientID != clientID || entry.Key == nil || entry.Key.KeyID != testKey(t).KeyID {
		t.Fatalf("keyring entry %+v: %v", entry, err)
	}

	// The admin enables the client; back on the connect screen, r retries and connects.
	if err := srv.Enable(clientID); err != nil {
		t.Fatal(err)
	}
	e.d.press("esc")
	e.d.until("connect screen", func() bool { _, ok := e.app.Top().(*ConnectScreen); return ok })
	if !strings.Contains(e.d.screen(), "d run the doctor") {
		t.Errorf("a failed connect should offer the doctor:\n%s", e.d.screen())
	}
	e.d.press("r")
	e.d.until("connected", func() bool { cs, ok := e.app.Top().(*ConnectScreen); return ok && cs.Done() })
	if e.app.Common().Profile != "clinic" {
		t.Errorf("profile in the status bar: %q", e.app.Common().Profile)
	}
}

// Without a usable keyring, Save says so plainly and writes nothing; the key goes to a file
// only after the user chooses that and types the path (a new file, mode 0600).
func TestWizardNoKeyringOffersKeyFile(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1, Now: time.Now})
	e := newWizardEnv(t, 100, 30, true)
	e.toBase("clinic")
	e.toKey(srv, "registered-elsewhere")
	e.pasteTestKey()
	e.toScopes()
	e.d.press("enter")
	e.waitStep(wsSummary) // a client ID was given: no registration step
	e.d.press("enter")
	w := e.wiz()
	e.d.until("keyring failure", func() bool { return w.save.noKeyring })
	scr := flat(e.d.screen())
	for _, want := range []string{"The OS keyring cannot be used, so the key was NOT saved", "Keep the key in a file", "Go back"} {
		if !strings.Contains(scr, want) {
			t.Errorf("screen lacks %q:\n%s", want, e.d.screen())
		}
	}
	if _, err := os.Stat(e.store.Path()); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a failed keyring save wrote the config: %v", err)
	}
	golden(t, "wizard_nokeyring_100x30", normalize(e.d.screen(), srv))

	// "Go back" leaves everything as it was.
	e.d.press("down", "enter")
	if w.save.noKeyring || w.step != wsSummary {
		t.Fatal("Go back should return to the summary")
	}
	e.d.press("enter")
	e.d.until("keyring failure again", func() bool { return w.save.noKeyring })
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "clinic-key.pem")
	e.d.press("enter") // Keep the key in a file
	if !w.save.editing {
		t.Fatal("choosing the key file should ask for its path")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatal("a file was written before the path was typed")
	}
	e.d.typeText(keyPath)
	e.d.press("enter")
	e.d.until("saved", func() bool { return w.step == wsDone || w.save.err != nil && !w.save.saving })
	if w.save.err != nil {
		t.Fatalf("save: %v", w.save.err)
	}
	st, err := os.Stat(keyPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", st, err)
	}
	p, err := e.store.Get("clinic")
	if err != nil || p.KeyFile != keyPath || p.ClientID != "registered-elsewhere" {
		t.Fatalf("profile %+v: %v", p, err)
	}
	// It connects with the file: the sandbox does not know this client, and the doctor says so.
	e.d.until("doctor", func() bool { ds, ok := e.app.Top().(*DoctorScreen); return ok && ds.Report() != nil })
	var keyCheck *doctor.Check
	for _, c := range e.app.Top().(*DoctorScreen).Report().Checks {
		if c.Step == 3 {
			keyCheck = &c
			break
		}
	}
	if keyCheck == nil || keyCheck.Status == doctor.Fail {
		t.Errorf("the key from the file should load for the doctor: %+v", keyCheck)
	}
}

// "I'll register it myself": the profile is saved without a client ID, nothing connects,
// and the last page says what is left to do.
func TestWizardRegisterMyselfSavesWithoutClientID(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	e := newWizardEnv(t, 100, 30, false)
	e.toBase("clinic")
	e.toKey(srv, "")
	e.pasteTestKey()
	e.toScopes()
	e.d.press("enter")
	e.waitStep(wsRegister)
	before := srv.Counters().Requests
	e.d.press("down", "enter")
	e.waitStep(wsSummary)
	e.d.press("enter")
	e.waitStep(wsDone)
	scr := flat(e.d.screen())
	for _, want := range []string{"Saved profile clinic", "fhirscope profile set clinic --client-id ID", "Admin > System > API Clients"} {
		if !strings.Contains(scr, want) {
			t.Errorf("done page lacks %q:\n%s", want, e.d.screen())
		}
	}
	if _, ok := e.app.Top().(*WizardScreen); !ok {
		t.Errorf("nothing to connect with: the wizard should stay, not %T", e.app.Top())
	}
	if n := srv.Counters().Requests; n != before {
		t.Errorf("%d requests reached the server after choosing to register by hand", n-before)
	}
	p, err := e.store.Get("clinic")
	if err != nil || p.ClientID != "" {
		t.Fatalf("profile %+v: %v", p, err)
	}
	if entry, err := e.store.Secrets().Get("clinic"); err != nil || entry.Key == nil {
		t.Fatalf("the key should be in the keyring: %+v %v", entry, err)
	}
}
