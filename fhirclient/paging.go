package fhirclient

import (
	"context"
	"iter"
	"net/url"
)

// Next fetches the page after p: by its next link, or by the next _offset, as p.Mode says.
// A next link on another origin is refused with *OriginError before anything is sent.
func (c *Client) Next(ctx context.Context, p *Page) (*Page, error) {
	if !p.HasNext() {
		return nil, ErrNoMorePages
	}
	if p.Mode == PagingLinks {
		return c.followLink(ctx, p, p.Links["next"], p.Number+1, p.Offset+len(p.Entries))
	}
	return c.fetchOffsetPage(ctx, p.Type, p.typeURL, p.query, p.Offset+p.Count, p.Count, p.firstEntry, PagingOffset)
}

// Prev fetches the page before p.
func (c *Client) Prev(ctx context.Context, p *Page) (*Page, error) {
	if !p.HasPrev() {
		return nil, ErrNoMorePages
	}
	if p.Mode == PagingLinks {
		return c.followLink(ctx, p, p.prevLink(), max(p.Number-1, 1), -1)
	}
	return c.fetchOffsetPage(ctx, p.Type, p.typeURL, p.query, max(p.Offset-p.Count, 0), p.Count, p.firstEntry, PagingOffset)
}

// Last fetches the last page of a links-mode search by its "last" link; number is that
// page's 1-based number, which only the caller can know (from the total). Servers without a
// last link (OpenEMR) give ErrNoMorePages.
func (c *Client) Last(ctx context.Context, p *Page, number int) (*Page, error) {
	link := p.Links["last"]
	if p.Mode != PagingLinks || link == "" {
		return nil, ErrNoMorePages
	}
	return c.followLink(ctx, p, link, number, (number-1)*p.Count)
}

func (c *Client) followLink(ctx context.Context, from *Page, link string, number, offset int) (*Page, error) {
	// FHIR requires absolute links; a relative one is resolved against the page it came from.
	lu, err := url.Parse(link)
	if err != nil {
		return nil, &LinkError{Link: link, Err: err}
	}
	if !lu.IsAbs() {
		if from, perr := url.Parse(from.URL); perr == nil {
			lu = from.ResolveReference(lu)
		}
	}
	if canonicalOrigin(lu) != c.origin {
		return nil, &OriginError{URL: lu.String(), Base: c.baseStr}
	}
	u, err := c.resolve(lu.String())
	if err != nil {
		return nil, err
	}
	p, err := c.fetchPage(ctx, from.Type, u)
	if err != nil {
		return nil, err
	}
	p.Mode, p.Number = PagingLinks, number
	p.Count = effectivePageSize(p, from.Count)
	if offset < 0 {
		offset = max(from.Offset-len(p.Entries), 0)
	}
	p.Offset = offset
	return p, nil
}

// SearchIter yields every page of a search in order, stopping at the first error (yielded
// with a nil page) or when the consumer stops. An empty last page (offset paging cannot know
// a full page was the last) is not yielded.
func (c *Client) SearchIter(ctx context.Context, typ string, params url.Values) iter.Seq2[*Page, error] {
	return func(yield func(*Page, error) bool) {
		p, err := c.Search(ctx, typ, params)
		for {
			if err != nil {
				yield(nil, err)
				return
			}
			if len(p.Entries) > 0 || p.Number <= 1 {
				if !yield(p, nil) {
					return
				}
			}
			if !p.HasNext() {
				return
			}
			p, err = c.Next(ctx, p)
		}
	}
}
