package ui

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"fhirscope/fhirclient/fhirtest"
)

// Model tests of the patient overview, over real HTTP to the sandbox serving a fixed chart
// (testdata/overview_fixture.ndjson: one generated patient, so goldens do not move when the
// generator changes).

var overviewClock = func() time.Time { return time.Date(2026, 1, 20, 10, 0, 0, 0, time.UTC) }

// overviewFixture loads the fixture chart, indexing what the overview searches on.
func overviewFixture(t testing.TB) (*fhirtest.Dataset, string) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "overview_fixture.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	d := fhirtest.NewDataset()
	pid := ""
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var r struct {
			ResourceType, ID string
			Subject, Patient struct{ Reference string }
			Category         json.RawMessage
		}
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		var cats []struct{ Coding []struct{ Code string } }
		_ = json.Unmarshal(r.Category, &cats) // AllergyIntolerance.category is a list of codes
		search := map[string][]string{"_id": {r.ID}}
		if ref := r.Subject.Reference + r.Patient.Reference; ref != "" {
			search["patient"] = []string{strings.TrimPrefix(ref, "Patient/")}
		}
		for _, c := range cats {
			for _, cd := range c.Coding {
				search["category"] = append(search["category"], cd.Code)
			}
		}
		if r.ResourceType == "Patient" {
			pid = r.ID
		}
		d.Add(fhirtest.Resource{Type: r.ResourceType, ID: r.ID, JSON: line, Search: search})
	}
	return d, pid
}

// openOverview starts an overview on env and lets every request finish.
func openOverview(t *testing.T, env *browseEnv, pid string) *OverviewScreen {
	t.Helper()
	env.common.Now = overviewClock // the app clock: ages in goldens do not move
	s := NewOverviewScreen(env.common, pid)
	settle(t, s, s.Init())
	return s
}

// Replies that arrive while another screen is on top (help, the palette, an inspector opened
// from the card) go to that screen: back on top, the overview fetches what is still loading
// instead of showing "loading" forever.
func TestOverviewResumeRefetchesRepliesLostToAScreenAbove(t *testing.T) {
	d, pid := overviewFixture(t)
	env := newBrowseEnv(t, fhirtest.Options{Data: d}, nil, 120, 40)
	env.common.Now = overviewClock
	s := NewOverviewScreen(env.common, pid)
	_ = runCmd(s.Init()) // answered, but delivered to the screen above
	if !s.Busy() {
		t.Fatal("nothing loading before the replies arrive")
	}
	r, ok := Screen(s).(ResumableScreen)
	if !ok {
		t.Fatal("the overview does not resume")
	}
	settle(t, s, r.Resume())
	if s.Busy() || s.cardErr != nil || s.card.Name == "" {
		t.Fatalf("after resume: busy %v, card %q, err %v", s.Busy(), s.card.Name, s.cardErr)
	}
	for _, sec := range s.sections {
		if sec.state == secLoading {
			t.Fatalf("section %s still loading", sec.def.title)
		}
	}
	if r.Resume() != nil {
		t.Fatal("resume with nothing loading fetched again")
	}
}

func TestOverviewLoadsEverySectionInParallel(t *testing.T) {
	d, pid := overviewFixture(t)
	env := newBrowseEnv(t, fhirtest.Options{Data: d}, nil, 120, 80)
	s := NewOverviewScreen(env.common, pid)
	s.now = overviewClock
	cmd := s.Init()
	// One command per section plus the card, all in flight at once, each with its own id.
	batch, ok := cmd().(tea.BatchMsg)
	if !ok || len(batch) != len(overviewSections)+1 {
		t.Fatalf("Init: %T with %d commands, want a batch of %d", cmd(), len(batch), len(overviewSections)+1)
	}
	if !s.Busy() {
		t.Fatal("not busy while loading")
	}
	// The runtime runs them concurrently; replies arrive in any order.
	results := make(chan tea.Msg, len(batch))
	for _, c := range batch {
		go func() { results <- c() }()
	}
	var msgs []tea.Msg
	for range batch {
		msgs = append(msgs, <-results)
	}
	for i := len(msgs) - 1; i >= 0; i-- {
		s.Update(msgs[i])
	}
	if s.Busy() {
		t.Fatalf("still busy:\n%s", plainView(s))
	}
	v := plainView(s)
	for _, want := range []string{"Patient overview", "MRN MRN-", "Vitals · ", "Blood pressure panel", "mmHg", "Heart rate",
		"Labs · ", "Conditions · ", "active", "Medications · ", "Allergies · ", "Encounters · ", "Immunizations · "} {
		if !strings.Contains(v, want) {
			t.Errorf("overview lacks %q:\n%s", want, v)
		}
	}
	for _, sec := range s.sections {
		if sec.state != secLoaded || sec.res.count == 0 {
			t.Errorf("%s: state %d, %d resources", sec.def.title, sec.state, sec.res.count)
		}
	}
	// Vitals: blood pressure from its components, systolic/diastolic with the unit.
	bp := s.sections[0].res.items[0]
	if bp.label != "Blood pressure panel" || !strings.HasSuffix(bp.value, " mmHg") || !strings.Contains(bp.value, "/") {
		t.Fatalf("first vital: %+v", bp)
	}
}

func TestOverviewSectionLockedWithoutScope(t *testing.T) {
	d, pid := overviewFixture(t)
	all := allReadScopes(t, d)
	var scopes []string
	for _, sc := range all {
		if sc != "system/Condition.read" {
			scopes = append(scopes, sc)
		}
	}
	env := newBrowseEnv(t, fhirtest.Options{Data: d}, scopes, 120, 40)
	// Without a known token the request goes out and the server's refusal locks the section.
	s := openOverview(t, env, pid)
	cond := s.sections[2]
	if cond.def.typ != "Condition" || cond.state != secLocked || cond.scope != "system/Condition.read" {
		t.Fatalf("Condition section: state %d scope %q err %v", cond.state, cond.scope, cond.err)
	}
	v := plainView(s)
	if !strings.Contains(v, "locked: the token has no scope for Condition; needs system/Condition.read") {
		t.Fatalf("locked section not explained:\n%s", v)
	}
	if s.sections[3].state != secLoaded {
		t.Fatal("the other sections should load")
	}
	// With the granted scopes known, no request is sent for the locked type.
	tok, err := env.client.Token(env.common.Ctx)
	if err != nil {
		t.Fatal(err)
	}
	env.common.Token = tok
	s2 := NewOverviewScreen(env.common, pid)
	s2.Init()
	if s2.sections[2].state != secLocked || s2.sections[2].req.Busy() || !s2.sections[3].req.Busy() {
		t.Fatal("a type no granted scope covers should be locked up front, without a request")
	}
}

func TestOverviewSectionErrorShowsCauseAndFix(t *testing.T) {
	d, pid := overviewFixture(t)
	faults := fhirtest.FaultConfig{Rules: []fhirtest.FaultRule{{PathPrefix: "/apis/default/fhir/Observation", Kind: fhirtest.FaultStatus, Status: 500}}}
	env := newBrowseEnv(t, fhirtest.Options{Data: d, Faults: faults}, nil, 120, 40)
	s := openOverview(t, env, pid)
	for _, sec := range s.sections {
		failed := sec.def.typ == "Observation"
		if (sec.state == secFailed) != failed {
			t.Errorf("%s: state %d (err %v)", sec.def.title, sec.state, sec.err)
		}
	}
	v := plainView(s)
	if !strings.Contains(v, "error: ") || !strings.Contains(v, "Fix: ") || !strings.Contains(v, "Conditions · ") {
		t.Fatalf("error sections should explain themselves while others load:\n%s", v)
	}
	// r retries every section: with the fault gone, they load.
	env.srv.SetFaults(fhirtest.FaultConfig{})
	browsePress(t, s, "r")
	if s.sections[0].state != secLoaded {
		t.Fatalf("after r: %d %v", s.sections[0].state, s.sections[0].err)
	}
}

func TestOverviewDropsStaleReplies(t *testing.T) {
	d, pid := overviewFixture(t)
	env := newBrowseEnv(t, fhirtest.Options{Data: d}, nil, 120, 40)
	s := NewOverviewScreen(env.common, pid)
	first := runCmd(s.Init())
	// r before the first replies arrive: they are stale now.
	_, cmd := s.Update(keyPress("r"))
	for _, m := range first {
		s.Update(m)
	}
	if !s.Busy() || s.sections[0].state != secLoading || s.card.Name != "" {
		t.Fatal("a reply to a replaced request was applied")
	}
	// A reply meant for another overview screen is ignored too.
	other := NewOverviewScreen(env.common, pid)
	for _, m := range runCmd(other.Init()) {
		s.Update(m)
	}
	if s.sections[0].state != secLoading {
		t.Fatal("another screen's reply was applied")
	}
	settle(t, s, cmd)
	if s.Busy() || s.sections[0].state != secLoaded || s.card.Name == "" {
		t.Fatalf("current replies not applied:\n%s", plainView(s))
	}
	// esc while loading cancels; late replies stay dropped.
	late := runCmd(s.reload())
	s.Cancel()
	for _, m := range late {
		s.Update(m)
	}
	if s.Busy() || s.sections[0].state != secCancelled || !strings.Contains(plainView(s), "cancelled") {
		t.Fatalf("cancel: state %d\n%s", s.sections[0].state, plainView(s))
	}
}

func TestOverviewEnterOpensInspectorAndSectionSearch(t *testing.T) {
	d, pid := overviewFixture(t)
	env := newBrowseEnv(t, fhirtest.Options{Data: d}, nil, 120, 40)
	s := openOverview(t, env, pid)
	// The card: the Patient's JSON.
	_, msgs := browsePress(t, s, "enter")
	if ins, ok := findPush(msgs); !ok || !strings.HasPrefix(ins.Title(), "Patient/"+pid) {
		t.Fatalf("enter on the card: %v", msgs)
	}
	// Down to the Vitals title: its search opens in the results table.
	browsePress(t, s, "down")
	_, msgs = browsePress(t, s, "enter")
	res, ok := findPush(msgs)
	if r, isRes := res.(*ResultsScreen); !ok || !isRes || r.typ != "Observation" || r.params.Get("patient") != pid || r.params.Get("category") != "vital-signs" {
		t.Fatalf("enter on a section title: %#v", res)
	}
	// Down to the first vital: the inspector on that Observation.
	browsePress(t, s, "down")
	_, msgs = browsePress(t, s, "enter")
	ins, ok := findPush(msgs)
	want := s.sections[0].res.items[0]
	if _, isIns := ins.(*InspectorScreen); !ok || !isIns || !strings.Contains(ins.Title(), strings.TrimPrefix(want.typeID, "Observation/")) {
		t.Fatalf("enter on an item: %v", msgs)
	}
	if !bytes.Equal(ins.(*InspectorScreen).cur.data, want.raw) {
		t.Fatal("the inspector shows another resource")
	}
}

// Server strings reach the screen inert: a Condition named with terminal escapes.
func TestOverviewNeutralisesEscapes(t *testing.T) {
	d, pid := overviewFixture(t)
	evil := `{"resourceType":"Condition","id":"evil-c","clinicalStatus":{"coding":[{"code":"active"}]},` +
		`"code":{"text":"Pwn\u001b]52;c;ZXZpbA==\u0007\u001b[2J\u202eredro"},"subject":{"reference":"Patient/` + pid + `"},"onsetDateTime":"2025-12-01"}`
	d.Add(fhirtest.Resource{Type: "Condition", ID: "evil-c", JSON: []byte(evil), Search: map[string][]string{"_id": {"evil-c"}, "patient": {pid}}})
	env := newBrowseEnv(t, fhirtest.Options{Data: d}, nil, 120, 40)
	s := openOverview(t, env, pid)
	out := s.View()
	assertNoRawEscapes(t, out)
	if !strings.Contains(plainView(s), "Pwn") {
		t.Fatalf("the hostile condition is not shown:\n%s", plainView(s))
	}
}

func TestPatientAge(t *testing.T) {
	now := time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC)
	for birth, want := range map[string]string{"1970-01-21": "55 y", "1970-01-20": "56 y", "2025-03-20": "10 mo",
		"2024-01-21": "23 mo", "2024-01-20": "2 y", "2027-01-01": "", "garbage": ""} {
		if got := patientAge(birth, now); got != want {
			t.Errorf("patientAge(%s) = %q, want %q", birth, got, want)
		}
	}
}

// allReadScopes is every system read scope a sandbox serving d knows.
func allReadScopes(t *testing.T, d *fhirtest.Dataset) []string {
	srv := fhirtest.NewServer(fhirtest.Options{Data: d})
	defer srv.Close()
	return srv.SystemReadScopes()
}

// `o` in the results table: on a Patient row its overview, on an Observation row the overview
// of the Observation's patient; offline it says why not.
func TestResultsOOpensOverview(t *testing.T) {
	d, pid := overviewFixture(t)
	env := newBrowseEnv(t, fhirtest.Options{Data: d}, nil, 120, 40)
	for _, typ := range []string{"Patient", "Observation"} {
		rs := startResults(t, env, typ, nil)
		_, msgs := browsePress(t, rs, "o")
		scr, ok := findPush(msgs)
		ov, isOv := scr.(*OverviewScreen)
		if !ok || !isOv || ov.patientID != pid {
			t.Fatalf("o on a %s row: %v", typ, msgs)
		}
	}
	if _, err := overviewPatientOf([]byte(`{"resourceType":"Organization","id":"o1"}`)); err == nil || !strings.Contains(err.Error(), "names no patient") {
		t.Fatalf("an Organization has no patient: %v", err)
	}
	if id, err := overviewPatientOf([]byte(`{"resourceType":"Observation","subject":{"reference":"https://x/fhir/Patient/p9"}}`)); err != nil || id != "p9" {
		t.Fatalf("absolute subject: %q %v", id, err)
	}
	if id, err := overviewPatientOf([]byte(`{"resourceType":"Condition","subject":{"reference":"Patient/p7/_history/3"}}`)); err != nil || id != "p7" {
		t.Fatalf("versioned subject: %q %v", id, err)
	}
}

// Every size from tiny to 200x60 renders exactly the screen's lines, none wider than it, and
// a resize keeps the cursor's row on screen.
func TestOverviewFitsAnySize(t *testing.T) {
	d, pid := overviewFixture(t)
	env := newBrowseEnv(t, fhirtest.Options{Data: d}, nil, 80, 24)
	s := openOverview(t, env, pid)
	for range 30 {
		browsePress(t, s, "down")
	}
	for _, size := range [][2]int{{20, 6}, {80, 24}, {120, 40}, {200, 60}, {45, 12}} {
		w, h := size[0], size[1]
		s.SetSize(w, h)
		lines := strings.Split(plainView(s), "\n")
		if len(lines) != h {
			t.Errorf("%dx%d: %d lines", w, h, len(lines))
		}
		for _, l := range lines {
			if ansi.StringWidth(l) > w {
				t.Errorf("%dx%d: line wider than the screen: %q", w, h, l)
			}
		}
		if !strings.Contains(plainView(s), "▌") {
			t.Errorf("%dx%d: the cursor's row is off screen:\n%s", w, h, plainView(s))
		}
	}
}

// On a standard server (searchset pages with next links) each section follows the links and
// counts every match, not just the first page.
func TestOverviewFollowsNextLinksOnPagedServers(t *testing.T) {
	d, pid := overviewFixture(t)
	env := newBrowseEnv(t, fhirtest.Options{Data: d, Flavor: fhirtest.FlavorPaged, PageSize: 7}, nil, 120, 40)
	s := openOverview(t, env, pid)
	want := 0
	for _, r := range d.All("Observation") {
		if strings.Contains(string(r.JSON), `"vital-signs"`) {
			want++
		}
	}
	if got := s.sections[0].res.count; got != want || want <= 7 {
		t.Fatalf("vitals counted %d, want %d (over several pages)", got, want)
	}
	if bp := s.sections[0].res.items[0]; !strings.HasSuffix(bp.value, "mmHg") {
		t.Fatalf("first vital %+v", bp)
	}
}

// `o` in the inspector: the overview of the patient the resource shown belongs to.
func TestInspectorOOpensOverview(t *testing.T) {
	d, pid := overviewFixture(t)
	env := newBrowseEnv(t, fhirtest.Options{Data: d}, nil, 120, 40)
	s := openOverview(t, env, pid)
	browsePress(t, s, "down")
	browsePress(t, s, "down")
	_, msgs := browsePress(t, s, "enter")
	ins, ok := findPush(msgs)
	if !ok {
		t.Fatal("enter on a vital opened nothing")
	}
	_, msgs = browsePress(t, ins, "o")
	if ov, ok := findPush(msgs); !ok || ov.(*OverviewScreen).patientID != pid {
		t.Fatalf("o in the inspector of an Observation: %v", msgs)
	}
}
