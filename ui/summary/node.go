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
	data []byte
	span jsonscan.Span
	kind jsonscan.Kind
}

// parse returns the top-level value of data, or a missing node when data is
// not JSON.
func parse(data []byte) node {
	start := 0
	for start < len(data) && isSpace(data[start]) {
		start++
	}
	end, err := jsonscan.SkipValue(data, start)
	if err != nil {
		return node{}
	}
	return node{data: data, span: jsonscan.Span{Start: start, End: end}, kind: jsonscan.KindAt(data, start)}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (n node) ok() bool { return n.kind != jsonscan.Invalid }

func (n node) isObject() bool { return n.kind == jsonscan.Object }

func (n node) child(s jsonscan.Span) node {
	return node{data: n.data, span: s, kind: jsonscan.KindAt(n.data, s.Start)}
}

// get returns the member key of an object node.
func (n node) get(key string) node {
	var found node
	n.members(func(k string, v node) bool {
		if k == key {
			found = v
			return false
		}
		return true
	})
	return found
}

// members calls fn for each member of an object node with its decoded key.
func (n node) members(fn func(key string, v node) bool) {
	if n.kind != jsonscan.Object {
		return
	}
	_ = jsonscan.ObjectMembers(n.data, n.span, func(k, v jsonscan.Span) bool {
		raw := n.data[k.Start:k.End]
		var key string
		if len(raw) >= 2 && bytes.IndexByte(raw, '\\') < 0 {
			key = string(raw[1 : len(raw)-1]) // no escapes: the common case, no decoding
		} else if s, err := jsonscan.Unquote(n.data, k); err == nil {
			key = s
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
