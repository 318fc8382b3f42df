package jsonview

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"fhirscope/fhirclient/jsonscan"
	"fhirscope/ui/termsafe"
)

// countLimit: a collapsed container up to this size has its members
// counted when drawn, for the "12 items" hint; a bigger one shows its size
// until a background count (counts.go) answers, so that drawing a line
// never scans megabytes.
const countLimit = 64 << 10

// segment is one styled run of a line.
type segment struct {
	text  string
	style *lipgloss.Style
}

// View renders the visible tree lines and the footer, exactly the size set
// by SetSize. Only the lines on screen are formatted. With wrapping on,
// the cursor's line may take several rows to show its whole value.
func (m *Model) View() string {
	h := m.bodyHeight()
	rows := make([]string, 0, h+1)
	if len(m.lines) > 0 {
		cursorRows := m.cursorRows(h)
		top := m.viewTop(len(cursorRows))
		for pos := top; len(rows) < h && pos < len(m.lines); pos++ {
			if pos == m.cursor {
				rows = append(rows, cursorRows...)
			} else {
				rows = append(rows, m.draw(m.segments(pos, m.width+8), false))
			}
		}
	}
	rows = rows[:min(len(rows), h)]
	for len(rows) < h {
		rows = append(rows, "")
	}
	rows = append(rows, m.footer())
	return strings.Join(rows, "\n")
}

// segments builds line pos as styled runs; strings are decoded up to
// limit runes.
func (m *Model) segments(pos int, limit int) []segment {
	st := &m.styles
	onCursor := pos == m.cursor
	if onCursor {
		st = &m.cursorStyles
	}
	mark := m.styles.CursorMark
	gutter := strings.Repeat(" ", ansi.StringWidth(mark)) + " "
	if onCursor {
		gutter = mark + " "
	}
	segs := make([]segment, 0, 8)
	segs = append(segs, segment{gutter, &st.Punct})

	li := m.lines[pos]
	closingLine := li < 0
	if closingLine {
		li = ^li
	}
	n := &m.nodes[li]
	segs = append(segs, segment{m.indent(int(n.depth)), &st.Punct})
	if closingLine {
		segs = append(segs, segment{closer(n.kind), &st.Punct})
	} else {
		if n.key.Start >= 0 {
			segs = append(segs, m.matchable(n.key, m.quoted(n.key, limit), &st.Key, st, n.key)...)
			segs = append(segs, segment{": ", &st.Punct})
		}
		segs = append(segs, m.valueSegments(li, st, limit)...)
	}
	if m.hasNext(li) && (closingLine || !n.expanded) {
		segs = append(segs, segment{",", &st.Punct})
	}
	if !closingLine && n.container() && !n.expanded {
		if hint := m.hint(li); hint != "" {
			segs = append(segs, segment{"  " + hint, &st.Hint})
		}
	}
	return segs
}

// valueSegments formats node i's value as it appears on its own line.
func (m *Model) valueSegments(i int32, st *Styles, limit int) []segment {
	n := &m.nodes[i]
	raw := m.data[n.val.Start:n.val.End]
	switch n.kind {
	case jsonscan.String:
		return m.matchable(n.val, m.quoted(n.val, limit), &st.String, st, n.key)
	case jsonscan.Number:
		return m.matchable(n.val, termsafe.Bytes(raw), &st.Number, st, n.key)
	case jsonscan.True, jsonscan.False:
		return m.matchable(n.val, string(raw), &st.Bool, st, n.key)
	case jsonscan.Null:
		return []segment{{"null", &st.Null}}
	case jsonscan.Object, jsonscan.Array:
		open, shut := "{", "}"
		if n.kind == jsonscan.Array {
			open, shut = "[", "]"
		}
		switch {
		case n.expanded:
			return []segment{{open, &st.Punct}}
		case !m.expandable(i):
			return []segment{{open + shut, &st.Punct}}
		}
		return []segment{{open + "…" + shut, &st.Punct}}
	}
	return []segment{{termsafe.Bytes(raw), &st.Null}}
}

func closer(k jsonscan.Kind) string {
	if k == jsonscan.Array {
		return "]"
	}
	return "}"
}

// hasNext reports whether node i has a following sibling (so its line ends
// with a comma).
func (m *Model) hasNext(i int32) bool {
	p := m.nodes[i].parent
	return p >= 0 && m.nodes[i].index < m.nodes[p].count-1
}

// hint describes a collapsed container: "3 keys", "12 items" or its size.
func (m *Model) hint(i int32) string {
	n := &m.nodes[i]
	if n.count < 0 && n.val.Len() <= countLimit {
		c := 0
		if n.kind == jsonscan.Object {
			_ = jsonscan.ObjectMembers(m.data, n.val, func(_, _ jsonscan.Span) bool { c++; return true })
		} else {
			_ = jsonscan.ArrayElements(m.data, n.val, func(_ int, _ jsonscan.Span) bool { c++; return true })
		}
		n.count = int32(c)
	}
	if n.count < 0 {
		return formatSize(n.val.Len())
	}
	if n.count == 0 {
		return ""
	}
	unit := "item"
	if n.kind == jsonscan.Object {
		unit = "key"
	}
	if n.count != 1 {
		unit += "s"
	}
	hint := strconv.Itoa(int(n.count)) + " " + unit
	if n.val.Len() > countLimit {
		hint += " · " + formatSize(n.val.Len())
	}
	return hint
}

func formatSize(b int) string {
	switch {
	case b >= 1<<30:
		return strconv.FormatFloat(float64(b)/(1<<30), 'f', 1, 64) + " GB"
	case b >= 1<<20:
		return strconv.FormatFloat(float64(b)/(1<<20), 'f', 1, 64) + " MB"
	case b >= 1<<10:
		return strconv.FormatFloat(float64(b)/(1<<10), 'f', 1, 64) + " KB"
	}
	return strconv.Itoa(b) + " B"
}

// indent is two spaces per level; past a third of the width it turns into
// a depth marker so deep documents stay readable.
func (m *Model) indent(depth int) string {
	limit := m.width / 3
	if 2*depth <= limit {
		return strings.Repeat(" ", 2*depth)
	}
	marker := "‹" + strconv.Itoa(depth) + "› "
	return strings.Repeat(" ", max(limit-ansi.StringWidth(marker), 0)) + marker
}

// quoted renders a JSON string span for the screen: decoded, then shown
// with quotes, backslashes re-escaped, and controls, bidi overrides and
// invalid UTF-8 made visible by termsafe. Only as much of a long string
// as can fit is decoded, so a 5 MB base64 attachment costs one line.
func (m *Model) quoted(s jsonscan.Span, limit int) string {
	text, cut := decodePrefix(m.data[s.Start+1:s.End-1], limit)
	var b strings.Builder
	b.Grow(len(text) + 4)
	b.WriteByte('"')
	for _, r := range text {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		default:
			b.WriteRune(r)
		}
	}
	if cut {
		b.WriteString("…")
	} else {
		b.WriteByte('"')
	}
	return termsafe.String(b.String())
}

// decodePrefix decodes the body of a JSON string up to max runes,
// reporting whether it stopped early. Bad escapes are kept as written.
func decodePrefix(body []byte, max int) (string, bool) {
	var b strings.Builder
	n := 0
	for i := 0; i < len(body); n++ {
		if n >= max {
			return b.String(), true
		}
		c := body[i]
		if c != '\\' {
			if c < utf8.RuneSelf {
				b.WriteByte(c)
				i++
				continue
			}
			r, size := utf8.DecodeRune(body[i:])
			b.WriteRune(r) // RuneError for invalid bytes
			i += size
			continue
		}
		if i+1 >= len(body) {
			b.WriteByte('\\')
			break
		}
		switch e := body[i+1]; e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case '/', '\\', '"':
			b.WriteByte(e)
		case 'u':
			r, size := decodeU(body[i:])
			b.WriteRune(r)
			i += size
			continue
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
		i += 2
	}
	return b.String(), false
}

// decodeU decodes "\uXXXX" (and a following low surrogate) at the start of
// s, returning the rune and the bytes used; a lone surrogate or a bad
// escape becomes U+FFFD.
func decodeU(s []byte) (rune, int) {
	r, ok := hex4(s)
	if !ok {
		return utf8.RuneError, min(2, len(s))
	}
	if r >= 0xD800 && r < 0xDC00 {
		if lo, ok := hex4(s[6:]); ok && lo >= 0xDC00 && lo < 0xE000 {
			return (r-0xD800)<<10 | (lo - 0xDC00) + 0x10000, 12
		}
		return utf8.RuneError, 6
	}
	if r >= 0xDC00 && r < 0xE000 {
		return utf8.RuneError, 6
	}
	return r, 6
}

// hex4 decodes a whole "\uXXXX" escape at the start of s.
func hex4(s []byte) (rune, bool) {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return 0, false
	}
	return jsonscan.Hex4(s[2:6])
}

// draw joins segments, clipping at the width; the cursor line is padded
// so its background spans the whole width.
func (m *Model) draw(segs []segment, onCursor bool) string {
	var b strings.Builder
	room := m.width
	for _, s := range segs {
		if room <= 0 {
			break
		}
		text := s.text
		w := ansi.StringWidth(text)
		if w > room {
			text = ansi.Truncate(text, room, "…")
			w = room
		}
		room -= w
		b.WriteString(s.style.Render(text))
	}
	if onCursor && room > 0 {
		b.WriteString(m.styles.Cursor.Render(strings.Repeat(" ", room)))
	}
	return b.String()
}
