package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"fhirscope/fhirclient/fhirtest/hostile"
)

// Absolute references on the server's own origin go through Client.Get, not Read: every
// hostile answer either opens (valid JSON, shown inert) or leaves the inspector on the
// resource it showed with a bad status (and the error panel for a failed fetch); nothing
// reaches the other origin, and no frame holds a control.
func TestHostileAbsoluteReferencesInTheInspector(t *testing.T) {
	d, hs := hostileApp(t, NewStyles(true), 120, 40)
	app := d.app
	var b strings.Builder
	b.WriteString(`{"resourceType":"List","id":"abs","status":"current","mode":"working","entry":[`)
	for i, cs := range hostile.Cases {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"item":{"reference":"` + hs.FHIRBase() + "/" + string(cs) + `/1"}}`)
	}
	b.WriteString(`]}`)
	ins := NewInspectorScreen(app.Common(), []byte(b.String()))
	d.send(PushMsg{ins})
	for _, cs := range hostile.Cases {
		ref := "/" + string(cs) + "/1"
		cursorTo(t, ins, ref)
		d.press("enter")
		d.until(ref+" answered", func() bool {
			// A failed fetch ends with the error panel (or, refused, a status alone); a body the
			// tree cannot show, with a status; a success, with the resource shown.
			return !ins.Busy() && (ins.cur.ref != "List/abs" || app.Err() != nil || (ins.statusBad &&
				!strings.HasPrefix(ins.status, "cannot open")))
		})
		assertFrameInert(t, ref, app.Render())
		assertFitsFrame(t, ref, d.screen(), 120, 40)
		if strings.HasPrefix(ins.status, "cannot show") {
			// A body the tree cannot show: the footer says so, the error panel says why.
			d.until(ref+" in the error panel", func() bool { return app.Err() != nil })
		}
		switch {
		case app.Err() != nil:
			causeAndFix(t, ref, d.screen(), app.Err())
			d.press("esc")
		case ins.cur.ref != "List/abs":
			d.press("E")
			assertFrameInert(t, ref+" expanded", app.Render())
			d.press("[")
		}
		if app.Err() != nil || ins.cur.ref != "List/abs" || app.Top() != Screen(ins) {
			t.Fatalf("%s: not back on the list (showing %s, top %T, panel %v)", ref, ins.cur.ref, app.Top(), app.Err())
		}
	}
	if hits, auths := hs.Other.Seen(); hits != 0 {
		t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
	}
}

// Text that is hard to measure (300 combining marks on one letter, wide CJK and emoji with
// zero-width joiners, zero-width spaces, tabs, a 5,000-character word) keeps every frame within
// the terminal and the table's columns aligned, at several sizes.
func TestHostileUnicodeKeepsLayout(t *testing.T) {
	for _, size := range [][2]int{{41, 12}, {80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		d, _ := hostileApp(t, NewStyles(true), w, h)
		app := d.app
		d.send(PushMsg{OpenType(app.Common(), string(hostile.Unicode))})
		res := app.Top().(*ResultsScreen)
		d.until("the row", func() bool { return !res.Busy() && res.page != nil })
		scr := d.screen()
		assertFitsFrame(t, "results", scr, w, h)
		assertFrameInert(t, "results", app.Render())
		if hc, rc := columnOf(scr, "Gender"), columnOf(scr, "other"); hc < 0 || hc != rc {
			t.Errorf("%dx%d: the Gender column starts at cell %d, its value at %d:\n%s", w, h, hc, rc, scr)
		}
		d.press("enter")
		d.until("the inspector", func() bool { _, ok := app.Top().(*InspectorScreen); return ok })
		d.press("E")
		assertFitsFrame(t, "inspector", d.screen(), w, h)
		assertFrameInert(t, "inspector", app.Render())
	}
}

// columnOf is the display cell where word first starts on screen (-1 when absent).
func columnOf(screen, word string) int {
	for _, l := range strings.Split(screen, "\n") {
		if i := strings.Index(l, word); i >= 0 {
			return ansi.StringWidth(l[:i])
		}
	}
	return -1
}
