package jsonview

import (
	"unicode"
	"unicode/utf8"

	"charm.land/lipgloss/v2"

	"fhirscope/fhirclient/jsonscan"
)

// Highlighting search matches inside the keys and values on screen.

// indexFold finds q in s ignoring case, returning the byte range in s.
func indexFold(s, q string) (int, int) {
	if q == "" {
		return -1, -1
	}
	qr := []rune(q)
	for i := range s {
		j, k := i, 0
		for k < len(qr) && j < len(s) {
			r, size := utf8.DecodeRuneInString(s[j:])
			if !equalRuneFold(r, qr[k]) {
				break
			}
			j += size
			k++
		}
		if k == len(qr) {
			return i, j
		}
	}
	return -1, -1
}

func equalRuneFold(a, b rune) bool {
	if a == b {
		return true
	}
	return unicode.ToLower(a) == unicode.ToLower(b)
}

// matchable returns a key or value token as segments, with the matching
// part in the Match style when the token is a search match.
// A value whose key matched is checked too (findMatches records one match
// per member), but highlighted only where the query is visibly in it.
func (m *Model) matchable(tok jsonscan.Span, text string, style *lipgloss.Style, st *Styles, key jsonscan.Span) []segment {
	if m.search.query == "" {
		return []segment{{text, style}}
	}
	own := m.isMatch(tok.Start)
	if !own && !(key.Start >= 0 && key != tok && m.isMatch(key.Start)) {
		return []segment{{text, style}}
	}
	i, j := indexFold(text, m.search.query)
	if i < 0 {
		if own {
			return []segment{{text, &st.Match}} // only a clipped or escaped part matched
		}
		return []segment{{text, style}}
	}
	return []segment{{text[:i], style}, {text[i:j], &st.Match}, {text[j:], style}}
}
