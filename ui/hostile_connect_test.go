package ui

import (
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient/fhirtest/hostile"
)

// Connecting to a hostile server: discovery, the token endpoint and the CapabilityStatement
// answering garbage, huge or escape-laden bodies. A failed step shows its cause and fix; a
// step that succeeds on odd data shows it inert, and so do the types screen and status bar.

func writeJSON(status int, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	}
}

// evilMetadata is a CapabilityStatement whose software, version, types and search parameter
// documentation carry escapes.
const evilMetadata = `{"resourceType":"CapabilityStatement","status":"active","kind":"instance","fhirVersion":"4.0.1\u001b[2J",` +
	`"software":{"name":"OpenEMR\u001b]52;c;ZXZpbA==\u0007` + hostile.BidiRLO + `","version":"7.0.4` + hostile.C1CSI + `"},` +
	`"rest":[{"mode":"server","resource":[` +
	`{"type":"Patient","interaction":[{"code":"read"},{"code":"search-type"}],"searchParam":[{"name":"name\u001b[2J","type":"string","documentation":"evil\u001b]52;c;eA==\u0007docs"}]},` +
	`{"type":"Evil\u001b[2JType` + hostile.BidiRLO + `","interaction":[{"code":"read"}]}]}]}`

func TestHostileConnect(t *testing.T) {
	deep := strings.Repeat("[", hostile.DeepLevels) + strings.Repeat("]", hostile.DeepLevels)
	html := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(status)
			_, _ = w.Write([]byte("<html><title>" + hostile.OSC52 + "</title><body>" + hostile.ClearEsc + "Bad Gateway</body></html>"))
		}
	}
	type override struct {
		where string // "smart", "token" or "metadata"
		h     http.HandlerFunc
	}
	cases := []struct {
		name string
		o    override
		fail string // words on screen when the connection must fail; "" when it must succeed
	}{
		{"discovery HTML", override{"smart", html(200)}, ""}, // falls back to the CapabilityStatement
		{"discovery deep", override{"smart", writeJSON(200, `{"token_endpoint":`+deep+`}`)}, ""},
		{"discovery evil endpoint", override{"smart", writeJSON(200, `{"token_endpoint":"http://127.0.0.1:1/tok\u001b]52;c;eA==\u0007en","grant_types_supported":["client_credentials"]}`)}, "not an http(s) URL"},
		{"token HTML 200", override{"token", html(200)}, "token"},
		{"token HTML 502", override{"token", html(502)}, "HTTP 502"},
		{"token evil error", override{"token", writeJSON(400, `{"error":"invalid_client\u001b[2J","error_description":"no\u001b]52;c;eA==\u0007`+hostile.BidiRLO+`","hint":"\u001b[2Jhint"}`)}, "refused"},
		{"token deep", override{"token", writeJSON(200, `{"access_token":`+deep+`}`)}, "token"},
		{"token endless", override{"token", func(w http.ResponseWriter, r *http.Request) {
			chunk := []byte(strings.Repeat(" ", 64<<10))
			for n := 0; n < 3*hostile.ClientCap && r.Context().Err() == nil; n += len(chunk) {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}}, "limit"},
		{"metadata HTML 502", override{"metadata", html(502)}, "HTTP 502"},
		{"metadata deep", override{"metadata", writeJSON(200, `{"resourceType":"CapabilityStatement","rest":`+deep+`}`)}, "exceeded max depth"},
		{"metadata evil", override{"metadata", writeJSON(200, evilMetadata)}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, hs := hostileAppUnconnected(t, func(hs *hostile.Server) {
				path := map[string]string{
					"smart":    hs.Path(hs.FHIRBase() + "/.well-known/smart-configuration"),
					"token":    hs.Path(hs.Sandbox.TokenURL()),
					"metadata": hs.Path(hs.FHIRBase() + "/metadata"),
				}[c.o.where]
				hs.Override(path, c.o.h)
			})
			app := d.app
			cs := app.Top().(*ConnectScreen)
			d.until("the connection's end", func() bool { return cs.Done() || cs.Failed() != nil })
			scr := d.screen()
			if os.Getenv("HOSTILE_SHOW") != "" {
				t.Logf("%s:\n%s", c.name, scr)
			}
			assertFrameInert(t, "connect", app.Render())
			assertFitsFrame(t, "connect", scr, 120, 40)
			if c.fail == "" {
				if err := cs.Failed(); err != nil {
					t.Fatalf("failed: %v\n%s", err, scr)
				}
				d.press("enter")
				d.until("types", func() bool { _, ok := app.Top().(*TypesScreen); return ok })
				assertFrameInert(t, "types", app.Render())
				if c.name == "metadata evil" && !strings.Contains(d.screen(), "Evil␛[2JType") {
					t.Errorf("the hostile type should be listed inert:\n%s", d.screen())
				}
				return
			}
			err := cs.Failed()
			if err == nil {
				t.Fatalf("connected although %s:\n%s", c.name, scr)
			}
			flat := strings.Join(strings.Fields(scr), " ")
			if !strings.Contains(flat, c.fail) {
				t.Errorf("the screen lacks %q:\n%s", c.fail, scr)
			}
			causeAndFix(t, c.name, scr, err)
			if hits, auths := hs.Other.Seen(); hits != 0 {
				t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
			}
		})
	}
}

// A server that trickles its answer never freezes the app: the results screen shows it is
// waiting, esc cancels the request (the screen stays, says so, and ignores the late end of
// the answer), a second esc goes back, and another type opens at once.
func TestHostileTrickleCancelledByEsc(t *testing.T) {
	d, _ := hostileApp(t, NewStyles(true), 100, 30)
	app := d.app
	types := app.Top().(*TypesScreen)
	d.send(PushMsg{OpenType(app.Common(), string(hostile.Trickle))})
	res := app.Top().(*ResultsScreen)
	late := false // the cancelled search's reply reached Update
	d.onMsg = func(msg tea.Msg) {
		if m, ok := msg.(resultsPageMsg); ok && m.screen == res {
			late = true
		}
	}
	if !res.Busy() {
		t.Fatal("the results screen should be waiting for the trickle")
	}
	d.press("down", "up") // keys are handled while the answer trickles in
	d.drain()
	d.press("esc")
	if app.Top() != Screen(res) || res.Busy() || app.StatusText() != "request cancelled" {
		t.Fatalf("esc should cancel the request in flight: top %T busy %v status %q", app.Top(), res.Busy(), app.StatusText())
	}
	assertFrameInert(t, "cancelled", app.Render())
	// The cancelled search ends at once with a context error; wait for that reply, then check
	// it was ignored (draining alone could look before the reply has come back).
	d.until("the cancelled search's reply", func() bool { return late })
	d.onMsg = nil
	if res.err != nil || res.page != nil || res.Busy() || app.StatusText() != "request cancelled" {
		t.Fatalf("the cancelled answer was used: err %v, page %v, busy %v, status %q", res.err, res.page, res.Busy(), app.StatusText())
	}
	d.press("esc")
	if app.Top() != Screen(types) {
		t.Fatalf("second esc: top %T", app.Top())
	}
	d.send(PushMsg{OpenType(app.Common(), "Patient")})
	res = app.Top().(*ResultsScreen)
	start := time.Now()
	d.until("patients", func() bool { return !res.Busy() && res.page != nil })
	if res.err != nil || time.Since(start) > hostile.EndlessFor/4 {
		t.Fatalf("Patient after the trickle: %v after %v", res.err, time.Since(start))
	}
}
