package fhirtest

import (
	"net/http"
	"strings"
)

// handleIntrospect answers RFC 7662 introspection for the server's access tokens. OpenEMR
// requires client authentication here; the sandbox accepts the client_id of the token's own
// client (form field) and answers inactive for anything else.
func (s *Server) handleIntrospect(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		writeLeague(w, http.StatusBadRequest, "invalid_request", descInvalidRequest, "Introspection requires POST")
		return
	}
	form := tokenForm(w, r)
	tok := form["token"]
	if tok == "" {
		writeLeague(w, http.StatusBadRequest, "invalid_request", descInvalidRequest, "Check the `token` parameter")
		return
	}
	cl, err := s.verifyAccessToken(tok)
	if err != nil || (form["client_id"] != "" && form["client_id"] != cl.Audience[0]) {
		writeJSON(w, http.StatusOK, map[string]any{"active": false})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"active":     true,
		"scope":      strings.Join(cl.Scopes, " "),
		"client_id":  cl.Audience[0],
		"token_type": "access_token",
		"exp":        cl.Expiry.Time().Unix(),
		"iat":        cl.IssuedAt.Time().Unix(),
		"sub":        cl.Subject,
		"aud":        cl.Audience[0],
		"iss":        s.AuthBase(),
		"jti":        cl.ID,
	})
}

// logf writes to Options.Log when set: the "server log" where OpenEMR puts the real reason
// behind an opaque invalid_client.
func (s *Server) logf(format string, args ...any) {
	if s.opts.Log != nil {
		s.opts.Log(format, args...)
	}
}
