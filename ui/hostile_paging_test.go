package ui

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest/hostile"
)

// A next page that fails (a 502 HTML page behind a same-origin next link) loses nothing: the
// first page stays with the error under it, trying again fails the same way, r reloads the
// first page, and the rows still open in the inspector.
func TestHostileNextPageFailureKeepsThePage(t *testing.T) {
	d, _ := hostileApp(t, NoColorStyles(), 100, 30)
	app := d.app
	d.send(PushMsg{OpenType(app.Common(), string(hostile.NextBroken))})
	res := app.Top().(*ResultsScreen)
	d.until("the first page", func() bool { return !res.Busy() && res.page != nil })
	for range 2 {
		d.press("n")
		d.until("page 2 failed", func() bool { return !res.Busy() && res.err != nil })
		scr := d.screen()
		var ae *fhirclient.APIError
		if !errors.As(res.err, &ae) || ae.Status != 502 {
			t.Fatalf("page 2: %v", res.err)
		}
		if !strings.Contains(scr, "Firstpage") || !strings.Contains(scr, "Could not load the page") {
			t.Fatalf("the first page should stay, with the error:\n%s", scr)
		}
		causeAndFix(t, "page 2", scr, res.err)
		assertFrameInert(t, "page 2", app.Render())
	}
	if res.page == nil || res.page.Number != 1 {
		t.Fatalf("the page shown changed: %+v", res.page)
	}
	d.press("enter")
	d.until("the inspector", func() bool { _, ok := app.Top().(*InspectorScreen); return ok })
	if !strings.Contains(d.screen(), "Firstpage") {
		t.Fatalf("the row did not open:\n%s", d.screen())
	}
	d.press("esc")
	d.press("r")
	d.until("reloaded", func() bool { return !res.Busy() && res.page != nil && res.err == nil })
	if !strings.Contains(d.screen(), "Firstpage") {
		t.Fatalf("r should reload the first page:\n%s", d.screen())
	}
}

// A server's Bundle.total near MaxInt64 made the page count overflow: "page 2 of 1".
func TestHostileHugeTotalPageCount(t *testing.T) {
	d, hs := hostileApp(t, NoColorStyles(), 100, 20)
	app := d.app
	hs.Override(hs.Path(hs.FHIRBase()+"/Observation"), func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","total":9223372036854775807,` +
			`"link":[{"relation":"next","url":"` + hs.FHIRBase() + `/Observation?p=2"}],"entry":[` +
			`{"resource":{"resourceType":"Observation","id":"o1","status":"final"}},{"resource":{"resourceType":"Observation","id":"o2","status":"final"}}]}`))
	})
	d.send(PushMsg{OpenType(app.Common(), "Observation")})
	res := app.Top().(*ResultsScreen)
	d.until("the first page", func() bool { return !res.Busy() && res.page != nil })
	if n, ok := res.pageCount(); !ok || n != math.MaxInt64/2+1 {
		t.Fatalf("page count %d %v:\n%s", n, ok, d.screen())
	}
	d.press("n")
	d.until("page 2", func() bool { return !res.Busy() && res.page.Number == 2 })
	if !strings.Contains(d.screen(), "page 2 of 4611686018427387904") {
		t.Fatalf("status bar:\n%s", d.screen())
	}
}
