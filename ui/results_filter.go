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
	input    textinput.Model
	editing  bool   // the input has the keyboard
	query    string // applied query ("" = no filter)
	view     []int  // matching rows in src order; nil when no filter is applied
	text     []string
	textGen  int    // srcGen the text index was built for
	indexing int    // srcGen whose text is being built in the background
	pending  string // query waiting for the text to be built
	req      ReqID  // async filter over a records Source
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
func (s *ResultsScreen) refilter() tea.Cmd {
	if s.filter.query == "" && s.filter.pending == "" {
		return nil
	}
	q := s.filter.query
	if s.filter.pending != "" {
		q = s.filter.pending
	}
	s.filter.query, s.filter.view, s.filter.pending = "", nil, ""
	return s.applyFilter(q)
}

// applyFilter filters the rows by q: synchronously for a page whose filter text is built, in
// a command for a file. A big page's filter text is built in the background first; the
// query waits for it (the footer says so) and applies when it arrives.
func (s *ResultsScreen) applyFilter(q string) tea.Cmd {
	q = strings.TrimSpace(q)
	if q == "" {
		s.filter.req.Cancel()
		s.filter.pending = ""
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
	if !s.indexReady() {
		if s.src.Len() > syncIndexRows {
			s.filter.pending = q
			return s.indexCmd()
		}
		s.filter.text, s.filter.textGen = filterText(s.src), s.srcGen
	}
	s.setFilterView(q, s.filterRows(q))
	return nil
}

// syncIndexRows: pages up to this many rows get their filter text built on the spot (a few
// milliseconds); bigger ones in a command, so opening the filter never freezes a frame.
const syncIndexRows = 1000

// resultsIndexMsg carries the filter text of a page's rows, built in the background.
type resultsIndexMsg struct {
	screen *ResultsScreen
	gen    int
	text   []string
}

func (s *ResultsScreen) indexReady() bool {
	return s.filter.text != nil && s.filter.textGen == s.srcGen
}

// indexCmd builds the current page's filter text in the background, once.
func (s *ResultsScreen) indexCmd() tea.Cmd {
	if s.records != nil || s.src == nil || s.indexReady() || s.filter.indexing == s.srcGen {
		return nil
	}
	s.filter.indexing = s.srcGen
	gen, src := s.srcGen, s.src
	return func() tea.Msg { return resultsIndexMsg{screen: s, gen: gen, text: filterText(src)} }
}

func (s *ResultsScreen) onIndex(msg resultsIndexMsg) {
	if msg.screen != s || msg.gen != s.srcGen {
		return
	}
	s.filter.text, s.filter.textGen = msg.text, msg.gen
	if q := s.filter.pending; q != "" {
		s.filter.pending = ""
		s.setFilterView(q, s.filterRows(q))
	}
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

// filterText summarises every row of src, lowercased, for matching. It only reads src, so it
// may run in a command.
func filterText(src entrySource) []string {
	text := make([]string, src.Len())
	for i := range text {
		text[i] = strings.ToLower(summary.Text(src.Entry(i)))
	}
	return text
}

func nonNil(v []int) []int {
	if v == nil {
		return []int{}
	}
	return v
}
