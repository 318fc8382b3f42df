package fhirtest

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// paramIndex maps one token or reference parameter's values to the positions (in All order)
// of the resources carrying them. Without it, `Observation?patient=X` scans every
// Observation: millions with --patients 100000, and the patient overview sends several such
// searches at once.
type paramIndex struct {
	version uint64 // the type's Dataset version when built; any Add means rebuild
	byValue map[string][]int32
}

// storedKey and queryKey normalise an indexed value and a query value so that the keys are
// equal exactly when matchOne would match them (the index may then only narrow, never lose).
func storedKey(t ParamType, v string) string {
	if t == ParamReference {
		return v
	}
	return foldKey(v)
}

func queryKey(t ParamType, v string) string {
	if t == ParamReference {
		return bareID(v)
	}
	return foldKey(strings.TrimPrefix(v, "|"))
}

// foldKey maps s to a canonical form under simple case folding: two strings have the same
// key exactly when strings.EqualFold says they are equal.
func foldKey(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		if least < utf8.RuneSelf && least >= 'A' && least <= 'Z' {
			least += 'a' - 'A' // agree with the ASCII fast path
		}
		b.WriteRune(least)
	}
	return b.String()
}

// indexable reports whether c can be answered from an index: exact token or reference match.
func indexable(c searchCond) bool {
	return c.modifier == "" && (c.def.Type == ParamToken || c.def.Type == ParamReference)
}

func (s *Server) index(typ string, def SearchParamDef, all []Resource, version uint64) *paramIndex {
	key := typ + "\x00" + def.Name
	s.idxMu.Lock()
	defer s.idxMu.Unlock()
	if ix, ok := s.idx[key]; ok && ix.version == version {
		return ix
	}
	ix := &paramIndex{version: version, byValue: map[string][]int32{}}
	for i, r := range all {
		for _, v := range r.Search[def.Name] {
			k := storedKey(def.Type, v)
			if l := ix.byValue[k]; len(l) == 0 || l[len(l)-1] != int32(i) {
				ix.byValue[k] = append(l, int32(i))
			}
		}
	}
	if s.idx == nil {
		s.idx = map[string]*paramIndex{}
	}
	s.idx[key] = ix
	return ix
}

// search returns the resources of typ matching every condition and, when categories is not
// nil, one of the categories; in ID order. It narrows by the most selective indexable
// condition, then checks every condition on what is left.
func (s *Server) search(typ string, conds []searchCond, categories []string) []Resource {
	if lz := s.data.lazyFor(typ); lz != nil {
		return lz.search(typ, conds, categories)
	}
	all, version := s.data.allVersioned(typ)
	var best []int32
	found := false
	for _, c := range conds {
		if !indexable(c) {
			continue
		}
		ix := s.index(typ, c.def, all, version)
		pos := ix.byValue[queryKey(c.def.Type, c.values[0])] // shared: only read
		if len(c.values) > 1 {
			var union []int32
			for _, v := range c.values {
				union = append(union, ix.byValue[queryKey(c.def.Type, v)]...)
			}
			slices.Sort(union)
			pos = slices.Compact(union)
		}
		if !found || len(pos) < len(best) {
			best, found = pos, true
		}
	}
	if !found {
		return filterResources(all, conds, categories)
	}
	candidates := make([]Resource, len(best))
	for i, p := range best {
		candidates[i] = all[p]
	}
	return filterResources(candidates, conds, categories)
}
