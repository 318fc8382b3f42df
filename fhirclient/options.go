package fhirclient

import (
	"crypto"
	"io"
	"time"
)

// Credentials identify a SMART Backend Services client: its client ID and the private key
// whose public half the server knows (via jwks or jwks_uri).
type Credentials struct {
	ClientID string
	// Signer is an *rsa.PrivateKey (RS384) or an *ecdsa.PrivateKey on P-384 (ES384).
	Signer crypto.Signer
	// Alg is "RS384" (the default for RSA keys, and the only one OpenEMR accepts) or "ES384"
	// (the default for EC keys).
	Alg string
	// KeyID goes into the assertion's kid header (OpenEMR ignores it; others select by it).
	KeyID string
}

// Option configures a Client in New.
type Option func(*Client) error

// WithCredentials makes the client authenticate with a client assertion signed by cred.
func WithCredentials(cred Credentials) Option {
	return func(c *Client) error { c.cred = &cred; return nil }
}

// WithScopes sets the scopes every token request asks for.
func WithScopes(scopes []string) Option {
	return func(c *Client) error { c.scopes = append([]string(nil), scopes...); return nil }
}

// WithTokenURL skips token-endpoint discovery and uses u.
func WithTokenURL(u string) Option {
	return func(c *Client) error { c.tokenURL = u; return nil }
}

// WithCAFile trusts the PEM certificates in path in addition to the system roots.
func WithCAFile(path string) Option {
	return func(c *Client) error { c.caFile = path; return nil }
}

// WithInsecureSkipVerify turns TLS certificate verification off. Only for test servers; the
// UI must show a warning whenever a client made with it is in use (see Client.Insecure).
func WithInsecureSkipVerify() Option {
	return func(c *Client) error { c.insecure = true; return nil }
}

// WithMaxResponseBytes caps every response body (DefaultMaxResponseBytes if not set).
func WithMaxResponseBytes(n int64) Option {
	return func(c *Client) error { c.maxBytes = n; return nil }
}

// WithTimeout bounds each whole exchange, body included (DefaultTimeout if not set).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error { c.timeout = d; return nil }
}

// WithRequestLog records every exchange in log (one is created if this option is absent;
// see Client.Log).
func WithRequestLog(log *RequestLog) Option {
	return func(c *Client) error { c.log = log; return nil }
}

// WithTrace writes every exchange to w as a JSON line (redacted like the log).
func WithTrace(w io.Writer) Option {
	return func(c *Client) error { c.trace = w; return nil }
}

// WithClock replaces time.Now for assertion timestamps and token expiry.
func WithClock(now func() time.Time) Option {
	return func(c *Client) error { c.now = now; return nil }
}

// WithUserAgent replaces the default "fhirscope/<Version>" User-Agent.
func WithUserAgent(ua string) Option {
	return func(c *Client) error { c.userAgent = ua; return nil }
}

// WithPageSize sets the _count sent with searches that do not set one (DefaultPageSize).
func WithPageSize(n int) Option {
	return func(c *Client) error { c.pageSize = n; return nil }
}

// WithTokenMargin re-mints a token this long before it expires (default: a fifth of its
// lifetime, at most 30 s).
func WithTokenMargin(d time.Duration) Option {
	return func(c *Client) error { c.margin = d; return nil }
}
