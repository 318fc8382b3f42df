package fhirclient

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Token is an access token and what the server said about it.
type Token struct {
	AccessToken string
	TokenType   string
	ExpiresIn   int // seconds, as the server said (0 if it did not)
	IssuedAt    time.Time
	ExpiresAt   time.Time
	// Requested are the scopes asked for; Granted those the server returned. OpenEMR drops
	// registered-but-unknown-to-the-client scopes silently, so these can differ.
	Requested, Granted []string
	// ScopeOmitted is true when the response had no "scope" member: OAuth then means "as
	// requested", and Granted is a copy of Requested.
	ScopeOmitted bool
}

// Dropped lists requested scopes the server did not grant.
func (t *Token) Dropped() []string {
	var out []string
	for _, s := range t.Requested {
		if !slices.Contains(t.Granted, s) {
			out = append(out, s)
		}
	}
	return out
}

// String never shows the token itself.
func (t *Token) String() string {
	return "Token(" + t.TokenType + ", expires " + t.ExpiresAt.Format(time.RFC3339) + ", " +
		strconv.Itoa(len(t.Granted)) + " scopes)"
}

// unknownLifetime is assumed when a token response has no expires_in: short, because a
// token used past its real expiry costs a failed request and a re-mint.
const unknownLifetime = 60 * time.Second

// mintCall is one in-flight token request that concurrent callers wait for.
type mintCall struct {
	done chan struct{}
	tok  *Token
	err  error
}

// Token returns the current access token, minting one if there is none or it is about to
// expire. Concurrent callers share one token request.
func (c *Client) Token(ctx context.Context) (*Token, error) {
	return c.token(ctx, nil)
}

// MintToken discards the current token and mints a new one (concurrent callers still share
// one request).
func (c *Client) MintToken(ctx context.Context) (*Token, error) {
	c.tokMu.Lock()
	stale := c.tok
	c.tokMu.Unlock()
	if stale == nil {
		stale = &Token{} // forces a mint even though no token is held
	}
	return c.token(ctx, stale)
}

// CurrentToken is the held token without any network traffic (nil if none).
func (c *Client) CurrentToken() *Token {
	c.tokMu.Lock()
	defer c.tokMu.Unlock()
	return c.tok
}

// token returns a usable token. If stale is not nil and is still the held token (or a
// placeholder), that token is considered rejected and a new one is minted.
func (c *Client) token(ctx context.Context, stale *Token) (*Token, error) {
	if c.cred == nil {
		return nil, ErrNoCredentials
	}
	for {
		c.tokMu.Lock()
		if c.tok != nil && (stale == nil || c.tok != stale) && c.fresh(c.tok) {
			t := c.tok
			c.tokMu.Unlock()
			return t, nil
		}
		call := c.minting
		leader := call == nil
		if leader {
			call = &mintCall{done: make(chan struct{})}
			c.minting = call
		}
		c.tokMu.Unlock()
		if leader {
			call.tok, call.err = c.mint(ctx)
			c.tokMu.Lock()
			if call.err == nil {
				c.tok = call.tok
			}
			c.minting = nil
			c.tokMu.Unlock()
			close(call.done)
			return call.tok, call.err
		}
		select {
		case <-call.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		// The leader's own cancellation is not our failure: try again as leader.
		if call.err != nil && (errors.Is(call.err, context.Canceled) || errors.Is(call.err, context.DeadlineExceeded)) && ctx.Err() == nil {
			continue
		}
		return call.tok, call.err
	}
}

// fresh reports whether t is usable for a while yet (caller holds tokMu).
func (c *Client) fresh(t *Token) bool {
	life := t.ExpiresAt.Sub(t.IssuedAt)
	margin := min(30*time.Second, life/5)
	if c.margin > 0 {
		// Never more than half the lifetime, or a short-lived token would be re-minted on
		// every request.
		margin = min(c.margin, life/2)
	}
	return c.now().Before(t.ExpiresAt.Add(-margin))
}

// TokenEndpoint is the token URL: WithTokenURL's, else the discovered one.
func (c *Client) TokenEndpoint(ctx context.Context) (string, error) {
	if c.tokenURL != "" {
		return c.tokenURL, nil
	}
	sc, err := c.Discover(ctx)
	if err != nil {
		return "", err
	}
	return sc.TokenEndpoint, nil
}

// mint performs one client_credentials token request.
func (c *Client) mint(ctx context.Context) (*Token, error) {
	tokenURL, err := c.TokenEndpoint(ctx)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(tokenURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &TokenURLError{URL: tokenURL, Configured: c.tokenURL != ""}
	}
	alg, _ := assertionAlg(*c.cred)
	issued := c.now()
	assertion, err := SignAssertion(*c.cred, tokenURL, issued)
	if err != nil {
		return nil, err
	}
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"scope":                 {strings.Join(c.scopes, " ")},
		"client_assertion_type": {ClientAssertionType},
		"client_assertion":      {assertion},
	}
	body := []byte(form.Encode())
	in, err := c.send(ctx, outgoing{
		method: http.MethodPost, url: u, body: body, form: form, note: "token request",
		header: http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"},
			"Accept":       {"application/json"},
		},
	})
	if err != nil {
		return nil, err
	}
	base := AuthError{
		Status: in.status, Scopes: c.Scopes(), TokenURL: tokenURL, ClientID: c.cred.ClientID,
		Alg: string(alg), Audience: tokenURL, ContentType: in.contentType(),
	}
	return parseTokenResponse(in.status, in.body, c.scopes, issued, base)
}

// parseTokenResponse turns a token endpoint answer into a Token or an *AuthError (template
// supplies the request-side fields of the error).
func parseTokenResponse(status int, body []byte, requested []string, issued time.Time, template AuthError) (*Token, error) {
	fail := func(e *AuthError) error {
		e.Status = status
		e.Excerpt = excerpt(body)
		return e
	}
	if status < 200 || status > 299 {
		e := template
		if oe, ok := ParseOAuthError(body); ok {
			e.Code, e.Description, e.Hint, e.Message = oe.Error, oe.Description, oe.Hint, oe.Message
		}
		return nil, fail(&e)
	}
	var raw struct {
		AccessToken string          `json:"access_token"`
		TokenType   string          `json:"token_type"`
		ExpiresIn   json.RawMessage `json:"expires_in"`
		Scope       *string         `json:"scope"`
	}
	if err := json.Unmarshal(body, &raw); err != nil || raw.AccessToken == "" {
		e := template
		e.Description = "the token endpoint answered " + strconv.Itoa(status) + " without an access_token"
		return nil, fail(&e)
	}
	if raw.TokenType != "" && !strings.EqualFold(raw.TokenType, "bearer") {
		e := template
		e.Description = "the token endpoint issued a " + raw.TokenType + " token; only Bearer tokens are supported"
		return nil, fail(&e)
	}
	t := &Token{
		AccessToken: raw.AccessToken, TokenType: firstNonEmpty(raw.TokenType, "Bearer"),
		IssuedAt: issued, Requested: append([]string(nil), requested...),
	}
	// expires_in is a number, but some servers send it as a string.
	s := strings.Trim(string(raw.ExpiresIn), `"`)
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < 1e9 {
		t.ExpiresIn = int(f)
	}
	life := unknownLifetime
	if t.ExpiresIn > 0 {
		life = time.Duration(t.ExpiresIn) * time.Second
	}
	t.ExpiresAt = issued.Add(life)
	if raw.Scope == nil {
		t.ScopeOmitted = true
		t.Granted = append([]string(nil), requested...)
	} else {
		t.Granted = strings.Fields(*raw.Scope)
	}
	return t, nil
}

// ParseTokenResponse interprets a token endpoint's answer (status and body) to a request for
// the requested scopes, issued at issued: a *Token, or an *AuthError whose Explain works.
// It is for token requests sent by hand, outside a Client (the token error table test).
func ParseTokenResponse(status int, body []byte, requested []string, issued time.Time) (*Token, error) {
	return parseTokenResponse(status, body, requested, issued, AuthError{Scopes: append([]string(nil), requested...)})
}
