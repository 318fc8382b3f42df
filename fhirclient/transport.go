package fhirclient

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
)

// Timeouts of the transport's stages; the whole exchange is bounded by WithTimeout.
const (
	dialTimeout           = 10 * time.Second
	tlsHandshakeTimeout   = 10 * time.Second
	responseHeaderTimeout = 60 * time.Second
	maxRedirects          = 5
	// drainLimit is how much of an unread body is read away so the connection can be reused.
	drainLimit = 256 << 10
)

func (c *Client) newHTTPClient() (*http.Client, error) {
	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if c.caFile != "" {
		pem, err := os.ReadFile(c.caFile)
		if err != nil {
			return nil, fmt.Errorf("fhirclient: reading CA file: %w", err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil || pool == nil {
			pool = x509.NewCertPool()
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("fhirclient: CA file %s holds no PEM certificate", c.caFile)
		}
		tlsConf.RootCAs = pool
	}
	if c.insecure {
		tlsConf.InsecureSkipVerify = true
	}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   tlsHandshakeTimeout,
		ResponseHeaderTimeout: responseHeaderTimeout,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConns:          16,
		MaxIdleConnsPerHost:   8,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   c.timeout,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if via[0].Context().Value(noRedirectKey{}) != nil {
				return http.ErrUseLastResponse
			}
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			// Go itself would drop Authorization on a cross-domain redirect; we refuse the
			// redirect instead, so the user learns where the server tried to send them.
			if canonicalOrigin(req.URL) != canonicalOrigin(via[0].URL) &&
				(via[0].Header.Get("Authorization") != "" || via[0].Method != http.MethodGet) {
				return &OriginError{URL: req.URL.String(), Base: c.baseStr}
			}
			return nil
		},
	}, nil
}

// noRedirectKey marks a request whose redirects must not be followed (see Exchange).
type noRedirectKey struct{}

// outgoing is one request the client sends.
type outgoing struct {
	method string
	url    *url.URL
	header http.Header
	body   []byte
	form   url.Values // the body's form, for the redacted log
	bearer string     // access token; only ever attached to same-origin URLs
	note   string
	// noRedirect returns a 3xx as the answer instead of following it.
	noRedirect bool
}

// incoming is a complete response whose body was read within the size cap.
type incoming struct {
	status int
	header http.Header
	body   []byte
	url    string
}

func (in *incoming) contentType() string { return in.header.Get("Content-Type") }

// send performs one exchange and logs it. Every status comes back as an incoming; only a
// missing answer (*NetworkError), an oversized body (*APIError KindTooLarge) or a refused
// origin (*OriginError) is an error here.
func (c *Client) send(ctx context.Context, o outgoing) (*incoming, error) {
	if o.bearer != "" && canonicalOrigin(o.url) != c.origin {
		return nil, &OriginError{URL: o.url.String(), Base: c.baseStr}
	}
	var body io.Reader
	if o.body != nil {
		body = bytes.NewReader(o.body)
	}
	req, err := http.NewRequestWithContext(ctx, o.method, o.url.String(), body)
	if err != nil {
		return nil, fmt.Errorf("fhirclient: %w", err)
	}
	for k, vs := range o.header {
		req.Header[k] = vs
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/fhir+json")
	}
	req.Header.Set("User-Agent", c.userAgent)
	if o.bearer != "" {
		req.Header.Set("Authorization", "Bearer "+o.bearer)
	}
	entry := LogEntry{
		Time: time.Now(), Method: o.method, URL: redactURL(o.url.String()),
		BytesOut: int64(len(o.body)), ReqHeaders: redactHeaders(req.Header), Note: o.note,
	}
	if o.form != nil {
		entry.ReqBody = redactForm(o.form)
	}
	start := time.Now()
	if o.noRedirect {
		req = req.WithContext(context.WithValue(req.Context(), noRedirectKey{}, true))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		entry.Duration = time.Since(start)
		var oe *OriginError
		if errors.As(err, &oe) {
			entry.Err = oe.Error()
			c.log.add(entry)
			return nil, oe
		}
		nerr := &NetworkError{Method: o.method, URL: redactURL(o.url.String()), Err: unwrapURLError(err)}
		entry.Err = nerr.Err.Error()
		c.log.add(entry)
		return nil, nerr
	}
	in := &incoming{status: resp.StatusCode, header: resp.Header, url: resp.Request.URL.String()}
	entry.Status = resp.StatusCode
	entry.RespHeaders = redactHeaders(resp.Header)
	if resp.Request.URL.String() != o.url.String() {
		entry.Note = strings.TrimSpace(entry.Note + " redirected to " + redactURL(in.url))
	}
	in.body, err = readCapped(resp, c.maxBytes)
	entry.BytesIn = int64(len(in.body))
	entry.Duration = time.Since(start)
	if err != nil {
		var tl *tooLarge
		if errors.As(err, &tl) {
			entry.Err = fmt.Sprintf("response larger than %d bytes", c.maxBytes)
			c.log.add(entry)
			return nil, &APIError{Status: resp.StatusCode, Method: o.method, URL: redactURL(o.url.String()),
				Kind: KindTooLarge, Limit: c.maxBytes, ContentType: in.contentType()}
		}
		entry.Err = err.Error()
		c.log.add(entry)
		return nil, &NetworkError{Method: o.method, URL: redactURL(o.url.String()), Err: unwrapURLError(err)}
	}
	c.log.add(entry)
	return in, nil
}

// unwrapURLError drops *url.Error's "Get "...": " prefix, which repeats the (unredacted) URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

type tooLarge struct{}

func (*tooLarge) Error() string { return "response too large" }

// readCapped reads the whole body, at most max bytes, and closes it. With a Content-Length it
// allocates exactly once. Without one (chunked bundles) it reads into pooled staging chunks
// and copies them once into an exact-size slice: one allocation of the body's size per
// response, so big searches cost little garbage and peak memory stays under twice the body.
func readCapped(resp *http.Response, max int64) ([]byte, error) {
	defer resp.Body.Close()
	if n := resp.ContentLength; n > max {
		return nil, &tooLarge{} // closing without draining drops the connection: intended
	} else if n >= 0 {
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		drain(resp.Body)
		return buf, nil
	}
	var chunks []*[]byte
	defer func() {
		for _, c := range chunks {
			chunkPool.Put(c)
		}
	}()
	total := int64(0)
	last := 0
	for {
		c := chunkPool.Get().(*[]byte)
		chunks = append(chunks, c)
		n, err := io.ReadFull(resp.Body, *c)
		total += int64(n)
		last = n
		if total > max {
			return nil, &tooLarge{}
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	out := make([]byte, 0, total)
	for i, c := range chunks {
		if i == len(chunks)-1 {
			out = append(out, (*c)[:last]...)
		} else {
			out = append(out, *c...)
		}
	}
	return out, nil
}

// chunkSize is the size of pooled staging chunks for bodies of unknown length.
const chunkSize = 256 << 10

var chunkPool = sync.Pool{New: func() any { b := make([]byte, chunkSize); return &b }}

// drain reads away what is left of a body so the keep-alive connection can be reused.
func drain(r io.Reader) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r, drainLimit))
}
