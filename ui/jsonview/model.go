// Package jsonview is the inspector: a JSON document as a collapsible,
// syntax-coloured tree that renders only the lines on screen, so a 50 MB
// bundle scrolls as fast as a 5 KB resource. It is a Bubble Tea sub-model:
// the app owns it, forwards messages to Update, and places View's output.
//
// Embedding it:
//   - New(data, styles) validates and opens; SetSize(w, h) gives it the
//     area (h includes its one-line footer: cursor path or search prompt,
//     match count, position); View() returns exactly h lines of w cells.
//     Run the Cmd of Init() once (it counts big containers off the UI
//     goroutine; nil for small documents).
//   - Forward key presses, pastes, mouse messages and unknown messages
//     (search results, counts) to Update and run the Cmds it returns. While
//     Searching() is true every key is text for the prompt: do not act on
//     q, ?, : or esc yourself.
//   - Clicks are handled once SetOrigin(x, y) says where the component's
//     top-left cell is on the screen.
//   - Keys is the component's KeyMap; replace it to share the app's
//     bindings. Enter is bound to Toggle by default: an app that follows
//     references on enter checks RawReferenceAtCursor first (it keeps an
//     absolute URL whole, so the client can refuse another origin).
//   - ValueAtCursor/TextAtCursor are NOT sanitised (clipboard, files);
//     everything View draws is, through ui/termsafe.
package jsonview

import (
	"fmt"

	"fhirscope/fhirclient/jsonscan"
)

// Budgets that keep huge documents cheap.
const (
	// openBudget is how many lines New may show: it expands level after
	// level while the next level still fits, so a small resource opens
	// fully and a 5 MB one opens collapsed beyond its first levels.
	openBudget = 2000
	// expandAllBudget caps "expand all": past it a level-by-level expansion
	// stops and says so, instead of materialising millions of lines.
	expandAllBudget = 500_000
)

// Model is the inspector component. Create it with New.
type Model struct {
	data  []byte
	nodes []node  // node 0 is the root
	lines []int32 // visible lines: node index, or ^index for a closing bracket

	cursor int // line index
	top    int // first line on screen
	width  int
	height int // total, footer included

	styles, cursorStyles Styles
	Keys                 KeyMap

	wrap bool // the cursor's line wraps to show its whole value

	originX, originY int  // screen cell of the top-left corner, for clicks
	originSet        bool // SetOrigin was called: clicks are handled

	counting bool // a background count of big containers is running

	search searchState
	note   string // transient footer message (search result count, budget hit)
}

// New opens data, which must be one JSON value. Opening scans the root's
// members once, which validates the whole document; nodes below the root
// are built only as levels open, within a budget of lines.
func New(data []byte, styles Styles) (*Model, error) {
	start, end := 0, len(data)
	if len(data) >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF {
		start = 3 // a UTF-8 byte order mark, as some Windows tools write
	}
	for start < end && isSpace(data[start]) {
		start++
	}
	for end > start && isSpace(data[end-1]) {
		end--
	}
	kind := jsonscan.KindAt(data, start)
	if start == end || kind == jsonscan.Invalid {
		return nil, fmt.Errorf("not JSON: the document is empty or does not start with a JSON value")
	}
	m := &Model{
		data: data,
		nodes: []node{{key: jsonscan.Span{Start: -1, End: -1}, val: jsonscan.Span{Start: start, End: end},
			parent: -1, first: -1, count: -1, kind: kind}},
		Keys:   DefaultKeyMap(),
		width:  80,
		height: 24,
	}
	if err := m.checkRoot(); err != nil {
		return nil, err
	}
	m.SetStyles(styles)
	m.setLevels(jsonscan.MaxDepth+1, openBudget)
	return m, nil
}

// checkRoot validates the document while building the root's children (one
// scan instead of two on a 50 MB bundle) and fixes the root's span to end
// at its closing bracket, rejecting anything after it.
func (m *Model) checkRoot() error {
	root := &m.nodes[0]
	end := root.val.End
	if !root.container() {
		got, err := jsonscan.SkipValue(m.data, root.val.Start)
		if err != nil {
			return fmt.Errorf("not valid JSON: %w", err)
		}
		if got != end {
			return fmt.Errorf("not valid JSON: data after the value at offset %d", got)
		}
		return nil
	}
	if _, err := m.buildUpTo(0, -1); err != nil {
		return fmt.Errorf("not valid JSON: %w", err)
	}
	root = &m.nodes[0]
	// The closing bracket follows the last member (or the opening one).
	p := root.val.Start + 1
	if root.count > 0 {
		p = m.nodes[root.first+root.count-1].val.End
	}
	for p < end && isSpace(m.data[p]) {
		p++
	}
	if p >= end || m.data[p] != closer(root.kind)[0] {
		return fmt.Errorf("not valid JSON: expected %q at offset %d", closer(root.kind), p)
	}
	if p+1 != end {
		return fmt.Errorf("not valid JSON: data after the value at offset %d", p+1)
	}
	root.val.End = p + 1
	return nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// SetStyles changes the colours (for a light/dark switch).
func (m *Model) SetStyles(s Styles) {
	m.styles = s
	m.cursorStyles = s.onCursor()
}

// SetSize sets the area View fills: w columns, h lines (the last line is
// the footer with the cursor path, search prompt and position).
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 10), max(h, 2)
	m.scrollToCursor()
}

// Size returns the size set by SetSize.
func (m *Model) Size() (w, h int) { return m.width, m.height }

// bodyHeight is the number of tree lines on screen.
func (m *Model) bodyHeight() int { return m.height - 1 }

// Lines is the number of visible lines (what scrolling moves through).
func (m *Model) Lines() int { return len(m.lines) }

// Cursor is the cursor's line index among Lines.
func (m *Model) Cursor() int { return m.cursor }

// Data is the document the model shows.
func (m *Model) Data() []byte { return m.data }

// cursorNode is the node under the cursor (a closing line counts as its
// container).
func (m *Model) cursorNode() int32 {
	if len(m.lines) == 0 {
		return 0
	}
	i := m.lines[m.cursor]
	if i < 0 {
		return ^i
	}
	return i
}

// setCursor moves the cursor to line pos (clamped) and scrolls it into view.
func (m *Model) setCursor(pos int) {
	m.cursor = min(max(pos, 0), len(m.lines)-1)
	m.scrollToCursor()
}

// scrollToCursor keeps the cursor on screen, with a little context.
func (m *Model) scrollToCursor() {
	h := m.bodyHeight()
	margin := min(2, (h-1)/2)
	if m.cursor < m.top+margin {
		m.top = m.cursor - margin
	}
	if m.cursor > m.top+h-1-margin {
		m.top = m.cursor - (h - 1 - margin)
	}
	m.clampTop()
}

func (m *Model) clampTop() {
	m.top = min(m.top, len(m.lines)-m.bodyHeight())
	m.top = max(m.top, 0)
}

// Expand opens the container under the cursor.
func (m *Model) Expand() { m.expandAt(m.cursor) }

// Collapse closes the container under the cursor (or the one whose closing
// bracket it is on) and moves the cursor to it.
func (m *Model) Collapse() {
	if p := m.collapseAt(m.cursor); p >= 0 {
		m.setCursor(p)
	}
}

// Toggle expands or collapses the container under the cursor.
func (m *Model) Toggle() {
	i := m.lines[m.cursor]
	if i >= 0 && !m.nodes[i].expanded {
		m.Expand()
	} else {
		m.Collapse()
	}
}

// ExpandAll opens everything, level by level, up to a budget of lines; if
// the budget stops it, the footer says at which level.
func (m *Model) ExpandAll() { m.ExpandToLevel(0) }

// CollapseAll closes everything but the root.
func (m *Model) CollapseAll() { m.ExpandToLevel(1) }

// ExpandToLevel shows n levels below the root expanded (1: the root's
// members, collapsed); 0 means all. The cursor stays on its node when that
// is still visible, else on its nearest visible ancestor.
func (m *Model) ExpandToLevel(n int) {
	keep := m.cursorNode()
	want := n
	if n <= 0 {
		want = jsonscan.MaxDepth + 1
	}
	reached := m.setLevels(want, expandAllBudget)
	m.note = ""
	if reached < want && m.hasCollapsed() {
		m.note = fmt.Sprintf("expanded %d levels: more would exceed %d lines", reached, expandAllBudget)
	}
	for keep > 0 && !m.visible(keep) {
		keep = m.nodes[keep].parent
	}
	m.setCursor(max(m.lineOf(keep, m.cursor), 0))
}

// visible reports whether every ancestor of node i is expanded.
func (m *Model) visible(i int32) bool {
	for p := m.nodes[i].parent; p >= 0; p = m.nodes[p].parent {
		if !m.nodes[p].expanded {
			return false
		}
	}
	return true
}
