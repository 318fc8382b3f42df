package ui

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
)

// Paging. A server search pages one of three ways (fhirclient.Page.Mode): by the server's
// next/previous links, by _count/_offset (OpenEMR's Patient), or locally, when the server
// sent every match in one bundle (OpenEMR's other types) or the rows come from a file. In
// the first two the page after the current one is prefetched as soon as a page shows, so
// turning it is instant; locally a page is just a window over the rows.

// resultsPageMsg is the reply to a page fetch. screen and id tie it to the request that
// asked: a reply for a screen the user left, or for a request since replaced or cancelled,
// is dropped.
type resultsPageMsg struct {
	screen   *ResultsScreen
	id       uint64
	prefetch bool
	page     *fhirclient.Page
	err      error
}

// resultsTickMsg refreshes the indexing progress of an offline file.
type resultsTickMsg struct {
	screen *ResultsScreen
	seq    int
}

const indexTick = 100 * time.Millisecond

// errOffline is shown when a server action is asked of a screen without a client.
var errOffline = errors.New("not connected to a server")

// searchParams are the parameters of the first page: the user's plus the page size.
func (s *ResultsScreen) searchParams() url.Values {
	q := url.Values{}
	for k, v := range s.params {
		q[k] = append([]string(nil), v...)
	}
	q.Set("_count", strconv.Itoa(s.pageSize))
	return q
}

// startSearch fetches the first page, abandoning any fetch or prefetch in flight.
func (s *ResultsScreen) startSearch() tea.Cmd {
	if s.c.Client == nil {
		s.err = errOffline
		return nil
	}
	s.lastPage = 0
	s.prefetch.Cancel()
	s.waitPrefetch = false
	s.err = nil
	id, ctx := s.fetch.Start(s.c.Ctx)
	s.retry = s.startSearch
	s.fetchWhat = "Searching " + s.typ
	client, typ, params := s.c.Client, s.typ, s.searchParams()
	return func() tea.Msg {
		p, err := client.Search(ctx, typ, params)
		return resultsPageMsg{screen: s, id: id, page: p, err: err}
	}
}

// fetchPage fetches the page after (next) or before the current one for the user.
func (s *ResultsScreen) fetchPage(next bool) tea.Cmd {
	cur := s.page
	id, ctx := s.fetch.Start(s.c.Ctx)
	s.retry = func() tea.Cmd { return s.fetchPage(next) }
	s.err = nil
	if next {
		s.fetchWhat = fmt.Sprintf("Loading page %d", cur.Number+1)
	} else {
		s.fetchWhat = fmt.Sprintf("Loading page %d", cur.Number-1)
	}
	client := s.c.Client
	return func() tea.Msg {
		var p *fhirclient.Page
		var err error
		if next {
			p, err = client.Next(ctx, cur)
		} else {
			p, err = client.Prev(ctx, cur)
		}
		return resultsPageMsg{screen: s, id: id, page: p, err: err}
	}
}

// startPrefetch fetches the page after the current one in the background.
func (s *ResultsScreen) startPrefetch() tea.Cmd {
	cur := s.page
	if cur == nil || s.local || s.c.Client == nil || !cur.HasNext() || s.atLastPage() {
		return nil
	}
	if _, ok := s.pages[cur.Number+1]; ok {
		return nil
	}
	if s.prefetch.Busy() && s.prefetchFor == cur.Number+1 {
		return nil
	}
	id, ctx := s.prefetch.Start(s.c.Ctx)
	s.prefetchFor = cur.Number + 1
	client := s.c.Client
	return func() tea.Msg {
		p, err := client.Next(ctx, cur)
		return resultsPageMsg{screen: s, id: id, prefetch: true, page: p, err: err}
	}
}

// onPage takes a page reply: a prefetched page is kept for later (or shown, when the user
// is already waiting for it); a page the user asked for is shown.
func (s *ResultsScreen) onPage(msg resultsPageMsg) tea.Cmd {
	if msg.screen != s {
		return nil
	}
	if msg.prefetch {
		if !s.prefetch.Current(msg.id) {
			return nil
		}
		s.prefetch.Done()
		if msg.err != nil || msg.page == nil {
			if s.waitPrefetch {
				// The user is waiting for this page: show why it failed.
				s.waitPrefetch = false
				s.fetchWhat = ""
				s.err = orNoPage(msg.err)
			}
			return nil
		}
		if isEmptyTail(msg.page) {
			// A full page was the last one: offset paging only learns it by asking.
			s.lastPage = msg.page.Number - 1
			if s.waitPrefetch {
				s.waitPrefetch = false
				s.fetchWhat = ""
				return Status(lastPageText)
			}
			return nil
		}
		s.pages[msg.page.Number] = msg.page
		if s.waitPrefetch {
			s.waitPrefetch = false
			s.fetchWhat = ""
			return s.showPage(msg.page)
		}
		return nil
	}
	if !s.fetch.Current(msg.id) {
		return nil
	}
	s.fetch.Done()
	s.fetchWhat = ""
	if msg.err != nil || msg.page == nil {
		s.err = orNoPage(msg.err)
		return nil
	}
	if isEmptyTail(msg.page) {
		s.lastPage = msg.page.Number - 1
		return Status(lastPageText)
	}
	return s.showPage(msg.page)
}

const lastPageText = "this is the last page"

// isEmptyTail is an empty page after the first: the previous page was the last.
func isEmptyTail(p *fhirclient.Page) bool {
	return p.Number > 1 && len(p.Entries) == 0 && p.Mode != fhirclient.PagingLocal
}

func orNoPage(err error) error {
	if err == nil {
		return errors.New("the server sent no page")
	}
	return err
}

// showPage makes p the current page and prefetches the one after it.
func (s *ResultsScreen) showPage(p *fhirclient.Page) tea.Cmd {
	if p.Number < 1 {
		p.Number = 1
	}
	s.err = nil
	s.page = p
	s.pages[p.Number] = p
	for n := range s.pages {
		// Keep a few pages back (instant previous) and the prefetched next one.
		if n < p.Number-3 || n > p.Number+1 {
			delete(s.pages, n)
		}
	}
	s.local = p.Mode == fhirclient.PagingLocal
	s.localPage = 0
	s.src = pageEntries(p.Entries)
	s.srcGen++
	s.detectColumns()
	s.rows.reset(s.colType) // cached cells are by row index: they belong to the old page
	s.cursor, s.offset = 0, 0
	return tea.Batch(s.refilter(), s.startPrefetch())
}

// columnSample is how many rows decide the column set.
const columnSample = 200

// detectColumns picks the column set from the rows: the searched type, or the one type of a
// file, or the mixed set when types differ (an _include search, a concatenated export).
func (s *ResultsScreen) detectColumns() {
	typ := s.typ
	if s.src != nil && s.src.Len() > 0 {
		if t := sourceType(s.src, columnSample); t != typ || s.records != nil {
			typ = t
		}
	}
	if typ == s.colType && s.cols != nil {
		return
	}
	if s.records != nil && s.typ == "" && typ != mixedType {
		s.typ = typ
	}
	s.colType = typ
	s.cols = columnsFor(typ)
	s.rows.reset(typ)
}

func (s *ResultsScreen) nextPage() tea.Cmd {
	if s.local {
		if (s.localPage+1)*s.pageSize < s.rowCount() {
			s.localPage++
			s.cursor, s.offset = 0, 0
			return nil
		}
		return Status(lastPageText)
	}
	cur := s.page
	if cur == nil || s.Busy() {
		return nil
	}
	if p, ok := s.pages[cur.Number+1]; ok {
		return s.showPage(p)
	}
	if !cur.HasNext() || s.atLastPage() {
		return Status(lastPageText)
	}
	if s.prefetch.Busy() && s.prefetchFor == cur.Number+1 {
		s.waitPrefetch = true
		s.fetchWhat = fmt.Sprintf("Loading page %d", cur.Number+1)
		return nil
	}
	return s.fetchPage(true)
}

func (s *ResultsScreen) prevPage() tea.Cmd {
	if s.local {
		if s.localPage > 0 {
			s.localPage--
			s.cursor, s.offset = 0, 0
			return nil
		}
		return Status("this is the first page")
	}
	cur := s.page
	if cur == nil || s.Busy() {
		return nil
	}
	if p, ok := s.pages[cur.Number-1]; ok {
		return s.showPage(p)
	}
	if cur.Number <= 1 || !cur.HasPrev() {
		return Status("this is the first page")
	}
	return s.fetchPage(false)
}

func (s *ResultsScreen) firstPage() tea.Cmd {
	if s.local {
		s.localPage, s.cursor, s.offset = 0, 0, 0
		return nil
	}
	if s.page == nil || s.page.Number == 1 {
		return nil
	}
	if p, ok := s.pages[1]; ok {
		return s.showPage(p)
	}
	return s.startSearch()
}

// cyclePageSize moves to the next page size. Locally the row under the cursor stays put; on
// the server the search restarts with the new _count from the first page.
func (s *ResultsScreen) cyclePageSize() tea.Cmd {
	next := pageSizes[0]
	for _, n := range pageSizes {
		if n > s.pageSize {
			next = n
			break
		}
	}
	if s.local {
		abs := s.localPage*s.pageSize + s.cursor
		s.pageSize = next
		s.localPage, s.cursor, s.offset = abs/next, abs%next, 0
		s.clampCursor()
		return Status(fmt.Sprintf("page size %d", next))
	}
	s.pageSize = next
	if s.c.Client == nil {
		return nil
	}
	s.pages = map[int]*fhirclient.Page{}
	return tea.Batch(s.startSearch(), Status(fmt.Sprintf("page size %d", next)))
}

// pageCount is the number of pages, and whether it is known.
func (s *ResultsScreen) pageCount() (int, bool) {
	if s.local {
		n := max(1, (s.rowCount()+s.pageSize-1)/s.pageSize)
		return n, s.records == nil || s.records.Done()
	}
	if s.page != nil && s.page.HasTotal && s.page.Count > 0 {
		// Not (Total+Count-1)/Count: a server's total near MaxInt64 would overflow.
		return max(1, s.page.Total/s.page.Count+min(1, s.page.Total%s.page.Count)), true
	}
	if s.page != nil && (s.lastPage > 0 || !s.page.HasNext()) {
		return max(s.lastPage, s.page.Number), true
	}
	if s.page != nil {
		// A prefetched next page that is the last one tells the count too.
		if next, ok := s.pages[s.page.Number+1]; ok && !next.HasNext() {
			return next.Number, true
		}
	}
	return 0, false
}

// atLastPage reports whether the current server page is known to be the last one.
func (s *ResultsScreen) atLastPage() bool {
	return s.page != nil && s.lastPage > 0 && s.page.Number >= s.lastPage
}

// pagingLabel says where the user is: "page 2 of 7 · offset · 50/page".
func (s *ResultsScreen) pagingLabel() string {
	if s.src == nil {
		return ""
	}
	num := s.localPage + 1
	mode := fhirclient.PagingLocal.String()
	if !s.local && s.page != nil {
		num, mode = s.page.Number, s.page.Mode.String()
	}
	label := fmt.Sprintf("page %d", num)
	if n, known := s.pageCount(); known {
		label += fmt.Sprintf(" of %d", n)
	} else if s.local {
		label += fmt.Sprintf(" of %d+", n)
	}
	return fmt.Sprintf("%s · %s · %d/page", label, mode, s.pageSize)
}

// resume restarts the work whose reply may have gone to a screen that was on top (help, the
// palette, the inspector): the root gives messages to the top screen only, so a reply that
// arrived meanwhile is lost and its request would stay "in flight" forever. Restarted
// requests get new ids; a late reply of the old ones is dropped as stale.
func (s *ResultsScreen) resume() tea.Cmd {
	var cmds []tea.Cmd
	if s.fetch.Busy() && s.retry != nil {
		s.fetch.Cancel()
		cmds = append(cmds, s.retry())
	}
	if s.prefetch.Busy() {
		s.prefetch.Cancel()
		cmds = append(cmds, s.startPrefetch())
	}
	if s.filter.req.Busy() && s.filter.input.Value() != "" {
		s.filter.req.Cancel()
		cmds = append(cmds, s.applyFilter(s.filter.input.Value()))
	}
	if s.filter.indexing == s.srcGen && !s.indexReady() {
		s.filter.indexing = 0
		cmds = append(cmds, s.indexCmd())
	}
	return tea.Batch(append(cmds, s.tickIfIndexing())...)
}
