package ui

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/fhirclient/fhirtest/hostile"
	"fhirscope/ui/termsafe"
)

// The app against a hostile server (fhirclient/fhirtest/hostile): every broken answer lands
// on screen with its cause and fix, the app stays usable (esc goes back to the screen the
// user left, another type opens), and no frame carries a raw escape, C1 control or bidi
// control from the server.

// hostileApp connects an app to the hostile server and walks it to the types screen.
func hostileApp(t *testing.T, styles *Styles, w, h int) (*driver, *hostile.Server) {
	t.Helper()
	d, hs := hostileAppWith(t, styles, w, h, nil)
	app := d.app
	d.until("connected", func() bool { cs, ok := app.Top().(*ConnectScreen); return ok && cs.Done() })
	d.press("enter")
	d.until("types screen", func() bool { _, ok := app.Top().(*TypesScreen); return ok })
	return d, hs
}

// hostileAppUnconnected starts an app on the connect screen of a hostile server that setup
// has prepared (overrides), at 120x40 in colour.
func hostileAppUnconnected(t *testing.T, setup func(*hostile.Server)) (*driver, *hostile.Server) {
	t.Helper()
	return hostileAppWith(t, NewStyles(true), 120, 40, setup)
}

func hostileAppWith(t *testing.T, styles *Styles, w, h int, setup func(*hostile.Server)) (*driver, *hostile.Server) {
	t.Helper()
	hs := hostile.New(fhirtest.Options{Patients: 3, Now: func() time.Time { return fixedNow }})
	t.Cleanup(hs.Close)
	if setup != nil {
		setup(hs)
	}
	log := fhirclient.NewRequestLog(0)
	conn := register(t, hs.Sandbox, nil, log)
	client, err := fhirclient.New(hs.FHIRBase(), fhirclient.WithCredentials(conn.Cred),
		fhirclient.WithScopes(hs.Sandbox.SystemReadScopes()), fhirclient.WithRequestLog(log),
		fhirclient.WithClock(func() time.Time { return fixedNow }), fhirclient.WithMaxResponseBytes(hostile.ClientCap))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	conn.Client = client
	app := newTestApp(t, Options{Conn: conn, Log: log, Styles: styles})
	return newDriver(t, app, w, h), hs
}

// sgr matches Select Graphic Rendition sequences, the only escapes the app's own styles
// write; whatever else is left in a frame must be text.
var sgr = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// assertFrameInert fails when the raw frame holds, outside the styles' SGR sequences, any
// escape or other C0 control but newline, a C1 control, a bidi or invisible format control,
// or invalid UTF-8.
func assertFrameInert(t *testing.T, where, frame string) {
	t.Helper()
	if err := frameControl(frame); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
}

func frameControl(frame string) error {
	rest := sgr.ReplaceAllString(frame, "")
	if !utf8.ValidString(rest) {
		return errors.New("the frame is not valid UTF-8")
	}
	for i, r := range rest {
		bad := (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
			(r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
		if bad {
			lo := max(0, i-40)
			return fmt.Errorf("the frame holds the control %U at byte %d: %q", r, i, rest[lo:min(len(rest), i+40)])
		}
	}
	return nil
}

// The frame check itself: the styles' SGR passes, anything a server could smuggle does not.
func TestFrameControlCatchesServerEscapes(t *testing.T) {
	if err := frameControl("\x1b[1mok\x1b[0m \x1b[38;2;1;2;3m␛[2J\\u009B\n"); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"a\x1b[2J", "\x1b]52;c;eA==\a", "\u009b31m", "x\u202ey", "\u2066", "\x07", "\xff", "\r", "\t"} {
		if frameControl("ok\x1b[0m"+bad) == nil {
			t.Errorf("%q passed", bad)
		}
	}
}

// causeAndFix asserts the screen shows the start of err's cause and of its fix.
func causeAndFix(t *testing.T, where, screen string, err error) {
	t.Helper()
	ex := Explain(err)
	flat := strings.Join(strings.Fields(screen), " ")
	for _, s := range []string{termsafe.String(firstWords(ex.Cause, 4)), termsafe.String(firstWords(ex.Fix, 3))} {
		if !strings.Contains(flat, s) {
			t.Errorf("%s: the screen lacks %q:\n%s", where, s, screen)
		}
	}
}

// failingSearches are the cases whose search fails, with words the screen must show.
var failingSearches = map[hostile.Case]string{
	hostile.HTML200: "HTML page", hostile.HTML502: "HTTP 502", hostile.Empty200: "empty body",
	hostile.PlainText: "not valid JSON", hostile.BadUTF8: "invalid UTF-8", hostile.Deep: "nested deeper",
	hostile.Truncated: "not valid JSON", hostile.RawEsc: "not valid JSON", hostile.Endless: "larger than the limit",
	hostile.Huge: "larger than the limit", hostile.HugeChunked: "larger than the limit",
	hostile.Redirect: "could leak it", hostile.Outcome: "bad parameter", hostile.WrongType: "other than a Bundle",
	hostile.BadHeader: "not valid HTTP",
}

func TestHostileSearchesShowErrorsAndAppStaysUsable(t *testing.T) {
	for _, styles := range []*Styles{NoColorStyles(), NewStyles(true)} {
		d, hs := hostileApp(t, styles, 100, 30)
		app := d.app
		types := app.Top().(*TypesScreen)
		d.press("down", "down")
		selected := types.Selected()
		for _, cs := range hostile.Cases {
			words, fails := failingSearches[cs]
			if !fails {
				continue
			}
			d.send(PushMsg{OpenType(app.Common(), string(cs))})
			res := app.Top().(*ResultsScreen)
			d.until(string(cs)+" answered", func() bool { return !res.Busy() })
			if res.err == nil {
				t.Fatalf("%s: no error; screen:\n%s", cs, d.screen())
			}
			scr := d.screen()
			causeAndFix(t, string(cs), scr, res.err)
			if !strings.Contains(strings.Join(strings.Fields(scr), " "), words) || !strings.Contains(scr, "Search failed") {
				t.Errorf("%s: the screen lacks %q:\n%s", cs, words, scr)
			}
			assertFrameInert(t, string(cs), app.Render())
			for _, size := range [][2]int{{30, 8}, {200, 60}, {100, 30}} {
				d.send(tea.WindowSizeMsg{Width: size[0], Height: size[1]})
				assertFitsFrame(t, fmt.Sprintf("%s at %dx%d", cs, size[0], size[1]), d.screen(), size[0], size[1])
			}
			d.press("esc")
			if app.Top() != Screen(types) || types.Selected() != selected {
				t.Fatalf("%s: esc should go back to the types screen as it was (top %T, selected %q want %q)",
					cs, app.Top(), types.Selected(), selected)
			}
		}
		// The request log lists every hostile exchange; its details show the headers (one
		// holds a bidi override and a C1 control on every hostile answer), all inert.
		d.press("L")
		if _, ok := app.Top().(*RequestLogScreen); !ok {
			t.Fatalf("L: top %T", app.Top())
		}
		assertFrameInert(t, "request log", app.Render())
		shown := 0
		for range 12 {
			d.press("enter")
			if scr := d.screen(); strings.Contains(scr, "X-Powered-By") {
				shown++
				if !strings.Contains(scr, `PHP\u202E\u009B31m7.4`) {
					t.Errorf("the header's bidi override and C1 are not shown inert:\n%s", scr)
				}
			}
			assertFrameInert(t, "request log details", app.Render())
			d.press("enter", "up")
		}
		if shown == 0 {
			t.Errorf("no hostile exchange's details showed its headers:\n%s", d.screen())
		}
		d.press("esc")
		if app.Top() != Screen(types) {
			t.Fatalf("esc from the request log: top %T", app.Top())
		}
		// Still usable: a real type opens and lists its rows.
		d.send(PushMsg{OpenType(app.Common(), "Patient")})
		res := app.Top().(*ResultsScreen)
		d.until("patients", func() bool { return !res.Busy() && res.page != nil })
		if res.err != nil || len(res.page.Entries) != 3 {
			t.Fatalf("Patient after the hostile cases: %v\n%s", res.err, d.screen())
		}
		if hits, auths := hs.Other.Seen(); hits != 0 {
			t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
		}
	}
}

// casesDoc is a List whose entries reference every case (Case/1): the inspector follows each,
// a read of the case.
func casesDoc() []byte {
	var b strings.Builder
	b.WriteString(`{"resourceType":"List","id":"cases","status":"current","mode":"working","entry":[`)
	for i, cs := range hostile.Cases {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"item":{"reference":"` + string(cs) + `/1"}}`)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// Following a reference to each hostile answer: a failure says why on screen and leaves the
// inspector on the resource it was showing; odd but valid resources open, inert.
func TestHostileReadsInTheInspector(t *testing.T) {
	d, hs := hostileApp(t, NewStyles(true), 120, 40)
	app := d.app
	ins := NewInspectorScreen(app.Common(), casesDoc())
	d.send(PushMsg{ins})
	for _, cs := range hostile.Cases {
		ref := string(cs) + "/1"
		cursorTo(t, ins, ref)
		d.press("enter")
		words, fails := failingSearches[cs]
		fails = fails && cs != hostile.WrongType
		d.until(ref+" answered", func() bool {
			return !ins.Busy() && (ins.cur.ref != "List/cases" || (fails && (app.Err() != nil || cs == hostile.Redirect)))
		})
		scr := d.screen()
		assertFrameInert(t, ref, app.Render())
		if cs == hostile.Redirect {
			// Refused before anything was sent: the footer says so, in one line.
			if ins.cur.ref != "List/cases" || !strings.Contains(scr, "refusing to send the access token") {
				t.Fatalf("%s: the refusal is not on screen:\n%s", ref, scr)
			}
			continue
		}
		if os.Getenv("HOSTILE_SHOW") != "" {
			t.Logf("%s:\n%s", ref, scr)
		}
		if fails {
			if ins.cur.ref != "List/cases" || !ins.statusBad || app.Err() == nil {
				t.Fatalf("%s: a failed read should leave the list shown with an error (showing %s, status %q, panel %v)",
					cs, ins.cur.ref, ins.status, app.Err())
			}
			causeAndFix(t, ref, scr, app.Err())
			if !strings.Contains(strings.Join(strings.Fields(scr), " "), words) {
				t.Errorf("%s: the screen lacks %q:\n%s", ref, words, scr)
			}
			d.press("esc")
			if app.Err() != nil || app.Top() != Screen(ins) || !strings.Contains(d.screen(), ref) {
				t.Fatalf("%s: esc should close the panel and leave the list shown:\n%s", ref, d.screen())
			}
			continue
		}
		if ins.cur.ref == "List/cases" || ins.cur.err != nil {
			t.Fatalf("%s did not open: status %q err %v\n%s", ref, ins.status, ins.cur.err, scr)
		}
		d.press("E") // every node on screen, the hostile ones too
		assertFrameInert(t, ref+" expanded", app.Render())
		d.press("[")
		if ins.cur.ref != "List/cases" {
			t.Fatalf("[ after %s: showing %s", ref, ins.cur.ref)
		}
	}
	if hits, auths := hs.Other.Seen(); hits != 0 {
		t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
	}
}

// Odd but valid data through the results table and the inspector: escapes in a name, an id
// and a display show as visible inert text; a 1 MB single-line string stays within the frame;
// a next link to another origin is refused on screen while the first page stays.
func TestHostileDataInResultsAndInspector(t *testing.T) {
	for _, styles := range []*Styles{NoColorStyles(), NewStyles(true)} {
		d, hs := hostileApp(t, styles, 120, 40)
		app := d.app
		types := app.Top().(*TypesScreen)

		d.send(PushMsg{OpenType(app.Common(), string(hostile.Escapes))})
		res := app.Top().(*ResultsScreen)
		d.until("the hostile row", func() bool { return !res.Busy() && res.page != nil })
		scr := d.screen()
		for _, inert := range []string{"␛]52;c;", "␛[2J", `\u009B`, `\u202E`} {
			if !strings.Contains(scr, inert) {
				t.Errorf("results: %q should show as visible text:\n%s", inert, scr)
			}
		}
		assertFrameInert(t, "results", app.Render())
		d.press("enter")
		d.until("inspector", func() bool { _, ok := app.Top().(*InspectorScreen); return ok })
		d.press("E")
		scr = d.screen()
		if !strings.Contains(scr, `"resourceType": "Patient"`) || !strings.Contains(scr, "␛]8;;http://evil/␇link") {
			t.Errorf("inspector: the hostile fields are not shown inert:\n%s", scr)
		}
		assertFrameInert(t, "inspector", app.Render())
		d.press("esc")
		if app.Top() != Screen(res) {
			t.Fatalf("esc from the inspector: top %T", app.Top())
		}
		d.press("esc")

		// 1 MB on one line: the frame keeps its size, in the table and in the inspector.
		d.send(PushMsg{OpenType(app.Common(), string(hostile.LongLine))})
		res = app.Top().(*ResultsScreen)
		d.until("the long row", func() bool { return !res.Busy() && res.page != nil })
		d.press("enter")
		d.until("inspector", func() bool { _, ok := app.Top().(*InspectorScreen); return ok })
		d.press("E")
		assertFitsFrame(t, "long line", d.screen(), 120, 40)
		assertFrameInert(t, "long line", app.Render())
		d.press("esc", "esc")

		// A next link to another origin: refused with the reason, the first page still shown.
		d.send(PushMsg{OpenType(app.Common(), string(hostile.ForeignNext))})
		res = app.Top().(*ResultsScreen)
		d.until("the first page", func() bool { return !res.Busy() && res.page != nil })
		d.press("n")
		d.until("the refusal", func() bool { return !res.Busy() && res.err != nil })
		scr = d.screen()
		if oe := (*fhirclient.OriginError)(nil); !errors.As(res.err, &oe) {
			t.Fatalf("next page: %v (%T), want *OriginError", res.err, res.err)
		}
		causeAndFix(t, "foreign next", scr, res.err)
		if !strings.Contains(scr, "Firstpage") {
			t.Errorf("the first page should stay on screen:\n%s", scr)
		}
		assertFrameInert(t, "foreign next", app.Render())
		// The last page's link is on the other origin too.
		d.press(">")
		d.until("the refusal of the last page", func() bool {
			return !res.Busy() && res.err != nil && strings.Contains(d.screen(), "Could not load the page")
		})
		if oe := (*fhirclient.OriginError)(nil); !errors.As(res.err, &oe) || !strings.Contains(oe.URL, "page=40") ||
			!strings.Contains(d.screen(), "Firstpage") {
			t.Fatalf("last page: %v\n%s", res.err, d.screen())
		}
		d.press("esc")
		if app.Top() != Screen(types) {
			t.Fatalf("esc: top %T", app.Top())
		}
		if hits, auths := hs.Other.Seen(); hits != 0 {
			t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
		}
	}
}

// assertFitsFrame fails when the screen has more lines or wider lines than the terminal.
func assertFitsFrame(t *testing.T, where, screen string, w, h int) {
	t.Helper()
	lines := strings.Split(screen, "\n")
	if len(lines) > h {
		t.Errorf("%s: %d lines on a %d-line terminal", where, len(lines), h)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Fatalf("%s: line %d is %d cells wide on a %d-cell terminal", where, i, n, w)
		}
	}
}
