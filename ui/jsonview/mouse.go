package jsonview

import tea "charm.land/bubbletea/v2"

// Mouse: the wheel scrolls (Update), and with the component's screen
// position known (SetOrigin) a left click puts the cursor on the clicked
// line, and a click on the cursor's line toggles it, as enter does.

// SetOrigin tells the component where its top-left cell is on the screen,
// so clicks (which carry screen coordinates) land on the right line. Until
// it is called clicks are ignored: guessing the origin would select the
// wrong line under an app's title bar.
func (m *Model) SetOrigin(x, y int) { m.originX, m.originY, m.originSet = x, y, true }

// viewTop is the first line View draws: m.top, moved down when the wrapped
// cursor block would run past the bottom.
func (m *Model) viewTop(cursorRows int) int {
	top := m.top
	if over := m.cursor - top + cursorRows - m.bodyHeight(); over > 0 {
		top = min(top+over, m.cursor)
	}
	return top
}

// click handles a left click at screen cell (x, y).
func (m *Model) click(msg tea.MouseClickMsg) {
	mouse := msg.Mouse()
	if mouse.Button != tea.MouseLeft || len(m.lines) == 0 || !m.originSet {
		return
	}
	row, col := mouse.Y-m.originY, mouse.X-m.originX
	if row < 0 || row >= m.bodyHeight() || col < 0 || col >= m.width {
		return // outside the tree (the footer, or another component)
	}
	k := len(m.cursorRows(m.bodyHeight()))
	top := m.viewTop(k)
	pos := top + row
	switch {
	case pos > m.cursor && pos < m.cursor+k:
		pos = m.cursor // a continuation row of the wrapped cursor line
	case pos >= m.cursor+k:
		pos -= k - 1
	}
	if pos >= len(m.lines) {
		return
	}
	if pos == m.cursor {
		m.Toggle()
		return
	}
	m.cursor = pos
	m.top = top
	m.scrollToCursor()
	m.syncMatch()
}
