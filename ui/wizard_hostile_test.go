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
				"scopes_supported":["system/Patient.read","system/Evil\u001b[2J.read"]}`, srv.URL)
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
	e.wiz().clientID.SetValue("x") // skip registration: straight to the summary
	e.d.press("enter")
	e.waitStep(wsSummary)
	assertInert(t, "summary", e.app.Render())
}
