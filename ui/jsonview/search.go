package jsonview

import (
	"bytes"
	"sort"
	"strings"
	"unicode/utf8"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient/jsonscan"
	"fhirscope/ui/termsafe"
)

// Search looks through the raw document, collapsed parts included, for
// keys and values containing the query (case-insensitively), and moves to
// the first match at or after the cursor, expanding its path.
//
// Small documents are searched as the user types; big ones when the query
// is accepted, in a tea.Cmd so the UI never freezes.
const (
	liveSearchLimit = 1 << 20 // search on every keystroke up to this size
	syncSearchLimit = 4 << 20 // above this, search in a Cmd
	maxMatches      = 1_000_000
)

type searchState struct {
	typing  bool   // the prompt is open
	input   []rune // what is typed in the prompt
	query   string // the query the matches belong to
	matches []int  // sorted start offsets of matching key/value tokens
	capped  bool   // more than maxMatches
	current int    // index into matches of the cursor's match, -1 none
	seq     uint64 // id of the latest search, so late results are dropped
	running bool
	origin  int32  // the node the prompt was opened on
	before  string // the query before the prompt opened (esc restores it)
}

// searchDoneMsg carries the result of a search run in a Cmd.
type searchDoneMsg struct {
	model   *Model
	seq     uint64
	query   string
	matches []int
	capped  bool
}

// Searching reports whether the search prompt is open: the app must then
// send every key here (q, ?, : are text) instead of acting on it.
func (m *Model) Searching() bool { return m.search.typing }

// Query is the active search query ("" when none).
func (m *Model) Query() string { return m.search.query }

// Matches returns how many tokens match and which one the cursor is on
// (1-based, 0 when the cursor is not on a match).
func (m *Model) Matches() (current, total int) {
	return m.search.current + 1, len(m.search.matches)
}

// Search runs a search synchronously (whatever the size) and moves to the
// first match at or after the cursor. For the app and tests; keys go
// through Update.
func (m *Model) Search(q string) {
	m.search.seq++
	matches, capped := findMatches(m.data, m.nodes[0].val, q)
	m.applyMatches(q, matches, capped)
}

// searchCmd starts a search for q, synchronously for small documents.
func (m *Model) searchCmd(q string) tea.Cmd {
	m.search.seq++
	if q == "" {
		m.applyMatches("", nil, false)
		return nil
	}
	if len(m.data) <= syncSearchLimit {
		matches, capped := findMatches(m.data, m.nodes[0].val, q)
		m.applyMatches(q, matches, capped)
		return nil
	}
	m.search.running = true
	m.note = "searching…"
	seq, data, span := m.search.seq, m.data, m.nodes[0].val
	return func() tea.Msg {
		matches, capped := findMatches(data, span, q)
		return searchDoneMsg{model: m, seq: seq, query: q, matches: matches, capped: capped}
	}
}

func (m *Model) applyMatches(q string, matches []int, capped bool) {
	s := &m.search
	s.running = false
	s.query, s.matches, s.capped, s.current = q, matches, capped, -1
	switch {
	case q == "":
		m.note = ""
		return
	case len(matches) == 0:
		m.note = "no match for \"" + sanitizeQuery(q) + "\""
		return
	}
	m.note = ""
	// The first match at or after the cursor's node, wrapping.
	here := m.nodes[m.cursorNode()].val.Start
	if k := m.nodes[m.cursorNode()].key.Start; k >= 0 {
		here = k
	}
	i := sort.SearchInts(matches, here)
	if i == len(matches) {
		i = 0
	}
	m.gotoMatch(i)
}

// NextMatch moves to the next match, wrapping at the end.
func (m *Model) NextMatch() { m.stepMatch(1) }

// PrevMatch moves to the previous match, wrapping at the start.
func (m *Model) PrevMatch() { m.stepMatch(-1) }

func (m *Model) stepMatch(d int) {
	n := len(m.search.matches)
	if n == 0 {
		if m.search.query == "" {
			m.note = "no search: press / to search"
		}
		return
	}
	i := m.search.current
	if i < 0 {
		// Not on a match (the cursor moved): continue from the cursor.
		here := m.nodes[m.cursorNode()].val.Start
		i = sort.SearchInts(m.search.matches, here)
		if d < 0 {
			i--
		} else if i < n && m.search.matches[i] == here {
			i++
		}
		m.gotoMatch(((i % n) + n) % n)
		return
	}
	m.gotoMatch(((i+d)%n + n) % n)
}

// gotoMatch reveals match i (expanding its ancestors) and puts the cursor
// on its line.
func (m *Model) gotoMatch(i int) {
	m.search.current = i
	node := m.locate(m.search.matches[i])
	if pos := m.reveal(node); pos >= 0 {
		m.setCursor(pos)
	}
}

// isMatch reports whether a key or value token starting at off matches.
func (m *Model) isMatch(off int) bool {
	ms := m.search.matches
	i := sort.SearchInts(ms, off)
	return i < len(ms) && ms[i] == off
}

// findMatches scans the document's tokens (keys, strings, numbers,
// literals) and returns the start offsets of those containing q.
func findMatches(data []byte, span jsonscan.Span, q string) ([]int, bool) {
	if q == "" {
		return nil, false
	}
	lowerQ := strings.ToLower(q)
	ascii := isASCII(lowerQ)
	var out []int
	d := data[:span.End]
	valueAfter := -1 // offset of the value of a member whose key matched
	for i := span.Start; i < len(d); {
		c := d[i]
		switch {
		case c == '"':
			end := stringEnd(d, i)
			body := d[i+1 : max(end-1, i+1)]
			var hit bool
			if ascii && bytes.IndexByte(body, '\\') < 0 {
				hit = containsFoldASCII(body, lowerQ)
			} else if s, err := jsonscan.Unquote(d, jsonscan.Span{Start: i, End: end}); err == nil {
				hit = containsFold(s, lowerQ)
			}
			// A member whose key matched is one match, not two: skip its
			// value's own hit so n never stops twice on one line.
			if hit && !(i == valueAfter) {
				out = append(out, i)
			}
			valueAfter = -1
			if hit && isKey(d, end) {
				valueAfter = skipColon(d, end)
			}
			i = end
		case c == '-' || c >= '0' && c <= '9' || c == 't' || c == 'f' || c == 'n':
			j := i
			for j < len(d) && !isDelim(d[j]) {
				j++
			}
			if i != valueAfter && containsFoldASCII(d[i:j], lowerQ) {
				out = append(out, i)
			}
			i = j
		default:
			i++
		}
		if len(out) >= maxMatches {
			return out, true
		}
	}
	return out, false
}

// isKey reports whether the string ending at end is an object key.
func isKey(d []byte, end int) bool {
	for ; end < len(d); end++ {
		if !isSpace(d[end]) {
			return d[end] == ':'
		}
	}
	return false
}

// skipColon returns the offset of the value after a key ending at end.
func skipColon(d []byte, end int) int {
	for end < len(d) && (isSpace(d[end]) || d[end] == ':') {
		end++
	}
	return end
}

func isDelim(c byte) bool {
	return c == ',' || c == '}' || c == ']' || c == ':' || isSpace(c)
}

// stringEnd returns the offset just past the string starting at i.
func stringEnd(d []byte, i int) int {
	j := i + 1
	for {
		k := bytes.IndexByte(d[j:], '"')
		if k < 0 {
			return len(d)
		}
		j += k
		bs := 0
		for p := j - 1; p > i && d[p] == '\\'; p-- {
			bs++
		}
		j++
		if bs%2 == 0 {
			return j
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// containsFoldASCII reports whether hay contains lowerQ (lowercase ASCII),
// ignoring ASCII case. Candidates are found with bytes.IndexByte for the
// first byte in each case; each is searched for once per position passed,
// so a 5 MB string costs linear time.
func containsFoldASCII(hay []byte, lowerQ string) bool {
	n := len(lowerQ)
	if n == 0 {
		return true
	}
	last := len(hay) - n // last possible start
	if last < 0 {
		return false
	}
	first := lowerQ[0]
	upper := first
	if first >= 'a' && first <= 'z' {
		upper = first - 32
	}
	next := func(c byte, from int) int {
		if k := bytes.IndexByte(hay[from:last+1], c); k >= 0 {
			return from + k
		}
		return len(hay)
	}
	lo, up := next(first, 0), len(hay)
	if upper != first {
		up = next(upper, 0)
	}
	for {
		i := min(lo, up)
		if i > last {
			return false
		}
		if equalFoldASCII(hay[i:i+n], lowerQ) {
			return true
		}
		if i == lo {
			lo = len(hay)
			if i+1 <= last {
				lo = next(first, i+1)
			}
		}
		if i == up {
			up = len(hay)
			if i+1 <= last {
				up = next(upper, i+1)
			}
		}
	}
}

func equalFoldASCII(b []byte, lower string) bool {
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 32
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func containsFold(s, lowerQ string) bool {
	return strings.Contains(strings.ToLower(s), lowerQ)
}

// sanitizeQuery shows a query safely (it was typed or pasted, and pasted
// text can hold anything).
func sanitizeQuery(q string) string {
	return termsafe.String(q)
}
