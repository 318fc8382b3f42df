package fhirclient

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"fhirscope/fhirclient/jsonscan"
)

// PagingMode is how a search's pages are reached; it is chosen from the first answer.
type PagingMode int

const (
	// PagingLinks follows the bundle's next/previous links (standard FHIR servers).
	PagingLinks PagingMode = iota
	// PagingOffset synthesizes _count/_offset pages where the server gives no links but
	// honours them (OpenEMR's Patient search).
	PagingOffset
	// PagingLocal is one bundle holding every match; the caller pages through Entries.
	PagingLocal
)

func (m PagingMode) String() string {
	switch m {
	case PagingLinks:
		return "links"
	case PagingOffset:
		return "offset"
	case PagingLocal:
		return "local"
	}
	return "PagingMode(" + strconv.Itoa(int(m)) + ")"
}

// Page is one search result bundle.
type Page struct {
	Type       string // resource type searched
	URL        string // the URL fetched
	Raw        []byte // the whole bundle
	BundleType string // "searchset", "collection" (OpenEMR), ...
	// Entries are each entry's resource JSON, subslices of Raw (no copies).
	Entries [][]byte
	// Total is Bundle.total when the server gave a total of all matches (HasTotal); OpenEMR's
	// total merely counts the entries returned, which is not reported as a total in offset mode.
	Total    int
	HasTotal bool
	Links    map[string]string // relation -> URL, as the server sent them
	Mode     PagingMode
	// Offset is the index of Entries[0] among all matches, Count the page size asked for,
	// Number the 1-based page number.
	Offset, Count, Number int
	// Note says anything noteworthy about how this page was obtained, e.g. that the server
	// ignored _offset and the page was cut locally.
	Note string

	query      url.Values // offset mode: the search's query without _offset
	firstEntry []byte     // offset mode: a copy of the first page's first entry
	more       bool       // offset mode: another page may follow
	typeURL    *url.URL   // offset mode: {base}/{Type}
}

// HasNext reports whether Next can fetch another page.
func (p *Page) HasNext() bool {
	switch p.Mode {
	case PagingLinks:
		return p.Links["next"] != ""
	case PagingOffset:
		return p.more
	}
	return false
}

// HasPrev reports whether Prev can fetch an earlier page.
func (p *Page) HasPrev() bool {
	switch p.Mode {
	case PagingLinks:
		return p.prevLink() != ""
	case PagingOffset:
		return p.Offset > 0
	}
	return false
}

func (p *Page) prevLink() string { return firstNonEmpty(p.Links["previous"], p.Links["prev"]) }

// ErrNoMorePages is returned by Next or Prev on a page without a next or previous page.
var ErrNoMorePages = errors.New("fhirclient: no more pages")

// Search runs a search on typ. Without a _count in params the client's page size is sent,
// which also reveals whether the server honours _count (and so whether offset paging works).
func (c *Client) Search(ctx context.Context, typ string, params url.Values) (*Page, error) {
	if !typeName.MatchString(typ) {
		return nil, fmt.Errorf("fhirclient: %q is not a resource type", truncate(typ, 80))
	}
	q := url.Values{}
	for k, v := range params {
		q[k] = append([]string(nil), v...)
	}
	count := c.pageSize
	if s := q.Get("_count"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("fhirclient: _count %q is not a positive number", truncate(s, 20))
		}
		count = n
	} else {
		q.Set("_count", strconv.Itoa(count))
	}
	offset := 0
	if s := q.Get("_offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, fmt.Errorf("fhirclient: _offset %q is not a number", truncate(s, 20))
		}
		offset = n
	}
	q.Del("_offset")
	typeURL, err := c.resolve(typ)
	if err != nil {
		return nil, err
	}
	return c.fetchOffsetPage(ctx, typ, typeURL, q, offset, count, nil, -1)
}

// fetchOffsetPage fetches {typeURL}?{q}&_offset=offset. firstEntry is the first page's first
// entry (for noticing a server that ignores _offset); mode -1 means "detect".
func (c *Client) fetchOffsetPage(ctx context.Context, typ string, typeURL *url.URL, q url.Values, offset, count int, firstEntry []byte, mode PagingMode) (*Page, error) {
	u := *typeURL
	qq := url.Values{}
	for k, v := range q {
		qq[k] = v
	}
	if offset > 0 {
		qq.Set("_offset", strconv.Itoa(offset))
	}
	u.RawQuery = qq.Encode()
	p, err := c.fetchPage(ctx, typ, &u)
	if err != nil {
		return nil, err
	}
	p.query, p.typeURL, p.Count, p.Offset = q, typeURL, count, offset
	p.Number = offset/count + 1
	n := len(p.Entries)
	switch {
	case mode == PagingOffset || (mode < 0 && len(p.Links) > 0 && (p.Links["next"] != "" || p.prevLink() != "")):
		if mode < 0 {
			p.Mode = PagingLinks
			p.Count = effectivePageSize(p, count)
			return p, nil
		}
		p.Mode = PagingOffset
	case mode < 0 && offset == 0 && n != count && n != count+1:
		// Fewer than a page: that is everything. More than count+1: _count was ignored.
		p.Mode = PagingLocal
		return p, nil
	default:
		p.Mode = PagingOffset
	}
	// Offset mode from here on.
	p.HasTotal = p.HasTotal && p.Total != n
	p.firstEntry = firstEntry
	if offset == 0 && n > 0 {
		p.firstEntry = bytes.Clone(p.Entries[0])
	}
	if offset > 0 && n > 0 && firstEntry != nil && bytes.Equal(p.Entries[0], firstEntry) {
		// The server ignored _offset and sent the first page again: cut this page locally.
		p.Note = "the server ignored _offset; this page was cut from its answer"
		p.Entries = p.Entries[min(offset, n):]
		n = len(p.Entries)
		p.more = n > count
		p.Entries = p.Entries[:min(n, count)]
		return p, nil
	}
	// OpenEMR's Patient search may return count+1 entries: the extra one is the next page's
	// first and proves there is a next page.
	p.more = n >= count
	if n > count {
		p.Entries = p.Entries[:count]
	}
	return p, nil
}

// effectivePageSize is the server's page size in links mode: a full page that is not the last
// shows it, when the server capped or ignored the _count asked for.
func effectivePageSize(p *Page, asked int) int {
	if n := len(p.Entries); n > 0 && p.HasNext() && n != asked {
		return n
	}
	return asked
}

// fetchPage GETs one bundle and indexes its entries without copying them.
func (c *Client) fetchPage(ctx context.Context, typ string, u *url.URL) (*Page, error) {
	if canonicalOrigin(u) != c.origin {
		return nil, &OriginError{URL: u.String(), Base: c.baseStr}
	}
	resp, err := c.authedGet(ctx, u, typ, nil)
	if err != nil {
		return nil, err
	}
	if err := requireJSONObject(resp, u.String()); err != nil {
		return nil, err
	}
	p, err := ParseBundle(resp.Body)
	if err != nil {
		ae := classifyBody(http.MethodGet, u.String(), resp, KindNotJSON)
		ae.Detail = err.Error()
		if errors.Is(err, errNotBundle) {
			ae.Kind = KindNotBundle // valid JSON: "not valid JSON" would send the user astray
		}
		if oo, ok := ParseOperationOutcome(resp.Body); ok {
			ae.Kind, ae.Outcome, ae.Detail = KindNotBundle, oo, "the search answered an OperationOutcome, not a Bundle"
		}
		return nil, ae
	}
	p.Type, p.URL = typ, u.String()
	return p, nil
}

// errNotBundle is ParseBundle's complaint about valid JSON that is some other resource.
var errNotBundle = errors.New("not a Bundle")

// ParseBundle indexes a Bundle: its type, total, links and entry resources (subslices of
// body). It validates the JSON strictly and never panics.
func ParseBundle(body []byte) (*Page, error) {
	b, err := jsonscan.ScanBundle(body)
	if err != nil {
		return nil, err
	}
	if b.ResourceType != "Bundle" {
		return nil, fmt.Errorf("%w but a %q", errNotBundle, truncate(b.ResourceType, 64))
	}
	p := &Page{Raw: body, BundleType: b.Type, Total: b.Total, HasTotal: b.HasTotal,
		Entries: make([][]byte, len(b.Entries))}
	for i, s := range b.Entries {
		p.Entries[i] = body[s.Start:s.End:s.End]
	}
	if len(b.Links) > 0 {
		p.Links = make(map[string]string, len(b.Links))
		for _, l := range b.Links {
			if _, dup := p.Links[l.Relation]; !dup {
				p.Links[l.Relation] = l.URL
			}
		}
	}
	return p, nil
}
