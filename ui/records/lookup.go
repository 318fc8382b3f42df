package records

import (
	"strings"
	"sync"

	"fhirscope/fhirclient/jsonscan"
)

// Offline there is no server to resolve a reference: following
// "Patient/123" from an Observation means finding that Patient among the
// file's own entries. The index of "Type/id" keys is built on first use and
// extended as indexing goes on (about 1 us per entry: only the members up to
// "id" are read).

type refIndex struct {
	mu    sync.Mutex
	byID  map[string]int // "Patient/123" -> entry index (first one wins)
	byURL map[string]int // Bundle entry fullUrl ("urn:uuid:...", absolute URL) -> index
	seen  int            // entries [0, seen) are indexed
}

// Lookup finds the entry a FHIR reference points to: a Bundle entry's
// fullUrl ("urn:uuid:...", as in transaction and Synthea bundles, or an
// absolute URL), "Patient/123", "Patient/123/_history/2", or an absolute
// URL ending in Type/id; the reference must name an entry indexed so far.
func (s *Source) Lookup(reference string) (int, bool) {
	reference = strings.TrimSpace(reference)
	n := s.Len()
	r := &s.refs
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.byID == nil {
		r.byID, r.byURL = make(map[string]int, n), make(map[string]int)
	}
	if !s.guardFaults(func() { r.extend(s, n) }) {
		return 0, false // the file changed under the mapping: Err says so
	}
	if i, ok := r.byURL[reference]; ok {
		return i, true
	}
	key, ok := refKey(reference)
	if !ok {
		return 0, false
	}
	i, ok := r.byID[key]
	return i, ok
}

// extend indexes entries [r.seen, n). r.mu is held.
func (r *refIndex) extend(s *Source, n int) {
	for ; r.seen < n; r.seen++ {
		if u := s.FullURL(r.seen); u != "" {
			if _, dup := r.byURL[u]; !dup {
				r.byURL[u] = r.seen
			}
		}
		e := s.Entry(r.seen)
		if e == nil {
			continue
		}
		typ, id := TypeAndID(e)
		if typ != "" && id != "" {
			k := typ + "/" + id
			if _, dup := r.byID[k]; !dup {
				r.byID[k] = r.seen
			}
		}
	}
}

// TypeAndID reads a resource's resourceType and id ("" when absent or not strings, and for
// anything but a JSON object; leading whitespace is fine). It stops reading as soon as it
// has both, so it costs little even on a large resource.
func TypeAndID(res []byte) (typ, id string) {
	start := 0
	for start < len(res) && isSpace(res[start]) {
		start++
	}
	if jsonscan.KindAt(res, start) != jsonscan.Object {
		return "", ""
	}
	_ = jsonscan.ObjectMembers(res, jsonscan.Span{Start: start, End: len(res)}, func(k, v jsonscan.Span) bool {
		if res[v.Start] == '"' {
			if jsonscan.KeyEquals(res, k, "resourceType") {
				typ, _ = jsonscan.Unquote(res, v)
			} else if jsonscan.KeyEquals(res, k, "id") {
				id, _ = jsonscan.Unquote(res, v)
			}
		}
		return typ == "" || id == ""
	})
	return typ, id
}

// refKey reduces a reference to "Type/id".
func refKey(ref string) (string, bool) {
	if i := strings.IndexAny(ref, "?#"); i >= 0 {
		ref = ref[:i]
	}
	parts := strings.Split(strings.Trim(ref, "/"), "/")
	if n := len(parts); n >= 4 && parts[n-2] == "_history" {
		parts = parts[:n-2]
	}
	n := len(parts)
	if n < 2 || parts[n-2] == "" || parts[n-1] == "" {
		return "", false
	}
	typ := parts[n-2]
	if c := typ[0]; c < 'A' || c > 'Z' {
		return "", false // resource types start with a capital letter
	}
	return typ + "/" + parts[n-1], true
}
