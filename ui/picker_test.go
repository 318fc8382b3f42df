package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// pickerEnv starts the app on the picker over a store with the given profiles.
func pickerEnv(t *testing.T, w, h int, profiles ...session.Profile) *wizardEnv {
	t.Helper()
	e := newWizardEnv(t, w, h, false, profiles...)
	e.d.send(ReplaceMsg{NewPickerScreen(e.app.Common())})
	e.d.until("picker", func() bool { p, ok := e.app.Top().(*PickerScreen); return ok && p.loaded })
	return e
}

// Three profiles, none the default: the picker lists them with server, client ID and key
// location, filters with /, connects with enter (credentials from the key file).
func TestPickerListsFiltersAndConnects(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1, Now: time.Now})
	conn := register(t, srv, []string{"system/Patient.read"}, nil)
	keyPath, _ := filepath.Abs("testdata/test_key.pem")
	e := pickerEnv(t, 120, 30,
		session.Profile{Name: "clinic", BaseURL: srv.FHIRBase(), ClientID: conn.Cred.ClientID, Scopes: []string{"system/Patient.read"}, KeyFile: keyPath},
		session.Profile{Name: "staging", BaseURL: "https://staging.example.org/apis/default/fhir"},
		session.Profile{Name: "prod", BaseURL: "https://emr.example.org/apis/default/fhir", ClientID: "abc"},
	)
	if err := e.store.SetDefault("clinic"); err != nil { // marked in the list, and where the cursor starts
		t.Fatal(err)
	}
	e.d.press("r")
	e.d.until("reloaded", func() bool { return e.app.Top().(*PickerScreen).dflt == "clinic" })
	scr := e.d.screen()
	for _, want := range []string{"* clinic", "staging", "prod", "✓ set", "– none", "file …", "OS keyring"} {
		if !strings.Contains(scr, want) {
			t.Errorf("picker lacks %q:\n%s", want, scr)
		}
	}
	p := e.app.Top().(*PickerScreen)
	e.d.press("/")
	e.d.typeText("stag")
	if got := p.Names(); len(got) != 1 || got[0] != "staging" {
		t.Errorf("filter: %v", got)
	}
	e.d.press("esc")
	if len(p.Names()) != 3 {
		t.Errorf("esc should clear the filter: %v", p.Names())
	}
	e.d.press("/")
	e.d.typeText("clin")
	e.d.press("enter") // one match: connects
	e.d.until("connected", func() bool { cs, ok := e.app.Top().(*ConnectScreen); return ok && cs.Done() })
	if e.app.Common().Profile != "clinic" {
		t.Errorf("profile %q", e.app.Common().Profile)
	}
}

// d runs the doctor on the selected profile (its missing key named as the cause), n opens
// the wizard, and a profile that cannot open lands in the error panel.
func TestPickerDoctorWizardAndFailure(t *testing.T) {
	e := pickerEnv(t, 100, 30,
		session.Profile{Name: "a-nokey", BaseURL: "http://127.0.0.1:1/apis/default/fhir", ClientID: "x"},
		session.Profile{Name: "b-other", BaseURL: "https://emr.example.org/apis/default/fhir"},
	)
	e.d.press("d")
	e.d.until("doctor", func() bool { ds, ok := e.app.Top().(*DoctorScreen); return ok && ds.Report() != nil })
	if e.app.Top().Title() != "Doctor" || !e.app.Top().(*DoctorScreen).Report().Failed() {
		t.Errorf("the doctor should fail this profile:\n%s", e.d.screen())
	}
	e.d.press("esc")
	e.d.until("back on the picker", func() bool { _, ok := e.app.Top().(*PickerScreen); return ok })
	e.d.press("n")
	e.d.until("wizard", func() bool { _, ok := e.app.Top().(*WizardScreen); return ok })
	e.d.press("esc")
	e.d.until("back on the picker", func() bool { _, ok := e.app.Top().(*PickerScreen); return ok })
	e.d.press("enter") // a-nokey: no key in the keyring
	e.d.until("error panel", func() bool { return e.app.Err() != nil })
	if scr := e.d.screen(); !strings.Contains(scr, "a-nokey") || !strings.Contains(scr, "Fix:") {
		t.Errorf("the failure should be explained:\n%s", scr)
	}
}

// The palette offers the picker and the wizard when a profile store is at hand.
func TestPaletteOffersPickerAndWizard(t *testing.T) {
	e := pickerEnv(t, 100, 30, session.Profile{Name: "one", BaseURL: "https://emr.example.org/apis/default/fhir"})
	e.d.press(":")
	e.d.typeText("new profile")
	e.d.until("palette", func() bool { return strings.Contains(e.d.screen(), "New profile (setup wizard)") })
	e.d.press("enter")
	e.d.until("wizard", func() bool { _, ok := e.app.Top().(*WizardScreen); return ok })
	e.d.press("esc")
	e.d.until("back on the picker", func() bool { _, ok := e.app.Top().(*PickerScreen); return ok })
	e.d.press(":")
	e.d.typeText("switch profile…")
	e.d.press("enter")
	e.d.until("picker", func() bool { _, ok := e.app.Top().(*PickerScreen); return ok && e.app.Depth() == 2 })
}

// A failed connection of a profile offers the doctor with d.
func TestConnectFailureOffersDoctor(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1, Now: time.Now})
	keyPath, _ := filepath.Abs("testdata/test_key.pem")
	e := pickerEnv(t, 120, 40, session.Profile{Name: "unknown-client", BaseURL: srv.FHIRBase(), ClientID: "nobody", KeyFile: keyPath})
	e.d.press("enter")
	e.d.until("failed connect", func() bool { cs, ok := e.app.Top().(*ConnectScreen); return ok && cs.Failed() != nil })
	if !strings.Contains(e.d.screen(), "d run the doctor") {
		t.Errorf("the failure should offer the doctor:\n%s", e.d.screen())
	}
	e.d.press("d")
	e.d.until("doctor", func() bool { _, ok := e.app.Top().(*DoctorScreen); return ok })
}
