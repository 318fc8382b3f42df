package fhirtest

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// SystemReadScopes returns the scopes a full-access backend client of this server registers:
// system/<Type>.read for every served type plus the bulk export operation scopes (empty when
// the admin disabled system scopes).
func (s *Server) SystemReadScopes() []string {
	if !s.systemScopesEnabled() {
		return nil
	}
	var out []string
	for _, t := range s.servedTypes() {
		out = append(out, "system/"+t.Name+".read")
	}
	return append(out, systemOperationScopes...)
}

// PublicJWKS returns a JWK Set holding only the public half of key (never d, p, q, dp, dq, qi),
// with alg RS384 and a kid derived from the modulus.
func PublicJWKS(key *rsa.PublicKey) []byte {
	b, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "n": b64uInt(key.N), "e": b64uInt(bigInt(key.E)),
		"alg": "RS384", "use": "sig", "kid": keyID(key),
	}}})
	return b
}

// RegistrationBody builds the JSON a SMART backend client POSTs to this flavor's registration
// endpoint: a confidential ("private") client with an https redirect URI (required even for
// system clients), the scopes, the public jwks, and token_endpoint_auth_method only where the
// flavor accepts it (7.0.2/7.0.3 reject it).
func RegistrationBody(flavor Flavor, name string, scopes []string, jwks []byte) []byte {
	if f, err := ParseFlavor(string(flavor)); err == nil {
		flavor = f // "openemr-7.0.3" must omit token_endpoint_auth_method too
	}
	body := map[string]any{
		"application_type": "private",
		"client_name":      name,
		"redirect_uris":    []string{"https://localhost/fhirscope/callback"},
		"scope":            strings.Join(scopes, " "),
		"jwks":             json.RawMessage(jwks),
		"contacts":         []string{"fhirscope@localhost"},
	}
	if flavor != Flavor702 {
		body["token_endpoint_auth_method"] = "private_key_jwt"
	}
	b, _ := json.Marshal(body)
	return b
}

// RegisterOverHTTP registers a client through the server's own registration endpoint, over
// HTTP exactly as an outside client would, and returns the client id. The server must be
// listening at its origin. The client starts disabled: call Enable (the admin's step).
func (s *Server) RegisterOverHTTP(ctx context.Context, hc *http.Client, name string, scopes []string, pub *rsa.PublicKey) (string, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	body := RegistrationBody(s.opts.Flavor, name, scopes, PublicJWKS(pub))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.AuthBase()+"/registration", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("registration: HTTP %d: %s", resp.StatusCode, bytes.TrimSpace(raw))
	}
	var out struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal(raw, &out); err != nil || out.ClientID == "" {
		return "", fmt.Errorf("registration: unexpected answer: %.200s", raw)
	}
	return out.ClientID, nil
}
