package fhirtest

import (
	"math/big"
	"strings"
)

func bigInt(i int) *big.Int { return big.NewInt(int64(i)) }

func lower(s string) string { return strings.ToLower(s) }

// nonSystemScopes are scopes OpenEMR always knows (user-facing flows); a system client may
// register and request them, and then simply gets them granted or dropped.
var nonSystemScopes = []string{"openid", "fhirUser", "online_access", "offline_access", "launch",
	"launch/patient", "api:oemr", "api:fhir", "api:port"}

// systemOperationScopes are the non-read system scopes OpenEMR knows.
var systemOperationScopes = []string{"system/*.$export", "system/Patient.$export", "system/Group.$export",
	"system/*.$bulkdata-status", "system/DocumentReference.$docref"}

// categoryScopeTypes may carry a v2 `?category=` restriction on 7.0.4+.
var categoryScopeTypes = map[string]bool{"Condition": true, "Observation": true, "DocumentReference": true}

// supportedScopes lists the scopes smart-configuration advertises.
func (s *Server) supportedScopes() []string {
	out := append([]string{}, nonSystemScopes...)
	for _, t := range s.servedTypes() {
		out = append(out, "patient/"+t.Name+".read", "user/"+t.Name+".read")
		if s.opts.Flavor != Flavor702 {
			out = append(out, "patient/"+t.Name+".rs", "user/"+t.Name+".rs")
		}
	}
	if s.systemScopesEnabled() {
		for _, t := range s.servedTypes() {
			out = append(out, "system/"+t.Name+".read")
			if s.opts.Flavor != Flavor702 {
				out = append(out, "system/"+t.Name+".rs")
			}
		}
		out = append(out, systemOperationScopes...)
	}
	return out
}

// parsedScope is one SMART resource scope.
type parsedScope struct {
	Context  string // system, user, patient
	Type     string // resource type or "*"
	Perm     string // "read", "$export", or a v2 permission string like "rs"
	Category string // v2 ?category= restriction value
	V2       bool
}

// parseResourceScope splits "system/Observation.rs?category=x" into its parts.
func parseResourceScope(sc string) (parsedScope, bool) {
	ctx, rest, ok := strings.Cut(sc, "/")
	if !ok || (ctx != "system" && ctx != "user" && ctx != "patient") {
		return parsedScope{}, false
	}
	rest, query, hasQuery := strings.Cut(rest, "?")
	typ, perm, ok := strings.Cut(rest, ".")
	if !ok || typ == "" || perm == "" {
		return parsedScope{}, false
	}
	p := parsedScope{Context: ctx, Type: typ, Perm: perm}
	if hasQuery {
		k, v, ok := strings.Cut(query, "=")
		if !ok || k != "category" || v == "" {
			return parsedScope{}, false
		}
		p.Category = v
	}
	p.V2 = isV2Permission(perm)
	return p, true
}

// isV2Permission reports whether perm is a SMART v2 read permission string OpenEMR supports:
// "r", "s" or "rs" (the API is read-only).
func isV2Permission(perm string) bool { return perm == "r" || perm == "s" || perm == "rs" }

// knownScope reports whether the server knows sc at all; unknown scopes are invalid_scope.
// Wildcards are unknown except the fixed operation scopes; v2 forms only on 7.0.4+; system
// scopes only when the admin enabled them.
func (s *Server) knownScope(sc string) bool {
	for _, k := range nonSystemScopes {
		if sc == k {
			return true
		}
	}
	if strings.HasPrefix(sc, "system/") && !s.systemScopesEnabled() {
		return false
	}
	for _, k := range systemOperationScopes {
		if sc == k {
			return true
		}
	}
	p, ok := parseResourceScope(sc)
	if !ok || p.Type == "*" {
		return false
	}
	if _, ok := s.typeDef(p.Type); !ok {
		return false
	}
	switch {
	case p.Perm == "read":
		return p.Category == ""
	case p.V2:
		if s.opts.Flavor == Flavor702 {
			return false
		}
		return p.Category == "" || categoryScopeTypes[p.Type]
	}
	return false
}

// scopeAllows reports whether granted scopes allow reading (read or search) typ, and the
// category restrictions that apply (nil: unrestricted).
func scopeAllows(granted []string, typ string, search bool) (allowed bool, categories []string) {
	unrestricted := false
	for _, sc := range granted {
		p, ok := parseResourceScope(sc)
		if !ok || p.Context != "system" || p.Type != typ {
			continue
		}
		need := "r"
		if search {
			need = "s"
		}
		if p.Perm != "read" && !(p.V2 && strings.Contains(p.Perm, need)) {
			continue
		}
		allowed = true
		if p.Category == "" {
			unrestricted = true
		} else {
			categories = append(categories, p.Category)
		}
	}
	if unrestricted {
		categories = nil
	}
	return allowed, categories
}

// splitScopes splits a space-separated scope string, dropping empty items, like league does.
func splitScopes(s string) []string {
	return strings.Fields(s)
}
