package jsonview

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
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
			if ref, ok := m.ReferenceAtCursor(); ok && strings.Count(ref, "/") != 1 {
				t.Fatalf("bad reference %q", ref)
			}
			if m.Cursor() < 0 || m.Cursor() >= m.Lines() {
				t.Fatalf("cursor %d outside %d lines", m.Cursor(), m.Lines())
			}
		}
	})
}
