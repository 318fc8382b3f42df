package jsonview

import (
	"strconv"
	"strings"

	"fhirscope/fhirclient/jsonscan"
	"fhirscope/ui/summary"
	"fhirscope/ui/termsafe"
)

// Path is the cursor's location as "name[0].given[0]" ("" at the root).
// Keys that are not plain identifiers are written ["like this"]. The path
// is sanitised: it is for display and for copying as text.
func (m *Model) Path() string {
	return m.pathOf(m.cursorNode())
}

// FHIRPath is Path as a FHIRPath expression rooted at the resource type,
// "Patient.name[0].given[0]", when the document is a resource; else Path.
func (m *Model) FHIRPath() string {
	typ := m.rootResourceType()
	p := m.Path()
	switch {
	case typ == "":
		return p
	case p == "":
		return typ
	case strings.HasPrefix(p, "["):
		return typ + p
	}
	return typ + "." + p
}

// rootResourceType reads the root's "resourceType" member (a name that is
// safe to show: letters only), "" when absent or odd.
func (m *Model) rootResourceType() string {
	root := &m.nodes[0]
	if root.kind != jsonscan.Object || root.first < 0 {
		return ""
	}
	for c := root.first; c < root.first+root.count; c++ {
		n := &m.nodes[c]
		if n.kind == jsonscan.String && jsonscan.KeyEquals(m.data, n.key, "resourceType") {
			s, err := jsonscan.Unquote(m.data, n.val)
			if err != nil || !isIdent(s) {
				return ""
			}
			return s
		}
	}
	return ""
}

func (m *Model) pathOf(i int32) string {
	var steps []string
	for ; i > 0; i = m.nodes[i].parent {
		n := &m.nodes[i]
		if n.key.Start < 0 {
			steps = append(steps, "["+strconv.Itoa(int(n.index))+"]")
			continue
		}
		k := m.keyText(n)
		if isIdent(k) {
			steps = append(steps, "."+k)
		} else {
			steps = append(steps, "["+strconv.Quote(k)+"]")
		}
	}
	var b strings.Builder
	for j := len(steps) - 1; j >= 0; j-- {
		b.WriteString(steps[j])
	}
	return termsafe.String(strings.TrimPrefix(b.String(), "."))
}

// keyText decodes a node's key (not sanitised).
func (m *Model) keyText(n *node) string {
	k, err := jsonscan.Unquote(m.data, n.key)
	if err != nil {
		return string(m.data[n.key.Start:n.key.End])
	}
	return k
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '$' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// ValueAtCursor returns the raw JSON text of the value under the cursor
// (a string keeps its quotes and escapes). It is NOT sanitised: it is meant
// for the clipboard or a file, not for the terminal.
func (m *Model) ValueAtCursor() string {
	n := &m.nodes[m.cursorNode()]
	return string(m.data[n.val.Start:n.val.End])
}

// TextAtCursor is ValueAtCursor with a string value decoded (no quotes or
// escapes), which is what a user copying a name or an id wants.
func (m *Model) TextAtCursor() string {
	n := &m.nodes[m.cursorNode()]
	if n.kind == jsonscan.String {
		if s, err := jsonscan.Unquote(m.data, n.val); err == nil {
			return s
		}
	}
	return m.ValueAtCursor()
}

// ReferenceAtCursor returns "Type/id" when the cursor is on a reference:
// a "reference" string member, a Reference object (or its closing
// bracket), or another member of that object such as its "display".
func (m *Model) ReferenceAtCursor() (string, bool) {
	ref, _, ok := m.referenceAtCursor()
	return ref, ok
}

// RawReferenceAtCursor is the same reference as the resource writes it
// (trimmed), reported exactly when ReferenceAtCursor reports one. An app
// fetching the reference follows this one: an absolute URL keeps its
// origin, so a client that sends its token only to its own server refuses
// a link to another one, instead of the link being read as Type/id on ours.
func (m *Model) RawReferenceAtCursor() (string, bool) {
	_, raw, ok := m.referenceAtCursor()
	return raw, ok
}

// referenceAtCursor returns the reference under the cursor both as
// "Type/id" and as written; contained ("#x"), urn:uuid and malformed
// references are not Type/id and report false.
func (m *Model) referenceAtCursor() (ref, raw string, ok bool) {
	i := m.cursorNode()
	n := &m.nodes[i]
	var found bool
	switch {
	case n.kind == jsonscan.String && n.key.Start >= 0 && m.keyText(n) == "reference":
		var err error
		raw, err = jsonscan.Unquote(m.data, n.val)
		found = err == nil
	case n.kind == jsonscan.String && n.key.Start >= 0 && n.parent >= 0:
		raw, found = m.referenceMember(n.parent)
	case n.kind == jsonscan.Object:
		raw, found = m.referenceMember(i)
	}
	if !found {
		return "", "", false
	}
	if ref, ok = summary.ParseReference(raw); !ok {
		return "", "", false
	}
	return ref, strings.TrimSpace(raw), true
}

// referenceMember reads the "reference" string member of object node i,
// undecoded into Type/id. Only small objects are scanned: a Reference is a
// few members, and the app may ask on every frame while the cursor sits on
// a 50 MB Bundle.
func (m *Model) referenceMember(i int32) (string, bool) {
	if m.nodes[i].val.Len() > 64<<10 {
		return "", false
	}
	var raw string
	var ok bool
	_ = jsonscan.ObjectMembers(m.data, m.nodes[i].val, func(k, v jsonscan.Span) bool {
		if jsonscan.KeyEquals(m.data, k, "reference") {
			var err error
			raw, err = jsonscan.Unquote(m.data, v)
			ok = err == nil
			return false
		}
		return true
	})
	return raw, ok
}
