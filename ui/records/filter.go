package records

import (
	"bytes"
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"fhirscope/fhirclient/jsonscan"
)

// Filtering searches a lowercased summary of each entry rather than its raw
// JSON: the raw text matches every key ("name" would hit every Patient) and
// every profile URL. Summaries are built lazily, once per entry, into one
// contiguous arena, so a query is a handful of bytes.Index calls over a few
// MB (SIMD in the standard library) instead of a pass per row: 10,000
// Patients filter in well under a millisecond once summarised.

// Summarizer turns a resource's JSON into the text a filter should match,
// e.g. ui/summary.Text. Its output is lowercased by the Source.
type Summarizer func(resource []byte) string

type filterState struct {
	mu        sync.Mutex
	summarize Summarizer // nil: defaultSummary
	text      []byte     // lowercased summaries, each followed by '\n'
	ends      []int      // ends[i]: offset in text just past entry i's summary

	// The previous query, so typing one more letter rechecks only its matches.
	lastTerms [][]byte
	lastN     int
	lastOut   []int
}

func (f *filterState) reset() {
	f.mu.Lock()
	f.drop()
	f.mu.Unlock()
}

// drop forgets every summary and the previous query. f.mu is held.
func (f *filterState) drop() {
	f.text, f.ends = nil, nil
	f.lastTerms, f.lastN, f.lastOut = nil, 0, nil
}

// SetSummarizer replaces the text filters match against (nil restores the
// default: every string and number value except systems, URLs, profiles,
// narrative HTML and "use" enumerations; about 2.5 us of CPU per Patient
// (BenchmarkFilter10kFirstCall), where ui/summary.Text costs about 6 us
// (summary.BenchmarkTextPatient)). Summaries built so far are dropped.
func (s *Source) SetSummarizer(fn Summarizer) {
	s.filter.mu.Lock()
	s.filter.summarize = fn
	s.filter.drop()
	s.filter.mu.Unlock()
}

// Filter returns, in order, the indexes of the entries (indexed so far)
// whose summary contains every whitespace-separated term of query,
// case-insensitively and ignoring Latin diacritics (see fold.go). An empty
// query matches everything. The first call summarises the entries not yet
// seen; later calls only search, and a query that narrows the previous one
// (typing one more letter) only rechecks the previous matches.
func (s *Source) Filter(query string) []int {
	terms := bytes.Fields(appendLower(nil, []byte(query)))
	n := s.Len()
	if len(terms) == 0 {
		all := make([]int, n)
		for i := range all {
			all[i] = i
		}
		return all
	}
	f := &s.filter
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.summarizeUpTo(n) {
		return nil // the file changed under the mapping: Err says so
	}
	var out []int
	if f.lastTerms != nil && f.lastN <= n && narrows(terms, f.lastTerms) {
		for _, e := range f.lastOut {
			if containsAll(f.summaryBytes(e), terms, -1) {
				out = append(out, e)
			}
		}
		out = f.search(terms, f.lastN, n, out)
	} else {
		out = f.search(terms, 0, n, nil)
	}
	f.lastTerms, f.lastN, f.lastOut = terms, n, slices.Clone(out)
	return out
}

// narrows reports whether every entry matching terms also matches old:
// each old term is inside some new term.
func narrows(terms, old [][]byte) bool {
	for _, o := range old {
		found := false
		for _, t := range terms {
			if bytes.Contains(t, o) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// search appends the entries in [from, to) matching all terms. It scans the
// arena for the longest term (usually the rarest) with bytes.Index and checks
// the other terms inside each hit's own summary only.
func (f *filterState) search(terms [][]byte, from, to int, out []int) []int {
	anchor := 0
	for i, t := range terms {
		if len(t) > len(terms[anchor]) {
			anchor = i
		}
	}
	if from >= to {
		return out
	}
	text, ends := f.text[:f.ends[to-1]], f.ends[:to]
	entry := from
	for pos := f.begin(from); pos < len(text); {
		k := bytes.Index(text[pos:], terms[anchor])
		if k < 0 {
			break
		}
		at := pos + k
		for entry < len(ends) && ends[entry] <= at {
			entry++
		}
		if entry >= len(ends) {
			break
		}
		if containsAll(f.summaryBytes(entry), terms, anchor) {
			out = append(out, entry)
		}
		pos = ends[entry]
		entry++
	}
	return out
}

func (f *filterState) begin(i int) int {
	if i == 0 {
		return 0
	}
	return f.ends[i-1]
}

// summaryBytes is entry i's summary including its trailing '\n'.
func (f *filterState) summaryBytes(i int) []byte { return f.text[f.begin(i):f.ends[i]] }

func containsAll(summary []byte, terms [][]byte, skip int) bool {
	for i, t := range terms {
		if i != skip && !bytes.Contains(summary, t) {
			return false
		}
	}
	return true
}

// Summary returns entry i's filter text (lowercased), building it if needed.
func (s *Source) Summary(i int) string {
	if i < 0 || i >= s.Len() {
		return ""
	}
	f := &s.filter
	f.mu.Lock()
	defer f.mu.Unlock()
	if !s.summarizeUpTo(i + 1) {
		return ""
	}
	return string(bytes.TrimSuffix(f.summaryBytes(i), []byte{'\n'}))
}

// summarizeUpTo extends the arena to cover entries [0, n), reporting false
// when the mapping faulted (see fault.go). f.mu is held.
func (s *Source) summarizeUpTo(n int) bool {
	f := &s.filter
	ok := s.guardFaults(func() { s.summarize(n) })
	if !ok {
		f.text = f.text[:f.begin(len(f.ends))] // drop the half-written summary
		f.lastTerms, f.lastN, f.lastOut = nil, 0, nil
	}
	return ok
}

// summarize is summarizeUpTo's work, on the mapped bytes.
func (s *Source) summarize(n int) {
	f := &s.filter
	if todo := n - len(f.ends); todo > 0 && s.filter.summarize == nil {
		// Summaries run about a fifth of the JSON: size the arena once
		// instead of regrowing (and copying) it a dozen times.
		first, _ := s.Span(len(f.ends))
		last, _ := s.Span(n - 1)
		f.text = slices.Grow(f.text, (last.End-first.Start)/5)
		f.ends = slices.Grow(f.ends, todo)
	}
	for i := len(f.ends); i < n; i++ {
		raw := s.Entry(i)
		if f.summarize != nil {
			f.text = appendLower(f.text, []byte(f.summarize(raw)))
		} else {
			f.text = defaultSummary(f.text, raw)
		}
		f.text = append(f.text, '\n')
		f.ends = append(f.ends, len(f.text))
	}
}

// skipKey reports keys whose values nobody types into a filter and that
// would match almost every row: code system URLs, profiles, extension URLs,
// narrative HTML, and enumerations like use "home"/"official" (without them
// "home" finds a patient living on Home Street, not every patient).
func skipKey(k []byte) bool {
	switch string(k) {
	case `"system"`, `"url"`, `"profile"`, `"div"`, `"use"`, `"versionId"`, `"mode"`:
		return true
	}
	return false
}

func defaultSummary(dst, raw []byte) []byte {
	if len(raw) == 0 {
		return dst
	}
	var buf [64]byte
	_ = jsonscan.Leaves(raw, jsonscan.Span{Start: 0, End: len(raw)}, func(key, val jsonscan.Span) bool {
		c := raw[val.Start]
		if c == 't' || c == 'f' || c == 'n' {
			return true // true/false/null would match everything
		}
		if skipKey(raw[key.Start:key.End]) {
			return true
		}
		if c == '"' {
			body := raw[val.Start+1 : val.End-1]
			if bytes.IndexByte(body, '\\') < 0 {
				dst = appendLower(dst, body) // no escapes: lowercase straight from the file
			} else if v, err := jsonscan.AppendUnquote(buf[:0], raw, val); err == nil {
				dst = appendLower(dst, v)
			}
		} else {
			dst = append(dst, raw[val.Start:val.End]...)
		}
		dst = append(dst, ' ')
		return true
	})
	return dst
}

// lowerASCII maps ASCII to lower case and control bytes to spaces (a value
// holding "\n" must not split the arena's one-line-per-entry layout).
var lowerASCII = func() (t [utf8.RuneSelf]byte) {
	for i := range t {
		c := byte(i)
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
		case c < 0x20 || c == 0x7f:
			c = ' '
		}
		t[i] = c
	}
	return t
}()

func appendLower(dst, s []byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			dst = append(dst, lowerASCII[c])
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		i += size
		if base := foldLatin(r); base != "" {
			dst = append(dst, base...)
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// PrepareFilter builds the summaries of the entries indexed so far in the
// background, so the first keystroke of a filter does not pay for them
// (about 25 ms per 10,000 Patients). Call it when the filter opens.
func (s *Source) PrepareFilter() {
	go func() {
		n := s.Len()
		s.filter.mu.Lock()
		defer s.filter.mu.Unlock()
		s.summarizeUpTo(n)
	}()
}
