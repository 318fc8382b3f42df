package fhirclient

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Exchange sends one request WITHOUT the access token through the client's transport (TLS
// settings, timeouts, size cap) and request log, to any URL: dynamic client registration, a
// JWKS fetch, openid-configuration. Redirects are not followed (a 3xx comes back as is, as
// OpenEMR's own JWKS fetch sees it). Every status is returned; only a missing answer, an
// oversized body or a bad URL is an error.
func (c *Client) Exchange(ctx context.Context, method, rawURL string, header http.Header, body []byte) (*Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("fhirclient: %q is not an http(s) URL", truncate(rawURL, 200))
	}
	o := outgoing{method: method, url: u, header: header.Clone(), body: body, noRedirect: true}
	if o.header == nil {
		o.header = http.Header{}
	}
	if o.header.Get("Accept") == "" {
		o.header.Set("Accept", "application/json")
	}
	if body != nil && o.header.Get("Content-Type") == "" && json0(body) {
		o.header.Set("Content-Type", "application/json")
	}
	in, err := c.send(ctx, o)
	if err != nil {
		return nil, err
	}
	return &Response{Status: in.status, URL: in.url, Header: in.header, Body: in.body, ContentType: in.contentType()}, nil
}

func json0(b []byte) bool {
	t := bytes.TrimSpace(b)
	return len(t) > 0 && (t[0] == '{' || t[0] == '[')
}

// Reconnect starts the session over: idle connections closed, discovery redone, a new token
// minted. The UI's "reconnect" and the doctor's re-check after a fix use it.
func (c *Client) Reconnect(ctx context.Context) (*Token, error) {
	c.http.CloseIdleConnections()
	c.metaMu.Lock()
	c.meta = nil
	c.metaMu.Unlock()
	if _, err := c.Rediscover(ctx); err != nil && c.tokenURL == "" {
		return nil, err // with WithTokenURL, minting does not need discovery
	}
	return c.MintToken(ctx)
}

// ParseSearchPath splits "Patient?name=smith&_count=5" (or an absolute URL on the base) into
// the resource type and the search parameters, for typed-in searches and `fhirscope get`.
func (c *Client) ParseSearchPath(pathOrURL string) (typ string, params url.Values, err error) {
	u, err := c.resolve(pathOrURL)
	if err != nil {
		return "", nil, err
	}
	typ = c.typeOf(u)
	rest := strings.TrimPrefix(u.Path, c.base.Path+"/")
	if typ == "" || (rest != typ && rest != typ+"/_search") {
		return "", nil, fmt.Errorf("fhirclient: %q is not a search (want Type?param=value)", truncate(pathOrURL, 200))
	}
	params, err = url.ParseQuery(u.RawQuery)
	if err != nil {
		return "", nil, fmt.Errorf("fhirclient: bad query in %q: %w", truncate(pathOrURL, 200), err)
	}
	return typ, params, nil
}
