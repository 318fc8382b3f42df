package jsonview

import (
	"strings"

	"fhirscope/fhirclient/jsonscan"
)

// RawReferenceAtCursor is the reference under the cursor as the resource
// writes it, where ReferenceAtCursor gives the normalised "Type/id". The app
// follows this one: an absolute URL must keep its origin so that a link to
// another server is refused instead of read as Type/id from this one.
// (Added by the UI BROWSE helper for the inspector screen.)
func (m *Model) RawReferenceAtCursor() (string, bool) {
	if _, ok := m.ReferenceAtCursor(); !ok {
		return "", false
	}
	i := m.cursorNode()
	n := &m.nodes[i]
	if n.kind == jsonscan.String && n.key.Start >= 0 && m.keyText(n) == "reference" {
		s, err := jsonscan.Unquote(m.data, n.val)
		return strings.TrimSpace(s), err == nil
	}
	obj := i
	if n.kind != jsonscan.Object {
		obj = n.parent
	}
	if obj < 0 {
		return "", false
	}
	var raw string
	_ = jsonscan.ObjectMembers(m.data, m.nodes[obj].val, func(k, v jsonscan.Span) bool {
		if jsonscan.KeyEquals(m.data, k, "reference") {
			if s, err := jsonscan.Unquote(m.data, v); err == nil {
				raw = strings.TrimSpace(s)
			}
			return false
		}
		return true
	})
	return raw, raw != ""
}
