package jsonview

import (
	"strconv"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"fhirscope/ui/termsafe"
)

// wheelStep is how many lines one mouse wheel notch scrolls.
const wheelStep = 3

// Update handles keys (see KeyMap), pasted text in the search prompt, the
// mouse wheel, and the results of searches it started. Keys it has no
// binding for are ignored, so the app can act on them.
func (m *Model) Update(msg tea.Msg) (*Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case searchDoneMsg:
		if msg.model == m && msg.seq == m.search.seq {
			m.applyMatches(msg.query, msg.matches, msg.capped)
		}
	case countsMsg:
		if msg.model == m {
			m.applyCounts(msg)
		}
	case tea.KeyPressMsg:
		if m.search.typing {
			cmd = m.promptKey(msg)
		} else {
			cmd = m.treeKey(msg)
		}
	case tea.PasteMsg:
		if m.search.typing {
			cmd = m.promptInsert(strings.ReplaceAll(msg.Content, "\n", " "))
		}
	case tea.MouseClickMsg:
		m.click(msg)
	case tea.MouseWheelMsg:
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			m.scroll(-wheelStep)
		case tea.MouseWheelDown:
			m.scroll(wheelStep)
		}
	}
	return m, tea.Batch(cmd, m.countCmd())
}

// treeKey acts on a key while browsing the tree.
func (m *Model) treeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.Keys
	h := m.bodyHeight()
	if !m.search.running {
		m.note = ""
	}
	switch {
	case key.Matches(msg, k.Up):
		m.setCursor(m.cursor - 1)
	case key.Matches(msg, k.Down):
		m.setCursor(m.cursor + 1)
	case key.Matches(msg, k.PageUp):
		m.top -= h
		m.clampTop()
		m.setCursor(m.cursor - h)
	case key.Matches(msg, k.PageDown):
		m.top += h
		m.clampTop()
		m.setCursor(m.cursor + h)
	case key.Matches(msg, k.HalfUp):
		m.top -= h / 2
		m.clampTop()
		m.setCursor(m.cursor - h/2)
	case key.Matches(msg, k.HalfDown):
		m.top += h / 2
		m.clampTop()
		m.setCursor(m.cursor + h/2)
	case key.Matches(msg, k.Top):
		m.setCursor(0)
	case key.Matches(msg, k.Bottom):
		m.setCursor(len(m.lines) - 1)
	case key.Matches(msg, k.NextSibling):
		m.sibling(1)
	case key.Matches(msg, k.PrevSibling):
		m.sibling(-1)
	case key.Matches(msg, k.Toggle):
		m.Toggle()
	case key.Matches(msg, k.Expand):
		if i := m.lines[m.cursor]; i >= 0 && m.nodes[i].expanded {
			m.setCursor(m.cursor + 1) // already open: step inside
		} else {
			m.Expand()
		}
	case key.Matches(msg, k.Collapse):
		i := m.lines[m.cursor]
		if i < 0 || m.nodes[i].expanded {
			m.Collapse()
		} else if p := m.nodes[i].parent; p >= 0 {
			m.setCursor(m.lineOf(p, m.cursor)) // already closed: go to the parent
		}
	case key.Matches(msg, k.ExpandAll):
		m.ExpandAll()
	case key.Matches(msg, k.CollapseAll):
		m.CollapseAll()
	case key.Matches(msg, k.ExpandLevel):
		if n, err := strconv.Atoi(msg.String()); err == nil {
			m.ExpandToLevel(n)
		}
	case key.Matches(msg, k.Wrap):
		m.wrap = !m.wrap
	case key.Matches(msg, k.Search):
		m.openPrompt()
	case key.Matches(msg, k.NextMatch):
		m.NextMatch()
		return nil
	case key.Matches(msg, k.PrevMatch):
		m.PrevMatch()
		return nil
	}
	m.syncMatch()
	return nil
}

// scroll moves the view by d lines, dragging the cursor along only when it
// would leave the screen.
func (m *Model) scroll(d int) {
	m.top += d
	m.clampTop()
	h := m.bodyHeight()
	m.cursor = min(max(m.cursor, m.top), m.top+h-1, len(m.lines)-1)
	m.syncMatch()
}

// syncMatch points the current match at the cursor's token, if it is one.
func (m *Model) syncMatch() {
	s := &m.search
	if len(s.matches) == 0 {
		return
	}
	n := &m.nodes[m.cursorNode()]
	s.current = -1
	for _, off := range []int{n.key.Start, n.val.Start} {
		if off >= 0 && m.isMatch(off) {
			s.current = searchIndex(s.matches, off)
			return
		}
	}
}

func searchIndex(ms []int, off int) int {
	lo, hi := 0, len(ms)
	for lo < hi {
		mid := (lo + hi) / 2
		if ms[mid] < off {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// openPrompt starts typing a search; live search measures from here.
func (m *Model) openPrompt() {
	m.search.typing = true
	m.search.input = m.search.input[:0]
	m.search.origin = m.cursorNode()
	m.search.before = m.search.query
}

// promptKey edits the search prompt.
func (m *Model) promptKey(msg tea.KeyPressMsg) tea.Cmd {
	s := &m.search
	switch {
	case key.Matches(msg, m.Keys.Accept):
		s.typing = false
		q := string(s.input)
		if q == s.query && len(m.data) <= liveSearchLimit {
			return nil // live search already applied it
		}
		return m.searchCmd(q)
	case key.Matches(msg, m.Keys.Cancel):
		s.typing = false
		if s.query != s.before {
			m.fromOrigin()
			return m.searchCmd(s.before)
		}
		return nil
	case msg.String() == "backspace":
		if len(s.input) == 0 {
			s.typing = false
			return nil
		}
		s.input = s.input[:len(s.input)-1]
	case msg.String() == "ctrl+u":
		s.input = s.input[:0]
	case msg.String() == "ctrl+w":
		t := strings.TrimRightFunc(string(s.input), unicode.IsSpace)
		if i := strings.LastIndexFunc(t, unicode.IsSpace); i >= 0 {
			s.input = []rune(t[:i+1])
		} else {
			s.input = s.input[:0]
		}
	default:
		if msg.Text == "" {
			return nil
		}
		return m.promptInsert(msg.Text)
	}
	return m.liveSearch()
}

func (m *Model) promptInsert(text string) tea.Cmd {
	for _, r := range text {
		if unicode.IsPrint(r) {
			m.search.input = append(m.search.input, r)
		}
	}
	return m.liveSearch()
}

// liveSearch re-runs the search as the user types, for small documents,
// always measuring from where the prompt was opened.
func (m *Model) liveSearch() tea.Cmd {
	if len(m.data) > liveSearchLimit {
		return nil
	}
	m.fromOrigin()
	return m.searchCmd(string(m.search.input))
}

// fromOrigin puts the cursor back on the node where the prompt opened.
func (m *Model) fromOrigin() {
	if p := m.lineOf(m.search.origin, m.cursor); p >= 0 {
		m.setCursor(p)
	}
}

// footer is the last line: the cursor path (or the search prompt), search
// and status notes on the left, the position on the right.
func (m *Model) footer() string {
	st := &m.styles
	right := strconv.Itoa(m.cursor+1) + "/" + strconv.Itoa(len(m.lines))
	var left []segment
	if m.search.typing {
		left = append(left, segment{"/" + string(m.search.input) + "█", &st.Prompt})
	} else {
		path := m.Path()
		if path == "" {
			path = "(root)"
		}
		// A deep path keeps its end, which says where the cursor is.
		room := m.width - ansi.StringWidth(right) - 1
		if w := ansi.StringWidth(path); w > room && room > 1 {
			path = "…" + ansi.TruncateLeft(path, w-room+1, "")
		}
		left = append(left, segment{path, &st.Path})
		if q := m.search.query; q != "" && len(m.search.matches) > 0 {
			cur, total := m.Matches()
			count := strconv.Itoa(total)
			if m.search.capped {
				count += "+"
			}
			pos := "-"
			if cur > 0 {
				pos = strconv.Itoa(cur)
			}
			left = append(left, segment{"  /" + sanitizeQuery(q) + " " + pos + "/" + count, &st.Footer})
		}
	}
	if m.note != "" {
		left = append(left, segment{"  " + m.note, &st.Footer})
	}
	room := m.width - ansi.StringWidth(right) - 1
	var b strings.Builder
	used := 0
	for _, s := range left {
		if used >= room {
			break
		}
		// Paths and queries are sanitised already; this also covers notes
		// that quote scanner errors.
		text := termsafe.String(s.text)
		if w := ansi.StringWidth(text); used+w > room {
			text = ansi.Truncate(text, room-used, "…")
		}
		used += ansi.StringWidth(text)
		b.WriteString(s.style.Render(text))
	}
	b.WriteString(strings.Repeat(" ", max(m.width-used-ansi.StringWidth(right), 1)))
	b.WriteString(st.Footer.Render(right))
	return b.String()
}
