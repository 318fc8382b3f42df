package fhirclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Where a SmartConfig came from (SmartConfig.Source).
const (
	SourceSmartConfiguration = "smart-configuration"  // {base}/.well-known/smart-configuration
	SourceCapability         = "capability-statement" // the oauth-uris extension of /metadata
	SourceDerived            = "derived"              // OpenEMR's layout: /apis/{site}/fhir -> /oauth2/{site}/token
)

// SmartConfig is the server's SMART configuration, as discovered.
type SmartConfig struct {
	TokenEndpoint, AuthorizationEndpoint, RegistrationEndpoint, IntrospectionEndpoint string
	JWKSURI, Issuer                                                                   string
	ScopesSupported                                                                   []string
	// ScopesNested is true when scopes_supported came as an array inside an array (an
	// OpenEMR bug present in every version).
	ScopesNested                               bool
	Capabilities, TokenAuthMethods, GrantTypes []string
	// Source says which of the three discovery steps produced this configuration.
	Source string
	// Notes say why earlier steps were skipped, e.g. "smart-configuration: HTTP 404".
	Notes []string
}

// SupportsPrivateKeyJWT is true unless the server lists auth methods without private_key_jwt
// (OpenEMR before 7.0.4 lists none, yet supports it).
func (s *SmartConfig) SupportsPrivateKeyJWT() bool {
	return len(s.TokenAuthMethods) == 0 || slices.Contains(s.TokenAuthMethods, "private_key_jwt")
}

// discoveryCache keeps one SmartConfig per base URL for the process, so every client, the
// doctor and the UI share one discovery per server.
var discoveryCache sync.Map // base URL -> *SmartConfig

// Discover returns the SMART configuration of the base as the server advertises it, from
// the cache when it has one. It ignores WithTokenURL (TokenEndpoint applies that), so the
// doctor can compare the override with what the server says.
func (c *Client) Discover(ctx context.Context) (*SmartConfig, error) {
	if v, ok := discoveryCache.Load(c.baseStr); ok {
		return v.(*SmartConfig), nil
	}
	return c.Rediscover(ctx)
}

// Rediscover discovers again, ignoring and replacing the cached configuration.
func (c *Client) Rediscover(ctx context.Context) (*SmartConfig, error) {
	sc, err := c.discover(ctx)
	if err != nil {
		return nil, err
	}
	// Worth a warning, not a refusal: auth servers may live elsewhere, and the assertion is
	// bound to its audience. A downgrade to plain HTTP is another matter for the user to see.
	if o := originOf(sc.TokenEndpoint); o != c.origin {
		sc.Notes = append(sc.Notes, "the token endpoint is on another origin ("+o+") than the FHIR base")
	}
	if strings.HasPrefix(sc.TokenEndpoint, "http://") && c.base.Scheme == "https" {
		sc.Notes = append(sc.Notes, "the token endpoint is plain HTTP although the FHIR base is HTTPS")
	}
	discoveryCache.Store(c.baseStr, sc)
	return sc, nil
}

func (c *Client) discover(ctx context.Context) (*SmartConfig, error) {
	var notes []string
	in, err := c.getPublic(ctx, ".well-known/smart-configuration", "application/json")
	if err != nil {
		return nil, err
	}
	if e := c.wrongBase(in); e != nil {
		return nil, e
	}
	if in.status == http.StatusOK {
		sc, perr := parseSmartConfig(in.body)
		if perr == nil {
			sc.Source = SourceSmartConfiguration
			return c.absolutize(sc), nil
		}
		notes = append(notes, "smart-configuration: "+perr.Error())
	} else {
		notes = append(notes, fmt.Sprintf("smart-configuration: HTTP %d", in.status))
	}

	caps, err := c.Metadata(ctx)
	switch {
	case err == nil:
		if caps.OAuth.Token != "" {
			o := caps.OAuth
			return c.absolutize(&SmartConfig{TokenEndpoint: o.Token, AuthorizationEndpoint: o.Authorize,
				RegistrationEndpoint: o.Register, IntrospectionEndpoint: o.Introspect,
				Source: SourceCapability, Notes: notes}), nil
		}
		notes = append(notes, "metadata: no oauth-uris extension")
	case isBaseURLError(err):
		return nil, err
	case isNetworkError(err):
		return nil, err
	default:
		notes = append(notes, "metadata: "+err.Error())
	}

	if tok := deriveOpenEMRTokenURL(c.origin, c.base.Path); tok != "" {
		root := strings.TrimSuffix(tok, "/token")
		return &SmartConfig{TokenEndpoint: tok, AuthorizationEndpoint: root + "/authorize",
			RegistrationEndpoint: root + "/registration", IntrospectionEndpoint: root + "/introspect",
			JWKSURI: root + "/jwk", Source: SourceDerived, Notes: notes}, nil
	}
	return nil, &BaseURLError{Base: c.baseStr,
		Reason: "the server advertises no token endpoint (" + strings.Join(notes, "; ") + "); set the token URL explicitly"}
}

// absolutize resolves endpoints given as paths ("/oauth2/default/token") against the base:
// the token request needs an absolute URL, and its aud must be that URL exactly.
func (c *Client) absolutize(sc *SmartConfig) *SmartConfig {
	for _, p := range []*string{&sc.TokenEndpoint, &sc.AuthorizationEndpoint, &sc.RegistrationEndpoint,
		&sc.IntrospectionEndpoint, &sc.JWKSURI} {
		if *p == "" {
			continue
		}
		if u, err := url.Parse(*p); err == nil && !u.IsAbs() {
			*p = c.base.ResolveReference(u).String()
		}
	}
	return sc
}

// getPublic GETs a path under the base without a token.
func (c *Client) getPublic(ctx context.Context, path, accept string) (*incoming, error) {
	u, err := c.resolve(path)
	if err != nil {
		return nil, err
	}
	return c.send(ctx, outgoing{method: http.MethodGet, url: u, header: http.Header{"Accept": {accept}}})
}

// wrongBase recognises OpenEMR's answer to a base without the site segment: an empty 400.
func (c *Client) wrongBase(in *incoming) error {
	if in.status != http.StatusBadRequest || shapeOf(in.body) != shapeEmpty {
		return nil
	}
	return &BaseURLError{Base: c.baseStr, Status: in.status,
		Reason:     "the server answered an empty 400, which is how OpenEMR answers a base URL without the site segment",
		Suggestion: suggestOpenEMRBase(c.origin, c.base.Path)}
}

var openEMRBase = regexp.MustCompile(`^(.*)/apis/([^/]+)/fhir$`)

// deriveOpenEMRTokenURL maps {origin}{webroot}/apis/{site}/fhir to
// {origin}{webroot}/oauth2/{site}/token; "" for any other layout.
func deriveOpenEMRTokenURL(origin, path string) string {
	m := openEMRBase.FindStringSubmatch(path)
	if m == nil {
		return ""
	}
	return origin + m[1] + "/oauth2/" + m[2] + "/token"
}

// suggestOpenEMRBase guesses the base the user meant, with the usual "default" site.
func suggestOpenEMRBase(origin, path string) string {
	if openEMRBase.MatchString(path) {
		return ""
	}
	if i := strings.Index(path, "/apis"); i >= 0 {
		return origin + path[:i] + "/apis/default/fhir"
	}
	return origin + strings.TrimSuffix(path, "/fhir") + "/apis/default/fhir"
}

func parseSmartConfig(body []byte) (*SmartConfig, error) {
	var raw struct {
		TokenEndpoint         string          `json:"token_endpoint"`
		AuthorizationEndpoint string          `json:"authorization_endpoint"`
		RegistrationEndpoint  string          `json:"registration_endpoint"`
		IntrospectionEndpoint string          `json:"introspection_endpoint"`
		JWKSURI               string          `json:"jwks_uri"`
		Issuer                string          `json:"issuer"`
		Scopes                json.RawMessage `json:"scopes_supported"`
		Capabilities          []string        `json:"capabilities"`
		TokenAuthMethods      []string        `json:"token_endpoint_auth_methods_supported"`
		GrantTypes            []string        `json:"grant_types_supported"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("not a JSON object (%s)", shapeName(shapeOf(body)))
	}
	if raw.TokenEndpoint == "" {
		return nil, fmt.Errorf("no token_endpoint")
	}
	scopes, nested := flattenScopes(raw.Scopes)
	return &SmartConfig{
		TokenEndpoint: raw.TokenEndpoint, AuthorizationEndpoint: raw.AuthorizationEndpoint,
		RegistrationEndpoint: raw.RegistrationEndpoint, IntrospectionEndpoint: raw.IntrospectionEndpoint,
		JWKSURI: raw.JWKSURI, Issuer: raw.Issuer, ScopesSupported: scopes, ScopesNested: nested,
		Capabilities: raw.Capabilities, TokenAuthMethods: raw.TokenAuthMethods, GrantTypes: raw.GrantTypes,
	}, nil
}

// flattenScopes accepts a flat array of strings or arrays nested to any depth (OpenEMR sends
// [[...]]); nested reports whether any nesting was seen. Non-strings are skipped.
func flattenScopes(raw json.RawMessage) (scopes []string, nested bool) {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return nil, false
	}
	var walk func(v any, depth int)
	walk = func(v any, depth int) {
		switch x := v.(type) {
		case string:
			scopes = append(scopes, strings.Fields(x)...)
		case []any:
			if depth > 0 {
				nested = true
			}
			if depth < 8 {
				for _, e := range x {
					walk(e, depth+1)
				}
			}
		}
	}
	walk(v, 0)
	return scopes, nested
}

func shapeName(s bodyShape) string {
	switch s {
	case shapeEmpty:
		return "empty body"
	case shapeHTML:
		return "an HTML page"
	case shapeJSON:
		return "JSON"
	}
	return "not JSON"
}
