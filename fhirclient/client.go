package fhirclient

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

const (
	// DefaultMaxResponseBytes caps response bodies unless WithMaxResponseBytes says otherwise.
	DefaultMaxResponseBytes = 256 << 20
	// DefaultTimeout bounds a whole exchange unless WithTimeout says otherwise.
	DefaultTimeout = 2 * time.Minute
	// DefaultPageSize is the _count of searches that do not set one.
	DefaultPageSize = 50
)

// Client is a FHIR client for one base URL. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	baseStr   string // without trailing slash
	origin    string
	cred      *Credentials
	scopes    []string
	tokenURL  string
	caFile    string
	insecure  bool
	maxBytes  int64
	timeout   time.Duration
	log       *RequestLog
	trace     io.Writer
	now       func() time.Time
	userAgent string
	pageSize  int
	margin    time.Duration

	http *http.Client

	tokMu   sync.Mutex
	tok     *Token
	minting *mintCall

	metaSem chan struct{} // one metadata fetch at a time
	metaMu  sync.Mutex
	meta    *Capabilities
}

// New returns a client for the FHIR base URL base, e.g.
// "https://emr.example.org/apis/default/fhir".
func New(base string, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(base))
	if err != nil {
		return nil, &BaseURLError{Base: base, Reason: err.Error()}
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, &BaseURLError{Base: base, Reason: "it must start with https:// (or http://)"}
	}
	if u.Host == "" {
		return nil, &BaseURLError{Base: base, Reason: "it has no host"}
	}
	if u.User != nil {
		return nil, &BaseURLError{Base: redactURL(base), Reason: "it must not carry a user name or password"}
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, &BaseURLError{Base: base, Reason: "it must not have a query or fragment"}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	c := &Client{
		base:      u,
		baseStr:   u.String(),
		origin:    canonicalOrigin(u),
		maxBytes:  DefaultMaxResponseBytes,
		timeout:   DefaultTimeout,
		now:       time.Now,
		userAgent: "fhirscope/" + Version,
		pageSize:  DefaultPageSize,
		metaSem:   make(chan struct{}, 1),
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	if c.log == nil {
		c.log = NewRequestLog(0)
	}
	if c.trace != nil {
		c.log.setTrace(c.trace)
	}
	if c.maxBytes <= 0 {
		c.maxBytes = DefaultMaxResponseBytes
	}
	if c.pageSize <= 0 {
		c.pageSize = DefaultPageSize
	}
	if c.cred != nil {
		if c.cred.ClientID == "" {
			return nil, fmt.Errorf("fhirclient: credentials without a client ID")
		}
		if _, err := assertionAlg(*c.cred); err != nil {
			return nil, err
		}
	}
	if c.http, err = c.newHTTPClient(); err != nil {
		return nil, err
	}
	return c, nil
}

// BaseURL is the FHIR base without a trailing slash.
func (c *Client) BaseURL() string { return c.baseStr }

// Origin is the base's scheme://host[:port]; the bearer token goes nowhere else.
func (c *Client) Origin() string { return c.origin }

// Log is the client's request log.
func (c *Client) Log() *RequestLog { return c.log }

// Insecure reports whether TLS verification is off (the UI shows a banner then).
func (c *Client) Insecure() bool { return c.insecure }

// Scopes are the scopes token requests ask for.
func (c *Client) Scopes() []string { return append([]string(nil), c.scopes...) }

// HasCredentials reports whether the client can mint tokens.
func (c *Client) HasCredentials() bool { return c.cred != nil }

// CloseIdleConnections closes kept-alive connections (e.g. before switching profiles).
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

// resolve turns a path relative to the base, or an absolute URL, into an absolute URL on the
// base's origin, refusing other origins before anything is sent.
func (c *Client) resolve(pathOrURL string) (*url.URL, error) {
	if pathOrURL == "" {
		return nil, fmt.Errorf("fhirclient: empty path")
	}
	if strings.Contains(pathOrURL, "://") || strings.HasPrefix(pathOrURL, "//") {
		u, err := url.Parse(pathOrURL)
		if err != nil {
			return nil, fmt.Errorf("fhirclient: bad URL %q: %w", truncate(pathOrURL, 200), err)
		}
		if canonicalOrigin(u) != c.origin {
			return nil, &OriginError{URL: u.String(), Base: c.baseStr}
		}
		return u, nil
	}
	p := pathOrURL
	// A path that already starts with the base path (e.g. "/apis/default/fhir/Patient") is
	// origin-relative; anything else is relative to the base.
	if !(strings.HasPrefix(p, "/") && c.base.Path != "" && strings.HasPrefix(p, c.base.Path+"/")) {
		p = c.base.Path + "/" + strings.TrimLeft(p, "/")
	}
	rel, err := url.Parse(p)
	if err != nil {
		return nil, fmt.Errorf("fhirclient: bad path %q: %w", truncate(pathOrURL, 200), err)
	}
	u := *c.base
	u.Path, u.RawPath, u.RawQuery = rel.Path, rel.RawPath, escapeQuery(rel.RawQuery)
	return &u, nil
}

// escapeQuery percent-encodes what may not appear raw in a query (spaces, non-ASCII, quotes)
// and keeps everything else, so a typed "Patient?name=van der berg" is sent as meant, while
// the structure (&, =, +, existing %XX) is left alone.
func escapeQuery(q string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		ch := q[i]
		if ch <= ' ' || ch >= 0x7f || strings.IndexByte("\"<>\\^`{|}#", ch) >= 0 {
			if b.Len() == 0 {
				b.WriteString(q[:i])
			}
			b.WriteByte('%')
			b.WriteByte(hex[ch>>4])
			b.WriteByte(hex[ch&15])
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(ch)
		}
	}
	if b.Len() == 0 {
		return q
	}
	return b.String()
}
