package jsonscan

import (
	"bytes"
	"strconv"
)

// Bundle is what a list screen needs from a FHIR document: its type, total,
// links and where each entry's resource lies. A document that is a single
// resource (not a Bundle) has ResourceType set to its type and one entry
// spanning the whole resource.
type Bundle struct {
	ResourceType string // "Bundle", or the type of a single resource
	Type         string // Bundle.type: "searchset", "collection", ...
	Total        int
	HasTotal     bool
	Links        []Link
	Entries      []Span // entry[i].resource; filled by ScanBundle, not ScanBundleFunc
	Count        int    // resources reported (entries with a resource, or 1)
	NoResource   int    // entries without a resource (skipped)
}

// Link is one Bundle.link.
type Link struct{ Relation, URL string }

// Link returns the URL of the link with the given relation ("next", "self").
func (b *Bundle) Link(relation string) (string, bool) {
	for _, l := range b.Links {
		if l.Relation == relation {
			return l.URL, true
		}
	}
	return "", false
}

// ScanBundle validates data strictly (grammar, UTF-8, depth) and returns the
// bundle's metadata and entry spans. Entries without a resource are skipped
// and counted in NoResource.
func ScanBundle(data []byte) (*Bundle, error) {
	entries := make([]Span, 0, 64)
	b, err := ScanBundleFunc(data, func(s Span) bool {
		entries = append(entries, s)
		return true
	})
	if b != nil {
		b.Entries = entries
	}
	return b, err
}

// ScanBundleFunc is the streaming form of ScanBundle, used to index huge
// files in the background: fn is called with each resource span as soon as
// that entry is validated, in order, and can return false to stop (the scan
// then returns the Bundle so far with a nil error). A single resource is
// reported once, after the whole document is validated. On an error the
// returned Bundle holds what was read before it, so a truncated file still
// shows the entries before the cut.
func ScanBundleFunc(data []byte, fn func(resource Span) bool) (*Bundle, error) {
	return ScanBundleEntries(data, func(e BundleEntry) bool { return fn(e.Resource) })
}

// BundleEntry locates one Bundle.entry that has a resource.
type BundleEntry struct {
	Entry    Span // the entry object (for a single resource: the resource)
	Resource Span // entry.resource
	FullURL  Span // entry.fullUrl, quotes included; zero if absent
}

// ScanBundleEntries is ScanBundleFunc reporting whole entries, for callers
// that resolve "urn:uuid:..." references through entry.fullUrl.
func ScanBundleEntries(data []byte, fn func(BundleEntry) bool) (*Bundle, error) {
	b := &Bundle{}
	start := skipWS(data, 0)
	if start >= len(data) {
		return b, errAt(start, ReasonEmpty, "")
	}
	if data[start] != '{' {
		if k := KindAt(data, start); k != Invalid {
			if end, err := skipValue(data, start, MaxDepth); err != nil {
				return b, err
			} else if j := skipWS(data, end); j < len(data) {
				return b, errAt(j, ReasonTrailing, "")
			}
			return b, errAt(start, ReasonNotResource, "the document is a JSON "+k.String()+", not an object")
		}
		return b, syntaxOrEOF(data, start, "expected a JSON object")
	}
	sc := bundleScan{data: data, b: b, fn: fn}
	end, err := sc.scan(start)
	if err != nil || sc.stopped {
		return b, err
	}
	if j := skipWS(data, end); j < len(data) {
		return b, errAt(j, ReasonTrailing, "")
	}
	if err := checkUTF8(data[sc.checked:], sc.checked); err != nil {
		return b, err
	}
	switch b.ResourceType {
	case "":
		return b, errAt(start, ReasonNotResource, "the object has no (or an empty) resourceType")
	case "Bundle":
		for _, e := range sc.pending {
			b.Count++
			if !fn(e) {
				return b, nil
			}
		}
	default:
		// A resource's own "type", "total" or "link" members are not Bundle metadata.
		*b = Bundle{ResourceType: b.ResourceType, Count: 1}
		fn(BundleEntry{Entry: Span{start, end}, Resource: Span{start, end}})
	}
	return b, nil
}

type bundleScan struct {
	data    []byte
	b       *Bundle
	fn      func(BundleEntry) bool
	pending []BundleEntry // entries seen before resourceType said "Bundle"
	checked int           // data[:checked] is known to be valid UTF-8
	stopped bool
}

// scan walks the top-level object at start: depth 1 here, entry array 2,
// entry object 3, so resources may nest MaxDepth-3 further levels.
func (sc *bundleScan) scan(start int) (int, error) {
	data := sc.data
	i := skipWS(data, start+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, syntaxOrEOF(data, i, "expected a string object key")
		}
		kend, err := skipString(data, i)
		if err != nil {
			return kend, err
		}
		key := data[i+1 : kend-1]
		if bytes.IndexByte(key, '\\') >= 0 { // "resource\u0054ype" is still resourceType
			var buf [32]byte
			key, _ = appendUnquoted(buf[:0], key, i+1)
		}
		i = skipWS(data, kend)
		if i >= len(data) || data[i] != ':' {
			return i, syntaxOrEOF(data, i, "expected ':' after object key")
		}
		i = skipWS(data, i+1)
		var vend int
		switch string(key) {
		case "entry":
			if sc.b.ResourceType == "" || sc.b.ResourceType == "Bundle" {
				vend, err = sc.entries(i)
				if sc.stopped {
					return vend, err
				}
				break
			}
			vend, err = skipValue(data, i, MaxDepth-1)
		case "resourceType", "type":
			vend, err = skipValue(data, i, MaxDepth-1)
			if err == nil && data[i] == '"' {
				s, uerr := Unquote(data, Span{i, vend})
				if uerr != nil {
					return vend, uerr
				}
				if string(key) == "type" {
					sc.b.Type = s
				} else {
					sc.b.ResourceType = s
				}
			}
		case "total":
			vend, err = skipValue(data, i, MaxDepth-1)
			if err == nil {
				if t, perr := strconv.Atoi(string(data[i:vend])); perr == nil && t >= 0 {
					sc.b.Total, sc.b.HasTotal = t, true
				}
			}
		case "link":
			vend, err = skipValue(data, i, MaxDepth-1)
			if err == nil && data[i] == '[' {
				err = sc.links(Span{i, vend})
			}
		default:
			vend, err = skipValue(data, i, MaxDepth-1)
		}
		if err != nil {
			return vend, err
		}
		i = skipWS(data, vend)
		if i < len(data) && data[i] == ',' {
			i = skipWS(data, i+1)
			continue
		}
		if i < len(data) && data[i] == '}' {
			return i + 1, nil
		}
		return i, syntaxOrEOF(data, i, "expected ',' or '}' after object member")
	}
}

// entries walks Bundle.entry, reporting each resource once its entry is
// fully validated (grammar and UTF-8), so fn never sees a broken resource.
func (sc *bundleScan) entries(i int) (int, error) {
	data := sc.data
	if i >= len(data) || data[i] != '[' {
		return skipValue(data, i, MaxDepth-1)
	}
	i = skipWS(data, i+1)
	if i < len(data) && data[i] == ']' {
		return i + 1, nil
	}
	for {
		if i >= len(data) || data[i] != '{' {
			// Not an object: validate it and move on; it has no resource.
			end, err := skipValue(data, i, MaxDepth-2)
			if err != nil {
				return end, err
			}
			sc.b.NoResource++
			i = end
		} else {
			end, e, err := sc.entry(i)
			if err != nil {
				return end, err
			}
			if err := checkUTF8(data[sc.checked:end], sc.checked); err != nil {
				return end, err
			}
			sc.checked = end
			switch {
			case e.Resource.End == 0:
				sc.b.NoResource++
			case sc.b.ResourceType == "Bundle":
				sc.b.Count++
				if !sc.fn(e) {
					sc.stopped = true
					return end, nil
				}
			default:
				sc.pending = append(sc.pending, e)
			}
			i = end
		}
		i = skipWS(data, i)
		if i < len(data) && data[i] == ',' {
			i = skipWS(data, i+1)
			continue
		}
		if i < len(data) && data[i] == ']' {
			return i + 1, nil
		}
		return i, syntaxOrEOF(data, i, "expected ',' or ']' after bundle entry")
	}
}

// entry scans one entry object at i and returns its end and spans
// (Resource zero when absent).
func (sc *bundleScan) entry(i int) (int, BundleEntry, error) {
	data := sc.data
	e := BundleEntry{Entry: Span{i, i}}
	i = skipWS(data, i+1)
	if i < len(data) && data[i] == '}' {
		e.Entry.End = i + 1
		return i + 1, e, nil
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return i, e, syntaxOrEOF(data, i, "expected a string object key")
		}
		kend, err := skipString(data, i)
		if err != nil {
			return kend, e, err
		}
		key := Span{i, kend}
		i = skipWS(data, kend)
		if i >= len(data) || data[i] != ':' {
			return i, e, syntaxOrEOF(data, i, "expected ':' after object key")
		}
		i = skipWS(data, i+1)
		vend, err := skipValue(data, i, MaxDepth-3)
		if err != nil {
			return vend, e, err
		}
		switch c := data[i]; {
		case c == '{' && KeyEquals(data, key, "resource"):
			e.Resource = Span{i, vend}
		case c == '"' && KeyEquals(data, key, "fullUrl"):
			e.FullURL = Span{i, vend}
		}
		i = skipWS(data, vend)
		if i < len(data) && data[i] == ',' {
			i = skipWS(data, i+1)
			continue
		}
		if i < len(data) && data[i] == '}' {
			e.Entry.End = i + 1
			return i + 1, e, nil
		}
		return i, e, syntaxOrEOF(data, i, "expected ',' or '}' after entry member")
	}
}

func (sc *bundleScan) links(arr Span) error {
	return ArrayElements(sc.data, arr, func(_ int, v Span) bool {
		if sc.data[v.Start] != '{' {
			return true
		}
		var l Link
		_ = ObjectMembers(sc.data, v, func(k, val Span) bool {
			if sc.data[val.Start] != '"' {
				return true
			}
			if KeyEquals(sc.data, k, "relation") {
				l.Relation, _ = Unquote(sc.data, val)
			} else if KeyEquals(sc.data, k, "url") {
				l.URL, _ = Unquote(sc.data, val)
			}
			return true
		})
		sc.b.Links = append(sc.b.Links, l)
		return true
	})
}
