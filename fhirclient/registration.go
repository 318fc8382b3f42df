package fhirclient

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// PlaceholderRedirectURI fills redirect_uris, which OpenEMR requires even of system clients
// that never redirect anywhere.
const PlaceholderRedirectURI = "https://localhost/fhirscope/unused-redirect"

// RegistrationRequest is what a system client registers with (RFC 7591, as OpenEMR takes it).
type RegistrationRequest struct {
	ClientName string
	Scopes     []string
	// JWKS is the public key set inline ({"keys":[...]}); JWKSURI is the alternative.
	JWKS     []byte
	JWKSURI  string
	Contacts []string
}

// Registration is the server's answer to a successful registration.
type Registration struct {
	ClientID string
	// Endpoint is the registration URL used, and Source how it was found.
	Endpoint, Source string
	// AuthMethodSent says whether token_endpoint_auth_method was sent (OpenEMR 7.0.2/7.0.3
	// reject it, so it is left out for servers that do not advertise auth methods).
	AuthMethodSent bool
	// HasSecret says the server also issued a client secret and a registration access token;
	// fhirscope neither keeps nor shows them (a private_key_jwt client does not use a secret).
	HasSecret bool
}

// RegistrationError is a refused registration: OpenEMR answers 400 with
// invalid_client_metadata, invalid_redirect_uri or invalid_scope.
type RegistrationError struct {
	Status            int
	Code, Description string
	Endpoint, Excerpt string
}

func (e *RegistrationError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("registration at %s failed: HTTP %d", e.Endpoint, e.Status)
	}
	return fmt.Sprintf("registration at %s failed: HTTP %d %s: %s", e.Endpoint, e.Status, e.Code, e.Description)
}

// Explain says what to change before registering again.
func (e *RegistrationError) Explain() Explanation {
	d := strings.ToLower(e.Description)
	switch {
	case e.Status == http.StatusNotFound || e.Status == http.StatusMethodNotAllowed:
		return Explanation{Cause: "the server has no registration endpoint at " + e.Endpoint,
			Fix: "register the client by hand in the server's admin pages (OpenEMR: Admin > System > API Clients), then set its client ID in the profile"}
	case e.Code == "invalid_scope":
		return Explanation{Cause: "the server does not know one of the scopes asked for: " + e.Description,
			Fix: "remove that scope from the profile; OpenEMR 7.0.2/7.0.3 take only v1 forms (system/Patient.read) and no wildcards"}
	case e.Code == "invalid_redirect_uri":
		return Explanation{Cause: "the server refused the redirect URI: " + e.Description,
			Fix: "OpenEMR wants at least one https redirect URI even for system clients; report this as a fhirscope bug"}
	case strings.Contains(d, "jwks"):
		return Explanation{Cause: "the server refused the public key set: " + e.Description,
			Fix: "export the public JWKS again (fhirscope profile export-jwks) and make sure it holds an RSA key with n and e"}
	case strings.Contains(d, "confidential"):
		return Explanation{Cause: e.Description, Fix: "system scopes need a confidential client with a JWKS; register with the public JWKS"}
	case strings.Contains(d, "token_endpoint_auth_method") || strings.Contains(d, "auth method"):
		return Explanation{Cause: "the server refused token_endpoint_auth_method: " + e.Description,
			Fix: "this server predates private_key_jwt metadata (OpenEMR 7.0.2/7.0.3); fhirscope leaves it out when smart-configuration lists no auth methods"}
	}
	return Explanation{Cause: fmt.Sprintf("the server refused the registration (HTTP %d): %s %s", e.Status, e.Code, e.Description),
		Fix: "check the profile's scopes and key, or register the client by hand under Admin > System > API Clients"}
}

// Register registers a confidential system client with the server's dynamic registration
// endpoint: from smart-configuration, else openid-configuration (OpenEMR 7.0.4+ moved it
// there), else OpenEMR's /oauth2/{site}/registration. No token is involved.
func (c *Client) Register(ctx context.Context, req RegistrationRequest) (*Registration, error) {
	sc, err := c.Discover(ctx)
	if err != nil {
		return nil, err
	}
	endpoint, source := c.registrationEndpoint(ctx, sc)
	if endpoint == "" {
		return nil, &RegistrationError{Endpoint: "(none)", Status: http.StatusNotFound,
			Description: "no registration endpoint advertised or derivable"}
	}
	body := map[string]any{
		"application_type": "private",
		"client_name":      req.ClientName,
		"redirect_uris":    []string{PlaceholderRedirectURI},
		"scope":            strings.Join(req.Scopes, " "),
	}
	// OpenEMR 7.0.2/7.0.3 reject token_endpoint_auth_method and do not advertise auth methods;
	// servers that advertise private_key_jwt get it stated explicitly.
	sendMethod := len(sc.TokenAuthMethods) > 0 && sc.SupportsPrivateKeyJWT()
	if sendMethod {
		body["token_endpoint_auth_method"] = "private_key_jwt"
	}
	if req.JWKSURI != "" {
		body["jwks_uri"] = req.JWKSURI
	} else if len(req.JWKS) > 0 {
		if !json.Valid(req.JWKS) {
			return nil, fmt.Errorf("fhirclient: the public JWKS to register is not JSON")
		}
		body["jwks"] = json.RawMessage(req.JWKS)
	}
	if len(req.Contacts) > 0 {
		body["contacts"] = req.Contacts
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	resp, err := c.Exchange(ctx, http.MethodPost, endpoint, http.Header{"Content-Type": {"application/json"}}, raw)
	if err != nil {
		return nil, err
	}
	return parseRegistration(resp, endpoint, source, sendMethod)
}

func parseRegistration(resp *Response, endpoint, source string, sentMethod bool) (*Registration, error) {
	var out struct {
		ClientID                string `json:"client_id"`
		ClientSecret            string `json:"client_secret"`
		RegistrationAccessToken string `json:"registration_access_token"`
	}
	if resp.Status/100 != 2 {
		e := &RegistrationError{Status: resp.Status, Endpoint: endpoint, Excerpt: truncate(string(resp.Body), 300)}
		if oe, ok := ParseOAuthError(resp.Body); ok {
			e.Code, e.Description = oe.Error, oe.Description
			if e.Description == "" {
				e.Description = oe.Message
			}
		}
		return nil, e
	}
	if err := json.Unmarshal(resp.Body, &out); err != nil || out.ClientID == "" {
		return nil, &RegistrationError{Status: resp.Status, Endpoint: endpoint, Excerpt: truncate(string(resp.Body), 300),
			Description: "the answer holds no client_id"}
	}
	return &Registration{ClientID: out.ClientID, Endpoint: endpoint, Source: source, AuthMethodSent: sentMethod,
		HasSecret: out.ClientSecret != "" || out.RegistrationAccessToken != ""}, nil
}

// registrationEndpoint finds where to register, and says where it found it.
func (c *Client) registrationEndpoint(ctx context.Context, sc *SmartConfig) (endpoint, source string) {
	if sc.RegistrationEndpoint != "" {
		return sc.RegistrationEndpoint, sc.Source
	}
	authBase := strings.TrimSuffix(sc.TokenEndpoint, "/token")
	if authBase == sc.TokenEndpoint {
		return "", ""
	}
	resp, err := c.Exchange(ctx, http.MethodGet, authBase+"/.well-known/openid-configuration", nil, nil)
	if err == nil && resp.Status == http.StatusOK {
		var oc struct {
			RegistrationEndpoint string `json:"registration_endpoint"`
		}
		if json.Unmarshal(resp.Body, &oc) == nil && oc.RegistrationEndpoint != "" {
			return oc.RegistrationEndpoint, "openid-configuration"
		}
	}
	return authBase + "/registration", SourceDerived
}
