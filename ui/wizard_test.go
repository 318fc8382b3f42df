package ui

import (
	"strings"
	"testing"

	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// The name is validated as typed (syntax, and not an existing profile's name); enter only
// moves on with a valid one.
func TestWizardNameValidation(t *testing.T) {
	e := newWizardEnv(t, 100, 30, false, session.Profile{Name: "clinic", BaseURL: "https://emr.example.org/apis/default/fhir"})
	e.d.until("names loaded", func() bool { return e.wiz().loaded })
	e.d.typeText("bad name")
	if !strings.Contains(e.d.screen(), "✗ Use 1-64 letters") {
		t.Fatalf("an invalid name should be flagged as typed:\n%s", e.d.screen())
	}
	e.d.press("enter")
	if e.wiz().step != wsName {
		t.Fatal("enter moved on with an invalid name")
	}
	e.d.press("ctrl+u")
	if v := e.wiz().name.Value(); v != "" {
		t.Fatalf("ctrl+u should clear the field (text editing, not scrolling), left %q", v)
	}
	e.d.typeText("clinic")
	if !strings.Contains(e.d.screen(), "A profile named clinic already exists") {
		t.Fatalf("a taken name should be flagged:\n%s", e.d.screen())
	}
	e.d.press("enter")
	if e.wiz().step != wsName {
		t.Fatal("enter moved on with a taken name")
	}
	e.d.typeText("-2")
	e.d.press("enter")
	e.waitStep(wsBase)
}

// shift+tab and esc go back one step, keeping every value; esc on the first step asks
// before leaving when something was typed, and leaving the first-run wizard quits.
func TestWizardBackKeepsValuesAndLeaveConfirms(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	e := newWizardEnv(t, 100, 30, false)
	e.toBase("clinic")
	e.toKey(srv, "my-client")
	e.d.send(shiftTab)
	e.waitStep(wsClientID)
	if got := e.wiz().clientID.Value(); got != "my-client" {
		t.Errorf("client ID after going back: %q", got)
	}
	e.d.press("esc")
	e.waitStep(wsBase)
	if got := e.wiz().base.Value(); got != srv.FHIRBase() || e.wiz().disc.result == nil {
		t.Errorf("base after going back: %q, checked %v", got, e.wiz().disc.result != nil)
	}
	e.d.press("esc")
	e.waitStep(wsName)
	if got := e.wiz().name.Value(); got != "clinic" {
		t.Errorf("name after going back: %q", got)
	}
	e.d.press("enter", "enter") // forward again: the checked base is still good
	e.waitStep(wsClientID)
	e.d.send(shiftTab)
	e.d.send(shiftTab)
	e.d.press("esc")
	if !strings.Contains(e.d.screen(), "Leave the setup? Nothing has been saved.") {
		t.Fatalf("esc on the first step should ask:\n%s", e.d.screen())
	}
	e.d.press("n")
	if e.d.quit || e.wiz().confirm {
		t.Fatal("another key than y should stay in the wizard")
	}
	e.d.press("esc", "y")
	e.d.until("quit", func() bool { return e.d.quit })

	// Pushed over another screen (palette "New profile"), leaving pops back to it.
	e2 := newWizardEnv(t, 100, 30, false)
	e2.d.send(PushMsg{NewWizardScreen(e2.app.Common(), false)})
	e2.d.until("second wizard", func() bool { return e2.app.Depth() == 2 })
	e2.d.press("esc")
	e2.d.until("closed", func() bool { return e2.app.Depth() == 1 })
	if e2.d.quit {
		t.Error("closing a pushed wizard should not quit")
	}
}

// The base URL is checked live once typing stops: the server's software, version and token
// endpoint on success; for an OpenEMR base without /apis/{site}/fhir, the cause and the
// corrected URL; the 7.0.2 flavor is recognised too.
func TestWizardLiveDiscovery(t *testing.T) {
	for _, flavor := range []fhirtest.Flavor{fhirtest.Flavor704, fhirtest.Flavor702} {
		srv := newSandbox(t, fhirtest.Options{Patients: 1, Flavor: flavor})
		e := newWizardEnv(t, 120, 40, false)
		e.toBase("clinic")
		e.d.typeText(srv.URL() + "/apis/default")
		e.waitScreen("Try " + srv.FHIRBase())
		scr := e.d.screen()
		if !strings.Contains(scr, "Cause:") || !strings.Contains(scr, "empty 400") {
			t.Errorf("%s: a base without the site segment should be explained:\n%s", flavor, scr)
		}
		e.d.press("enter")
		if e.wiz().step != wsBase {
			t.Fatalf("%s: enter moved on from a failing base", flavor)
		}
		e.d.until("rechecked", func() bool { return !e.wiz().disc.checking && e.wiz().disc.err != nil })
		e.d.press("tab") // takes the suggested base
		if got := e.wiz().base.Value(); got != srv.FHIRBase() {
			t.Fatalf("%s: tab should take the suggestion, base is %q", flavor, got)
		}
		version := strings.TrimPrefix(string(flavor), "openemr-")
		e.waitScreen("✓ OpenEMR " + version)
		if scr := e.d.screen(); !strings.Contains(scr, "token endpoint "+srv.TokenURL()) {
			t.Errorf("%s: the token endpoint should show:\n%s", flavor, scr)
		}
		e.d.press("enter")
		e.waitStep(wsClientID)
	}
}

// Every edit restarts the check; a reply for an older value, or for a cancelled request, is
// dropped.
func TestWizardDropsStaleDiscovery(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	e := newWizardEnv(t, 100, 30, false)
	e.toBase("clinic")
	e.d.typeText(srv.FHIRBase())
	e.d.until("checking", func() bool { return e.wiz().disc.checking })
	w := e.wiz()
	oldID, oldBase := w.disc.req.id, w.disc.base
	e.d.typeText("x") // typing on cancels the check in flight
	if w.disc.checking || w.disc.req.Current(oldID) {
		t.Fatal("an edit should make the check in flight stale")
	}
	e.d.send(wizDiscoveredMsg{id: oldID, base: oldBase, server: &wizServer{Base: oldBase, Software: "STALE"}})
	if w.disc.result != nil {
		t.Fatal("a reply for the old value was taken")
	}
	e.d.press("backspace")
	e.d.until("rechecked", func() bool { return w.disc.result != nil })
	if w.disc.result.Software == "STALE" || !strings.Contains(e.d.screen(), "OpenEMR 7.0.4") {
		t.Fatalf("result: %+v", w.disc.result)
	}
	// A reply carrying the current id but for another value than the field holds is dropped too.
	cur := w.disc.req.id
	w.disc.result = nil
	e.d.send(wizDiscoveredMsg{id: cur, base: srv.URL() + "/other", server: &wizServer{Software: "OTHER"}})
	if w.disc.result != nil {
		t.Fatal("a reply for another base was taken")
	}
}

// The scope checklist comes from the server's scopes_supported: the everyday clinical read
// scopes are chosen by default (v1 forms), nothing exotic; / filters and space toggles.
func TestWizardScopeDefaultsFilterToggle(t *testing.T) {
	for _, flavor := range []fhirtest.Flavor{fhirtest.Flavor704, fhirtest.Flavor702} {
		srv := newSandbox(t, fhirtest.Options{Patients: 1, Flavor: flavor})
		e := newWizardEnv(t, 100, 30, false)
		e.toBase("clinic")
		e.toKey(srv, "")
		e.pasteTestKey()
		e.toScopes()
		w := e.wiz()
		sel := w.scopes.Selected()
		for _, want := range []string{"system/Patient.read", "system/Observation.read", "system/Condition.read", "system/Encounter.read"} {
			if !contains(sel, want) {
				t.Errorf("%s: %s not chosen by default: %v", flavor, want, sel)
			}
		}
		for _, s := range sel {
			if !strings.HasSuffix(s, ".read") || strings.Contains(s, "$") || strings.Contains(s, "*") {
				t.Errorf("%s: exotic default %s", flavor, s)
			}
		}
		hasV2 := false
		for _, it := range w.scopes.items {
			if !strings.HasPrefix(it.scope, "system/") {
				t.Errorf("%s: non-system scope offered: %s", flavor, it.scope)
			}
			hasV2 = hasV2 || strings.HasSuffix(it.scope, ".rs")
		}
		if hasV2 != (flavor == fhirtest.Flavor704) {
			t.Errorf("%s: v2 scopes offered = %v", flavor, hasV2)
		}

		e.d.press("/")
		e.d.typeText("immuniz")
		e.d.press("enter")
		shown := w.scopes.shown
		for _, i := range shown {
			if !strings.Contains(strings.ToLower(w.scopes.items[i].scope), "immuniz") {
				t.Errorf("filter shows %s", w.scopes.items[i].scope)
			}
		}
		first := w.scopes.items[shown[0]]
		e.d.press("space")
		if w.scopes.items[shown[0]].on == first.on {
			t.Errorf("space did not toggle %s", first.scope)
		}
		// Nothing chosen: enter refuses.
		for i := range w.scopes.items {
			w.scopes.items[i].on = false
		}
		e.d.press("enter")
		if w.step != wsScopes || !strings.Contains(e.d.screen(), "Choose at least one scope") {
			t.Errorf("%s: no scope chosen should stop here:\n%s", flavor, e.d.screen())
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// The client ID is optional, but one with spaces (pasted with extra text) is refused as typed.
func TestWizardClientIDValidation(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	e := newWizardEnv(t, 100, 30, false)
	e.toBase("clinic")
	e.d.typeText(srv.FHIRBase())
	e.d.until("discovery", func() bool { return e.wiz().disc.result != nil })
	e.d.press("enter")
	e.waitStep(wsClientID)
	e.d.typeText("abc def")
	if !strings.Contains(e.d.screen(), "✗ ") {
		t.Fatalf("a client ID with a space should be flagged:\n%s", e.d.screen())
	}
	e.d.press("enter")
	if e.wiz().step != wsClientID {
		t.Fatal("enter moved on with an invalid client ID")
	}
	e.d.press("ctrl+u", "enter") // empty: register later
	e.waitStep(wsKey)
	if !e.wiz().needsRegistration() {
		t.Error("an empty client ID should lead to the registration step")
	}
}

// q on a step without a text field would throw the setup away: it asks for a second q first.
func TestWizardQuitAsksWhileUnsaved(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	e := newWizardEnv(t, 100, 30, false)
	e.toBase("clinic")
	e.toKey(srv, "my-client") // the key step's menu: q is a command here, not text
	e.d.press("q")
	if e.d.quit {
		t.Fatal("the first q quit and lost the unsaved setup")
	}
	if !strings.Contains(e.d.screen(), "not saved yet") {
		t.Errorf("the first q should say what would be lost:\n%s", e.d.screen())
	}
	e.d.press("down", "q") // another key disarms: this q asks again
	if e.d.quit {
		t.Fatal("a q after another key should ask again, not quit")
	}
	e.d.press("q")
	e.d.until("quit", func() bool { return e.d.quit })
}
