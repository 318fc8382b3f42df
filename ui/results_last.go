package ui

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
)

// goLastPage turns to the last page: locally by arithmetic; on a standard server by its
// "last" link when the total says which page number that is; OpenEMR gives neither, so
// there the last page is only reached by paging forward.
func (s *ResultsScreen) goLastPage() tea.Cmd {
	if s.local {
		s.localPage = max(0, (s.rowCount()-1)/s.pageSize)
		s.cursor, s.offset = 0, 0
		return nil
	}
	cur := s.page
	if cur == nil || s.Busy() {
		return nil
	}
	n, known := s.pageCount()
	switch {
	case known && n == cur.Number:
		return Status(lastPageText)
	case known && s.pages[n] != nil:
		return s.showPage(s.pages[n])
	case !known || cur.Mode != fhirclient.PagingLinks || cur.Links["last"] == "":
		return Status("the server says neither the total nor the last page: page forward with n")
	}
	id, ctx := s.fetch.Start(s.c.Ctx)
	s.retry = s.goLastPage
	s.err = nil
	s.fetchWhat = fmt.Sprintf("Loading page %d", n)
	client := s.c.Client
	return func() tea.Msg {
		p, err := client.Last(ctx, cur, n)
		return resultsPageMsg{screen: s, id: id, page: p, err: err}
	}
}
