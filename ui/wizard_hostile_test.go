package ui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A server whose discovery and metadata answers carry terminal escapes (an OSC 52 clipboard
// write, a clear-screen, a bidi override) shows them as inert, visible text in the wizard.
func TestWizardHostileServerStringsRenderInert(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/.well-known/smart-configuration"):
			fmt.Fprintf(w, `{"token_endpoint":"%s/oauth2/default/token\u001b]52;c;ZXZpbA==\u0007",
				"registration_endpoint":"%s/oauth2/default/registration",
				"scopes_supported":["system/Patient.read","system/Evil\u001b[2J.read"]}`, srv.URL, srv.URL)
		case strings.HasSuffix(r.URL.Path, "/registration") && r.Method == http.MethodPost:
			fmt.Fprint(w, `{"client_id":"evil\u001b]52;c;ZXZpbA==\u0007client"}`)
		case strings.HasSuffix(r.URL.Path, "/metadata"):
			fmt.Fprint(w, `{"resourceType":"CapabilityStatement","fhirVersion":"4.0.1",
				"software":{"name":"Evil\u001b[2JEMR\u202e","version":"6.6\u001b]52;c;ZXZpbA==\u0007"},
				"rest":[{"mode":"server","resource":[{"type":"Patient","interaction":[{"code":"read"}]}]}]}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	e := newWizardEnv(t, 120, 40, false)
	e.toBase("clinic")
	e.d.typeText(srv.URL + "/apis/default/fhir")
	e.d.until("checked", func() bool { return e.wiz().disc.result != nil || e.wiz().disc.err != nil })
	if e.wiz().disc.err != nil {
		t.Fatalf("discovery: %v", e.wiz().disc.err)
	}
	assertInert(t, "base step", e.app.Render())
	if scr := e.d.screen(); !strings.Contains(scr, "␛[2J") {
		t.Errorf("the escape should show as visible text:\n%s", scr)
	}
	e.d.press("enter", "enter")
	e.waitStep(wsKey)
	e.pasteTestKey()
	e.toScopes()
	assertInert(t, "scopes step", e.app.Render())
	// The client ID a registration answered, and the note naming it once a changed scope
	// dropped that registration, are inert too.
	e.d.press("enter")
	e.waitStep(wsRegister)
	e.d.press("enter")
	e.d.until("registered", func() bool { return e.wiz().reg.clientID != "" || e.wiz().reg.err != nil })
	if err := e.wiz().reg.err; err != nil {
		t.Fatalf("registration: %v", err)
	}
	assertInert(t, "registered", e.app.Render())
	e.d.press("esc")
	e.waitStep(wsScopes)
	e.d.press("space", "space") // off and on again: the registration no longer fits
	e.d.press("enter")
	e.waitStep(wsRegister)
	if scr := flat(e.d.screen()); !strings.Contains(scr, "register again") {
		t.Errorf("the dropped registration should be noted:\n%s", scr)
	}
	assertInert(t, "registration dropped", e.app.Render())
	e.d.press("esc")
	e.waitStep(wsScopes)
	e.wiz().clientID.SetValue("x") // skip registration: straight to the summary
	e.d.press("enter")
	e.waitStep(wsSummary)
	assertInert(t, "summary", e.app.Render())
}
