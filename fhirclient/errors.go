package fhirclient

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// ErrorKind classifies a failed FHIR exchange by what the user can do about it, not by the
// bare status code: OpenEMR, for example, answers a missing scope with a 401 that looks like
// an expired token, and a missing resource with a 404 whose body is `[]`.
type ErrorKind int

const (
	KindOther         ErrorKind = iota
	KindScopeMissing            // 401 although the token is fresh: the token lacks the scope
	KindTokenRejected           // 401 the server says the token itself is invalid or expired
	KindAuthRequired            // 401 and this client has no credentials to send
	KindForbidden               // 403
	KindNotFound                // 404 (OpenEMR: body `[]`)
	KindHTML                    // an HTML page where JSON was expected (proxy, login page, PHP error)
	KindEmpty                   // an empty body where JSON was expected
	KindNotJSON                 // a body that is neither JSON nor HTML
	KindTooLarge                // the body exceeded the configured response size cap
	KindServer                  // 5xx
	KindBadRequest              // 400 / 422 with a parseable body (bad search parameter, ...)
	KindNotBundle               // a search answered with something other than a Bundle
	KindRateLimited             // 429 (RetryAfter says how long the server wants us to wait)
)

var kindNames = [...]string{
	KindOther: "other", KindScopeMissing: "scope-missing", KindTokenRejected: "token-rejected",
	KindAuthRequired: "auth-required", KindForbidden: "forbidden", KindNotFound: "not-found",
	KindHTML: "html", KindEmpty: "empty", KindNotJSON: "not-json", KindTooLarge: "too-large",
	KindServer: "server-error", KindBadRequest: "bad-request", KindNotBundle: "not-a-bundle", KindRateLimited: "rate-limited",
}

func (k ErrorKind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// APIError is a failed FHIR request: anything but a usable 2xx JSON answer.
type APIError struct {
	Status      int // 0 when no status applies (e.g. a 200 whose body was too large is still 200)
	Method, URL string
	Kind        ErrorKind
	// Outcome is the parsed OperationOutcome when the body was one.
	Outcome *OperationOutcome
	// OAuthError and OAuthDescription come from an OAuth-style body ({"error":..}); OpenEMR
	// uses these for 401s. OAuthHint is league/oauth2-server's "hint".
	OAuthError, OAuthDescription, OAuthHint string
	// Excerpt is a bounded, token-free prefix of the body (not yet sanitised for a terminal).
	Excerpt     string
	ContentType string
	// MissingScope names the scope that would most likely fix a KindScopeMissing error,
	// e.g. "system/Observation.read" (empty when unknown).
	MissingScope string
	// Granted are the scopes of the token the request carried, for explaining 401s.
	Granted []string
	// Limit is the size cap in bytes for KindTooLarge.
	Limit int64
	// Detail is the parser's complaint for KindNotJSON / KindNotBundle.
	Detail string
	// RetryAfter is the server's Retry-After for 429 and 503 (0 when absent).
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: ", e.Method, e.URL)
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d ", e.Status)
	}
	b.WriteString(e.Kind.String())
	switch {
	case e.Kind == KindTooLarge:
		fmt.Fprintf(&b, " (over %d bytes)", e.Limit)
	case e.Outcome != nil && e.Outcome.Summary() != "":
		b.WriteString(": " + e.Outcome.Summary())
	case e.Detail != "":
		b.WriteString(": " + e.Detail)
	case e.OAuthError != "":
		b.WriteString(": " + e.OAuthError)
		if d := firstNonEmpty(e.OAuthDescription, e.OAuthHint); d != "" {
			b.WriteString(": " + d)
		}
	}
	if e.MissingScope != "" {
		b.WriteString(" (needs " + e.MissingScope + ")")
	}
	return b.String()
}

// AuthError is a failed token request. Code, Description, Hint and Message are the fields of
// the OAuth error body (league/oauth2-server sends all four; Message repeats Description).
type AuthError struct {
	Status                           int
	Code, Description, Hint, Message string
	// Excerpt is a bounded prefix of the raw body with any token or assertion removed.
	Excerpt string
	// Scopes are the scopes that were requested.
	Scopes []string
	// TokenURL, ClientID, Alg and Audience describe the request, so Explain can be specific
	// (Audience is the assertion's aud, which OpenEMR compares byte for byte).
	TokenURL, ClientID, Alg, Audience string
	ContentType                       string
}

func (e *AuthError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "token request to %s failed: HTTP %d", e.TokenURL, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if d := firstNonEmpty(e.Description, e.Message); d != "" {
		b.WriteString(": " + d)
	}
	if e.Hint != "" {
		b.WriteString(" (" + e.Hint + ")")
	}
	return b.String()
}

// OriginError refuses to send the bearer token to a URL outside the FHIR base's origin: a
// next link, a download URL or a redirect that points elsewhere. No request was sent.
type OriginError struct {
	URL, Base string
}

func (e *OriginError) Error() string {
	return fmt.Sprintf("refusing to send the access token to %s: it is not on the FHIR base's origin %s",
		redactURL(e.URL), originOf(e.Base))
}

// BaseURLError says the configured FHIR base URL is not a FHIR base at all.
type BaseURLError struct {
	Base   string
	Status int
	Reason string
	// Suggestion is a corrected base when one can be guessed (e.g. with /apis/default/fhir).
	Suggestion string
}

func (e *BaseURLError) Error() string {
	s := fmt.Sprintf("%s does not look like a FHIR base URL: %s", e.Base, e.Reason)
	if e.Suggestion != "" {
		s += "; try " + e.Suggestion
	}
	return s
}

// LinkError is a paging link (next, previous) from the server that is not a URL at all. No
// request was sent.
type LinkError struct {
	Link string
	Err  error
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("fhirclient: bad paging link %q: %v", truncate(e.Link, 200), e.Err)
}

func (e *LinkError) Unwrap() error { return e.Err }

// TokenURLError is a token endpoint that is not an http(s) URL: the server's discovery gave
// it, or the client was configured with it (Configured). No request was sent.
type TokenURLError struct {
	URL        string
	Configured bool
}

func (e *TokenURLError) Error() string {
	return fmt.Sprintf("the token endpoint %q is not an http(s) URL", truncate(e.URL, 200))
}

// NetworkError is a request that got no HTTP answer: DNS, refused connection, TLS failure,
// timeout or cancellation. Err is the underlying error (errors.Is/As work through it).
type NetworkError struct {
	Method, URL string
	Err         error
}

func (e *NetworkError) Error() string {
	return fmt.Sprintf("%s %s: %v", e.Method, e.URL, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// ErrNoCredentials is returned by token operations on a client made without WithCredentials.
var ErrNoCredentials = errors.New("fhirclient: no client credentials configured")

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// originOf returns scheme://host[:port] with the default port removed and the host lowercased,
// so that "HTTPS://Example.org:443/x" and "https://example.org/y" compare equal.
func originOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return ""
	}
	return canonicalOrigin(u)
}

func canonicalOrigin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (scheme == "https" && port == "443") || (scheme == "http" && port == "80") {
		port = ""
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host
}
