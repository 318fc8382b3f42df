package ui

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// normalize replaces what differs between runs (the sandbox's port, generated client ids,
// wall-clock times and durations in the request log) with fixed text of the same width, so
// golden files compare layout and content.
func normalize(s string, srv *fhirtest.Server, ids ...string) string {
	// Ephemeral ports always have 5 digits; a truncated one has fewer before its "…".
	s = portRE.ReplaceAllStringFunc(s, func(m string) string { return pad("127.0.0.1:PORT", len(m)) })
	for _, id := range ids {
		if id == "" {
			continue
		}
		s = strings.ReplaceAll(s, id, pad("CLIENT-ID", len(id)))
		if len(id) > 12 { // truncated forms ("client_id 0d2F7cBp…")
			for n := len(id) - 1; n >= 2; n-- {
				s = strings.ReplaceAll(s, id[:n]+"…", pad("CLIENT-ID", n)+"…")
			}
		}
	}
	s = clockRE.ReplaceAllString(s, "HH:MM:SS")
	// Durations are right-aligned in their column: keep the width, leading spaces included.
	s = durationRE.ReplaceAllStringFunc(s, func(m string) string {
		return strings.Repeat(" ", max(0, len(m)-3)) + "Nms"[max(0, 3-len(m)):]
	})
	return s
}

var (
	portRE     = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	clockRE    = regexp.MustCompile(`\b\d\d:\d\d:\d\d\b`)
	durationRE = regexp.MustCompile(` +\d+(\.\d+)?(ms|µs|s)\b`)
)

func pad(s string, n int) string {
	if len(s) >= n {
		return s[:n]
	}
	return s + strings.Repeat(".", n-len(s))
}

func TestConnectShowsStepsThenGrantedScopes(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 2})
	log := fhirclient.NewRequestLog(0)
	conn := register(t, srv, []string{"system/Patient.read", "system/Observation.read", "system/Encounter.read"}, log)
	app := newTestApp(t, Options{Conn: conn, Log: log})
	d := newDriver(t, app, 80, 24)
	cs := app.Top().(*ConnectScreen)
	d.until("connected", cs.Done)
	scr := d.screen()
	for _, want := range []string{"✓ Discovery", "✓ Sign client assertion", "✓ Access token", "✓ Capabilities",
		"Granted 3 of 3 requested scopes", "✓ system/Patient.read", "press enter to browse"} {
		if !strings.Contains(scr, want) {
			t.Errorf("connect screen lacks %q:\n%s", want, scr)
		}
	}
	if tok := conn.Client.CurrentToken(); tok != nil && strings.Contains(scr, tok.AccessToken[:20]) {
		t.Fatal("the access token is on screen")
	}
	if app.Common().Token == nil || app.Common().Caps == nil {
		t.Fatal("token and capabilities should be shared through Common")
	}
	golden(t, "connect_80x24", normalize(scr, srv, conn.Cred.ClientID))
}

func TestConnectFlagsDroppedScopesAndLocksTypes(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 2})
	log := fhirclient.NewRequestLog(0)
	// Registered for Patient only, asking for Observation too: OpenEMR drops it silently.
	conn := register(t, srv, []string{"system/Patient.read"}, log)
	c2, err := fhirclient.New(srv.FHIRBase(), fhirclient.WithCredentials(conn.Cred), fhirclient.WithRequestLog(log),
		fhirclient.WithScopes([]string{"system/Patient.read", "system/Observation.read"}), fhirclient.WithClock(func() time.Time { return fixedNow }))
	if err != nil {
		t.Fatal(err)
	}
	conn.Client = c2
	app := newTestApp(t, Options{Conn: conn, Log: log})
	d := newDriver(t, app, 100, 30)
	d.until("connected", app.Top().(*ConnectScreen).Done)
	scr := d.screen()
	for _, want := range []string{"Granted 1 of 2", "Dropped by the server (1)", "✗ system/Observation.read"} {
		if !strings.Contains(scr, want) {
			t.Errorf("connect screen lacks %q:\n%s", want, scr)
		}
	}
	d.press("enter")
	d.until("types", func() bool { _, ok := app.Top().(*TypesScreen); return ok })
	types := app.Top().(*TypesScreen)
	d.press("/")
	d.typeText("observ")
	d.press("enter")
	if types.Selected() != "Observation" {
		t.Fatalf("filter picked %q, shown %v", types.Selected(), types.Shown())
	}
	scr = d.screen()
	if !strings.Contains(scr, "✗ locked") || !strings.Contains(scr, "needs system/Observation.read") {
		t.Errorf("Observation should be marked locked with the reason:\n%s", scr)
	}
	d.press("esc") // clears the filter
	d.press("/")
	d.typeText("patient")
	d.press("enter")
	if !strings.Contains(d.screen(), "✓ read") {
		t.Errorf("Patient should be readable:\n%s", d.screen())
	}
}

func TestConnectFailureShowsCauseFixAndRetries(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	log := fhirclient.NewRequestLog(0)
	conn := register(t, srv, nil, log)
	if err := srv.Disable(conn.Cred.ClientID); err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t, Options{Conn: conn, Log: log})
	d := newDriver(t, app, 100, 30)
	cs := app.Top().(*ConnectScreen)
	d.until("the token step to fail", func() bool { return cs.Failed() != nil })
	scr := d.screen()
	ex := Explain(cs.Failed())
	for _, want := range []string{"✗ Access token", "Access token (client_credentials) failed", "Cause:", "Fix:",
		firstWords(ex.Fix, 3), "r retry"} {
		if !strings.Contains(scr, want) {
			t.Errorf("failure screen lacks %q:\n%s", want, scr)
		}
	}
	golden(t, "connect_failed_100x30", normalize(scr, srv, conn.Cred.ClientID))

	// The admin enables the client; r retries the failed step and the connection completes.
	if err := srv.Enable(conn.Cred.ClientID); err != nil {
		t.Fatal(err)
	}
	d.press("r")
	d.until("connected after retry", cs.Done)
}

func TestTypesGoldenAtBothSizes(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {200, 60}} {
		d, srv := connectedApp(t, fhirtest.Options{Patients: 1}, size[0], size[1])
		name := "types_" + strconv.Itoa(size[0]) + "x" + strconv.Itoa(size[1])
		golden(t, name, normalize(d.screen(), srv))
	}
}

func TestPaletteFiltersAndRuns(t *testing.T) {
	d, srv := connectedApp(t, fhirtest.Options{Patients: 1}, 100, 30)
	app := d.app
	d.press(":")
	p, ok := app.Top().(*PaletteScreen)
	if !ok {
		t.Fatalf(": should open the palette, top %T", app.Top())
	}
	golden(t, "palette_100x30", normalize(d.screen(), srv))
	d.typeText("request log")
	if got := p.Titles(); len(got) != 1 || got[0] != "Show request log" {
		t.Fatalf("filter 'request log' shows %v", got)
	}
	d.press("enter")
	d.until("request log", func() bool { _, ok := app.Top().(*RequestLogScreen); return ok })
	if app.Depth() != 2 {
		t.Fatalf("the palette should have closed itself: depth %d", app.Depth())
	}
	d.press("esc")
	d.press(":")
	d.typeText("help")
	d.press("enter")
	d.until("help", func() bool { _, ok := app.Top().(*HelpScreen); return ok })
	if of := app.Top().(*HelpScreen).of; of != "Resource types" {
		t.Errorf("the palette's Help shows the keys of %q, want the screen under the palette", of)
	}
	d.press("esc")
	d.press("ctrl+p")
	d.typeText("go to type observation")
	if got := app.Top().(*PaletteScreen).Titles(); len(got) != 1 || got[0] != "Observation" {
		t.Fatalf("'go to type observation' shows %v", got)
	}
	d.press("esc")
	d.press(":")
	d.typeText("reconnect")
	d.press("enter")
	d.until("reconnect", func() bool { cs, ok := app.Top().(*ConnectScreen); return ok && cs.Done() })
	if app.Depth() != 1 {
		t.Fatalf("reconnect should start over with one screen, depth %d", app.Depth())
	}
	d.press(":")
	d.typeText("quit")
	d.press("enter")
	d.until("quit from the palette", func() bool { return d.quit })
}

func TestRequestLogListsExchangesRedacted(t *testing.T) {
	d, srv := connectedApp(t, fhirtest.Options{Patients: 1}, 120, 30)
	app := d.app
	d.press("L")
	rl := app.Top().(*RequestLogScreen)
	if n := len(rl.Entries()); n < 3 {
		t.Fatalf("request log has %d entries, want discovery, token, metadata", n)
	}
	scr := d.screen()
	for _, want := range []string{"GET", "POST", "200", "/.well-known/smart-configuration", "/oauth2/default/token", "/metadata"} {
		if !strings.Contains(scr, want) {
			t.Errorf("request log lacks %q:\n%s", want, scr)
		}
	}
	golden(t, "requestlog_120x30", normalize(scr, srv))
	// Narrow: long URLs lose their start ("…"), never their end.
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	for _, l := range strings.Split(d.screen(), "\n") {
		if strings.Contains(l, "well-known") && !strings.HasSuffix(strings.TrimRight(l, " "), "smart-configuration") {
			t.Errorf("the URL's end was cut at 80 columns: %q", l)
		}
	}
	d.send(tea.WindowSizeMsg{Width: 120, Height: 30})
	// The token exchange's details: the assertion and the token never appear.
	tok := app.Common().Client.CurrentToken().AccessToken
	d.press("/")
	d.typeText("post token")
	d.press("enter")
	if e, ok := rl.Selected(); !ok || e.Method != "POST" || len(rl.shown) != 1 {
		t.Fatalf("filter 'post token' should leave the token request alone, shown %d:\n%s", len(rl.shown), d.screen())
	}
	if !strings.Contains(d.screen(), "1 of ") {
		t.Errorf("the title should count the filtered exchanges:\n%s", d.screen())
	}
	d.press("enter")
	detail := d.screen()
	if !strings.Contains(detail, "Request body") {
		t.Errorf("detail view lacks the (redacted) request body:\n%s", detail)
	}
	if strings.Contains(detail, tok) || strings.Contains(detail, tok[:16]) {
		t.Fatal("the access token is shown in the request log")
	}
	if strings.Contains(detail, "eyJ") {
		t.Fatalf("a JWT (assertion or token) is shown in the request log:\n%s", detail)
	}
	d.press("esc") // closes the details first
	if _, ok := app.Top().(*RequestLogScreen); !ok || rl.detail {
		t.Fatal("esc should close the details before leaving the log")
	}
	d.press("esc") // then clears the filter
	if _, ok := app.Top().(*RequestLogScreen); !ok || len(rl.shown) != len(rl.Entries()) {
		t.Fatal("esc should clear the filter before leaving the log")
	}
	d.press("esc")
	if _, ok := app.Top().(*RequestLogScreen); ok {
		t.Fatal("esc with nothing open should leave the log")
	}
}

func TestHelpComesFromTheKeyMap(t *testing.T) {
	d, srv := connectedApp(t, fhirtest.Options{Patients: 1}, 120, 40)
	d.press("?")
	scr := d.screen()
	keys := d.app.Common().Keys
	for _, b := range append(keys.GlobalHelp(), keys.Filter, keys.Top) {
		if h := b.Help(); !strings.Contains(scr, h.Key) {
			t.Errorf("help lacks key %q (%s):\n%s", h.Key, h.Desc, scr)
		}
	}
	golden(t, "help_types_120x40", normalize(scr, srv))
	// A key the screen explains in its own words is not repeated by the global group.
	d.press("?")
	d.press("L")
	d.press("?")
	if n := strings.Count(d.screen(), "esc "); n != 1 {
		t.Errorf("esc is listed %d times in the request log's help:\n%s", n, d.screen())
	}
	d.press("?")
	d.press("esc")
	d.press("?")
	d.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	golden(t, "help_types_80x24", normalize(d.screen(), srv))
}

func TestOpeningProfileNoticeGolden(t *testing.T) {
	app := newTestApp(t, Options{
		OpenProfile: func(context.Context, string) (*Connection, error) {
			return nil, &session.KeyringError{Op: "read", Profile: "clinic", Err: errors.New("Cannot autolaunch D-Bus without X11 $DISPLAY")}
		},
		Start: func(c *Common) Screen { return NewOpeningProfileScreen(c, "clinic") },
	})
	d := newDriver(t, app, 80, 24)
	d.until("failure", func() bool { return app.Err() != nil })
	golden(t, "profile_failed_error_80x24", d.screen())
	d.press("esc")
	golden(t, "profile_failed_notice_80x24", d.screen())
}

// Once every step is done the spinner's tick loop ends, so an idle connect screen does not
// redraw ten times a second.
func TestConnectSpinnerStopsWhenIdle(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	log := fhirclient.NewRequestLog(0)
	app := newTestApp(t, Options{Conn: register(t, srv, nil, log), Log: log})
	d := newDriver(t, app, 80, 24)
	cs := app.Top().(*ConnectScreen)
	if _, cmd := cs.Update(cs.spin.Tick()); cmd == nil {
		t.Fatal("the spinner should tick while a step runs")
	}
	d.until("connected", cs.Done)
	if _, cmd := cs.Update(cs.spin.Tick()); cmd != nil {
		t.Fatal("the spinner still ticks with nothing running")
	}
}

// Scrolling past the end of a notice or of an exchange's details loses no key presses: one
// up after many downs moves up at once.
func TestScrollingStopsAtTheEnd(t *testing.T) {
	d, _ := connectedApp(t, fhirtest.Options{Patients: 1}, 100, 30)
	app := d.app
	long := make([]string, 40)
	for i := range long {
		long[i] = fmt.Sprintf("line %d", i+1)
	}
	d.send(PushMsg{NewNoticeScreen(app.Common(), "Long", long, nil)})
	n := app.Top().(*NoticeScreen)
	for range 100 {
		d.press("down")
	}
	d.press("up")
	if want := n.maxOffset() - 1; n.offset != want {
		t.Errorf("notice offset %d after 100 downs and an up, want %d", n.offset, want)
	}
	d.press("esc", "L", "enter")
	s := app.Top().(*RequestLogScreen)
	for range 100 {
		d.press("down")
	}
	d.press("up")
	if want := max(0, s.maxDetailOffset()-1); s.dOff != want {
		t.Errorf("details offset %d after 100 downs and an up, want %d", s.dOff, want)
	}
}
