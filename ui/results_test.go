package ui

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/ui/records"
)

// Model tests for the results screen, through Update, against the sandbox over HTTP.

func startResults(t *testing.T, env *browseEnv, typ string, params url.Values) *ResultsScreen {
	t.Helper()
	s := NewResultsScreen(env.common, typ, params)
	out, _ := settle(t, s, s.Init())
	rs := out.(*ResultsScreen)
	if rs.err != nil {
		t.Fatalf("search %s: %v", typ, rs.err)
	}
	return rs
}

// firstID is the id of the first row on the current page.
func firstID(s *ResultsScreen) string {
	_, id := records.TypeAndID(s.src.Entry(s.rowAt(s.windowStart())))
	return id
}

func TestResultsOffsetPagingWithPrefetch(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 120}, nil, 120, 40)
	s := startResults(t, env, "Patient", url.Values{"_count": {"50"}})
	if s.page.Mode != fhirclient.PagingOffset || s.page.Number != 1 || len(s.page.Entries) != 50 {
		t.Fatalf("first page: mode %v number %d entries %d", s.page.Mode, s.page.Number, len(s.page.Entries))
	}
	if _, ok := s.pages[2]; !ok {
		t.Fatal("page 2 was not prefetched after page 1 showed")
	}
	p1 := firstID(s)

	// Turning to the prefetched page is instant: the page shows in Update itself, before any
	// command runs, and no request is made for it.
	before := env.srv.Counters().Requests
	_, cmd := s.Update(keyPress("n"))
	if s.page.Number != 2 || firstID(s) == p1 {
		t.Fatalf("after n: page %d (first id %s, page 1 started with %s)", s.page.Number, firstID(s), p1)
	}
	if got := env.srv.Counters().Requests; got != before {
		t.Fatalf("turning to a prefetched page made %d requests", got-before)
	}
	if v := plainView(s); !strings.Contains(v, firstID(s)) || strings.Contains(v, p1) {
		t.Fatalf("page 2 shows page 1's rows (first id %s):\n%s", firstID(s), v)
	}
	if s.Position() != "page 2 · offset · 50/page" {
		t.Fatalf("paging label missing:\n%s", plainView(s))
	}
	settle(t, s, cmd) // prefetches page 3
	if _, ok := s.pages[3]; !ok {
		t.Fatal("page 3 was not prefetched")
	}
	browsePress(t, s, "n")
	if s.page.Number != 3 || len(s.page.Entries) != 20 {
		t.Fatalf("page 3: number %d, %d entries", s.page.Number, len(s.page.Entries))
	}
	if !strings.HasPrefix(s.Position(), "page 3 of 3 · offset") {
		t.Fatalf("a short last page should make the count known:\n%s", plainView(s))
	}
	_, msgs := browsePress(t, s, "n")
	if s.page.Number != 3 || !hasStatus(msgs, "last page") {
		t.Fatalf("n on the last page: page %d, messages %v", s.page.Number, msgs)
	}
	// Back is instant too: visited pages are kept.
	before = env.srv.Counters().Requests
	s.Update(keyPress("p"))
	if s.page.Number != 2 || env.srv.Counters().Requests != before {
		t.Fatalf("p: page %d, %d requests", s.page.Number, env.srv.Counters().Requests-before)
	}
	browsePress(t, s, "<")
	if s.page.Number != 1 || firstID(s) != p1 {
		t.Fatalf("first page: number %d first id %s want %s", s.page.Number, firstID(s), p1)
	}
}

func TestResultsOffsetLastFullPageFoundByPrefetch(t *testing.T) {
	// 50 patients in pages of 25: page 2 is full, so only asking for page 3 shows it is empty.
	env := newBrowseEnv(t, fhirtest.Options{Patients: 50}, nil, 100, 30)
	s := startResults(t, env, "Patient", url.Values{"_count": {"25"}})
	browsePress(t, s, "n")
	if s.page.Number != 2 || len(s.page.Entries) != 25 {
		t.Fatalf("page 2: %d, %d entries", s.page.Number, len(s.page.Entries))
	}
	if s.lastPage != 2 || !strings.HasPrefix(s.Position(), "page 2 of 2") {
		t.Fatalf("the empty page 3 found by the prefetch should end paging at 2 (lastPage %d):\n%s", s.lastPage, plainView(s))
	}
	_, msgs := browsePress(t, s, "n")
	if s.page.Number != 2 || !hasStatus(msgs, "last page") {
		t.Fatalf("n past the end: page %d, %v", s.page.Number, msgs)
	}
}

func TestResultsLinksPaging(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Flavor: fhirtest.FlavorPaged, Patients: 60}, nil, 120, 40)
	s := startResults(t, env, "Patient", url.Values{"_count": {"25"}})
	if s.page.Mode != fhirclient.PagingLinks {
		t.Fatalf("mode %v, want links", s.page.Mode)
	}
	p1 := firstID(s)
	browsePress(t, s, "n")
	browsePress(t, s, "right")
	if s.page.Number != 3 || len(s.page.Entries) != 10 {
		t.Fatalf("page 3: number %d, %d entries", s.page.Number, len(s.page.Entries))
	}
	if v := s.Position(); v != "page 3 of 3 · links · 25/page" {
		t.Fatalf("label:\n%s", v)
	}
	// Drop the cache so previous pages are fetched by the prev link.
	s.pages = map[int]*fhirclient.Page{3: s.page}
	browsePress(t, s, "p")
	browsePress(t, s, "left")
	if s.page.Number != 1 || firstID(s) != p1 {
		t.Fatalf("back by prev links: page %d first %s want %s", s.page.Number, firstID(s), p1)
	}
}

func clinicalEnv(t *testing.T, opts fhirtest.Options, scopes []string, w, h int) *browseEnv {
	t.Helper()
	opts.Data = fhirtest.GenerateClinical(fhirtest.ClinicalConfig{Seed: 7, Patients: 6, HistoryYears: 1})
	return newBrowseEnv(t, opts, scopes, w, h)
}

func TestResultsLocalPagingThroughOneBundle(t *testing.T) {
	env := clinicalEnv(t, fhirtest.Options{}, nil, 120, 40)
	s := startResults(t, env, "Observation", url.Values{"_count": {"25"}})
	n := len(s.page.Entries)
	if s.page.Mode != fhirclient.PagingLocal || n <= 50 {
		t.Fatalf("Observation: mode %v with %d entries; want local with more than two pages", s.page.Mode, n)
	}
	pages := (n + 24) / 25
	before := env.srv.Counters().Requests
	browsePress(t, s, "n")
	if s.localPage != 1 || s.Position() != "page 2 of "+strconv.Itoa(pages)+" · local · 25/page" {
		t.Fatalf("local page 2:\n%s", plainView(s))
	}
	// Walking off the bottom of a local page turns it.
	for range 25 {
		browsePress(t, s, "down")
	}
	if s.localPage != 2 || s.cursor != 0 {
		t.Fatalf("after 25 downs: local page %d cursor %d", s.localPage, s.cursor)
	}
	browsePress(t, s, "G")
	if i, _ := s.cursorRow(); i != n-1 || s.localPage != pages-1 {
		t.Fatalf("G: row %d page %d, want %d on %d", i, s.localPage, n-1, pages-1)
	}
	// A new page size keeps the row under the cursor.
	browsePress(t, s, "z")
	if i, _ := s.cursorRow(); s.pageSize != 50 || i != n-1 {
		t.Fatalf("z: size %d row %d", s.pageSize, i)
	}
	browsePress(t, s, "<")
	if s.localPage != 0 {
		t.Fatalf("first page: %d", s.localPage)
	}
	if got := env.srv.Counters().Requests - before; got != 0 {
		t.Fatalf("local paging made %d requests", got)
	}
}

func TestResultsStaleRepliesDropped(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 30}, nil, 100, 30)
	s := NewResultsScreen(env.common, "Patient", nil)
	first := runCmd(s.Init()) // the unfiltered search, answered but not yet delivered
	// The user searches again before the first answer arrives.
	s.Update(keyPress("s"))
	s.search.SetValue("gender=female")
	_, cmd := s.Update(keyPress("enter"))
	second := runCmd(cmd)
	for _, m := range second {
		s.Update(m)
	}
	females := len(s.page.Entries)
	for _, m := range first {
		s.Update(m) // stale: must not replace the female-only page
	}
	if len(s.page.Entries) != females || s.page.URL == "" || !strings.Contains(s.page.URL, "gender=female") {
		t.Fatalf("stale reply replaced the page: %d entries, url %s", len(s.page.Entries), s.page.URL)
	}
	// A reply addressed to another screen is ignored too.
	other := NewResultsScreen(env.common, "Patient", nil)
	for _, m := range runCmd(other.Init()) {
		s.Update(m)
	}
	if !strings.Contains(s.page.URL, "gender=female") {
		t.Fatal("a reply for another screen was taken")
	}
}

func TestResultsEscCancelsFetchInFlight(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 10, Latency: 300 * time.Millisecond}, nil, 100, 30)
	s := NewResultsScreen(env.common, "Patient", nil)
	cmd := s.Init()
	if !s.Busy() || !strings.Contains(plainView(s), "Searching Patient") {
		t.Fatalf("not busy/loading while searching:\n%s", plainView(s))
	}
	s.Cancel() // what the root does on esc while Busy
	if s.Busy() {
		t.Fatal("still busy after cancel")
	}
	for _, m := range runCmd(cmd) {
		s.Update(m)
	}
	if s.page != nil || s.err != nil {
		t.Fatalf("cancelled reply was used: page %v err %v", s.page, s.err)
	}
}

func TestResultsSearchParametersChecked(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 40}, nil, 120, 40)
	s := startResults(t, env, "Patient", nil)
	browsePress(t, s, "s")
	if !s.Capturing() {
		t.Fatal("search input does not capture keys")
	}
	s.search.SetValue("")
	browseType(t, s, "nmae=smith birthdate=ge1970")
	_, msgs := browsePress(t, s, "enter")
	if s.paramErr == nil || !s.searching {
		t.Fatalf("unknown parameter accepted (err %v, searching %v, msgs %v)", s.paramErr, s.searching, msgs)
	}
	v := plainView(s)
	for _, want := range []string{`Patient has no search parameter "nmae"`, "did you mean name?", "valid:", "birthdate"} {
		if !strings.Contains(v, want) {
			t.Errorf("parameter error lacks %q:\n%s", want, v)
		}
	}
	// Correct it: the search runs with both parameters and every row matches.
	s.search.SetValue("gender=male birthdate=ge1970")
	browsePress(t, s, "enter")
	if s.searching || s.err != nil {
		t.Fatalf("valid search refused: searching %v err %v paramErr %v", s.searching, s.err, s.paramErr)
	}
	if len(s.page.Entries) == 0 {
		t.Fatal("no male patient born since 1970 in 40: the sandbox data changed?")
	}
	for _, e := range s.page.Entries {
		if !strings.Contains(string(e), `"gender":"male"`) && !strings.Contains(string(e), `"gender": "male"`) {
			t.Fatalf("row does not match gender=male: %.200s", e)
		}
	}
	if !strings.Contains(plainView(s), "Patient birthdate=ge1970 gender=male") {
		t.Fatalf("title does not show the search:\n%s", plainView(s))
	}
}

func TestParseSearchLine(t *testing.T) {
	caps := &fhirclient.Capabilities{Resources: []fhirclient.ResourceCapability{{
		Type: "Patient", SearchParams: []fhirclient.SearchParam{{Name: "name"}, {Name: "birthdate"}, {Name: "family"}},
	}}}
	q, count, checked, err := parseSearchLine(`name="van der berg" birthdate=ge1970 family:exact=Li _count=10 _id=a`, caps, "Patient")
	if err != nil || !checked || count != 10 {
		t.Fatalf("err %v checked %v count %d", err, checked, count)
	}
	if q.Get("name") != "van der berg" || q.Get("family:exact") != "Li" || q.Get("_id") != "a" || q.Has("_count") {
		t.Fatalf("params %v", q)
	}
	for _, bad := range []string{"name", "=x", "name=", `name="open`, "_count=0", "gender=male"} {
		if _, _, _, err := parseSearchLine(bad, caps, "Patient"); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// Without capabilities nothing can be checked, and nothing is refused for it.
	if _, _, checked, err := parseSearchLine("anything=1", nil, "Patient"); err != nil || checked {
		t.Fatalf("unchecked: err %v checked %v", err, checked)
	}
}

func TestCompleteParam(t *testing.T) {
	caps := &fhirclient.Capabilities{Resources: []fhirclient.ResourceCapability{{
		Type: "Patient", SearchParams: []fhirclient.SearchParam{{Name: "name"}, {Name: "birthdate"}, {Name: "family"}, {Name: "_id"}, {Name: "_lastUpdated"}},
	}}}
	for _, c := range []struct{ in, out, hint string }{
		{"gender=male bir", "gender=male birthdate=", ""},
		{"fam", "family=", ""},
		{"_", "_", "_id _lastUpdated _count"},
		{"_l", "_lastUpdated=", ""},
		{"zz", "zz", `no Patient search parameter starts with "zz"`},
		{"name=sm", "name=sm", ""},
	} {
		out, hint := completeParam(c.in, caps, "Patient")
		if out != c.out || hint != c.hint {
			t.Errorf("complete %q = %q, %q; want %q, %q", c.in, out, hint, c.out, c.hint)
		}
	}
	if _, hint := completeParam("na", nil, "Patient"); !strings.Contains(hint, "not known") {
		t.Errorf("without capabilities: %q", hint)
	}
}

func TestResultsFilterAsYouType(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 60}, nil, 120, 40)
	s := startResults(t, env, "Patient", url.Values{"_count": {"60"}})
	browsePress(t, s, "/")
	browseType(t, s, "female")
	want := 0
	for _, e := range s.page.Entries {
		if strings.Contains(strings.ToLower(string(e)), `"female"`) {
			want++
		}
	}
	if want == 0 || s.rowCount() != want {
		t.Fatalf("filter female: %d rows, want %d", s.rowCount(), want)
	}
	if v := plainView(s); !strings.Contains(v, "/female") || !strings.Contains(v, "of "+strconv.Itoa(want)+" (60 total)") {
		t.Fatalf("filter footer:\n%s", v)
	}
	// The matches are marked in the rows (underlined without colour).
	if raw := s.View(); !strings.Contains(raw, s.c.Styles.Match.Render("female")) {
		t.Fatalf("filter matches not marked:\n%q", raw)
	}
	// q is text while filtering, not quit.
	browseType(t, s, " qzx")
	if s.rowCount() != 0 || !strings.Contains(plainView(s), `No row matches the filter "female qzx"`) {
		t.Fatalf("no-match state:\n%s", plainView(s))
	}
	for range 4 {
		browsePress(t, s, "backspace")
	}
	browsePress(t, s, "enter")
	if s.Capturing() || s.rowCount() != want {
		t.Fatalf("enter keeps the filter: capturing %v rows %d", s.Capturing(), s.rowCount())
	}
	_, msgs := browsePress(t, s, "enter")
	push, ok := findPush(msgs)
	if !ok {
		t.Fatal("enter did not open the inspector")
	}
	if !strings.Contains(string(push.(*InspectorScreen).cur.data), `"female"`) {
		t.Fatal("enter opened a row the filter hid")
	}
	// esc with the filter applied (input closed) clears it: the root asks StepBack first.
	if !s.StepBack() {
		t.Fatal("an applied filter should take esc before the screen closes")
	}
	browsePress(t, s, "esc")
	if s.rowCount() != 60 || s.filter.query != "" || s.StepBack() {
		t.Fatalf("esc should clear the applied filter: %d rows", s.rowCount())
	}
	browsePress(t, s, "/")
	browseType(t, s, "male")
	browsePress(t, s, "esc")
	if s.rowCount() != 60 || s.filter.query != "" {
		t.Fatalf("esc in the filter should clear it: %d rows", s.rowCount())
	}
}

func TestResultsLockedTypeExplainsMissingScope(t *testing.T) {
	env := clinicalEnv(t, fhirtest.Options{}, []string{"system/Patient.read"}, 100, 30)
	s := NewResultsScreen(env.common, "Observation", nil)
	settle(t, s, s.Init())
	if s.err == nil {
		t.Fatal("Observation without its scope did not fail")
	}
	v := plainView(s)
	for _, want := range []string{"Search failed", "Cause:", "Fix:", "system/Observation.read"} {
		if !strings.Contains(v, want) {
			t.Errorf("locked type view lacks %q:\n%s", want, v)
		}
	}
	golden(t, "results_locked_100x30", v)
}

func TestResultsEmptyState(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 10}, nil, 100, 30)
	s := startResults(t, env, "Patient", url.Values{"family": {"Zzyzx"}})
	if v := plainView(s); !strings.Contains(v, "No Patient matches family=Zzyzx.") || !strings.Contains(v, "Press s to change") {
		t.Fatalf("empty state:\n%s", v)
	}
}

func hasStatus(msgs []tea.Msg, substr string) bool {
	for _, m := range msgs {
		if st, ok := m.(StatusMsg); ok && strings.Contains(st.Text, substr) {
			return true
		}
	}
	return false
}

func findPush(msgs []tea.Msg) (Screen, bool) {
	for _, m := range msgs {
		if p, ok := m.(PushMsg); ok {
			return p.Screen, true
		}
	}
	return nil, false
}
