package jsonview

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
)

func TestMouseClick(t *testing.T) {
	m := open(t, "patient.json", 60, 10)
	click := func(x, y int) tea.Msg { return tea.MouseClickMsg{X: x, Y: y, Button: tea.MouseLeft} }
	m = send(t, m, click(10, 4))
	if m.Cursor() != 0 {
		t.Fatal("a click was handled before SetOrigin")
	}
	m.SetOrigin(0, 1)            // a title line above the component
	m = send(t, m, click(10, 4)) // row 3 of the tree: "meta"
	if m.Path() != "meta" {
		t.Fatalf("click went to %q", m.Path())
	}
	lines := m.Lines()
	m = send(t, m, click(10, 4)) // again: toggles
	if m.Lines() != lines-3 {
		t.Fatalf("second click did not collapse: %d lines", m.Lines())
	}
	m = send(t, m, click(10, 0), click(10, 10), click(70, 3)) // title, footer, right of the tree
	if m.Path() != "meta" {
		t.Fatalf("clicks outside the tree moved the cursor to %q", m.Path())
	}
	// With a wrapped cursor line, rows below it are offset by its height.
	m.Search("note")
	m = keys(t, m, "w")
	v := strings.Split(m.View(), "\n")
	for row, line := range v {
		if strings.Contains(line, `"generalPractitioner"`) {
			m = send(t, m, click(5, row+1))
			if m.Path() != "generalPractitioner" {
				t.Fatalf("click under a wrapped line went to %q", m.Path())
			}
			return
		}
	}
	t.Fatalf("generalPractitioner not on screen:\n%s", strings.Join(v, "\n"))
}

func TestSiblings(t *testing.T) {
	m := open(t, "patient.json", 60, 20)
	m = keys(t, m, "j", "j", "j") // meta, open
	m = keys(t, m, "}")
	if m.Path() != "identifier" {
		t.Fatalf("} went to %q", m.Path())
	}
	m = keys(t, m, "}", "}", "{") // active, name, back to active
	if m.Path() != "active" {
		t.Fatalf("} } { went to %q", m.Path())
	}
	m.Search("Ann")
	m = keys(t, m, "}")
	if m.Path() != "name[0].given[1]" {
		t.Fatalf("} past the last element moved to %q", m.Path())
	}
	m = keys(t, m, "{", "{")
	if m.Path() != "name[0].given[0]" {
		t.Fatalf("{ before the first element moved to %q", m.Path())
	}
	m = keys(t, m, "g", "}")
	if m.Cursor() != 0 {
		t.Fatal("} on the root moved")
	}
}

func TestWrapShowsWholeValue(t *testing.T) {
	long := strings.Repeat("abcdefghij", 30) // 300 characters
	m, err := New([]byte(`{"x":1,"div":"`+long+`","y":2}`), PlainStyles())
	if err != nil {
		t.Fatal(err)
	}
	m.SetSize(50, 20)
	m.Search("div")
	if v := checkFrame(t, m); strings.Contains(v, long[:60]) {
		t.Fatal("value shown whole without wrapping")
	}
	m = keys(t, m, "w")
	v := checkFrame(t, m)
	if joined := strings.Join(strings.Fields(v), ""); !strings.Contains(joined, long) {
		t.Fatalf("wrapped view lacks the whole value:\n%s", v)
	}
	// The line after the wrapped one is still there, pushed down.
	if !strings.Contains(v, `"y": 2`) {
		t.Fatalf("following line lost:\n%s", v)
	}
	// A value longer than half the view ends in an ellipsis.
	m.SetSize(50, 8)
	v = checkFrame(t, m)
	if !strings.Contains(v, "…") || !strings.Contains(v, "> ") {
		t.Fatalf("long value not cut, or cursor off screen:\n%s", v)
	}
	m = keys(t, m, "w")
	if m.Wrap() {
		t.Fatal("w did not toggle wrapping off")
	}
}

func TestMouseWheel(t *testing.T) {
	m := open(t, "patient.json", 60, 10)
	m = send(t, m, wheel(false), wheel(false))
	if m.top != 6 || m.Cursor() != 6 {
		t.Fatalf("wheel down: top %d cursor %d", m.top, m.Cursor())
	}
	m = send(t, m, wheel(true))
	if m.top != 3 || m.Cursor() != 6 {
		t.Fatalf("wheel up: top %d cursor %d", m.top, m.Cursor())
	}
	for range 30 {
		m = send(t, m, wheel(false))
	}
	if m.top != m.Lines()-9 {
		t.Fatalf("scrolled past the end: top %d of %d", m.top, m.Lines())
	}
	checkFrame(t, m)
}
