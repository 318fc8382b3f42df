package jsonscan

// Leaves calls fn for every scalar (string, number, true, false, null) inside
// the value at v, in document order, with the key of the member that holds it:
// for {"given":["Ann","Bo"]} both strings come with the key "given". Scalars
// in arrays outside any object get a zero key Span. fn returns false to stop.
// The value is validated as it is walked (grammar and depth, not UTF-8), in
// one pass without recursion; this is what search summaries are built from.
func Leaves(data []byte, v Span, fn func(key, val Span) bool) error {
	if v.Start < 0 || v.End > len(data) || v.Start >= v.End {
		return errAt(v.Start, ReasonRange, "span outside the data")
	}
	data = data[:v.End]
	var (
		inObject [MaxDepth/64 + 1]uint64
		keys     [MaxDepth + 1]Span // keys[d] = key in force inside depth d
		depth    int
		err      error
		start    int
	)
	n := len(data)
	i := skipWS(data, v.Start)
	for {
		if i >= n {
			return errAt(n, ReasonTruncated, "expected a value")
		}
		start = i
		switch c := data[i]; c {
		case '{', '[':
			if depth >= MaxDepth {
				return errAt(i, ReasonTooDeep, "")
			}
			if c == '{' {
				inObject[depth>>6] |= 1 << (depth & 63)
			} else {
				inObject[depth>>6] &^= 1 << (depth & 63)
			}
			keys[depth+1] = keys[depth]
			depth++
			i = skipWS(data, i+1)
			if i < n && data[i] == c+2 {
				depth--
				i++
				break
			}
			if c == '{' {
				if i, err = leafKey(data, i, &keys[depth]); err != nil {
					return err
				}
			}
			continue
		case '"':
			i, err = skipString(data, i)
		case 't':
			i, err = skipLiteral(data, i, "true")
		case 'f':
			i, err = skipLiteral(data, i, "false")
		case 'n':
			i, err = skipLiteral(data, i, "null")
		default:
			if c != '-' && (c < '0' || c > '9') {
				return syntaxOrEOF(data, i, "expected a value")
			}
			i, err = skipNumber(data, i)
		}
		if err != nil {
			return err
		}
		if start < i && data[start] != '{' && data[start] != '[' && !fn(keys[depth], Span{start, i}) {
			return nil
		}
		for {
			if depth == 0 {
				return nil
			}
			i = skipWS(data, i)
			if i >= n {
				return errAt(n, ReasonTruncated, "expected ',' or a closing bracket")
			}
			top := depth - 1
			obj := inObject[top>>6]>>(top&63)&1 == 1
			c := data[i]
			if c == ',' {
				i = skipWS(data, i+1)
				if obj {
					if i, err = leafKey(data, i, &keys[depth]); err != nil {
						return err
					}
				}
				break
			}
			if (obj && c == '}') || (!obj && c == ']') {
				depth--
				i++
				continue
			}
			return syntaxOrEOF(data, i, "expected ',' or a closing bracket")
		}
	}
}

func leafKey(data []byte, i int, key *Span) (int, error) {
	if i >= len(data) || data[i] != '"' {
		return i, syntaxOrEOF(data, i, "expected a string object key")
	}
	end, err := skipString(data, i)
	if err != nil {
		return end, err
	}
	*key = Span{i, end}
	j := skipWS(data, end)
	if j >= len(data) || data[j] != ':' {
		return j, syntaxOrEOF(data, j, "expected ':' after object key")
	}
	return skipWS(data, j+1), nil
}
