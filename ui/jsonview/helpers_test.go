package jsonview

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// press turns key names as key.Binding spells them into key messages.
func press(names ...string) []tea.Msg {
	special := map[string]rune{
		"up": tea.KeyUp, "down": tea.KeyDown, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd,
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "backspace": tea.KeyBackspace,
	}
	var msgs []tea.Msg
	for _, n := range names {
		switch {
		case n == "space":
			msgs = append(msgs, tea.KeyPressMsg{Code: tea.KeySpace, Text: " "})
		case strings.HasPrefix(n, "ctrl+"):
			msgs = append(msgs, tea.KeyPressMsg{Code: rune(n[5]), Mod: tea.ModCtrl})
		case special[n] != 0:
			msgs = append(msgs, tea.KeyPressMsg{Code: special[n]})
		default:
			for _, r := range n {
				msgs = append(msgs, tea.KeyPressMsg{Code: r, Text: string(r)})
			}
		}
	}
	return msgs
}

// send feeds messages through Update, running any command it returns and
// feeding its message back, as the Bubble Tea runtime would.
func send(t testing.TB, m *Model, msgs ...tea.Msg) *Model {
	t.Helper()
	for _, msg := range msgs {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		m = run(t, m, cmd)
	}
	return m
}

// run executes cmd (and batches, and what the answers return in turn) and
// feeds every message back, as the runtime would.
func run(t testing.TB, m *Model, cmd tea.Cmd) *Model {
	t.Helper()
	if cmd == nil {
		return m
	}
	switch msg := cmd().(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			m = run(t, m, c)
		}
	default:
		var next tea.Cmd
		m, next = m.Update(msg)
		m = run(t, m, next)
	}
	return m
}

func keys(t testing.TB, m *Model, names ...string) *Model {
	t.Helper()
	return send(t, m, press(names...)...)
}

func open(t testing.TB, name string, w, h int) *Model {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(b, PlainStyles())
	if err != nil {
		t.Fatal(err)
	}
	m.SetSize(w, h)
	return m
}

// checkFrame asserts the view is exactly the set size and holds nothing a
// terminal would act on (with PlainStyles there is no styling at all).
func checkFrame(t testing.TB, m *Model) string {
	t.Helper()
	v := m.View()
	lines := strings.Split(v, "\n")
	if len(lines) != m.height {
		t.Fatalf("view has %d lines, want %d:\n%s", len(lines), m.height, v)
	}
	for _, l := range lines {
		if w := ansi.StringWidth(l); w > m.width {
			t.Fatalf("line %q is %d wide, more than %d", l, w, m.width)
		}
	}
	for _, r := range v {
		if r != '\n' && (r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("unsafe rune %U in view:\n%s", r, v)
		}
	}
	return v
}

// golden compares got with testdata/name.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("view differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func wheel(up bool) tea.Msg {
	b := tea.MouseWheelDown
	if up {
		b = tea.MouseWheelUp
	}
	return tea.MouseWheelMsg{Button: b}
}
