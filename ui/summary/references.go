package summary

import (
	"strings"

	"fhirscope/fhirclient/jsonscan"
)

// References lists the resources a resource points to, as "Type/id" in
// document order without duplicates: every "reference" member holding a
// relative ("Patient/1"), versioned ("Patient/1/_history/2") or absolute
// ("https://h/fhir/Patient/1") literal reference. Contained ("#x") and
// urn:uuid references are left out: they name nothing a server can read.
// The results pass a strict pattern, so they are safe to show as they are.
func References(resourceJSON []byte) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(n node, depth int)
	walk = func(n node, depth int) {
		if depth > jsonscan.MaxDepth {
			return
		}
		switch n.kind {
		case jsonscan.Object:
			n.members(func(k []byte, v node) bool {
				if string(k) == "reference" && v.kind == jsonscan.String {
					if ref, ok := ParseReference(v.str()); ok && !seen[ref] {
						seen[ref] = true
						out = append(out, ref)
					}
					return true
				}
				walk(v, depth+1)
				return true
			})
		case jsonscan.Array:
			n.each(func(v node) bool {
				walk(v, depth+1)
				return true
			})
		}
	}
	walk(parse(resourceJSON), 0)
	return out
}

// ParseReference reduces a literal FHIR reference to "Type/id", reporting
// false for anything else (contained, urn:uuid, malformed, hostile).
func ParseReference(ref string) (string, bool) {
	ref = strings.TrimSpace(ref)
	if i := strings.IndexAny(ref, "?#"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(strings.TrimSuffix(ref, "/"), "/")
	// Drop a version suffix: Type/id/_history/vid.
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	if len(parts) < 2 {
		return "", false
	}
	typ, id := parts[len(parts)-2], parts[len(parts)-1]
	if len(parts) > 2 && !strings.Contains(ref, "://") {
		return "", false // "a/b/Patient/1" without a scheme is not a reference form
	}
	if !isResourceType(typ) || !isID(id) {
		return "", false
	}
	return typ + "/" + id, true
}

// isResourceType: an uppercase letter then letters, as FHIR type names are.
func isResourceType(s string) bool {
	if len(s) == 0 || len(s) > 64 || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isID follows FHIR's id type: [A-Za-z0-9\-\.]{1,64}.
func isID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
