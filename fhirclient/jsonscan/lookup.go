package jsonscan

// Member returns the span of the value of key in the object at obj. It
// stops at the first match, so fetching "resourceType" or "id" from a big
// resource costs only the members before it. ok is false when the key is
// absent or obj is not a well-formed object up to the match.
func Member(data []byte, obj Span, key string) (val Span, ok bool) {
	err := ObjectMembers(data, obj, func(k, v Span) bool {
		if KeyEquals(data, k, key) {
			val, ok = v, true
			return false
		}
		return true
	})
	return val, ok && err == nil
}

// MemberString decodes the string value of key in the object at obj, e.g.
// MemberString(data, res, "resourceType"). ok is false if the member is
// missing or not a string.
func MemberString(data []byte, obj Span, key string) (string, bool) {
	v, ok := Member(data, obj, key)
	if !ok || data[v.Start] != '"' {
		return "", false
	}
	s, err := Unquote(data, v)
	return s, err == nil
}

// Element returns the span of element i of the array at arr.
func Element(data []byte, arr Span, i int) (val Span, ok bool) {
	if i < 0 {
		return Span{}, false
	}
	err := ArrayElements(data, arr, func(j int, v Span) bool {
		if j == i {
			val, ok = v, true
			return false
		}
		return true
	})
	return val, ok && err == nil
}
