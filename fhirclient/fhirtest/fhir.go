package fhirtest

import (
	"net/http"
	"strings"
)

// serveFHIR routes {fhir}/...: the open endpoints first, then the bearer-protected API.
func (s *Server) serveFHIR(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(r.PathValue("rest"), "/")
	switch {
	case rest == "metadata":
		s.handleMetadata(w, r)
		return
	case rest == ".well-known/smart-configuration":
		s.handleSmartConfig(w, r)
		return
	case rest == "OperationDefinition" || strings.HasPrefix(rest, "OperationDefinition/"):
		s.handleOperationDefinition(w, r, strings.TrimPrefix(strings.TrimPrefix(rest, "OperationDefinition"), "/"))
		return
	}
	claims, ok := s.checkBearer(w, r)
	if !ok {
		return
	}
	parts := strings.Split(rest, "/")
	if s.serveBulk(w, r, claims.Scopes, parts) {
		return
	}
	def, known := s.typeDef(parts[0])
	if rest == "" || !known || len(parts) > 2 || (len(parts) == 2 && parts[1] == "") {
		s.writeNotFound(w, "Resource type or operation not supported: "+rest)
		return
	}
	search := len(parts) == 1 || parts[1] == "_search"
	if search && def.ReadOnly {
		s.writeNotFound(w, def.Name+" supports read only")
		return
	}
	allowed, categories := scopeAllows(claims.Scopes, def.Name, search)
	if !allowed {
		s.writeScopeMissing(w)
		return
	}
	if r.Method != http.MethodGet && !(r.Method == http.MethodPost && parts[len(parts)-1] == "_search") {
		w.Header().Set("Allow", "GET")
		s.writeFHIR(w, http.StatusMethodNotAllowed, operationOutcome("error", "not-supported", "method not allowed"))
		return
	}
	if search {
		s.handleSearch(w, r, def, categories)
		return
	}
	s.handleRead(w, def, parts[1], categories)
}

// checkBearer verifies the Authorization header, answering the 401 itself when it fails.
func (s *Server) checkBearer(w http.ResponseWriter, r *http.Request) (accessClaims, bool) {
	auth := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(auth, " ")
	if auth == "" || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		writeLeague(w, http.StatusUnauthorized, "access_denied", descAccessDenied, `Missing "Authorization" header`)
		return accessClaims{}, false
	}
	cl, err := s.verifyAccessToken(strings.TrimSpace(tok))
	if err != nil {
		s.logf("bearer: %v", err)
		writeLeague(w, http.StatusUnauthorized, "access_denied", descAccessDenied, "Access token could not be verified")
		return accessClaims{}, false
	}
	return cl, true
}

// writeScopeMissing answers a valid token that lacks the scope, in the flavor's shape.
func (s *Server) writeScopeMissing(w http.ResponseWriter) {
	switch s.opts.Flavor {
	case Flavor702:
		w.WriteHeader(http.StatusUnauthorized) // OpenEMR 7.0.2/7.0.3: empty body
	case FlavorPaged:
		s.writeFHIR(w, http.StatusForbidden, operationOutcome("error", "forbidden", "insufficient scope"))
	default:
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "An error occurred", "message": "Unauthorized", "code": 0})
	}
}

// writeNotFound answers an unknown route.
func (s *Server) writeNotFound(w http.ResponseWriter, msg string) {
	s.writeFHIR(w, http.StatusNotFound, operationOutcome("error", "not-supported", msg))
}

// writeFHIR writes a FHIR JSON body: application/json as OpenEMR does, the FHIR media type on
// the standard (paged) flavor.
func (s *Server) writeFHIR(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", s.contentType())
	writeJSON(w, status, v)
}

func (s *Server) contentType() string {
	if s.opts.Flavor == FlavorPaged {
		return "application/fhir+json"
	}
	return "application/json"
}

func (s *Server) handleRead(w http.ResponseWriter, def typeDef, id string, categories []string) {
	res, ok := s.data.Get(def.Name, id)
	if ok && categories != nil && !matchesAny(res.Search["category"], categories) {
		s.writeScopeMissing(w)
		return
	}
	if !ok {
		if s.opts.Flavor == FlavorPaged {
			s.writeFHIR(w, http.StatusNotFound, operationOutcome("error", "not-found", def.Name+"/"+id+" is not known"))
			return
		}
		writeRawJSON(w, http.StatusNotFound, []byte("[]")) // OpenEMR's body for a missing id
		return
	}
	w.Header().Set("Content-Type", s.contentType())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(res.JSON)
}

func matchesAny(have, want []string) bool {
	for _, h := range have {
		for _, w := range want {
			if strings.EqualFold(h, w) {
				return true
			}
		}
	}
	return false
}

// handleOperationDefinition serves OpenEMR's open OperationDefinition endpoint.
func (s *Server) handleOperationDefinition(w http.ResponseWriter, _ *http.Request, id string) {
	defs := map[string]map[string]any{
		"docref": {"resourceType": "OperationDefinition", "id": "docref", "name": "docref",
			"status": "active", "kind": "operation", "code": "docref", "resource": []string{"DocumentReference"},
			"system": false, "type": true, "instance": false},
	}
	if id == "" {
		var entries []map[string]any
		for _, d := range defs {
			entries = append(entries, map[string]any{"fullUrl": s.FHIRBase() + "/OperationDefinition/" + d["id"].(string), "resource": d})
		}
		writeJSON(w, http.StatusOK, map[string]any{"resourceType": "Bundle", "type": "collection",
			"total": len(entries), "link": []map[string]string{{"relation": "self", "url": s.FHIRBase() + "/OperationDefinition"}},
			"entry": entries})
		return
	}
	d, ok := defs[id]
	if !ok {
		writeRawJSON(w, http.StatusNotFound, []byte("[]"))
		return
	}
	writeJSON(w, http.StatusOK, d)
}
