package jsonview

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Wrapping: a long value (a narrative div, a URL, base64 data) is cut at
// the screen edge on ordinary lines. With wrapping on (KeyMap.Wrap), the
// cursor's line continues on following rows, up to half the view, so
// moving onto a value shows it; the rest of the tree moves down.

// SetWrap turns wrapping of the cursor's line on or off.
func (m *Model) SetWrap(on bool) { m.wrap = on }

// Wrap reports whether the cursor's line is wrapped.
func (m *Model) Wrap() bool { return m.wrap }

// cursorRows renders the cursor's line: one row, or with wrapping as many
// as its value needs, at most half the view (and at least 3 rows).
func (m *Model) cursorRows(h int) []string {
	if !m.wrap {
		return []string{m.draw(m.segments(m.cursor, m.width+8), true)}
	}
	maxRows := max(min(3, h), h/2)
	segs := m.segments(m.cursor, m.width*maxRows+8)
	// Continuation rows start under the value, one step in from the line.
	cont := strings.Repeat(" ", min(ansi.StringWidth(segs[0].text)+ansi.StringWidth(segs[1].text)+2, m.width/2))
	return m.drawRows(segs, maxRows, cont)
}

// drawRows lays segments out over up to maxRows rows of the width, each
// continuation row starting with cont; the last row ends in "…" when the
// text does not fit. Rows are padded with the cursor background.
func (m *Model) drawRows(segs []segment, maxRows int, cont string) []string {
	var rows []string
	var b strings.Builder
	room := m.width
	newRow := func() {
		if room > 0 {
			b.WriteString(m.styles.Cursor.Render(strings.Repeat(" ", room)))
		}
		rows = append(rows, b.String())
		b.Reset()
		b.WriteString(m.styles.Cursor.Render(cont))
		room = m.width - ansi.StringWidth(cont)
	}
	for _, s := range segs {
		text := s.text
		for text != "" {
			w := ansi.StringWidth(text)
			if w <= room {
				b.WriteString(s.style.Render(text))
				room -= w
				break
			}
			if len(rows)+1 >= maxRows {
				b.WriteString(s.style.Render(ansi.Truncate(text, room, "…")))
				room = 0
				newRow()
				return rows
			}
			head := ansi.Truncate(text, room, "")
			if head == "" && room == m.width-ansi.StringWidth(cont) {
				// A single character wider than a whole row: drop it
				// rather than loop.
				_, size := firstRune(text)
				text = text[size:]
				continue
			}
			b.WriteString(s.style.Render(head))
			text = text[len(head):]
			room = 0
			newRow()
		}
	}
	newRow()
	return rows
}

func firstRune(s string) (rune, int) {
	for i, r := range s {
		if i > 0 {
			return r, i
		}
	}
	return 0, len(s)
}
