package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Rows and the window of them the current page shows.

func (s *ResultsScreen) rowCount() int {
	if s.filter.view != nil {
		return len(s.filter.view)
	}
	if s.src == nil {
		return 0
	}
	return s.src.Len()
}

func (s *ResultsScreen) windowStart() int {
	if s.local {
		return s.localPage * s.pageSize
	}
	return 0
}

func (s *ResultsScreen) windowLen() int {
	n := s.rowCount() - s.windowStart()
	if s.local {
		n = min(n, s.pageSize)
	}
	return max(n, 0)
}

// rowAt maps a position in the (filtered) row list to an index in src.
func (s *ResultsScreen) rowAt(k int) int {
	if s.filter.view != nil {
		return s.filter.view[k]
	}
	return k
}

func (s *ResultsScreen) cursorRow() (int, bool) {
	if s.windowLen() == 0 {
		return 0, false
	}
	return s.rowAt(s.windowStart() + s.cursor), true
}

// bodyRows is how many table rows fit: the screen less title, header and footer lines.
func (s *ResultsScreen) bodyRows() int { return max(1, s.height-3) }

func (s *ResultsScreen) clampCursor() {
	if s.local {
		if last := max(0, (s.rowCount()-1)/s.pageSize); s.localPage > last {
			s.localPage = last
		}
	}
	n := s.windowLen()
	s.cursor = max(0, min(s.cursor, n-1))
	rows := s.bodyRows()
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+rows {
		s.offset = s.cursor - rows + 1
	}
	s.offset = max(0, min(s.offset, n-rows))
}

// move handles the cursor keys. Paging locally, moving past either end of a page turns it.
func (s *ResultsScreen) move(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	n := s.windowLen()
	switch {
	case key.Matches(msg, k.Up):
		if s.cursor == 0 && s.local && s.localPage > 0 {
			s.localPage--
			s.cursor = s.pageSize - 1
		} else {
			s.cursor--
		}
	case key.Matches(msg, k.Down):
		if s.cursor >= n-1 && s.local && s.windowStart()+n < s.rowCount() {
			s.localPage++
			s.cursor, s.offset = 0, 0
		} else {
			s.cursor++
		}
	case key.Matches(msg, k.PageUp):
		s.cursor -= s.bodyRows()
	case key.Matches(msg, k.PageDown):
		s.cursor += s.bodyRows()
	case key.Matches(msg, k.Top):
		if s.local {
			s.localPage = 0
		}
		s.cursor = 0
	case key.Matches(msg, k.Bottom):
		if s.local {
			s.localPage = max(0, (s.rowCount()-1)/s.pageSize)
		}
		s.cursor = s.windowLen() - 1
	}
	s.clampCursor()
	return nil
}

// screenTop is the terminal row where the screen area starts: below the --insecure warning
// banner when there is one. It mirrors App.bannerHeight (see the report to UI CORE: a
// Common.Top field would say it once).
func screenTop(c *Common) int {
	if c.Insecure {
		return 1
	}
	return 0
}

// click puts the cursor on the clicked row; a click on the row under the cursor opens it,
// as enter does. Rows start below the title and header lines.
func (s *ResultsScreen) click(msg tea.MouseClickMsg) tea.Cmd {
	m := msg.Mouse()
	if m.Button != tea.MouseLeft || s.Capturing() || s.src == nil {
		return nil
	}
	row := m.Y - screenTop(s.c) - 2
	k := s.offset + row
	if row < 0 || row >= s.bodyRows() || k >= s.windowLen() {
		return nil
	}
	if k == s.cursor {
		return s.open()
	}
	s.cursor = k
	s.clampCursor()
	return nil
}
