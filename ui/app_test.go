package ui

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

// connectedApp starts an app on a sandbox and walks the connect screen to the types screen.
func connectedApp(t testing.TB, srvOpts fhirtest.Options, w, h int) (*driver, *fhirtest.Server) {
	t.Helper()
	srv := newSandbox(t, srvOpts)
	log := fhirclient.NewRequestLog(0)
	app := newTestApp(t, Options{Conn: register(t, srv, nil, log), Log: log})
	d := newDriver(t, app, w, h)
	d.until("connected", func() bool { cs, ok := app.Top().(*ConnectScreen); return ok && cs.Done() })
	d.press("enter")
	d.until("types screen", func() bool { _, ok := app.Top().(*TypesScreen); return ok })
	return d, srv
}

func TestStackPushPopAndBack(t *testing.T) {
	d, _ := connectedApp(t, fhirtest.Options{Patients: 3}, 100, 30)
	app := d.app
	if app.Depth() != 1 {
		t.Fatalf("connect screen should have been replaced by the types screen, depth %d", app.Depth())
	}

	d.press("L")
	if _, ok := app.Top().(*RequestLogScreen); !ok || app.Depth() != 2 {
		t.Fatalf("L should push the request log, top %T depth %d", app.Top(), app.Depth())
	}
	d.press("L") // not pushed twice
	if app.Depth() != 2 {
		t.Fatalf("L on the request log pushed another, depth %d", app.Depth())
	}
	d.press("?")
	if _, ok := app.Top().(*HelpScreen); !ok || app.Depth() != 3 {
		t.Fatalf("? should push help, top %T", app.Top())
	}
	if !strings.Contains(d.screen(), "Keys: Request log") {
		t.Errorf("help should be for the request log:\n%s", d.screen())
	}
	d.press("?") // ? again closes help
	if _, ok := app.Top().(*RequestLogScreen); !ok {
		t.Fatalf("? on help should go back, top %T", app.Top())
	}
	d.press("esc")
	if _, ok := app.Top().(*TypesScreen); !ok || app.Depth() != 1 {
		t.Fatalf("esc should go back to types, top %T depth %d", app.Top(), app.Depth())
	}
	d.press("esc") // the bottom screen stays
	if app.Depth() != 1 || d.quit {
		t.Fatalf("esc on the bottom screen must neither pop nor quit (depth %d, quit %v)", app.Depth(), d.quit)
	}
	d.press("q")
	d.until("q to quit", func() bool { return d.quit })
}

func TestCtrlCQuitsEvenWhileTyping(t *testing.T) {
	d, _ := connectedApp(t, fhirtest.Options{Patients: 1}, 80, 24)
	d.press("/")
	d.typeText("q?") // letters in the filter, not commands
	d.drain()
	if v := d.app.Top().(*TypesScreen).filter.Value(); v != "q?" {
		t.Fatalf("typed keys did not reach the filter: %q", v)
	}
	if d.quit {
		t.Fatal("q typed into the filter quit the app")
	}
	if _, ok := d.app.Top().(*HelpScreen); ok {
		t.Fatal("? typed into the filter opened help")
	}
	d.press("ctrl+c")
	d.until("ctrl+c to quit", func() bool { return d.quit })
}

func TestEscCancelsRequestInFlightAndDropsLateReply(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1, Latency: 300 * time.Millisecond})
	log := fhirclient.NewRequestLog(0)
	conn := register(t, srv, nil, log)
	app := newTestApp(t, Options{Log: log, Start: func(c *Common) Screen {
		c.Client = conn.Client
		return NewNoticeScreen(c, "start", nil, nil)
	}})
	d := newDriver(t, app, 80, 24)
	types := NewTypesScreen(app.Common()) // no capabilities yet: it loads them
	d.send(PushMsg{types})
	if !types.Busy() {
		t.Fatal("the types screen should be loading")
	}
	d.press("esc")
	if app.Top() != Screen(types) {
		t.Fatalf("esc with a request in flight must cancel, not go back (top %T)", app.Top())
	}
	if types.Busy() || app.StatusText() != "request cancelled" {
		t.Fatalf("not cancelled: busy %v status %q", types.Busy(), app.StatusText())
	}
	// The cancelled fetch still answers (with context.Canceled); that answer must be dropped.
	time.Sleep(400 * time.Millisecond) // let the sandbox's latency pass; nothing to poll for
	d.drain()
	if types.err != nil {
		t.Fatalf("a late reply for a cancelled request was not dropped: %v", types.err)
	}
	// Reloading works, and a reply for a superseded request is dropped too.
	d.press("r")
	d.press("r")
	d.until("capabilities loaded", func() bool { return len(types.Shown()) > 0 })
	if types.err != nil {
		t.Fatal(types.err)
	}
	d.press("esc")
	if app.Top() == Screen(types) {
		t.Fatal("esc with nothing in flight should go back")
	}
}

func TestStaleReplyIgnoredByID(t *testing.T) {
	app := newTestApp(t, Options{Start: func(c *Common) Screen { return NewTypesScreen(c) }})
	d := newDriver(t, app, 80, 24)
	types := app.Top().(*TypesScreen)
	id, _ := types.req.Start(app.Common().Ctx)
	types.req.Start(app.Common().Ctx) // a newer request supersedes id
	d.send(capsLoadedMsg{id: id, err: errors.New("stale failure")})
	if types.err != nil {
		t.Fatal("a reply for a superseded request was applied")
	}
}

func TestErrorPanelShowsCauseAndFixAndDismisses(t *testing.T) {
	app := newTestApp(t, Options{Start: func(c *Common) Screen { return startNotice(c) }})
	d := newDriver(t, app, 80, 24)
	tokenURL := "https://emr.example.org/oauth2/default/token"
	err := &fhirclient.AuthError{Status: 400, Code: "invalid_client", Description: "Client authentication failed",
		TokenURL: tokenURL, Audience: tokenURL, ClientID: "abc123", Alg: "RS384"}
	d.send(ErrorMsg{err})
	scr := d.screen()
	ex := err.Explain()
	for _, want := range []string{"Cause:", "Fix:", firstWords(ex.Cause, 3), firstWords(ex.Fix, 3)} {
		if !strings.Contains(scr, want) {
			t.Errorf("error panel lacks %q:\n%s", want, scr)
		}
	}
	golden(t, "errorpanel_80x24", scr)
	d.press("x") // other keys do not dismiss or reach the screen
	if app.Err() == nil {
		t.Fatal("x dismissed the error panel")
	}
	d.press("esc")
	if app.Err() != nil {
		t.Fatal("esc should dismiss the error panel")
	}
}

func TestStatusMessageClearsOnlyItsOwnTimer(t *testing.T) {
	app := newTestApp(t, Options{Start: func(c *Common) Screen { return startNotice(c) }})
	d := newDriver(t, app, 80, 24)
	d.send(StatusMsg{"first"})
	d.send(StatusMsg{"second"})
	d.send(clearStatusMsg{n: 1}) // the first message's timer
	if app.StatusText() != "second" {
		t.Fatalf("an old timer cleared a newer message: %q", app.StatusText())
	}
	d.send(clearStatusMsg{n: 2})
	if app.StatusText() != "" {
		t.Fatalf("status not cleared: %q", app.StatusText())
	}
}

func TestResizeNeverBreaksLayout(t *testing.T) {
	d, _ := connectedApp(t, fhirtest.Options{Patients: 3}, 80, 24)
	for _, size := range [][2]int{{80, 24}, {200, 60}, {40, 10}, {120, 40}, {20, 5}, {80, 24}} {
		d.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		for _, open := range []string{"", "?", ":", "L"} {
			if open != "" {
				d.press(open)
			}
			lines := strings.Split(d.screen(), "\n")
			if len(lines) != size[1] {
				t.Fatalf("%dx%d with %q open: %d lines", size[0], size[1], open, len(lines))
			}
			for i, l := range lines {
				if w := len([]rune(l)); w > size[0] {
					t.Fatalf("%dx%d with %q open: line %d is %d wide: %q", size[0], size[1], open, i, w, l)
				}
			}
			if open != "" {
				d.press("esc")
			}
		}
	}
}

func TestMouseWheelScrollsAndNoMouseTurnsCaptureOff(t *testing.T) {
	d, _ := connectedApp(t, fhirtest.Options{Patients: 1}, 80, 24)
	types := d.app.Top().(*TypesScreen)
	d.send(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if types.cursor != 3 {
		t.Fatalf("wheel down should move 3 rows, cursor %d", types.cursor)
	}
	d.send(tea.MouseWheelMsg{Button: tea.MouseWheelUp})
	if types.cursor != 0 {
		t.Fatalf("wheel up should move back, cursor %d", types.cursor)
	}
	if d.app.View().MouseMode != tea.MouseModeCellMotion {
		t.Error("mouse capture should be on by default")
	}
	off := newTestApp(t, Options{NoMouse: true, Start: func(c *Common) Screen { return startNotice(c) }})
	off.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	if off.View().MouseMode != tea.MouseModeNone {
		t.Error("--no-mouse should leave the mouse to the terminal")
	}
}

func TestInsecureBannerAndDemoMark(t *testing.T) {
	app := newTestApp(t, Options{Insecure: true, Demo: true, Start: func(c *Common) Screen { return startNotice(c) }})
	d := newDriver(t, app, 120, 30)
	lines := strings.Split(d.screen(), "\n")
	if !strings.Contains(lines[0], "TLS certificate verification is OFF") {
		t.Errorf("no insecure banner on the first line: %q", lines[0])
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "DEMO: synthetic data") {
		t.Errorf("no demo mark in the status bar: %q", last)
	}
}

func firstWords(s string, n int) string {
	f := strings.Fields(s)
	return strings.Join(f[:min(n, len(f))], " ")
}

// A profile with TLS verification off brings the banner even without --insecure, and the
// layout shrinks to keep the status bar on the last line.
func TestInsecureProfileBringsBanner(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1})
	log := fhirclient.NewRequestLog(0)
	conn := register(t, srv, nil, log)
	insecure, err := fhirclient.New(srv.FHIRBase(), fhirclient.WithCredentials(conn.Cred), fhirclient.WithInsecureSkipVerify(),
		fhirclient.WithScopes(srv.SystemReadScopes()), fhirclient.WithRequestLog(log),
		fhirclient.WithClock(func() time.Time { return fixedNow }))
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t, Options{Log: log, Start: func(c *Common) Screen { return startNotice(c) }})
	d := newDriver(t, app, 100, 24)
	if strings.Contains(d.screen(), "TLS certificate verification is OFF") {
		t.Fatal("banner before any insecure connection")
	}
	d.send(ConnectMsg{&Connection{Profile: "lax", Client: insecure, Cred: conn.Cred}})
	d.until("connected", func() bool { cs, ok := app.Top().(*ConnectScreen); return ok && cs.Done() })
	lines := strings.Split(d.screen(), "\n")
	if len(lines) != 24 || !strings.Contains(lines[0], "TLS certificate verification is OFF") ||
		!strings.Contains(lines[23], "profile lax") {
		t.Fatalf("banner on top and status bar at the bottom expected:\n%s", d.screen())
	}
	// Switching to a profile that verifies TLS takes the banner away again.
	d.send(ConnectMsg{conn})
	d.until("reconnected", func() bool { cs, ok := app.Top().(*ConnectScreen); return ok && cs.Done() && cs.conn == conn })
	if lines := strings.Split(d.screen(), "\n"); len(lines) != 24 || strings.Contains(d.screen(), "TLS certificate verification is OFF") ||
		strings.Contains(d.screen(), "TLS NOT VERIFIED") {
		t.Fatalf("a verifying profile still shows the insecure banner:\n%s", d.screen())
	}
}
