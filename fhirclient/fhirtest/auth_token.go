package fhirtest

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// AssertionType is the only client_assertion_type OpenEMR accepts.
const AssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// clockLeeway is lcobucci's leeway as OpenEMR configures it.
const clockLeeway = 60 * time.Second

// tokenResponse is the 200 body of the token endpoint, in OpenEMR's member order.
type tokenResponse struct {
	Scope       string `json:"scope"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
	AccessToken string `json:"access_token"`
}

// tokenFailure is a token endpoint error response.
type tokenFailure struct {
	status           int
	code, desc, hint string
	reason           string // the server-log reason (never in the body, like OpenEMR)
}

func (f *tokenFailure) Error() string { return f.code + ": " + f.reason }

func invalidClient(status int, reason string) *tokenFailure {
	return &tokenFailure{status: status, code: "invalid_client", desc: descInvalidClient, reason: reason}
}

func invalidRequest(hint string) *tokenFailure {
	return &tokenFailure{status: http.StatusBadRequest, code: "invalid_request", desc: descInvalidRequest, hint: hint, reason: hint}
}

func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	s.tokenRequests.Add(1)
	if r.Method != http.MethodPost {
		writeLeague(w, http.StatusBadRequest, "unsupported_grant_type", descUnsupported, "Check that all required parameters have been provided")
		return
	}
	form := tokenForm(w, r)
	resp, fail := s.issueToken(form)
	if fail != nil {
		s.logf("token: %d %s (%s)", fail.status, fail.code, fail.reason)
		writeLeague(w, fail.status, fail.code, fail.desc, fail.hint)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	writeJSON(w, http.StatusOK, resp)
}

// maxFormBody bounds a form body read (token, introspection, POST _search): a token request
// with its assertion is about 1 KB.
const maxFormBody = 1 << 20

// tokenForm reads the body as PHP's $_POST would: only a form-encoded body counts; the query
// string and JSON bodies are ignored.
func tokenForm(w http.ResponseWriter, r *http.Request) map[string]string {
	out := map[string]string{}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return out
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBody) // w: close the connection when exceeded
	if err := r.ParseForm(); err != nil {
		return out
	}
	for k, v := range r.PostForm {
		if len(v) > 0 {
			out[k] = v[len(v)-1] // PHP keeps the last of repeated fields
		}
	}
	return out
}

// issueToken runs league's client_credentials grant with OpenEMR's JWT client authentication.
func (s *Server) issueToken(form map[string]string) (*tokenResponse, *tokenFailure) {
	if form["grant_type"] != "client_credentials" {
		return nil, &tokenFailure{status: http.StatusBadRequest, code: "unsupported_grant_type", desc: descUnsupported,
			hint: "Check that all required parameters have been provided", reason: fmt.Sprintf("grant_type %q", form["grant_type"])}
	}
	if form["client_assertion_type"] != AssertionType {
		return nil, invalidRequest("assertion type is not supported")
	}
	assertion := form["client_assertion"]
	if assertion == "" {
		return nil, invalidRequest("Check the `client_assertion` parameter")
	}
	c, fail := s.authenticateClient(assertion)
	if fail != nil {
		return nil, fail
	}
	requested := splitScopes(form["scope"])
	if len(requested) == 0 {
		return nil, &tokenFailure{status: http.StatusBadRequest, code: "invalid_scope", desc: descInvalidScope,
			hint: "Specify a scope in the request or set a default scope", reason: "no scope"}
	}
	for _, sc := range requested {
		if !s.knownScope(sc) {
			return nil, &tokenFailure{status: http.StatusBadRequest, code: "invalid_scope", desc: descInvalidScope,
				hint: fmt.Sprintf("Check the `%s` scope", sc), reason: fmt.Sprintf("unknown scope %q", sc)}
		}
	}
	// Known scopes the client did not register are dropped silently, as OpenEMR's
	// finalizeScopes does: the caller must compare requested with granted.
	var granted []string
	for _, sc := range requested {
		if slices.Contains(c.Scopes, sc) && !slices.Contains(granted, sc) {
			granted = append(granted, sc)
		}
	}
	if granted == nil {
		granted = []string{}
	}
	tok, err := s.mintAccessToken(c.ID, granted)
	if err != nil {
		return nil, &tokenFailure{status: http.StatusInternalServerError, code: "server_error", desc: descServerError, reason: err.Error()}
	}
	return &tokenResponse{Scope: strings.Join(granted, " "), TokenType: "Bearer",
		ExpiresIn: int64(s.opts.TokenLifetime / time.Second), AccessToken: tok}, nil
}

// assertionClaims are the claims OpenEMR looks at in a client assertion.
type assertionClaims struct {
	jwt.Claims
}

// authenticateClient validates the client assertion and returns the client it names.
func (s *Server) authenticateClient(assertion string) (client, *tokenFailure) {
	allAlgs := []jose.SignatureAlgorithm{jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.PS384, jose.PS512,
		jose.ES256, jose.ES384, jose.ES512, jose.EdDSA, jose.HS256, jose.HS384, jose.HS512}
	tok, err := jwt.ParseSigned(assertion, allAlgs)
	if err != nil {
		return client{}, invalidClient(http.StatusBadRequest, "assertion is not a signed JWT: "+err.Error())
	}
	var unverified assertionClaims
	if err := tok.UnsafeClaimsWithoutVerification(&unverified); err != nil {
		return client{}, invalidClient(http.StatusBadRequest, "assertion claims unreadable: "+err.Error())
	}
	c, ok := s.lookupClient(unverified.Subject)
	switch {
	case !ok:
		return client{}, invalidClient(http.StatusUnauthorized, fmt.Sprintf("no client %q (the assertion's sub)", unverified.Subject))
	case c.AppType != "private":
		return client{}, invalidClient(http.StatusUnauthorized, "client "+c.ID+" is public, not confidential")
	case !c.Enabled:
		return client{}, invalidClient(http.StatusUnauthorized, "client "+c.ID+" is disabled: an admin must enable it (Admin > System > API Clients)")
	}
	key, err := s.clientKey(c)
	if errors.Is(err, errJWKSNotJSON) {
		return client{}, &tokenFailure{status: http.StatusInternalServerError, code: "server_error", desc: descServerError,
			reason: err.Error()}
	}
	if err != nil {
		return client{}, invalidClient(http.StatusUnauthorized, err.Error())
	}
	if len(tok.Headers) != 1 {
		return client{}, invalidClient(http.StatusBadRequest, "assertion is not a compact JWS")
	}
	if alg := tok.Headers[0].Algorithm; alg != string(jose.RS384) {
		return client{}, invalidClient(http.StatusBadRequest, fmt.Sprintf("assertion alg is %q; OpenEMR accepts only RS384", alg))
	}
	var claims assertionClaims
	if err := tok.Claims(key, &claims); err != nil {
		return client{}, invalidClient(http.StatusBadRequest, "signature does not verify with the first RSA key of the client's key set (kid is ignored): "+err.Error())
	}
	if fail := s.checkAssertionClaims(c, claims); fail != nil {
		return client{}, fail
	}
	return c, nil
}

// checkAssertionClaims applies the claim checks of the server's flavor, then records the jti.
func (s *Server) checkAssertionClaims(c client, cl assertionClaims) *tokenFailure {
	now := s.clock()
	if s.opts.Flavor != Flavor702 {
		// 7.0.4+ checks of its own, with hints, before the generic ones.
		switch {
		case cl.Issuer != c.ID:
			return invalidRequest("Invalid issuer claim")
		case cl.ID == "":
			return invalidRequest("Missing jti claim")
		case cl.Expiry != nil && cl.Expiry.Time().After(now.Add(24*time.Hour)):
			return invalidRequest("Token expiration exceeds maximum allowed time")
		case cl.IssuedAt != nil && cl.IssuedAt.Time().Before(now.Add(-5*time.Minute)):
			return invalidRequest("Token issued too far in the past")
		}
	}
	bad := func(reason string) *tokenFailure { return invalidClient(http.StatusBadRequest, reason) }
	switch {
	case cl.Issuer != c.ID:
		return bad(fmt.Sprintf("iss %q is not the client id", cl.Issuer))
	case !cl.Audience.Contains(s.TokenURL()):
		return bad(fmt.Sprintf("aud %q does not contain exactly the token URL %s", []string(cl.Audience), s.TokenURL()))
	case cl.Expiry != nil && now.After(cl.Expiry.Time().Add(clockLeeway)):
		return bad(fmt.Sprintf("assertion expired at %s (server time %s, 60 s leeway)", cl.Expiry.Time().UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	case cl.NotBefore != nil && now.Add(clockLeeway).Before(cl.NotBefore.Time()):
		return bad(fmt.Sprintf("assertion not valid before %s (server time %s)", cl.NotBefore.Time().UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	case cl.IssuedAt != nil && now.Add(clockLeeway).Before(cl.IssuedAt.Time()):
		return bad(fmt.Sprintf("assertion issued in the future, %s (server time %s)", cl.IssuedAt.Time().UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339)))
	case cl.ID == "":
		return bad("missing jti")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, used := s.jtis[cl.ID]; used {
		return bad(fmt.Sprintf("jti %q was already used", cl.ID))
	}
	s.jtis[cl.ID] = now
	return nil
}

// accessClaims are the claims of the access tokens the server issues.
type accessClaims struct {
	jwt.Claims
	Scopes []string `json:"scopes"`
}

// mintAccessToken signs an RS256 JWT access token with the server key.
func (s *Server) mintAccessToken(clientID string, scopes []string) (string, error) {
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: s.key},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", s.keyID))
	if err != nil {
		return "", err
	}
	now := s.clock()
	return jwt.Signed(signer).Claims(accessClaims{
		Claims: jwt.Claims{
			Audience:  jwt.Audience{clientID},
			Subject:   s.sysUser,
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(now),
			Expiry:    jwt.NewNumericDate(now.Add(s.opts.TokenLifetime)),
			ID:        randomToken(40),
		},
		Scopes: scopes,
	}).Serialize()
}

// verifyAccessToken checks a bearer token: signature, expiry (no leeway), a client that still
// exists and is enabled. It returns the granted scopes.
func (s *Server) verifyAccessToken(raw string) (accessClaims, error) {
	tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return accessClaims{}, err
	}
	var cl accessClaims
	if err := tok.Claims(&s.key.PublicKey, &cl); err != nil {
		return accessClaims{}, err
	}
	if err := cl.ValidateWithLeeway(jwt.Expected{Time: s.clock()}, 0); err != nil {
		return accessClaims{}, err
	}
	if len(cl.Audience) != 1 {
		return accessClaims{}, errors.New("bad audience")
	}
	c, ok := s.lookupClient(cl.Audience[0])
	if !ok || !c.Enabled {
		return accessClaims{}, errors.New("client gone or disabled")
	}
	return cl, nil
}
