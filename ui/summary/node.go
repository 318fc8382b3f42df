package summary

import (
	"bytes"

	"fhirscope/fhirclient/jsonscan"
)

// node is one JSON value inside a resource, found lazily with jsonscan so a
// row costs a few scans of the bytes it needs instead of a full decode. The
// zero node is "missing": every accessor on it returns zero values, which is
// what lets the column code read odd or partial resources without checks.
type node struct {
	data   []byte
	span   jsonscan.Span
	kind   jsonscan.Kind
	fields []field // the members, when indexed (the resource's top level)
}

// field is one indexed object member.
type field struct {
	key jsonscan.Span
	val node
}

// indexed returns n with its members listed once, so the dozen top-level
// lookups of a row cost one scan of the resource instead of one each.
func (n node) indexed() node {
	if n.kind != jsonscan.Object || n.fields != nil {
		return n
	}
	fields := make([]field, 0, 24)
	_ = jsonscan.ObjectMembers(n.data, n.span, func(k, v jsonscan.Span) bool {
		fields = append(fields, field{key: k, val: n.child(v)})
		return true
	})
	n.fields = fields
	return n
}

// parse returns the top-level value of data, or a missing node when data is
// not JSON. An object is indexed in the same scan that checks it; members
// before a syntax error still read (tolerance beats strictness for a row).
func parse(data []byte) node {
	start, end := 0, len(data)
	for start < end && isSpace(data[start]) {
		start++
	}
	for end > start && isSpace(data[end-1]) {
		end--
	}
	kind := jsonscan.KindAt(data, start)
	if kind == jsonscan.Object {
		return node{data: data, span: jsonscan.Span{Start: start, End: end}, kind: kind}.indexed()
	}
	e, err := jsonscan.SkipValue(data, start)
	if err != nil {
		return node{}
	}
	return node{data: data, span: jsonscan.Span{Start: start, End: e}, kind: kind}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (n node) ok() bool { return n.kind != jsonscan.Invalid }

func (n node) isObject() bool { return n.kind == jsonscan.Object }

func (n node) child(s jsonscan.Span) node {
	return node{data: n.data, span: s, kind: jsonscan.KindAt(n.data, s.Start)}
}

// get returns the member key of an object node. Keys are compared in
// place (jsonscan.KeyEquals), so a lookup allocates nothing.
func (n node) get(key string) node {
	if n.kind != jsonscan.Object {
		return node{}
	}
	if n.fields != nil {
		for _, f := range n.fields {
			if jsonscan.KeyEquals(n.data, f.key, key) {
				return f.val
			}
		}
		return node{}
	}
	var found node
	_ = jsonscan.ObjectMembers(n.data, n.span, func(k, v jsonscan.Span) bool {
		if jsonscan.KeyEquals(n.data, k, key) {
			found = n.child(v)
			return false
		}
		return true
	})
	return found
}

// members calls fn for each member of an object node with its key: the
// raw bytes between the quotes when the key has no escapes (the common
// case, no allocation), else the decoded key. fn must not keep key.
func (n node) members(fn func(key []byte, v node) bool) {
	if n.kind != jsonscan.Object {
		return
	}
	_ = jsonscan.ObjectMembers(n.data, n.span, func(k, v jsonscan.Span) bool {
		raw := n.data[k.Start:k.End]
		var key []byte
		if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
			key = raw[1 : len(raw)-1]
		} else if s, err := jsonscan.Unquote(n.data, k); err == nil {
			key = []byte(s)
		} else {
			return true
		}
		return fn(key, n.child(v))
	})
}

// at returns element i of an array node. A non-array node acts as a
// one-element array of itself, so FHIR fields that servers send as a single
// value where the spec says array still read.
func (n node) at(i int) node {
	if n.kind != jsonscan.Array {
		if i == 0 {
			return n
		}
		return node{}
	}
	var found node
	_ = jsonscan.ArrayElements(n.data, n.span, func(j int, v jsonscan.Span) bool {
		if j == i {
			found = n.child(v)
			return false
		}
		return true
	})
	return found
}

// each calls fn for each element of an array node (or once for a non-array
// value, as in at).
func (n node) each(fn func(v node) bool) {
	switch n.kind {
	case jsonscan.Invalid:
		return
	case jsonscan.Array:
		_ = jsonscan.ArrayElements(n.data, n.span, func(_ int, v jsonscan.Span) bool {
			return fn(n.child(v))
		})
	default:
		fn(n)
	}
}

// str returns a scalar as text: a string decoded, a number or boolean as
// written. Objects, arrays, null and missing values give "". The result is
// NOT sanitised: cells are sanitised once, when a row is built.
func (n node) str() string {
	switch n.kind {
	case jsonscan.String:
		s, err := jsonscan.Unquote(n.data, n.span)
		if err != nil {
			return ""
		}
		return s
	case jsonscan.Number, jsonscan.True, jsonscan.False:
		return string(n.data[n.span.Start:n.span.End])
	}
	return ""
}

// path follows object keys; a numeric step is not needed by the columns.
func (n node) path(keys ...string) node {
	for _, k := range keys {
		n = n.get(k)
	}
	return n
}
