package jsonview

import (
	"fmt"
	"strings"
	"testing"
)

func TestNewRejectsBadJSON(t *testing.T) {
	for _, in := range []string{"", "   ", "{", `{"a":1} x`, `{"a":}`, "[1,2", strings.Repeat("[", 600) + strings.Repeat("]", 600)} {
		if _, err := New([]byte(in), PlainStyles()); err == nil {
			t.Errorf("New(%.20q) accepted bad JSON", in)
		}
	}
	for _, in := range []string{"1", `"s"`, "null", "[]", "{}", " {\"a\":[1,{}]} \n", "\xef\xbb\xbf{\"bom\":true}"} {
		m, err := New([]byte(in), PlainStyles())
		if err != nil {
			t.Errorf("New(%q): %v", in, err)
			continue
		}
		checkFrame(t, m)
	}
}

func TestSmallDocumentOpensExpanded(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	// Every container open: one line per value plus one closing line per
	// non-empty container.
	if m.Lines() != 50 {
		t.Errorf("%d lines, want 50", m.Lines())
	}
	if m.Path() != "" || m.Cursor() != 0 {
		t.Errorf("cursor at %q line %d", m.Path(), m.Cursor())
	}
}

func TestMovementAndPath(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	m = keys(t, m, "j")
	if m.Path() != "resourceType" || m.TextAtCursor() != "Patient" || m.ValueAtCursor() != `"Patient"` {
		t.Fatalf("path %q value %q", m.Path(), m.ValueAtCursor())
	}
	m.Search("Eve")
	if m.Path() != "name[0].given[0]" {
		t.Fatalf("path %q", m.Path())
	}
	if got := m.ValueAtCursor(); got != `"Eve\u202e"` {
		t.Fatalf("raw value %q", got)
	}
	if got := m.FHIRPath(); got != "Patient.name[0].given[0]" {
		t.Fatalf("FHIRPath %q", got)
	}
	m = keys(t, m, "k", "k")
	if m.Path() != "name[0].family" {
		t.Fatalf("path after k k: %q", m.Path())
	}
	m = keys(t, m, "G")
	if m.Cursor() != m.Lines()-1 || m.Path() != "" {
		t.Fatalf("G: line %d path %q", m.Cursor(), m.Path())
	}
	m = keys(t, m, "g", "down", "down", "down")
	if m.Path() != "meta" {
		t.Fatalf("path %q", m.Path())
	}
	m = keys(t, m, "pgdown")
	if m.Cursor() != 3+19 {
		t.Fatalf("pgdown moved to %d", m.Cursor())
	}
	m = keys(t, m, "pgup", "end", "home")
	if m.Cursor() != 0 {
		t.Fatalf("home moved to %d", m.Cursor())
	}
}

func TestOddKeysGetQuotedPaths(t *testing.T) {
	m, err := New([]byte(`{"a b":{"x.y":[{"ok_1":true}]}}`), PlainStyles())
	if err != nil {
		t.Fatal(err)
	}
	m.Search("ok_1")
	if got := m.Path(); got != `["a b"]["x.y"][0].ok_1` {
		t.Fatalf("path %q", got)
	}
	if got := m.FHIRPath(); got != m.Path() {
		t.Fatalf("FHIRPath without a resourceType: %q", got)
	}
}

func TestExpandCollapse(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	total := m.Lines()
	m = keys(t, m, "j", "j", "j") // meta, expanded
	m = keys(t, m, "h")
	if m.Lines() != total-3 || m.Path() != "meta" {
		t.Fatalf("after h: %d lines, path %q", m.Lines(), m.Path())
	}
	m = keys(t, m, "h") // already closed: to the parent
	if m.Cursor() != 0 {
		t.Fatalf("h on a closed node went to line %d", m.Cursor())
	}
	m = keys(t, m, "j", "j", "j", "l")
	if m.Lines() != total {
		t.Fatalf("after l: %d lines", m.Lines())
	}
	m = keys(t, m, "l") // open: step inside
	if m.Path() != "meta.versionId" {
		t.Fatalf("path %q", m.Path())
	}
	m = keys(t, m, "j", "j") // the closing bracket of meta
	if m.Path() != "meta" {
		t.Fatalf("closing line path %q", m.Path())
	}
	m = keys(t, m, "space")
	if m.Lines() != total-3 || m.Path() != "meta" {
		t.Fatalf("space on the closing line: %d lines, path %q", m.Lines(), m.Path())
	}
	m = keys(t, m, "enter")
	if m.Lines() != total {
		t.Fatalf("enter did not reopen: %d lines", m.Lines())
	}
	// Expanding a scalar or an empty container changes nothing.
	m.Search("photo")
	before := m.Lines()
	m = keys(t, m, "l", "space")
	if m.Lines() != before {
		t.Fatal("an empty array expanded")
	}
}

func TestLevels(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	m = keys(t, m, "C")
	if m.Lines() != 18 { // root open, its 16 members closed, closing brace
		t.Fatalf("collapse all: %d lines", m.Lines())
	}
	m = keys(t, m, "2")
	// Level 2 opens meta (2), identifier (1), name (1), generalPractitioner (1), managingOrganization (1).
	if want := 18 + 3 + 2 + 2 + 2 + 2; m.Lines() != want {
		t.Fatalf("level 2: %d lines, want %d", m.Lines(), want)
	}
	m = keys(t, m, "1")
	if m.Lines() != 18 {
		t.Fatalf("level 1: %d lines", m.Lines())
	}
	m = keys(t, m, "E")
	if m.Lines() != 50 {
		t.Fatalf("expand all: %d lines", m.Lines())
	}
}

func TestCursorSurvivesCollapseAll(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	m.Search("MRN-0001001")
	m = keys(t, m, "C")
	if m.Path() != "identifier" {
		t.Fatalf("cursor went to %q, want its visible ancestor", m.Path())
	}
}

func TestReferenceAtCursor(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	cases := []struct {
		search, path, ref string
	}{
		{"Practitioner/dr", "generalPractitioner[0].reference", "Practitioner/dr-9"},
		{"Jane", "generalPractitioner[0].display", "Practitioner/dr-9"},
		{"managingOrganization", "managingOrganization", "Organization/org-2"},
		{"org-2", "managingOrganization.reference", "Organization/org-2"},
		{"birthDate", "birthDate", ""},
	}
	for _, c := range cases {
		m.Search(c.search)
		if m.Path() != c.path {
			t.Fatalf("search %q went to %q", c.search, m.Path())
		}
		ref, ok := m.ReferenceAtCursor()
		if ref != c.ref || ok != (c.ref != "") {
			t.Errorf("at %s: ReferenceAtCursor = %q, %v; want %q", c.path, ref, ok, c.ref)
		}
	}
	// On the closing bracket of a Reference object too.
	m.Search("Jane")
	m = keys(t, m, "j")
	if ref, ok := m.ReferenceAtCursor(); !ok || ref != "Practitioner/dr-9" {
		t.Errorf("closing bracket: %q %v", ref, ok)
	}
}

func TestHostileStringsRenderInert(t *testing.T) {
	m := open(t, "patient.json", 200, 60)
	v := checkFrame(t, m)
	if strings.ContainsRune(v, 0x1b) {
		t.Fatal("raw ESC in the view")
	}
	for _, want := range []string{`"Mallory␛]52;c;cm0gLXJmIH4=␇"`, `"Eve\u202E"`, `"line one␊line \"two\"␉with a tab and a back\\slash"`, `"Practitioner/dr-9"`} {
		if !strings.Contains(v, want) {
			t.Errorf("view lacks %s:\n%s", want, v)
		}
	}
	// With colours the only escapes are the styles' own SGR sequences.
	m.SetStyles(DefaultStyles())
	for _, seq := range strings.Split(m.View(), "\x1b")[1:] {
		if seq == "" || seq[0] != '[' || !strings.Contains(seq, "m") {
			t.Fatalf("non-SGR escape in coloured view: %q", seq)
		}
	}
}

func TestSizes(t *testing.T) {
	for _, sz := range [][2]int{{10, 2}, {20, 5}, {80, 24}, {200, 60}, {1, 1}} {
		m := open(t, "patient.json", sz[0], sz[1])
		checkFrame(t, m)
		m = keys(t, m, "G")
		checkFrame(t, m)
	}
}

func TestDeepNestingIndentStaysOnScreen(t *testing.T) {
	doc := strings.Repeat(`{"a":`, 100) + "1" + strings.Repeat("}", 100)
	m, err := New([]byte(doc), PlainStyles())
	if err != nil {
		t.Fatal(err)
	}
	m.SetSize(40, 12)
	m.Search("1")
	if !strings.Contains(checkFrame(t, m), "‹100› \"a\": 1") {
		t.Fatalf("deep line not shown:\n%s", m.View())
	}
}

// A 5 MB resource opens with its root expanded and nothing below the level
// that would pass the line budget built: no line list of the whole thing.
func TestBigResourceOpensCollapsed(t *testing.T) {
	doc := bigBundle(5 << 20)
	m, err := New(doc, PlainStyles())
	if err != nil {
		t.Fatal(err)
	}
	if !m.nodes[0].expanded || m.Lines() > openBudget || len(m.nodes) > 100 {
		t.Fatalf("opened with %d lines and %d nodes", m.Lines(), len(m.nodes))
	}
	m.SetSize(80, 10)
	if v := checkFrame(t, m); !strings.Contains(v, `"entry": […],`) {
		t.Fatalf("entry not shown collapsed:\n%s", v)
	}
	// Expanding the entries builds one level (thousands of nodes, not the
	// hundreds of thousands of the whole document).
	m.Search("entry")
	m = keys(t, m, "l")
	entries := int(m.nodes[m.cursorNode()].count)
	if len(m.nodes) > entries+100 || m.Lines() != 7+entries { // { resourceType type entry [ … ] total }
		t.Fatalf("%d entries: %d nodes, %d lines", entries, len(m.nodes), m.Lines())
	}
	m = keys(t, m, "G", "k")
	if !strings.Contains(checkFrame(t, m), `{…}  3 keys`) {
		t.Fatalf("bottom:\n%s", m.View())
	}
}

// A big collapsed container shows its size at once and its member count
// when the background count (Init, then Update) comes back.
func TestBigContainerCountedInBackground(t *testing.T) {
	m, err := New(bigBundle(2<<20), PlainStyles())
	if err != nil {
		t.Fatal(err)
	}
	m.SetSize(80, 10)
	if v := checkFrame(t, m); !strings.Contains(v, `"entry": […],  2.0 MB`) {
		t.Fatalf("no size hint:\n%s", v)
	}
	cmd := m.Init()
	if cmd == nil {
		t.Fatal("Init started no count")
	}
	if m.Init() != nil {
		t.Fatal("a second count started while one runs")
	}
	msg := cmd()
	other, _ := New([]byte(`[1]`), PlainStyles())
	other.Update(msg) // another model's answer: ignored, no panic
	m = send(t, m, msg)
	want := fmt.Sprintf(`"entry": […],  %d items · 2.0 MB`, strings.Count(string(m.Data()), `"fullUrl"`))
	if v := checkFrame(t, m); !strings.Contains(v, want) {
		t.Fatalf("want %s in\n%s", want, v)
	}
}
