package ui

import (
	"strings"
	"testing"

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
