// Package termsafe turns any string that came from a server, a file or a user
// into text that is safe to write to a terminal and shows what it really holds.
//
// A FHIR server is outside input: a Patient name can carry an OSC 52 sequence
// that writes the user's clipboard, a CSI that clears the screen, a C1 control
// that some terminals treat as ESC [, or a bidi override that makes "evil.com"
// read as "moc.live". None of that may reach the terminal as a control. Each
// such character is replaced by a visible, inert stand-in instead of being
// dropped, so the user sees that the data is odd:
//
//   - C0 controls and DEL become Control Pictures (ESC -> ␛, BEL -> ␇, LF -> ␊);
//     an escape sequence thus reads as "␛]52;c;…␇" or "␛[2J" and does nothing.
//   - C1 controls (U+0080-U+009F) become "\u009B"-style escapes.
//   - Bidi embeddings, overrides, isolates and marks, line/paragraph
//     separators and other invisible format characters become "\u202E"-style
//     escapes.
//   - Invalid UTF-8 becomes U+FFFD.
//
// Plain printable text (the overwhelmingly common case) is returned unchanged
// without allocating.
package termsafe

import (
	"strings"
	"unicode/utf8"
)

// String makes s safe for a single-line cell: every control, including
// newline and tab, is shown as a visible stand-in.
func String(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	write(&b, s, false)
	return b.String()
}

// Bytes is String for a byte slice (a JSON span, a response excerpt).
func Bytes(p []byte) string {
	if isPlain(p) {
		return string(p)
	}
	var b strings.Builder
	b.Grow(len(p) + 16)
	write(&b, p, false)
	return b.String()
}

// Text makes s safe for a multi-line area: "\n" and "\r\n" are kept as line
// breaks and a tab becomes spaces up to the next multiple of TabWidth columns
// (a raw tab would break width calculations); everything else is as String.
func Text(s string) string {
	if isPlain(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	write(&b, s, true)
	return b.String()
}

// TabWidth is the tab stop distance Text uses.
const TabWidth = 4

// IsSafe reports whether s would be returned unchanged by String.
func IsSafe(s string) bool {
	return String(s) == s
}

// isPlain reports whether s is printable ASCII only, the fast path.
func isPlain[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

const hexDigits = "0123456789ABCDEF"

// write appends the safe form of s to b. multiline keeps line breaks and
// expands tabs.
func write[T string | []byte](b *strings.Builder, s T, multiline bool) {
	col := 0 // column within the current line, only used for tab expansion
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			b.WriteByte(c)
			i++
			col++
			continue
		}
		if c < 0x80 {
			i++
			switch {
			case multiline && c == '\n':
				b.WriteByte('\n')
				col = 0
			case multiline && c == '\r' && i < len(s) && s[i] == '\n':
				// CRLF is one line break; the LF is written next round.
			case multiline && c == '\t':
				n := TabWidth - col%TabWidth
				b.WriteString("    "[:n])
				col += n
			case c == 0x7f:
				b.WriteString("␡")
				col++
			default:
				// Control Pictures block: U+2400 + the control's code.
				b.WriteRune(0x2400 + rune(c))
				col++
			}
			continue
		}
		r, size := decodeRune(s[i:])
		i += size
		col++
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case isHidden(r):
			writeEscape(b, r)
		default:
			b.WriteRune(r)
		}
	}
}

func decodeRune[T string | []byte](s T) (rune, int) {
	switch v := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(v)
	case []byte:
		return utf8.DecodeRune(v)
	}
	return utf8.RuneError, 1
}

// writeEscape writes r as "\uXXXX" (or "\U00XXXXXX" past the BMP).
func writeEscape(b *strings.Builder, r rune) {
	if r > 0xFFFF {
		b.WriteString(`\U`)
		for shift := 28; shift >= 0; shift -= 4 {
			b.WriteByte(hexDigits[(r>>shift)&0xF])
		}
		return
	}
	b.WriteString(`\u`)
	for shift := 12; shift >= 0; shift -= 4 {
		b.WriteByte(hexDigits[(r>>shift)&0xF])
	}
}

// isHidden reports runes at or above U+0080 that must not reach a terminal
// as themselves: C1 controls, which some terminals act on, and invisible
// format characters that reorder or hide text.
func isHidden(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9F: // C1 controls (0x9B is CSI, 0x9D is OSC)
		return true
	case r == 0x00AD: // soft hyphen: invisible, hides text boundaries
		return true
	case r == 0x061C: // Arabic letter mark
		return true
	case r == 0x200B || r == 0x200E || r == 0x200F: // zero width space, LRM, RLM
		// ZWNJ/ZWJ (U+200C/D) stay: emoji sequences and several scripts
		// need them, and they cannot reorder or hide text.
		return true
	case r >= 0x2028 && r <= 0x202E: // line/paragraph separators, LRE RLE PDF LRO RLO
		return true
	case r >= 0x2060 && r <= 0x206F: // word joiner, invisible operators, LRI RLI FSI PDI, deprecated format chars
		return true
	case r == 0xFEFF: // zero width no-break space / BOM
		return true
	case r >= 0xFFF9 && r <= 0xFFFB: // interlinear annotation controls
		return true
	case r >= 0xE0000 && r <= 0xE007F: // tag characters (invisible)
		return true
	}
	return false
}
