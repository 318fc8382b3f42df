package jsonscan

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf16"
	"unicode/utf8"
)

// String bodies are most of a FHIR document's bytes, so skipString looks at
// eight bytes per step (SWAR): it finds the first '"', '\\' or control byte
// in a word with the classic has-zero-byte trick. The lowest flagged byte is
// always exact (false positives only appear above a true match), which is
// all the scanner needs.
const (
	swarLo = 0x0101010101010101
	swarHi = 0x8080808080808080
)

// specialMask flags bytes of w that are '"', '\\' or < 0x20.
func specialMask(w uint64) uint64 {
	q := w ^ (swarLo * '"')
	b := w ^ (swarLo * '\\')
	return ((q - swarLo) &^ q & swarHi) | ((b - swarLo) &^ b & swarHi) | ((w - swarLo*0x20) &^ w & swarHi)
}

var isHex = [256]bool{
	'0': true, '1': true, '2': true, '3': true, '4': true, '5': true, '6': true, '7': true, '8': true, '9': true,
	'a': true, 'b': true, 'c': true, 'd': true, 'e': true, 'f': true,
	'A': true, 'B': true, 'C': true, 'D': true, 'E': true, 'F': true,
}

// skipString scans the string whose opening quote is data[i] and returns
// the offset after its closing quote.
func skipString(data []byte, i int) (int, error) {
	n := len(data)
	j := i + 1
	for {
		for j+8 <= n {
			m := specialMask(binary.LittleEndian.Uint64(data[j:]))
			if m != 0 {
				j += bits.TrailingZeros64(m) >> 3
				break
			}
			j += 8
		}
		if j >= n {
			return n, errAt(n, ReasonTruncated, "inside string")
		}
		switch c := data[j]; {
		case c == '"':
			return j + 1, nil
		case c == '\\':
			if j+1 >= n {
				return n, errAt(n, ReasonTruncated, "inside string escape")
			}
			switch data[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j += 2
			case 'u':
				for k := 2; k < 6; k++ {
					if j+k >= n {
						return n, errAt(n, ReasonTruncated, "inside \\u escape")
					}
					if !isHex[data[j+k]] {
						return j + k, errAt(j+k, ReasonSyntax, "invalid \\u escape")
					}
				}
				j += 6
			default:
				return j + 1, errAt(j+1, ReasonSyntax, "invalid escape in string")
			}
		case c < 0x20:
			return j, errAt(j, ReasonSyntax, "control character in string")
		default:
			j++ // a byte the word loop skipped only because fewer than 8 remain
		}
	}
}

// Unquote decodes the JSON string whose span (quotes included) is str.
// Invalid UTF-8 and lone surrogates become U+FFFD, as in encoding/json.
func Unquote(data []byte, str Span) (string, error) {
	body, err := stringBody(data, str)
	if err != nil {
		return "", err
	}
	if plain(body) {
		return string(body), nil
	}
	out, err := appendUnquoted(make([]byte, 0, len(body)), body, str.Start+1)
	return string(out), err
}

// AppendUnquote appends the decoded string at str to dst, allocating only
// when dst must grow.
func AppendUnquote(dst []byte, data []byte, str Span) ([]byte, error) {
	body, err := stringBody(data, str)
	if err != nil {
		return dst, err
	}
	if plain(body) {
		return append(dst, body...), nil
	}
	return appendUnquoted(dst, body, str.Start+1)
}

// KeyEquals reports whether the string at str decodes to s, without
// allocating in the common unescaped case.
func KeyEquals(data []byte, str Span, s string) bool {
	body, err := stringBody(data, str)
	if err != nil {
		return false
	}
	if len(body) == len(s) && string(body) == s {
		return plain(body)
	}
	for _, c := range body {
		if c == '\\' {
			var buf [64]byte
			out, err := appendUnquoted(buf[:0], body, 0)
			return err == nil && string(out) == s
		}
	}
	return false
}

func stringBody(data []byte, str Span) ([]byte, error) {
	if str.Start < 0 || str.End > len(data) || str.End-str.Start < 2 {
		return nil, errAt(str.Start, ReasonRange, "string span outside the data")
	}
	if data[str.Start] != '"' || data[str.End-1] != '"' {
		return nil, errAt(str.Start, ReasonSyntax, "span is not a quoted string")
	}
	return data[str.Start+1 : str.End-1], nil
}

// plain reports a body that decodes to itself: ASCII without escapes,
// quotes or control bytes (non-ASCII must pass UTF-8 validation too).
func plain(body []byte) bool {
	ascii := true
	for _, c := range body {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
		if c >= 0x80 {
			ascii = false
		}
	}
	return ascii || utf8.Valid(body)
}

func appendUnquoted(dst, body []byte, base int) ([]byte, error) {
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case c == '\\':
			if i+1 >= len(body) {
				return dst, errAt(base+i, ReasonSyntax, "unterminated escape")
			}
			switch e := body[i+1]; e {
			case '"', '\\', '/':
				dst = append(dst, e)
				i += 2
			case 'b':
				dst, i = append(dst, '\b'), i+2
			case 'f':
				dst, i = append(dst, '\f'), i+2
			case 'n':
				dst, i = append(dst, '\n'), i+2
			case 'r':
				dst, i = append(dst, '\r'), i+2
			case 't':
				dst, i = append(dst, '\t'), i+2
			case 'u':
				r, ok := Hex4(body[i+2:])
				if !ok {
					return dst, errAt(base+i, ReasonSyntax, "invalid \\u escape")
				}
				i += 6
				if utf16.IsSurrogate(r) {
					r2, ok2 := rune(-1), false
					if i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' {
						r2, ok2 = Hex4(body[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); ok2 && dec != utf8.RuneError {
						r, i = dec, i+6
					} else {
						r = utf8.RuneError
					}
				}
				dst = utf8.AppendRune(dst, r)
			default:
				return dst, errAt(base+i, ReasonSyntax, "invalid escape in string")
			}
		case c == '"' || c < 0x20:
			return dst, errAt(base+i, ReasonSyntax, "unescaped quote or control character in string")
		case c < utf8.RuneSelf:
			dst = append(dst, c)
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			dst = utf8.AppendRune(dst, r) // RuneError for invalid bytes
			i += size
		}
	}
	return dst, nil
}

// Hex4 decodes the four hex digits of a \uXXXX escape at the start of b (the digits only,
// without the backslash and u). ui/jsonview's tolerant string decoder uses it too.
func Hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
