package jsonview

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

func TestSearchThroughKeys(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	m = keys(t, m, "C", "/")
	if !m.Searching() {
		t.Fatal("/ did not open the prompt")
	}
	m = keys(t, m, "coding") // typed letters are text, not commands (no C, g)
	if !strings.Contains(m.View(), "/coding█") {
		t.Fatalf("prompt not shown:\n%s", m.View())
	}
	// Live search already revealed the match inside collapsed subtrees.
	if m.Path() != "identifier[0].type.coding" {
		t.Fatalf("live search at %q", m.Path())
	}
	m = keys(t, m, "enter")
	if m.Searching() || m.Query() != "coding" {
		t.Fatalf("enter: searching %v query %q", m.Searching(), m.Query())
	}
	if cur, total := m.Matches(); cur != 1 || total != 1 {
		t.Fatalf("matches %d/%d", cur, total)
	}
	if !strings.Contains(m.View(), "/coding 1/1") {
		t.Fatalf("footer lacks match count:\n%s", m.View())
	}
}

func TestSearchNextPrevWrap(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	// "us": the keys identifier[0].use (whose value "usual" also matches:
	// one match per member) and name[0].use, and the key "multipleBirth…"? no.
	m = keys(t, m, "/", "us", "enter")
	_, total := m.Matches()
	if total != 2 {
		t.Fatalf("%d matches for us", total)
	}
	var paths []string
	for range 3 {
		paths = append(paths, m.Path())
		m = keys(t, m, "n")
	}
	if want := []string{"identifier[0].use", "name[0].use", "identifier[0].use"}; strings.Join(paths, " ") != strings.Join(want, " ") {
		t.Fatalf("n cycle %q, want %q", paths, want)
	}
	// The cursor is on name[0].use now: N goes back, then wraps.
	m = keys(t, m, "N")
	if m.Path() != "identifier[0].use" {
		t.Fatalf("N went to %q", m.Path())
	}
	m = keys(t, m, "N")
	if m.Path() != "name[0].use" {
		t.Fatalf("N did not wrap: %q", m.Path())
	}
	// Moving off a match and pressing n continues from the cursor.
	m = keys(t, m, "g", "n")
	if m.Path() != paths[0] {
		t.Fatalf("n from top went to %q", m.Path())
	}
}

func TestSearchCaseAndEscapes(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	for q, path := range map[string]string{
		"MALLORY":           "name[0].family",
		"terminology.hl7":   "identifier[0].type.coding[0].system", // source has \/ escapes
		"hl7.org/CodeSys":   "identifier[0].type.coding[0].system",
		"\"two\"":           "note",
		"2024-05-06T07":     "meta.lastUpdated",
		"true":              "active",
		"évè":               "",
		"multipleBirthInt":  "multipleBirthInteger",
		"birthinteger\": 2": "",
	} {
		m.Search(q)
		_, total := m.Matches()
		if path == "" {
			if total != 0 {
				t.Errorf("%q: %d matches, want none", q, total)
			}
			continue
		}
		if total == 0 || m.Path() != path {
			t.Errorf("%q: %d matches, at %q, want %q", q, total, m.Path(), path)
		}
	}
}

func TestSearchEscRestores(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	m = keys(t, m, "/", "Ann", "enter")
	at := m.Path()
	m = keys(t, m, "/", "gender")
	if m.Path() != "gender" {
		t.Fatalf("live search at %q", m.Path())
	}
	m = keys(t, m, "esc")
	if m.Searching() || m.Query() != "Ann" || m.Path() != at {
		t.Fatalf("esc: query %q path %q, want %q at %q", m.Query(), m.Path(), "Ann", at)
	}
	// Backspace on an empty prompt closes it; ctrl+u clears it.
	m = keys(t, m, "/", "xyz", "ctrl+u")
	if !m.Searching() || len(m.search.input) != 0 {
		t.Fatal("ctrl+u did not clear")
	}
	m = keys(t, m, "backspace")
	if m.Searching() {
		t.Fatal("backspace on empty prompt did not close it")
	}
	m = keys(t, m, "/", "nothing-like-this", "enter")
	if !strings.Contains(m.View(), `no match for "nothing-like-this"`) {
		t.Fatalf("no-match note missing:\n%s", m.View())
	}
}

// bigBundle builds a searchset Bundle of about size bytes: Patients with
// names, identifiers and references, the shape the inspector sees.
func bigBundle(size int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"resourceType":"Bundle","type":"searchset","entry":[`)
	for i := 0; b.Len() < size; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"fullUrl":"https://ehr.example.org/apis/default/fhir/Patient/p-%d","resource":{"resourceType":"Patient","id":"p-%d",`+
			`"meta":{"versionId":"1","lastUpdated":"2024-01-%02dT10:00:00Z"},`+
			`"identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"value":"MRN-%07d"}],`+
			`"name":[{"use":"official","family":"Family%d","given":["Given%d","Middle"]}],"gender":"female","birthDate":"19%02d-02-03",`+
			`"address":[{"line":["%d Main St"],"city":"Springfield","state":"IL","postalCode":"62701"}],`+
			`"telecom":[{"system":"phone","value":"(555) 555-%04d","use":"home"}],`+
			`"generalPractitioner":[{"reference":"Practitioner/dr-%d","display":"Dr. Who %d"}]},"search":{"mode":"match"}}`,
			i, i, 1+i%28, i, i, i, i%100, i, i%10000, i%50, i%50)
	}
	b.WriteString(`],"total":1}`)
	return b.Bytes()
}

func TestBigDocumentSearchRunsInCmd(t *testing.T) {
	doc := bigBundle(syncSearchLimit + 1<<20)
	m, err := New(doc, PlainStyles())
	if err != nil {
		t.Fatal(err)
	}
	m.SetSize(80, 20)
	if m.Lines() > openBudget {
		t.Fatalf("opened with %d lines, budget %d", m.Lines(), openBudget)
	}
	m = keys(t, m, "/", "Family123")
	if _, total := m.Matches(); total != 0 || !m.Searching() {
		t.Fatal("a big document was searched while typing")
	}
	m, cmd := m.Update(press("enter")[0])
	if cmd == nil {
		t.Fatal("enter on a big document gave no command")
	}
	if !strings.Contains(m.View(), "searching…") {
		t.Fatalf("no progress note:\n%s", m.View())
	}
	done := cmd()
	// Keys keep working while the search runs.
	m = keys(t, m, "j")
	m = send(t, m, done)
	if _, total := m.Matches(); total != 11 { // Family123, Family1230..1239
		t.Fatalf("%d matches", total)
	}
	if m.Path() != "entry[123].resource.name[0].family" {
		t.Fatalf("big search went to %q", m.Path())
	}
	m2 := open(t, "patient.json", 60, 20)
	// A result for another model or an older search is dropped.
	m = send(t, m, searchDoneMsg{model: m2, seq: m.search.seq, query: "x", matches: []int{1}},
		searchDoneMsg{model: m, seq: m.search.seq - 1, query: "y", matches: []int{1}})
	if m.Query() != "Family123" {
		t.Fatalf("stale result applied: query %q", m.Query())
	}
}
