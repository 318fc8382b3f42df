package ui

import (
	"net/url"
	"strconv"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/ui/records"
	"fhirscope/ui/summary"
	"fhirscope/ui/termsafe"
)

// ResultsScreen is the search results table: one resource type searched on the server (paged
// by next links, by _count/_offset, or locally through one big bundle), or every entry of a
// local file opened offline. Only the rows on screen are summarised and rendered.
type ResultsScreen struct {
	c        *Common
	typ      string     // resource type searched; offline, the type of the file's entries
	file     string     // offline: the file shown (title)
	params   url.Values // server search parameters, without _count/_offset
	pageSize int

	// Server paging. pages holds the current page, the ones around it that were visited
	// and the prefetched next one, by page number, so turning back and forth is instant.
	page         *fhirclient.Page
	pages        map[int]*fhirclient.Page
	fetch        ReqID // the fetch the user is waiting for
	fetchWhat    string
	retry        func() tea.Cmd // starts the user's fetch again (Resume)
	prefetch     ReqID          // background fetch of the page after the current one
	prefetchFor  int            // number of the page being prefetched
	waitPrefetch bool           // the user turned the page while its prefetch was in flight
	lastPage     int            // the last page's number once known (0: not known)
	err          error

	// Rows: src holds every row of the current page, or of the whole set when paging
	// locally; view is the filtered subset (nil: all rows).
	src       entrySource
	srcGen    int             // bumped whenever src changes (slices cannot be compared)
	records   *records.Source // offline source (nil online)
	local     bool
	localPage int
	colType   string
	colsFinal bool // offline: enough entries were indexed to fix the column set
	cols      []summary.Column
	rows      rowCache
	cursor    int // row within the current page window
	offset    int // first row shown within the window

	filter filterState
	search textinput.Model
	// searching is true while the search parameter line is being edited.
	searching bool
	paramErr  error
	paramHint string // tab completion's choices

	tickSeq int // the live indexing tick; a tick that went to a screen above is re-armed by Resume
	width   int
	height  int
}

// Page sizes z cycles through; the default is the first that fits a typical screen twice.
var pageSizes = []int{10, 25, 50, 100, 250}

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// NewResultsScreen searches typ on the server with params (`_count` in params sets the page
// size). The search runs when the screen starts.
func NewResultsScreen(c *Common, typ string, params url.Values) *ResultsScreen {
	s := newResults(c)
	s.typ = typ
	s.colType = typ
	s.cols = columnsFor(typ)
	s.rows.reset(typ)
	s.params = url.Values{}
	for k, v := range params {
		switch k {
		case "_count":
			if n, err := strconv.Atoi(v[0]); err == nil && n > 0 && n <= maxPageSize {
				s.pageSize = n
			}
		case "_offset":
		default:
			s.params[k] = append([]string(nil), v...)
		}
	}
	return s
}

// NewFileResultsScreen shows the entries of a local file (a Bundle, one resource or NDJSON)
// from a ui/records Source, which may still be indexing: the first rows show as soon as they
// are indexed, with a progress indicator until the entry count is known. name is the file's
// name for the title.
func NewFileResultsScreen(c *Common, name string, src *records.Source) *ResultsScreen {
	s := newResults(c)
	s.file = name
	s.records = src
	s.src = src
	s.local = true
	s.settleColumns()
	return s
}

func newResults(c *Common) *ResultsScreen {
	s := &ResultsScreen{c: c, pageSize: defaultPageSize, pages: map[int]*fhirclient.Page{}}
	s.search = newBrowseInput(c, "search: ", "name=smith birthdate=ge1970")
	s.filter.input = newBrowseInput(c, "/", "filter rows")
	s.SetSize(c.Width, c.Height)
	return s
}

// newBrowseInput is a single-line text input styled from Common.Styles.
func newBrowseInput(c *Common, prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	styleInput(&in, c.Styles)
	return in
}

// styleInput applies the app's styles to a text input (again when they switch light/dark).
func styleInput(in *textinput.Model, styles *Styles) {
	st := in.Styles()
	st.Focused.Prompt = styles.Key
	st.Focused.Text = styles.Normal
	st.Focused.Placeholder = styles.Faint
	st.Blurred = st.Focused
	// A steady cursor: no blink timer re-rendering the screen twice a second.
	st.Cursor.Blink = false
	in.SetStyles(st)
}

// Restyle copies the light or dark styles into the text inputs again (the root calls it after
// the terminal reports its background).
func (s *ResultsScreen) Restyle() {
	styleInput(&s.search, s.c.Styles)
	styleInput(&s.filter.input, s.c.Styles)
}

func init() {
	OpenType = func(c *Common, typ string) Screen { return NewResultsScreen(c, typ, nil) }
}

// Resume runs when the screen is on top again: replies and ticks that arrived meanwhile went
// to the screen above, so fetches in flight are restarted and ticks re-armed (resume).
func (s *ResultsScreen) Resume() tea.Cmd { return s.resume() }

// Init starts the search (online) or the indexing progress ticks (offline).
func (s *ResultsScreen) Init() tea.Cmd {
	if s.records != nil {
		return s.tickIfIndexing()
	}
	return s.startSearch()
}

// Title is the breadcrumb: the type and search, or the file.
func (s *ResultsScreen) Title() string {
	if s.file != "" {
		// The status bar names the file already; the breadcrumb says what is in it.
		if s.typ != "" {
			return s.typ
		}
		return s.file
	}
	if q := formatSearchLine(s.params); q != "" {
		return s.typ + " ?" + q
	}
	return s.typ
}

// SetSize is the area the screen may draw in.
func (s *ResultsScreen) SetSize(width, height int) {
	s.width, s.height = max(width, 20), max(height, 5)
	s.search.SetWidth(s.width - 10)
	// The filter shares its line with the row count.
	s.filter.input.SetWidth(min(40, s.width/2))
	s.clampCursor()
}

// Capturing is true while a text input has the keyboard, so q, ? and esc reach it.
func (s *ResultsScreen) Capturing() bool { return s.searching || s.filter.editing }

// StepBack is true while a filter is applied: esc then clears it (the root forwards esc
// here) rather than leaving the screen.
func (s *ResultsScreen) StepBack() bool { return s.filter.query != "" || s.filter.pending != "" }

// Busy is true while a page the user asked for is being fetched (esc cancels it). A
// background prefetch does not count: nobody waits for it.
func (s *ResultsScreen) Busy() bool { return s.fetch.Busy() || s.waitPrefetch }

// Cancel abandons the fetch in flight; the table keeps what it showed.
func (s *ResultsScreen) Cancel() {
	s.fetch.Cancel()
	s.waitPrefetch = false
	s.fetchWhat = ""
}

// Update handles keys and fetch replies.
func (s *ResultsScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	var cmds []tea.Cmd
	switch msg := msg.(type) {
	case resultsPageMsg:
		cmds = append(cmds, s.onPage(msg))
	case resultsTickMsg:
		if msg.screen == s && msg.seq == s.tickSeq {
			cmds = append(cmds, s.onTick())
		}
	case resultsFilterMsg:
		s.onFilterResult(msg)
	case resultsIndexMsg:
		s.onIndex(msg)
	case tea.KeyPressMsg:
		cmds = append(cmds, s.onKey(msg))
	case tea.MouseClickMsg:
		cmds = append(cmds, s.click(msg))
	case tea.PasteMsg:
		if s.searching {
			var cmd tea.Cmd
			s.search, cmd = s.search.Update(msg)
			cmds = append(cmds, cmd)
		} else if s.filter.editing {
			cmds = append(cmds, s.updateFilterInput(msg))
		}
	}
	return s, tea.Batch(cmds...)
}

func (s *ResultsScreen) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	if s.searching {
		return s.onSearchKey(msg)
	}
	if s.filter.editing {
		switch {
		case key.Matches(msg, k.Cancel):
			s.clearFilter()
			return nil
		case key.Matches(msg, k.Accept):
			s.filter.editing = false
			s.filter.input.Blur()
			return nil
		case msg.String() == "up" || msg.String() == "down" || msg.String() == "pgup" || msg.String() == "pgdown":
			s.move(msg)
			return nil
		}
		return s.updateFilterInput(msg)
	}
	switch {
	case key.Matches(msg, k.Back) && s.StepBack():
		s.clearFilter()
		return nil
	case key.Matches(msg, k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom):
		return s.move(msg)
	case key.Matches(msg, k.NextPage):
		return s.nextPage()
	case key.Matches(msg, k.PrevPage):
		return s.prevPage()
	case key.Matches(msg, k.FirstPage):
		return s.firstPage()
	case key.Matches(msg, lastPageKey):
		return s.goLastPage()
	case key.Matches(msg, k.PageSize):
		return s.cyclePageSize()
	case key.Matches(msg, k.Refresh):
		if s.records == nil {
			s.pages = map[int]*fhirclient.Page{}
			return s.startSearch()
		}
	case key.Matches(msg, k.Search):
		if s.records == nil {
			s.searching = true
			s.paramErr = nil
			s.search.SetValue(formatSearchLine(s.params))
			s.search.CursorEnd()
			return s.search.Focus()
		}
		return Status("search parameters apply to server searches; use / to filter a file")
	case key.Matches(msg, k.Filter):
		s.filter.editing = true
		// Summarise the rows in the background while the first key is typed.
		if s.records != nil {
			s.records.PrepareFilter()
			return s.filter.input.Focus()
		}
		return tea.Batch(s.filter.input.Focus(), s.indexCmd())
	case key.Matches(msg, k.Open):
		return s.open()
	case key.Matches(msg, k.CopyValue):
		// The row's reference, e.g. for `fhirscope get Patient/123`.
		if i, ok := s.cursorRow(); ok {
			if typ, id := records.TypeAndID(s.src.Entry(i)); typ != "" && id != "" {
				return clipboardCmd("reference "+termsafe.String(typ+"/"+id), typ+"/"+id, copiedStatus)
			}
		}
	case key.Matches(msg, k.CopyPath):
		// The page's URL (the exact search, for curl or `fhirscope get`).
		if s.page != nil && s.records == nil {
			return clipboardCmd("search URL", s.page.URL, copiedStatus)
		}
	case key.Matches(msg, k.Overview):
		return s.openOverview() // overview_open.go
	}
	return nil
}

func (s *ResultsScreen) onSearchKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(msg, s.c.Keys.Cancel):
		s.searching = false
		s.paramErr = nil
		s.search.Blur()
		return nil
	case key.Matches(msg, s.c.Keys.Next):
		line, hint := completeParam(s.search.Value(), s.c.Caps, s.typ)
		s.search.SetValue(line)
		s.search.CursorEnd()
		s.paramHint = hint
		return nil
	case key.Matches(msg, s.c.Keys.Accept):
		params, count, _, err := parseSearchLine(s.search.Value(), s.c.Caps, s.typ)
		if err != nil {
			s.paramErr = err
			return nil
		}
		s.searching = false
		s.paramErr = nil
		s.search.Blur()
		s.params = params
		if count > 0 {
			s.pageSize = count
		}
		s.pages = map[int]*fhirclient.Page{}
		return s.startSearch()
	}
	var cmd tea.Cmd
	s.search, cmd = s.search.Update(msg)
	s.paramErr = nil
	s.paramHint = ""
	return cmd
}

// open pushes the inspector on the row under the cursor.
func (s *ResultsScreen) open() tea.Cmd {
	i, ok := s.cursorRow()
	if !ok {
		return nil
	}
	ins := NewInspectorScreen(s.c, s.src.Entry(i))
	ins.localRefs = s.records // nil online
	return Push(ins)
}
