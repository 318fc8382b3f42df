package fhirtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// client is a registered OAuth client.
type client struct {
	ID, Secret, Name   string
	AppType            string // "private" (confidential) or "public"
	Scopes             []string
	JWKS               []byte // stored key set, raw JSON
	JWKSURI            string
	Enabled            bool
	RegistrationToken  string
	RedirectURIs       []string
	IssuedAt           time.Time
	TokenEndpointAuthM string
}

// ClientRegistration registers a client directly (same checks and effect as POST /registration).
type ClientRegistration struct {
	Name    string
	Scopes  []string
	JWKS    []byte // a JWK Set as JSON ({"keys":[...]}); or use JWKSURI
	JWKSURI string
	Enabled bool // skip the admin's enable step
}

// RegistrationError is a registration rejected the way OpenEMR rejects it.
type RegistrationError struct {
	Status      int
	Code        string // invalid_client_metadata, invalid_redirect_uri, invalid_scope
	Description string
}

func (e *RegistrationError) Error() string { return e.Code + ": " + e.Description }

// RegistrationRequest is the JSON body of POST /registration (RFC 7591 plus OpenEMR's use).
type RegistrationRequest struct {
	ApplicationType         string          `json:"application_type"`
	ClientName              string          `json:"client_name"`
	RedirectURIs            []string        `json:"redirect_uris"`
	PostLogoutRedirectURIs  []string        `json:"post_logout_redirect_uris,omitempty"`
	Scope                   string          `json:"scope"`
	JWKSURI                 string          `json:"jwks_uri,omitempty"`
	JWKS                    json.RawMessage `json:"jwks,omitempty"`
	TokenEndpointAuthMethod string          `json:"token_endpoint_auth_method,omitempty"`
	Contacts                []string        `json:"contacts,omitempty"`
	InitiateLoginURI        string          `json:"initiate_login_uri,omitempty"`
}

// maxRegistrationBody bounds the registration body read (a JWKS with a few keys is ~2 KB).
const maxRegistrationBody = 1 << 20

// ParseRegistration decodes and validates a registration body as the given flavor does. It is
// the parser for outside input that the fuzz target exercises.
func ParseRegistration(flavor Flavor, contentType string, body []byte) (*RegistrationRequest, *RegistrationError) {
	bad := func(code, desc string) (*RegistrationRequest, *RegistrationError) {
		return nil, &RegistrationError{Status: http.StatusBadRequest, Code: code, Description: desc}
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "application/json" {
		return bad("invalid_client_metadata", "Unexpected content type")
	}
	var req RegistrationRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		return bad("invalid_client_metadata", "Invalid JSON body: "+err.Error())
	}
	if len(req.RedirectURIs) == 0 {
		return bad("invalid_redirect_uri", "redirect_uris is invalid")
	}
	for _, u := range req.RedirectURIs {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme == "" || pu.Host == "" {
			return bad("invalid_redirect_uri", "redirect_uris is invalid")
		}
	}
	if req.TokenEndpointAuthMethod != "" && flavor == Flavor702 {
		return bad("invalid_client_metadata", "token_endpoint_auth_method is invalid")
	}
	switch req.TokenEndpointAuthMethod {
	case "", "private_key_jwt", "client_secret_basic", "client_secret_post":
	default:
		return bad("invalid_client_metadata", "token_endpoint_auth_method is invalid")
	}
	if req.ApplicationType == "" {
		req.ApplicationType = "private"
	}
	if req.ApplicationType != "private" && req.ApplicationType != "public" {
		return bad("invalid_client_metadata", "application_type is invalid")
	}
	if len(req.JWKS) > 0 && string(req.JWKS) != "null" {
		if err := checkJWKSObject(req.JWKS); err != nil {
			return bad("invalid_client_metadata", "jwks is invalid")
		}
	}
	if req.JWKSURI != "" {
		pu, err := url.Parse(req.JWKSURI)
		if err != nil || (pu.Scheme != "http" && pu.Scheme != "https") || pu.Host == "" {
			return bad("invalid_client_metadata", "jwks_uri is invalid")
		}
	}
	if req.ApplicationType == "public" {
		for _, sc := range splitScopes(req.Scope) {
			if strings.HasPrefix(sc, "system/") || strings.HasPrefix(sc, "user/") {
				return bad("invalid_client_metadata", "system and user scopes are only allowed for confidential clients")
			}
		}
	}
	return &req, nil
}

// checkJWKSObject requires a JSON object with a "keys" array, as OpenEMR's registration does.
func checkJWKSObject(raw []byte) error {
	var set struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return err
	}
	if set.Keys == nil {
		return errors.New("missing keys")
	}
	return nil
}

func (s *Server) handleRegistration(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeLeague(w, http.StatusMethodNotAllowed, "invalid_request", "Registration requires POST", "")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRegistrationBody+1))
	if err != nil || len(body) > maxRegistrationBody {
		writeRegistrationError(w, &RegistrationError{http.StatusBadRequest, "invalid_client_metadata", "Request body too large or unreadable"})
		return
	}
	req, rerr := ParseRegistration(s.opts.Flavor, r.Header.Get("Content-Type"), body)
	if rerr != nil {
		writeRegistrationError(w, rerr)
		return
	}
	c, rerr := s.register(req, s.opts.AutoEnable)
	if rerr != nil {
		writeRegistrationError(w, rerr)
		return
	}
	if s.opts.OnRegister != nil {
		s.opts.OnRegister(c.ID, c.Name, c.Enabled)
	}
	resp := map[string]any{
		"client_id":                  c.ID,
		"client_secret":              c.Secret,
		"registration_access_token":  c.RegistrationToken,
		"registration_client_uri":    s.AuthBase() + "/client/" + c.ID,
		"client_id_issued_at":        c.IssuedAt.Unix(),
		"client_secret_expires_at":   0,
		"application_type":           req.ApplicationType,
		"client_name":                req.ClientName,
		"redirect_uris":              req.RedirectURIs,
		"post_logout_redirect_uris":  req.PostLogoutRedirectURIs,
		"initiate_login_uri":         req.InitiateLoginURI,
		"contacts":                   req.Contacts,
		"scope":                      strings.Join(c.Scopes, " "),
		"jwks_uri":                   req.JWKSURI,
		"token_endpoint_auth_method": req.TokenEndpointAuthMethod,
	}
	if len(c.JWKS) > 0 {
		resp["jwks"] = json.RawMessage(c.JWKS)
	}
	if c.AppType == "public" {
		delete(resp, "client_secret")
	}
	writeJSON(w, http.StatusOK, resp)
}

func writeRegistrationError(w http.ResponseWriter, e *RegistrationError) {
	writeJSON(w, e.Status, map[string]string{"error": e.Code, "error_description": e.Description})
}

// register stores a validated registration. Unknown scopes are rejected with invalid_scope.
func (s *Server) register(req *RegistrationRequest, enabled bool) (*client, *RegistrationError) {
	scopes := splitScopes(req.Scope)
	for _, sc := range scopes {
		if !s.knownScope(sc) {
			return nil, &RegistrationError{http.StatusBadRequest, "invalid_scope", fmt.Sprintf("Check the `%s` scope", sc)}
		}
	}
	c := &client{
		ID:                 randomToken(32),
		Secret:             randomToken(64),
		Name:               req.ClientName,
		AppType:            req.ApplicationType,
		Scopes:             scopes,
		JWKSURI:            req.JWKSURI,
		Enabled:            enabled,
		RegistrationToken:  randomToken(32),
		RedirectURIs:       req.RedirectURIs,
		IssuedAt:           s.clock(),
		TokenEndpointAuthM: req.TokenEndpointAuthMethod,
	}
	if len(req.JWKS) > 0 && string(req.JWKS) != "null" {
		c.JWKS = append([]byte(nil), req.JWKS...)
	}
	s.mu.Lock()
	s.clients[c.ID] = c
	s.mu.Unlock()
	return c, nil
}

// RegisterClient registers a confidential client directly and returns its id.
func (s *Server) RegisterClient(reg ClientRegistration) (string, error) {
	body, err := json.Marshal(RegistrationRequest{
		ApplicationType: "private", ClientName: reg.Name, RedirectURIs: []string{"https://localhost/callback"},
		Scope: strings.Join(reg.Scopes, " "), JWKSURI: reg.JWKSURI, JWKS: reg.JWKS,
	})
	if err != nil {
		return "", err
	}
	req, rerr := ParseRegistration(s.opts.Flavor, "application/json", body)
	if rerr != nil {
		return "", rerr
	}
	c, rerr := s.register(req, reg.Enabled)
	if rerr != nil {
		return "", rerr
	}
	return c.ID, nil
}

// Enable enables a registered client: the admin's step under Admin > System > API Clients.
func (s *Server) Enable(clientID string) error { return s.setEnabled(clientID, true) }

// Disable disables a client again.
func (s *Server) Disable(clientID string) error { return s.setEnabled(clientID, false) }

func (s *Server) setEnabled(clientID string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[clientID]
	if !ok {
		return fmt.Errorf("fhirtest: no client %q", clientID)
	}
	c.Enabled = on
	return nil
}

// ClientScopes returns the scopes a client registered, or nil if it does not exist.
func (s *Server) ClientScopes(clientID string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[clientID]; ok {
		return append([]string(nil), c.Scopes...)
	}
	return nil
}

func (s *Server) lookupClient(id string) (client, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.clients[id]
	if !ok {
		return client{}, false
	}
	return *c, true
}
