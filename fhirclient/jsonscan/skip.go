package jsonscan

// The core scanner: one iterative pass that validates JSON grammar and
// returns where a value ends. It keeps the open containers in a bit stack
// (1 = object) on the Go stack, so skipping allocates nothing and hostile
// nesting cannot recurse: the depth check turns it into an error.

// KindAt reports the kind of the value starting at off (leading whitespace
// allowed), judged by its first byte only. It does not validate the value.
func KindAt(data []byte, off int) Kind {
	if off < 0 || off >= len(data) {
		return Invalid
	}
	i := skipWS(data, off)
	if i >= len(data) {
		return Invalid
	}
	switch c := data[i]; c {
	case '{':
		return Object
	case '[':
		return Array
	case '"':
		return String
	case 't':
		return True
	case 'f':
		return False
	case 'n':
		return Null
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return Number
		}
	}
	return Invalid
}

// SkipValue validates the value starting at off (leading whitespace allowed)
// and returns the offset just past it; trailing whitespace is not consumed.
// Strings are checked for grammar (escapes, no raw control characters) but
// not for UTF-8; Valid adds the strict UTF-8 check.
func SkipValue(data []byte, off int) (end int, err error) {
	if off < 0 || off > len(data) {
		return off, errAt(off, ReasonRange, "offset outside the data")
	}
	i := skipWS(data, off)
	if i >= len(data) {
		return i, errAt(i, ReasonTruncated, "expected a value")
	}
	return skipValue(data, i, MaxDepth)
}

// SkipValueSpan is SkipValue returning the value's span without the
// leading whitespace.
func SkipValueSpan(data []byte, off int) (Span, error) {
	if off < 0 || off > len(data) {
		return Span{off, off}, errAt(off, ReasonRange, "offset outside the data")
	}
	i := skipWS(data, off)
	if i >= len(data) {
		return Span{i, i}, errAt(i, ReasonTruncated, "expected a value")
	}
	end, err := skipValue(data, i, MaxDepth)
	return Span{i, end}, err
}

// isWS marks the four JSON whitespace bytes.
var isWS = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

func skipWS(data []byte, i int) int {
	for i < len(data) && isWS[data[i]] {
		i++
	}
	return i
}

// skipValue scans one value starting exactly at data[i] (no whitespace),
// allowing at most maxDepth nested containers.
func skipValue(data []byte, i int, maxDepth int) (int, error) {
	var inObject [MaxDepth/64 + 1]uint64
	depth := 0
	n := len(data)
	var err error
	for {
		// A value is expected at i.
		if i >= n {
			return n, errAt(n, ReasonTruncated, "expected a value")
		}
		switch c := data[i]; c {
		case '"':
			if i, err = skipString(data, i); err != nil {
				return i, err
			}
		case '{', '[':
			if depth >= maxDepth {
				return i, errAt(i, ReasonTooDeep, "")
			}
			if c == '{' {
				inObject[depth>>6] |= 1 << (depth & 63)
			} else {
				inObject[depth>>6] &^= 1 << (depth & 63)
			}
			depth++
			i = skipWS(data, i+1)
			if i < n && data[i] == c+2 { // '{'+2 == '}', '['+2 == ']'
				depth--
				i++
				break
			}
			if c == '{' {
				if i, err = skipKeyColon(data, i); err != nil {
					return i, err
				}
			}
			continue
		case 't':
			if i, err = skipLiteral(data, i, "true"); err != nil {
				return i, err
			}
		case 'f':
			if i, err = skipLiteral(data, i, "false"); err != nil {
				return i, err
			}
		case 'n':
			if i, err = skipLiteral(data, i, "null"); err != nil {
				return i, err
			}
		default:
			if c != '-' && (c < '0' || c > '9') {
				return i, syntaxOrEOF(data, i, "expected a value")
			}
			if i, err = skipNumber(data, i); err != nil {
				return i, err
			}
		}
		// A value ended at i: close containers until one continues with ','.
		for {
			if depth == 0 {
				return i, nil
			}
			i = skipWS(data, i)
			if i >= n {
				return n, errAt(n, ReasonTruncated, "expected ',' or a closing bracket")
			}
			top := depth - 1
			obj := inObject[top>>6]>>(top&63)&1 == 1
			c := data[i]
			if c == ',' {
				i = skipWS(data, i+1)
				if obj {
					if i, err = skipKeyColon(data, i); err != nil {
						return i, err
					}
				}
				break
			}
			if (obj && c == '}') || (!obj && c == ']') {
				depth--
				i++
				continue
			}
			if obj {
				return i, syntaxOrEOF(data, i, "expected ',' or '}' after object member")
			}
			return i, syntaxOrEOF(data, i, "expected ',' or ']' after array element")
		}
	}
}

// skipKeyColon scans `"key" :` plus whitespace, leaving i at the member value.
func skipKeyColon(data []byte, i int) (int, error) {
	if i >= len(data) || data[i] != '"' {
		return i, syntaxOrEOF(data, i, "expected a string object key")
	}
	i, err := skipString(data, i)
	if err != nil {
		return i, err
	}
	i = skipWS(data, i)
	if i >= len(data) || data[i] != ':' {
		return i, syntaxOrEOF(data, i, "expected ':' after object key")
	}
	return skipWS(data, i+1), nil
}

func skipLiteral(data []byte, i int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if i+k >= len(data) {
			return len(data), errAt(len(data), ReasonTruncated, "inside literal "+lit)
		}
		if data[i+k] != lit[k] {
			return i + k, errAt(i+k, ReasonSyntax, "invalid literal, expected "+lit)
		}
	}
	return i + len(lit), nil
}

// skipNumber checks -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(data []byte, i int) (int, error) {
	n := len(data)
	if data[i] == '-' {
		i++
	}
	switch {
	case i >= n:
		return n, errAt(n, ReasonTruncated, "inside number")
	case data[i] == '0':
		i++
	case data[i] >= '1' && data[i] <= '9':
		i = skipDigits(data, i+1)
	default:
		return i, errAt(i, ReasonSyntax, "invalid number")
	}
	if i < n && data[i] == '.' {
		i++
		if i >= n {
			return n, errAt(n, ReasonTruncated, "inside number")
		}
		if data[i] < '0' || data[i] > '9' {
			return i, errAt(i, ReasonSyntax, "expected a digit after '.'")
		}
		i = skipDigits(data, i+1)
	}
	if i < n && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < n && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= n {
			return n, errAt(n, ReasonTruncated, "inside number")
		}
		if data[i] < '0' || data[i] > '9' {
			return i, errAt(i, ReasonSyntax, "expected a digit in exponent")
		}
		i = skipDigits(data, i+1)
	}
	return i, nil
}

func skipDigits(data []byte, i int) int {
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		i++
	}
	return i
}
