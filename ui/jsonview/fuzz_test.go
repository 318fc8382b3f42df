package jsonview

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"fhirscope/ui/summary"
)

// FuzzModel opens arbitrary bytes and drives the model with an arbitrary
// key sequence: nothing may panic, every frame must be the set size and
// hold nothing a terminal would act on, and the accessors must work.
func FuzzModel(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, "jjlhGgE1C/ann\rnN")
		}
	}
	f.Add([]byte(`{"a":[1,{"b":"\u001b[2J"}],"c":{}}`), "E/b\rnnNhhhll9MwMM")
	f.Add([]byte(`[[[],[{}]],"\ud800",-0.5e10,true,false,null]`), "3GkkllC2/e\x1b")
	f.Fuzz(func(t *testing.T, data []byte, script string) {
		m, err := New(data, PlainStyles())
		if err != nil {
			return
		}
		m.SetSize(40, 8)
		m.SetOrigin(0, 1)
		checkFrame(t, m)
		for i, r := range script {
			var msg tea.Msg
			switch r {
			case 'M':
				msg = tea.MouseClickMsg{X: 3, Y: i % 10, Button: tea.MouseLeft}
			case '\r':
				msg = tea.KeyPressMsg{Code: tea.KeyEnter}
			case 0x1b:
				msg = tea.KeyPressMsg{Code: tea.KeyEscape}
			case 0x7f:
				msg = tea.KeyPressMsg{Code: tea.KeyBackspace}
			case 'W':
				msg = wheel(false)
			case 'w':
				msg = wheel(true)
			default:
				msg = tea.KeyPressMsg{Code: r, Text: string(r)}
			}
			m = send(t, m, msg)
			checkFrame(t, m)
			_ = m.Path()
			_ = m.ValueAtCursor()
			ref, ok := m.ReferenceAtCursor()
			if ok && strings.Count(ref, "/") != 1 {
				t.Fatalf("bad reference %q", ref)
			}
			// The raw reference is the same one, as written.
			raw, rawOK := m.RawReferenceAtCursor()
			if norm, _ := summary.ParseReference(raw); rawOK != ok || norm != ref {
				t.Fatalf("raw reference %q %v reads as %q, Type/id is %q %v", raw, rawOK, norm, ref, ok)
			}
			if m.Cursor() < 0 || m.Cursor() >= m.Lines() {
				t.Fatalf("cursor %d outside %d lines", m.Cursor(), m.Lines())
			}
			checkLines(t, m)
		}
	})
}

// checkLines asserts the spliced line list is what a fresh layout of the
// expanded flags gives: expand/collapse splicing never drifts.
func checkLines(t *testing.T, m *Model) {
	t.Helper()
	fresh := m.appendVisible(nil, 0)
	if !slices.Equal(fresh, m.lines) {
		t.Fatalf("line list drifted: %v, fresh layout %v", m.lines, fresh)
	}
}

// TestRandomEditsKeepLines drives expand/collapse/level/search at random
// over a nested document and checks the line list after every step.
func TestRandomEditsKeepLines(t *testing.T) {
	doc := bigBundle(40 << 10)
	m, err := New(doc, PlainStyles())
	if err != nil {
		t.Fatal(err)
	}
	m.SetSize(60, 12)
	r := rand.New(rand.NewPCG(7, 9))
	ops := []string{"j", "k", "l", "h", "space", "}", "{", "G", "g", "pgdown", "pgup", "2", "3", "C", "E"}
	for step := range 3000 {
		if step%97 == 0 {
			m.Search(fmt.Sprintf("Family%d", r.IntN(20)))
		} else {
			m = keys(t, m, ops[r.IntN(len(ops))])
		}
		checkLines(t, m)
		if m.Cursor() < 0 || m.Cursor() >= m.Lines() {
			t.Fatalf("step %d: cursor %d of %d", step, m.Cursor(), m.Lines())
		}
	}
}
