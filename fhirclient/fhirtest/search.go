package fhirtest

import (
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// resultParams are search controls, not filters: never "unknown parameters".
var resultParams = map[string]bool{
	"_count": true, "_offset": true, "_format": true, "_pretty": true, "_summary": true,
	"_elements": true, "_sort": true, "_total": true, "_include": true, "_revinclude": true,
	"_contained": true, "_containedType": true,
}

// maxPageSize caps _count on the paged flavor, as standard servers do.
const maxPageSize = 1000

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request, def typeDef, categories []string) {
	query := r.URL.Query()
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBody)
		if err := r.ParseForm(); err == nil {
			for k, v := range r.PostForm {
				query[k] = append(query[k], v...)
			}
		}
	}
	conds, ok := parseConditions(def, query)
	var matches []Resource
	if ok {
		if msg := s.data.tooCostly(def.Name, conds); msg != "" { // lazy data: lazy_search.go
			s.writeFHIR(w, http.StatusBadRequest, operationOutcome("error", "too-costly", msg))
			return
		}
		matches = s.search(def.Name, conds, categories)
	}
	// OpenEMR answers an unknown parameter with an empty 200 bundle (ok == false).

	count, hasCount := intParam(query, "_count")
	offset, _ := intParam(query, "_offset")
	if s.opts.Flavor == FlavorPaged {
		if query.Get("_summary") == "count" { // standard servers: the total only
			s.streamBundle(w, "searchset", len(matches), []bundleLink{{"self", s.linkBase() + "/" + def.Name + "?" + query.Encode()}}, def.Name, nil, true)
			return
		}
		if !hasCount || count <= 0 {
			count = s.opts.PageSize
		}
		count = min(count, maxPageSize)
		s.writeSearchset(w, def.Name, query, matches, offset, count)
		return
	}
	// OpenEMR: only Patient honours _count/_offset; every other type returns all matches.
	page := matches
	if def.Name == "Patient" && (hasCount || offset > 0) {
		page = window(matches, offset, count, hasCount && count >= 0, s.opts.PatientCountPlusOne)
	}
	s.writeCollection(w, def.Name, page)
}

// window returns matches[offset:offset+count] (count+1 with OpenEMR's off-by-one quirk).
func window(matches []Resource, offset, count int, limited, plusOne bool) []Resource {
	offset = max(offset, 0)
	if offset >= len(matches) {
		return nil
	}
	end := len(matches)
	if limited {
		n := count
		if plusOne {
			n++
		}
		if n >= 0 && n < end-offset { // compared as a length: offset+n may overflow
			end = offset + n
		}
	}
	return matches[offset:end]
}

func intParam(q url.Values, name string) (int, bool) {
	v := q.Get(name)
	if v == "" {
		return 0, false
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// parseConditions turns the query into conditions; false when a parameter or modifier is not
// supported for the type.
func parseConditions(def typeDef, q url.Values) ([]searchCond, bool) {
	names := make([]string, 0, len(q))
	for k := range q {
		names = append(names, k)
	}
	sort.Strings(names)
	var conds []searchCond
	for _, key := range names {
		if resultParams[key] {
			continue
		}
		name, modifier, _ := strings.Cut(key, ":")
		var pd *SearchParamDef
		for i := range def.Params {
			if def.Params[i].Name == name {
				pd = &def.Params[i]
				break
			}
		}
		if pd == nil || !modifierSupported(pd.Type, modifier) {
			return nil, false
		}
		for _, raw := range q[key] {
			conds = append(conds, searchCond{def: *pd, modifier: modifier, values: strings.Split(raw, ",")})
		}
	}
	return conds, true
}

func modifierSupported(t ParamType, m string) bool {
	switch m {
	case "", "missing":
		return true
	case "exact", "contains":
		return t == ParamString
	case "not":
		return t == ParamToken
	}
	return false
}

func filterResources(all []Resource, conds []searchCond, categories []string) []Resource {
	if len(conds) == 0 && categories == nil {
		return all
	}
	var out []Resource
	for _, r := range all {
		if matchesAll(r, conds, categories) {
			out = append(out, r)
		}
	}
	return out
}

// matchesAll reports whether r is in one of the categories (when not nil) and satisfies
// every condition: the one test every search, materialised or lazy, applies.
func matchesAll(r Resource, conds []searchCond, categories []string) bool {
	if categories != nil && !matchesAny(r.Search["category"], categories) {
		return false
	}
	for _, c := range conds {
		if !c.matches(r) {
			return false
		}
	}
	return true
}
