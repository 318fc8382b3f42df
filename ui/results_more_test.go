package ui

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient/fhirtest"
	"fhirscope/ui/records"
)

// More results screen tests: offline files, prefetch timing, ticks, layout at any size.

func TestResultsOfflineFileFilterOpenAndBadLines(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "results_fixture.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.Split(bytes.TrimSpace(raw), []byte("\n"))
	// A broken line in the middle of an export: skipped, counted, the rest still usable.
	bad := append(append(append([][]byte{}, lines[:10]...), []byte(`{"resourceType":"Patient","id":`)), lines[10:]...)
	path := filepath.Join(t.TempDir(), "export.ndjson")
	if err := os.WriteFile(path, append(bytes.Join(bad, []byte("\n")), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := records.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := NewFileResultsScreen(browseCommon(120, 40), "export.ndjson", src)
	settle(t, s, s.Init())
	if v := plainView(s); !strings.Contains(v, "1 bad line skipped") || !strings.Contains(v, "row 1 of "+strconv.Itoa(len(lines))) {
		t.Fatalf("bad line not reported, or rows lost:\n%s", v)
	}
	// s is for server searches only.
	if _, msgs := browsePress(t, s, "s"); s.searching || !hasStatus(msgs, "use / to filter") {
		t.Fatal("s on a file should point to the filter")
	}
	// The filter runs over the file's entries in a command.
	browsePress(t, s, "/")
	browseType(t, s, "encounter check")
	if s.rowCount() == 0 || s.rowCount() >= len(lines) {
		t.Fatalf("filter kept %d of %d", s.rowCount(), len(lines))
	}
	for k := range s.rowCount() {
		if typ, _ := records.TypeAndID(src.Entry(s.rowAt(k))); typ != "Encounter" {
			t.Fatalf("filter kept a %s", typ)
		}
	}
	browsePress(t, s, "esc")
	// enter opens the inspector, which resolves references inside the file.
	browsePress(t, s, "G")
	_, msgs := browsePress(t, s, "enter")
	scr, ok := findPush(msgs)
	if !ok {
		t.Fatal("enter did not open the inspector")
	}
	if ins := scr.(*InspectorScreen); ins.localRefs == nil || ins.c.Client != nil {
		t.Fatal("offline inspector cannot resolve references in the file")
	}
}

func TestResultsNextWhilePrefetchInFlightWaitsForIt(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 60, Latency: 150 * time.Millisecond}, nil, 100, 30)
	s := NewResultsScreen(env.common, "Patient", url.Values{"_count": {"25"}})
	// Deliver the first page but not the prefetch it starts.
	var prefetch tea.Cmd
	for _, m := range runCmd(s.Init()) {
		_, prefetch = s.Update(m)
	}
	if !s.prefetch.Busy() {
		t.Fatal("no prefetch in flight after page 1")
	}
	before := env.srv.Counters().Requests
	_, cmd := s.Update(keyPress("n"))
	if cmd != nil || !s.waitPrefetch || !s.Busy() || s.page.Number != 1 {
		t.Fatalf("n during the prefetch should wait for it (wait %v busy %v page %d)", s.waitPrefetch, s.Busy(), s.page.Number)
	}
	if !strings.Contains(plainView(s), "Loading page 2… (esc cancels)") {
		t.Fatalf("no loading state:\n%s", plainView(s))
	}
	settle(t, s, prefetch)
	if s.page.Number != 2 || s.Busy() {
		t.Fatalf("the prefetched page was not shown: page %d busy %v", s.page.Number, s.Busy())
	}
	// Page 2 came from the prefetch; page 3's prefetch is the only new request.
	if got := env.srv.Counters().Requests - before; got > 2 {
		t.Fatalf("%d requests for page 2 (and the prefetch of 3)", got)
	}
}

func TestResultsResumeRearmsIndexingTicks(t *testing.T) {
	src, err := records.OpenFile(filepath.Join("testdata", "results_fixture.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	s := NewFileResultsScreen(browseCommon(100, 30), "export.ndjson", src)
	_ = s.Init()
	if err := src.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	// A tick that went to the screen above is lost; an old tick arriving late is ignored.
	old := resultsTickMsg{screen: s, seq: s.tickSeq - 1}
	if _, cmd := s.Update(old); cmd != nil {
		t.Fatal("a stale tick re-armed ticking")
	}
	if cmd := s.Resume(); cmd != nil {
		t.Fatal("Resume ticks although indexing is done")
	}
	if v := plainView(s); !strings.Contains(v, "166 entries") || strings.Contains(v, "indexing") {
		t.Fatalf("done file:\n%s", v)
	}
}

func TestResultsAndInspectorFitAnySize(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Data: fixtureData(t)}, nil, 120, 40)
	s := startResults(t, env, "Observation", nil)
	_, msgs := browsePress(t, s, "enter")
	ins, _ := findPush(msgs)
	for _, size := range [][2]int{{20, 5}, {40, 10}, {80, 24}, {120, 40}, {200, 60}, {33, 7}} {
		for _, scr := range []Screen{s, ins} {
			scr.SetSize(size[0], size[1])
			lines := strings.Split(plainView(scr), "\n")
			if len(lines) != size[1] {
				t.Errorf("%T at %dx%d: %d lines", scr, size[0], size[1], len(lines))
			}
			for i, l := range lines {
				if w := textWidth(l); w > size[0] {
					t.Errorf("%T at %dx%d: line %d is %d wide: %q", scr, size[0], size[1], i, w, l)
				}
			}
		}
	}
}

func TestResultsLaterPageFailureKeepsTheTable(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Data: fixtureData(t)}, nil, 120, 40)
	s := startResults(t, env, "Patient", url.Values{"_count": {"25"}})
	p1 := firstID(s)
	// The next pages fail with an HTML proxy page (the prefetch of page 2 was already made:
	// drop it so n asks the server).
	env.srv.SetFaults(fhirtest.FaultConfig{Rules: []fhirtest.FaultRule{{PathPrefix: "/apis/default/fhir/Patient", Kind: fhirtest.FaultHTML, Status: 502}}})
	delete(s.pages, 2)
	browsePress(t, s, "n")
	if s.err == nil || s.page.Number != 1 {
		t.Fatalf("page 2 through a failing proxy: err %v, page %d", s.err, s.page.Number)
	}
	v := plainView(s)
	for _, want := range []string{"Could not load the page", "Cause:", "Fix:", "n/p try again"} {
		if !strings.Contains(v, want) {
			t.Errorf("error lacks %q:\n%s", want, v)
		}
	}
	if !strings.Contains(v, p1) {
		t.Fatalf("page 1's rows are gone:\n%s", v)
	}
	golden(t, "results_page_error_120x40", v)
	// Once the server is back, n works and the error goes.
	env.srv.SetFaults(fhirtest.FaultConfig{})
	browsePress(t, s, "n")
	if s.err != nil || s.page.Number != 2 {
		t.Fatalf("retry: err %v page %d", s.err, s.page.Number)
	}
}

func TestScreensFollowALightDarkSwitch(t *testing.T) {
	// Through the root, as in a terminal: the results screen below, the inspector on top,
	// then the terminal says its background is light.
	app := newTestApp(t, Options{Styles: NewStyles(true), Start: func(c *Common) Screen { return NewResultsScreen(c, "Patient", nil) }})
	app.fixed = false
	s := app.Top().(*ResultsScreen)
	ins := NewInspectorScreen(app.Common(), []byte(`{"resourceType":"Patient","id":"1"}`))
	app.Update(PushMsg{Screen: ins})
	app.Update(tea.BackgroundColorMsg{Color: lightGrey{}})
	c := app.Common()
	if c.Styles.Dark {
		t.Fatal("the root did not switch to the light styles")
	}
	if got := s.search.Styles().Focused.Prompt; !reflect.DeepEqual(got, c.Styles.Key) {
		t.Fatal("screens kept the dark styles after the switch: search input not restyled")
	}
	if got := ins.input.Styles().Focused.Prompt; !reflect.DeepEqual(got, c.Styles.Key) {
		t.Fatal("screens kept the dark styles after the switch: inspector input not restyled")
	}
}

// Replies that arrive while another screen is on top (help, the palette, the inspector) go to
// that screen and are lost; Resume restarts what was in flight.
func TestResultsAndInspectorResumeRestartLostReplies(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 60}, nil, 100, 30)
	s := NewResultsScreen(env.common, "Patient", url.Values{"_count": {"25"}})
	lost := s.Init() // its reply goes to a help screen pushed meanwhile
	if !s.Busy() {
		t.Fatal("not busy while searching")
	}
	settle(t, s, s.Resume())
	if s.page == nil || s.Busy() || !s.prefetch.Busy() && s.pages[2] == nil {
		t.Fatalf("Resume did not restart the search: page %v busy %v", s.page, s.Busy())
	}
	for _, m := range runCmd(lost) {
		s.Update(m) // the old reply, if it ever comes, is stale
	}
	if s.page.Number != 1 {
		t.Fatalf("stale reply moved the page to %d", s.page.Number)
	}

	raw := resourceWithReferences(env.srv.FHIRBase(), env.srv.Data().All("Patient")[1].ID)
	ins := NewInspectorScreen(env.common, raw)
	cursorTo(t, ins, "/Patient/")
	ins.Update(keyPress("enter")) // the fetch's reply goes to a help screen pushed meanwhile
	settle(t, ins, ins.Resume())
	if !strings.HasPrefix(ins.cur.ref, "Patient/") || ins.Busy() {
		t.Fatalf("Resume did not restart the reference fetch: showing %s busy %v", ins.cur.ref, ins.Busy())
	}
}

func TestResultsLastPage(t *testing.T) {
	// A standard server: the "last" link, numbered from the total.
	env := newBrowseEnv(t, fhirtest.Options{Flavor: fhirtest.FlavorPaged, Patients: 60}, nil, 120, 40)
	s := startResults(t, env, "Patient", url.Values{"_count": {"25"}})
	browsePress(t, s, ">")
	if s.page.Number != 3 || len(s.page.Entries) != 10 || s.Position() != "page 3 of 3 · links · 25/page" {
		t.Fatalf("last page: %d with %d entries (%s)", s.page.Number, len(s.page.Entries), s.Position())
	}
	if v := plainView(s); !strings.Contains(v, "rows 51–60 of 60 matches") {
		t.Fatalf("title:\n%s", v)
	}
	browsePress(t, s, "p")
	if s.page.Number != 2 || len(s.page.Entries) != 25 {
		t.Fatalf("back from the last page: %d", s.page.Number)
	}
	// OpenEMR: no total, no last link: it says so instead of guessing.
	env = newBrowseEnv(t, fhirtest.Options{Patients: 60}, nil, 120, 40)
	s = startResults(t, env, "Patient", url.Values{"_count": {"25"}})
	if _, msgs := browsePress(t, s, ">"); s.page.Number != 1 || !hasStatus(msgs, "page forward") {
		t.Fatalf("offset paging without a total: page %d, %v", s.page.Number, msgs)
	}
	// Locally it is arithmetic.
	env = newBrowseEnv(t, fhirtest.Options{Data: fixtureData(t)}, nil, 120, 40)
	s = startResults(t, env, "Observation", url.Values{"_count": {"25"}})
	browsePress(t, s, ">")
	if !strings.HasPrefix(s.Position(), "page 5 of 5 · local") {
		t.Fatalf("local last page: %s", s.Position())
	}
}

func TestResultsOffsetPagingWithOpenEMRCountPlusOne(t *testing.T) {
	// OpenEMR's Patient search may return _count+1 entries: pages must neither repeat nor
	// skip a patient.
	env := newBrowseEnv(t, fhirtest.Options{Patients: 55, PatientCountPlusOne: true}, nil, 100, 30)
	s := startResults(t, env, "Patient", url.Values{"_count": {"20"}})
	seen := map[string]bool{}
	for page := 1; ; page++ {
		if s.page.Number != page || len(s.page.Entries) > 20 {
			t.Fatalf("page %d: number %d, %d entries", page, s.page.Number, len(s.page.Entries))
		}
		for _, e := range s.page.Entries {
			_, id := records.TypeAndID(e)
			if seen[id] {
				t.Fatalf("patient %s shown twice (page %d)", id, page)
			}
			seen[id] = true
		}
		if _, msgs := browsePress(t, s, "n"); hasStatus(msgs, "last page") {
			break
		}
		if page > 5 {
			t.Fatal("paging did not end")
		}
	}
	if len(seen) != 55 {
		t.Fatalf("saw %d of 55 patients", len(seen))
	}
}

func TestResultsLockedTypeOnOlderOpenEMR(t *testing.T) {
	// 7.0.2 answers a missing scope with an empty 401: the screen still names the scope.
	env := clinicalEnv(t, fhirtest.Options{Flavor: fhirtest.Flavor702}, []string{"system/Patient.read"}, 100, 30)
	s := NewResultsScreen(env.common, "Observation", nil)
	settle(t, s, s.Init())
	if v := plainView(s); s.err == nil || !strings.Contains(v, "system/Observation.read") || !strings.Contains(v, "Fix:") {
		t.Fatalf("locked type on 7.0.2:\n%s", v)
	}
}

func TestResultsAndInspectorClicks(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Data: fixtureData(t)}, nil, 120, 40)
	env.common.Insecure = true // the warning banner takes the terminal's first row
	s := startResults(t, env, "Patient", nil)
	click := func(scr Screen, y int) []tea.Msg {
		_, msgs := settle(t, scr, func() tea.Msg { return tea.MouseClickMsg{X: 10, Y: y, Button: tea.MouseLeft} })
		return msgs
	}
	// Banner (row 0), title (1), header (2): row 3 of the terminal is the first table row.
	click(s, 3+4)
	if s.cursor != 4 {
		t.Fatalf("click on the fifth row: cursor %d", s.cursor)
	}
	if _, ok := findPush(click(s, 2)); ok || s.cursor != 4 {
		t.Fatal("a click on the header did something")
	}
	push, ok := findPush(click(s, 3+4))
	if !ok {
		t.Fatal("a click on the selected row should open it")
	}
	ins := push.(*InspectorScreen)
	ins.SetSize(120, 40)
	// Banner (0), title (1): terminal row 2+n is tree line n.
	click(ins, 2+3)
	if ins.cur.view.Cursor() != 3 {
		t.Fatalf("click on tree line 3: cursor %d", ins.cur.view.Cursor())
	}
}

func TestResultsCopyRowReferenceAndSearchURL(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Data: fixtureData(t)}, nil, 120, 40)
	s := startResults(t, env, "Patient", url.Values{"_count": {"25"}})
	i, ok := s.cursorRow()
	if !ok {
		t.Fatal("no row")
	}
	typ, id := records.TypeAndID(s.src.Entry(i))
	_, msgs := browsePress(t, s, "y")
	if !hasMsg(msgs, tea.SetClipboard(typ+"/"+id)()) || !hasStatus(msgs, "copied reference "+typ+"/"+id) {
		t.Fatalf("y: %v", msgs)
	}
	_, msgs = browsePress(t, s, "Y")
	if !hasMsg(msgs, tea.SetClipboard(s.page.URL)()) || !strings.Contains(s.page.URL, "_count=25") || !hasStatus(msgs, "copied search URL") {
		t.Fatalf("Y: %v", msgs)
	}
}
