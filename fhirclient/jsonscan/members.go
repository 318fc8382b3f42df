package jsonscan

import "unicode/utf8"

// ObjectMembers calls fn for each member of the object at obj, in document
// order, with the key's span (quotes included) and the value's span; fn
// returns false to stop early. Each value is validated as it is skipped, so
// the members fn saw are well-formed even if a later one is not. The scan
// never reads past obj.End, which lets a viewer expand one node of a huge
// document at the cost of that node alone.
func ObjectMembers(data []byte, obj Span, fn func(key Span, val Span) bool) error {
	lim, i, err := openContainer(data, obj, '{')
	if err != nil {
		return err
	}
	if i < len(lim) && lim[i] == '}' {
		return nil
	}
	for {
		if i >= len(lim) || lim[i] != '"' {
			return syntaxOrEOF(lim, i, "expected a string object key")
		}
		kend, err := skipString(lim, i)
		if err != nil {
			return err
		}
		key := Span{i, kend}
		i = skipWS(lim, kend)
		if i >= len(lim) || lim[i] != ':' {
			return syntaxOrEOF(lim, i, "expected ':' after object key")
		}
		i = skipWS(lim, i+1)
		vend, err := skipValue(lim, i, MaxDepth-1)
		if err != nil {
			return err
		}
		if !fn(key, Span{i, vend}) {
			return nil
		}
		i = skipWS(lim, vend)
		if i < len(lim) && lim[i] == ',' {
			i = skipWS(lim, i+1)
			continue
		}
		if i < len(lim) && lim[i] == '}' {
			return nil
		}
		return syntaxOrEOF(lim, i, "expected ',' or '}' after object member")
	}
}

// ArrayElements calls fn for each element of the array at arr with its index
// and span; fn returns false to stop early. Like ObjectMembers it reads no
// further than arr.End.
func ArrayElements(data []byte, arr Span, fn func(i int, val Span) bool) error {
	lim, i, err := openContainer(data, arr, '[')
	if err != nil {
		return err
	}
	if i < len(lim) && lim[i] == ']' {
		return nil
	}
	for idx := 0; ; idx++ {
		if i >= len(lim) {
			return errAt(len(lim), ReasonTruncated, "expected an array element")
		}
		vend, err := skipValue(lim, i, MaxDepth-1)
		if err != nil {
			return err
		}
		if !fn(idx, Span{i, vend}) {
			return nil
		}
		i = skipWS(lim, vend)
		if i < len(lim) && lim[i] == ',' {
			i = skipWS(lim, i+1)
			continue
		}
		if i < len(lim) && lim[i] == ']' {
			return nil
		}
		return syntaxOrEOF(lim, i, "expected ',' or ']' after array element")
	}
}

// openContainer checks the span and its opening bracket and returns the data
// cut at the span's end plus the offset of the first member (or the close).
func openContainer(data []byte, s Span, open byte) ([]byte, int, error) {
	if s.Start < 0 || s.End > len(data) || s.Start >= s.End {
		return nil, 0, errAt(s.Start, ReasonRange, "span outside the data")
	}
	lim := data[:s.End]
	i := skipWS(lim, s.Start)
	if i >= len(lim) || lim[i] != open {
		want := "an object"
		if open == '[' {
			want = "an array"
		}
		return nil, 0, syntaxOrEOF(lim, i, "expected "+want)
	}
	return lim, skipWS(lim, i+1), nil
}

// Valid reports whether data is exactly one JSON value (surrounding
// whitespace allowed), strictly: grammar, UTF-8 everywhere, depth at most
// MaxDepth. It accepts a subset of what encoding/json accepts (encoding/json
// tolerates invalid UTF-8 inside strings and deeper nesting).
func Valid(data []byte) error {
	i := skipWS(data, 0)
	if i >= len(data) {
		return errAt(i, ReasonEmpty, "")
	}
	end, err := skipValue(data, i, MaxDepth)
	if err != nil {
		return err
	}
	if j := skipWS(data, end); j < len(data) {
		return errAt(j, ReasonTrailing, "")
	}
	return checkUTF8(data, 0)
}

// checkUTF8 validates data, reporting the offset (plus base) of the first
// bad byte. The fast path is utf8.Valid, which races through ASCII.
func checkUTF8(data []byte, base int) error {
	if utf8.Valid(data) {
		return nil
	}
	for i := 0; i < len(data); {
		if data[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return errAt(base+i, ReasonInvalidUTF8, "")
		}
		i += size
	}
	return nil
}
