package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/ui/summary"
)

// Filter-as-you-type over the rows. The rows of a page (up to a whole OpenEMR bundle of
// thousands) are matched synchronously against a lowercased one-line summary per row,
// built once when the filter opens: a key then costs a substring scan, well inside a frame.
// A query that extends the previous one only rescans the previous matches. An offline file
// is filtered by its ui/records Source in a command, so a 200 MB file never blocks a key.

type filterState struct {
	input   textinput.Model
	editing bool   // the input has the keyboard
	query   string // applied query ("" = no filter)
	view    []int  // matching rows in src order; nil when no filter is applied
	text    []string
	textGen int   // srcGen the text index was built for
	req     ReqID // async filter over a records Source
}

// resultsFilterMsg is the answer of an async filter over a records Source.
type resultsFilterMsg struct {
	screen *ResultsScreen
	id     uint64
	query  string
	view   []int
}

func (s *ResultsScreen) updateFilterInput(msg tea.Msg) tea.Cmd {
	before := s.filter.input.Value()
	var cmd tea.Cmd
	s.filter.input, cmd = s.filter.input.Update(msg)
	if v := s.filter.input.Value(); v != before {
		return tea.Batch(cmd, s.applyFilter(v))
	}
	return cmd
}

// clearFilter drops the filter and closes its input.
func (s *ResultsScreen) clearFilter() {
	s.filter.editing = false
	s.filter.input.Blur()
	s.filter.input.SetValue("")
	s.filter.req.Cancel()
	s.setFilterView("", nil)
}

// refilter reapplies the current query to new rows (a new page).
func (s *ResultsScreen) refilter() {
	if s.filter.query == "" {
		return
	}
	q := s.filter.query
	s.filter.query = ""
	s.filter.view = nil
	if cmd := s.applyFilter(q); cmd != nil {
		// Records sources filter asynchronously; run it now, pages are small in comparison.
		if msg, ok := cmd().(resultsFilterMsg); ok {
			s.onFilterResult(msg)
		}
	}
}

// applyFilter filters the rows by q: synchronously for a page, in a command for a file.
func (s *ResultsScreen) applyFilter(q string) tea.Cmd {
	q = strings.TrimSpace(q)
	if q == "" {
		s.filter.req.Cancel()
		s.setFilterView("", nil)
		return nil
	}
	if s.src == nil {
		return nil
	}
	if s.records != nil {
		id, _ := s.filter.req.Start(s.c.Ctx)
		src := s.records
		return func() tea.Msg {
			return resultsFilterMsg{screen: s, id: id, query: q, view: nonNil(src.Filter(q))}
		}
	}
	s.setFilterView(q, s.filterRows(q))
	return nil
}

func (s *ResultsScreen) onFilterResult(msg resultsFilterMsg) {
	if msg.screen != s || !s.filter.req.Current(msg.id) {
		return
	}
	s.filter.req.Done()
	s.setFilterView(msg.query, msg.view)
}

func (s *ResultsScreen) setFilterView(q string, view []int) {
	s.filter.query = q
	s.filter.view = view
	s.localPage, s.cursor, s.offset = 0, 0, 0
}

// filterRows returns the rows of src whose summary holds every word of q (any case).
func (s *ResultsScreen) filterRows(q string) []int {
	s.buildFilterText()
	words := strings.Fields(strings.ToLower(q))
	// Narrowing the previous query (typing one more letter) only rescans its matches.
	candidates := s.filter.view
	if s.filter.query == "" || !strings.Contains(strings.ToLower(q), strings.ToLower(s.filter.query)) {
		candidates = nil
	}
	out := make([]int, 0, 64)
	match := func(i int) {
		t := s.filter.text[i]
		for _, w := range words {
			if !strings.Contains(t, w) {
				return
			}
		}
		out = append(out, i)
	}
	if candidates != nil {
		for _, i := range candidates {
			match(i)
		}
	} else {
		for i := range s.filter.text {
			match(i)
		}
	}
	return out
}

// buildFilterText summarises every row of src once, lowercased, for matching.
func (s *ResultsScreen) buildFilterText() {
	if s.filter.textGen == s.srcGen && len(s.filter.text) == s.src.Len() {
		return
	}
	n := s.src.Len()
	text := make([]string, n)
	for i := range n {
		text[i] = strings.ToLower(summary.Text(s.src.Entry(i)))
	}
	s.filter.text, s.filter.textGen = text, s.srcGen
}

func nonNil(v []int) []int {
	if v == nil {
		return []int{}
	}
	return v
}
