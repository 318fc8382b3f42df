package fhirclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"fhirscope/fhirclient/jsonscan"
)

// Response is a successful (2xx) answer to Get.
type Response struct {
	Status      int
	URL         string // after redirects (all on the base's origin)
	Header      http.Header
	Body        []byte
	ContentType string
}

var (
	typeName = regexp.MustCompile(`^[A-Z][A-Za-z]{1,63}$`)
	idValue  = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)
)

// Read fetches one resource, {base}/{typ}/{id}, and returns its JSON.
func (c *Client) Read(ctx context.Context, typ, id string) ([]byte, error) {
	if !typeName.MatchString(typ) {
		return nil, fmt.Errorf("fhirclient: %q is not a resource type", truncate(typ, 80))
	}
	if !idValue.MatchString(id) {
		return nil, fmt.Errorf("fhirclient: %q is not a valid FHIR id (1-64 of A-Z a-z 0-9 - .)", truncate(id, 80))
	}
	u, err := c.resolve(typ + "/" + url.PathEscape(id))
	if err != nil {
		return nil, err
	}
	resp, err := c.authedGet(ctx, u, typ, nil)
	if err != nil {
		return nil, err
	}
	if err := requireJSONObject(resp, u.String()); err != nil {
		return nil, err
	}
	// shapeOf checks only small bodies; the caller shows this document, so a big one that is
	// truncated, not UTF-8 or nested beyond jsonscan.MaxDepth must fail here, typed, too.
	if err := jsonscan.Valid(resp.Body); err != nil {
		ae := classifyBody(http.MethodGet, u.String(), resp, KindNotJSON)
		ae.Detail = err.Error()
		return nil, ae
	}
	return resp.Body, nil
}

// Get performs any GET on the base's origin with the bearer token: a path relative to the
// base ("Patient?name=x", "metadata") or an absolute URL on the same origin. A URL on another
// origin gives *OriginError and nothing is sent. Non-2xx answers and HTML pages are *APIError.
func (c *Client) Get(ctx context.Context, pathOrURL string) (*Response, error) {
	return c.GetWithHeader(ctx, pathOrURL, nil)
}

// GetWithHeader is Get with extra request headers (e.g. Prefer: respond-async for $export).
func (c *Client) GetWithHeader(ctx context.Context, pathOrURL string, h http.Header) (*Response, error) {
	u, err := c.resolve(pathOrURL)
	if err != nil {
		return nil, err
	}
	resp, err := c.authedGet(ctx, u, c.typeOf(u), h)
	if err != nil {
		return nil, err
	}
	if shapeOf(resp.Body) == shapeHTML || strings.Contains(resp.ContentType, "text/html") {
		return nil, classifyBody(http.MethodGet, u.String(), resp, KindHTML)
	}
	return resp, nil
}

// typeOf is the resource type a URL on the base addresses ("" for metadata, $export, ...).
func (c *Client) typeOf(u *url.URL) string {
	rest := strings.TrimPrefix(u.Path, c.base.Path+"/")
	if rest == u.Path {
		return ""
	}
	seg, _, _ := strings.Cut(rest, "/")
	if typeName.MatchString(seg) {
		return seg
	}
	return ""
}

// authedGet sends a GET with the current token (if the client has credentials). A 401 gets
// one re-mint and retry, unless the held token plainly lacks the type's scope; the second
// 401 (or any other failure) is an *APIError.
func (c *Client) authedGet(ctx context.Context, u *url.URL, typ string, h http.Header) (*Response, error) {
	if c.cred != nil && canonicalOrigin(u) != c.origin {
		return nil, &OriginError{URL: u.String(), Base: c.baseStr}
	}
	var tok *Token
	note := ""
	for attempt := 0; ; attempt++ {
		o := outgoing{method: http.MethodGet, url: u, header: h.Clone(), note: note}
		if c.cred != nil {
			var err error
			if attempt == 0 {
				tok, err = c.Token(ctx)
			} else {
				tok, err = c.token(ctx, tok)
			}
			if err != nil {
				return nil, err
			}
			o.bearer = tok.AccessToken
		}
		in, err := c.send(ctx, o)
		if err != nil {
			return nil, err
		}
		if in.status == http.StatusUnauthorized && tok != nil && attempt == 0 {
			rejected := tokenRejected(in)
			scopeSaid := strings.Contains(in.header.Get("WWW-Authenticate"), "insufficient_scope")
			if rejected || (!scopeSaid && (typ == "" || tok.ScopeOmitted || ScopeCovers(tok.Granted, typ))) {
				note = "retry after a 401, with a new token"
				continue
			}
		}
		if in.status < 200 || in.status > 299 {
			return nil, classify(http.MethodGet, u.String(), in, tok, typ)
		}
		return &Response{Status: in.status, URL: in.url, Header: in.header, Body: in.body, ContentType: in.contentType()}, nil
	}
}

// tokenRejected recognises a server's answer to a bad or expired token: RFC 6750's
// WWW-Authenticate error="invalid_token", or league/oauth2-server's body.
func tokenRejected(in *incoming) bool {
	return strings.Contains(in.header.Get("WWW-Authenticate"), "invalid_token") || tokenRejectedBody(in.body)
}

// tokenRejectedBody recognises league/oauth2-server's answer to a bad or expired token.
func tokenRejectedBody(body []byte) bool {
	oe, ok := ParseOAuthError(body)
	if !ok {
		return false
	}
	if oe.Error == "access_denied" || oe.Error == "invalid_token" {
		return true
	}
	text := strings.ToLower(oe.Hint + " " + oe.Description + " " + oe.Message)
	return strings.Contains(text, "could not be verified") || strings.Contains(text, "expired") ||
		strings.Contains(text, "revoked")
}

// classify turns a non-2xx answer into an *APIError. tok is the token the request carried
// (nil without credentials) and typ the resource type it addressed ("" if none).
func classify(method, rawURL string, in *incoming, tok *Token, typ string) *APIError {
	var secret string
	if tok != nil {
		secret = tok.AccessToken
	}
	e := &APIError{Status: in.status, Method: method, URL: redactURL(rawURL),
		ContentType: in.contentType(), Excerpt: excerpt(in.body, secret)}
	shape := shapeOf(in.body)
	if shape == shapeJSON {
		if oo, ok := ParseOperationOutcome(in.body); ok {
			e.Outcome = oo
		} else if oe, ok := ParseOAuthError(in.body); ok {
			e.OAuthError, e.OAuthDescription, e.OAuthHint = oe.Error, firstNonEmpty(oe.Description, oe.Message), oe.Hint
		}
	}
	if tok != nil {
		e.Granted = append([]string(nil), tok.Granted...)
	}
	if in.status == http.StatusTooManyRequests || in.status == http.StatusServiceUnavailable {
		e.RetryAfter = retryAfter(in.header.Get("Retry-After"), time.Now())
	}
	switch s := in.status; {
	case s == http.StatusUnauthorized:
		switch {
		case tok == nil:
			e.Kind = KindAuthRequired
		case tokenRejected(in):
			e.Kind = KindTokenRejected
		default:
			// A token that was just minted (or re-minted) and still refused: the scope.
			e.Kind = KindScopeMissing
			if typ != "" && !ScopeCovers(tok.Granted, typ) {
				e.MissingScope = suggestScope(tok, typ)
			}
		}
	case s == http.StatusForbidden:
		e.Kind = KindForbidden
	case s == http.StatusTooManyRequests:
		e.Kind = KindRateLimited
	case s == http.StatusNotFound || s == http.StatusGone:
		e.Kind = KindNotFound
	case s >= 500:
		e.Kind = KindServer
	case shape == shapeHTML:
		e.Kind = KindHTML
	case shape == shapeEmpty:
		e.Kind = KindEmpty
	case shape == shapeText:
		e.Kind = KindNotJSON
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		e.Kind = KindBadRequest
	default:
		e.Kind = KindOther
	}
	return e
}

// classifyBody is the error for a 2xx answer whose body is unusable.
func classifyBody(method, rawURL string, resp *Response, kind ErrorKind) *APIError {
	return &APIError{Status: resp.Status, Method: method, URL: redactURL(rawURL), Kind: kind,
		ContentType: resp.ContentType, Excerpt: excerpt(resp.Body)}
}

// requireJSONObject checks that a 2xx body is a JSON object.
func requireJSONObject(resp *Response, rawURL string) error {
	switch shapeOf(resp.Body) {
	case shapeEmpty:
		return classifyBody(http.MethodGet, rawURL, resp, KindEmpty)
	case shapeHTML:
		return classifyBody(http.MethodGet, rawURL, resp, KindHTML)
	case shapeText:
		return classifyBody(http.MethodGet, rawURL, resp, KindNotJSON)
	}
	if t := firstNonSpace(resp.Body); t != '{' {
		return classifyBody(http.MethodGet, rawURL, resp, KindNotJSON)
	}
	return nil
}

func firstNonSpace(b []byte) byte {
	for _, c := range b {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

// ScopeCovers reports whether any of the granted scopes allows reading or searching typ:
// system/, user/ or patient/ context; the type or *; read, *, or SMART v2 letters with r or s
// (a v2 "?category=" restriction counts as covering).
func ScopeCovers(granted []string, typ string) bool {
	for _, s := range granted {
		ctx, rest, ok := strings.Cut(s, "/")
		if !ok || (ctx != "system" && ctx != "user" && ctx != "patient") {
			continue
		}
		rest, _, _ = strings.Cut(rest, "?")
		res, perm, ok := strings.Cut(rest, ".")
		if !ok || (res != typ && res != "*") {
			continue
		}
		if perm == "read" || perm == "*" || (strings.Trim(perm, "cruds") == "" && strings.ContainsAny(perm, "rs")) {
			return true
		}
	}
	return false
}

// suggestScope names the scope that would grant typ, in the style the client already uses.
func suggestScope(tok *Token, typ string) string {
	for _, s := range append(append([]string(nil), tok.Requested...), tok.Granted...) {
		if strings.HasSuffix(s, ".rs") || strings.Contains(s, ".rs?") {
			return "system/" + typ + ".rs"
		}
	}
	return "system/" + typ + ".read"
}

// retryAfter reads a Retry-After header: seconds or an HTTP date; 0 when absent or past.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		return time.Duration(min(n, 86400)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now).Round(time.Second)
	}
	return 0
}
