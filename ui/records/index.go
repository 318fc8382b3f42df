package records

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
	"unicode/utf8"

	"fhirscope/fhirclient/jsonscan"
)

// probeLimit bounds how far detect looks for the end of the first line when
// deciding between one JSON document and NDJSON. A compact bundle is one
// long line, so the probe is paid on every open: 16 MB cost ~1 ms of the
// first screen, 1 MB ~0.05 ms. NDJSON whose first record is longer is still
// recognised, after the fact (ndjsonAfterAll).
var probeLimit = 1 << 20 // a var so tests can shrink it

// detect decides the file's shape from its first bytes and rejects what is
// plainly not JSON with a hint about what it is instead.
func detect(path string, data []byte) (Format, int, error) {
	start := 0
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		start = 3 // a UTF-8 byte order mark, as some editors write
	}
	for start < len(data) && isSpace(data[start]) {
		start++
	}
	if start >= len(data) {
		return 0, 0, &Error{Path: path, Reason: ReasonEmpty}
	}
	switch data[start] {
	case '[':
		return FormatArray, start, nil
	case '{':
	default:
		return 0, 0, &Error{Path: path, Reason: ReasonNotJSON, Offset: int64(start), Err: fmt.Errorf("%s", notJSONHint(data[start:]))}
	}
	ext := strings.ToLower(filepath.Ext(strings.TrimSuffix(strings.ToLower(path), ".gz")))
	if ext == ".ndjson" || ext == ".jsonl" || ext == ".ldjson" {
		// Trust the name unless the first line is a lone "{": that is a
		// pretty-printed document someone saved as .ndjson.
		line := data[start:min(len(data), start+256)]
		if nl := bytes.IndexByte(line, '\n'); nl < 0 || len(bytes.TrimSpace(line[:nl])) > 1 {
			return FormatNDJSON, start, nil
		}
		return FormatUnknown, start, nil
	}
	// NDJSON when the first line is {...} and the next one starts with "{".
	// No JSON document has that boundary: inside a container the line would
	// end with a comma, and strings cannot hold raw newlines. So the rule
	// also recognises NDJSON whose first record is broken (reported as a bad
	// line), without scanning the line. A pretty-printed document's first
	// line is "{" (or ends with "," or "["), never "}".
	probe := data[start:min(len(data), start+probeLimit)]
	nl := bytes.IndexByte(probe, '\n')
	if nl < 0 {
		return FormatUnknown, start, nil
	}
	first := bytes.TrimRight(probe[:nl], " \t\r")
	rest := bytes.TrimLeft(data[start+nl:], " \t\r\n")
	if len(first) >= 2 && first[len(first)-1] == '}' && len(rest) > 0 && rest[0] == '{' {
		return FormatNDJSON, start, nil
	}
	return FormatUnknown, start, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func notJSONHint(b []byte) string {
	head := b[:min(len(b), 40)]
	for len(head) > 0 && !utf8.Valid(head) {
		head = head[:len(head)-1]
	}
	switch {
	case bytes.HasPrefix(b, gzipMagic):
		return "the data is gzip-compressed; open the .gz file itself, or gunzip it"
	case b[0] == '<':
		return fmt.Sprintf("it looks like HTML or XML (starts with %q)", head)
	}
	return fmt.Sprintf("it starts with %q", head)
}

// publisher batches newly indexed spans into the Source: the first batches
// are tiny so the first screen appears at once, later ones large so the
// lock is rare, and a timer keeps the progress bar moving on big entries.
type publisher struct {
	s        *Source
	spans    []jsonscan.Span
	lines    []int32
	urls     []jsonscan.Span // Bundle entries' fullUrl spans (nil for other formats)
	next     int
	lastPub  time.Time
	indexed  int64
	sinceChk int
}

func (p *publisher) add(sp jsonscan.Span, line int32, fullURL jsonscan.Span) bool {
	p.spans = append(p.spans, sp)
	if p.lines != nil {
		p.lines = append(p.lines, line)
	}
	if p.urls != nil {
		p.urls = append(p.urls, fullURL)
	}
	p.indexed = int64(sp.End)
	if len(p.spans) >= p.next {
		p.publish()
		p.next = min(p.next*4, p.next+4096)
	} else if p.sinceChk++; p.sinceChk >= 64 {
		p.sinceChk = 0
		if time.Since(p.lastPub) > 8*time.Millisecond {
			p.publish()
		}
	}
	return !p.s.stop.Load()
}

func (p *publisher) publish() {
	s := p.s
	s.mu.Lock()
	s.spans = p.spans[:len(p.spans):len(p.spans)]
	if p.lines != nil {
		s.lines = p.lines[:len(p.lines):len(p.lines)]
	}
	if p.urls != nil {
		s.urls = p.urls[:len(p.urls):len(p.urls)]
	}
	s.indexed = p.indexed
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()
	p.lastPub = time.Now()
	if len(p.spans) <= 1024 {
		// Let the screen waiting for these first entries run now: a
		// readied goroutine otherwise queues behind this busy one until
		// another P steals it or the 10 ms preemption tick, which on a
		// loaded machine is most of the first-frame budget.
		runtime.Gosched()
	}
}

// run indexes the whole file, then publishes the final state. A fault from
// a mapping whose file shrank underneath, or any bug, ends indexing with an
// error instead of taking the program down.
func (s *Source) run() {
	p := &publisher{s: s, next: 1, lastPub: time.Now()}
	var err error
	defer func() {
		if r := recover(); r != nil {
			reason := ReasonIO
			// Memory faults (SetPanicOnFault) carry the faulting address; in
			// a mapped file that means pages vanished under us.
			if _, fault := r.(memoryFault); fault && s.unmap != nil {
				reason = ReasonChanged
			}
			cause := fmt.Errorf("internal error: %v", r)
			if reason == ReasonChanged {
				cause = errChanged
			}
			err = &Error{Path: s.path, Reason: reason, Offset: p.indexed, Err: cause}
		}
		s.finish(p, err)
	}()
	debug.SetPanicOnFault(true) // this goroutine only
	switch s.format {
	case FormatNDJSON:
		p.lines = make([]int32, 0, 64)
		s.indexNDJSON(p)
	case FormatArray:
		err = s.indexArray(p)
	default:
		err = s.indexDocument(p)
		if s.ndjsonAfterAll(err, p) {
			err = nil
			p.lines = make([]int32, 0, 64)
			s.indexNDJSON(p)
		}
	}
}

// ndjsonAfterAll catches NDJSON whose first line was too long for detect's
// probe: the "document" is followed by another object on a later line and
// nothing has been published yet, so indexing can restart line by line.
func (s *Source) ndjsonAfterAll(err error, p *publisher) bool {
	var fe *Error
	if !errors.As(err, &fe) || fe.Reason != ReasonTrailing || len(p.spans) > 0 || fe.Offset >= int64(len(s.data)) {
		return false
	}
	between := s.data[s.start:fe.Offset]
	if s.data[fe.Offset] != '{' || bytes.IndexByte(between[bytes.LastIndexAny(between, "}]\"")+1:], '\n') < 0 {
		return false
	}
	s.mu.Lock()
	s.format, s.info = FormatNDJSON, Info{}
	s.mu.Unlock()
	return true
}

func (s *Source) finish(p *publisher, err error) {
	p.indexed = int64(len(s.data))
	p.publish()
	if e, ok := err.(*Error); ok && e.Reason != ReasonChanged && e.Reason != ReasonIO && e.Line == 0 && e.Offset >= 0 && e.Offset <= int64(len(s.data)) {
		e.Line = bytes.Count(s.data[:e.Offset], []byte{'\n'}) + 1
	}
	s.mu.Lock()
	switch {
	case s.err != nil:
		// A read outside the indexer found the mapping changed (fault.go): that stands.
	case s.stop.Load() && err == nil:
		// closed: not a failure of the file
	default:
		s.err = err
	}
	if e, ok := err.(*Error); ok && e.Reason == ReasonChanged {
		s.closed = true // hand out no more slices of pages that fault
	}
	s.done = true
	close(s.changed) // stays closed: Changed() never blocks after Done
	s.mu.Unlock()
	close(s.finished)
}

func (s *Source) indexDocument(p *publisher) error {
	p.urls = make([]jsonscan.Span, 0, 64)
	shift := func(sp jsonscan.Span) jsonscan.Span {
		if sp == (jsonscan.Span{}) {
			return sp
		}
		return jsonscan.Span{Start: sp.Start + s.start, End: sp.End + s.start}
	}
	b, err := jsonscan.ScanBundleEntries(s.data[s.start:], func(e jsonscan.BundleEntry) bool {
		sp := e.Resource
		if len(p.spans) == 0 && sp.Start > 0 {
			// Only a Bundle's entries start inside the document; a single
			// resource is reported once, spanning it from offset 0.
			s.mu.Lock()
			s.format = FormatBundle
			s.mu.Unlock()
		}
		return p.add(shift(sp), 0, shift(e.FullURL))
	})
	s.mu.Lock()
	s.info = Info{ResourceType: b.ResourceType, BundleType: b.Type, Total: b.Total, HasTotal: b.HasTotal, Links: b.Links, NoResource: b.NoResource}
	switch {
	case b.ResourceType == "Bundle":
		s.format = FormatBundle
	case b.ResourceType != "":
		s.format = FormatResource
	}
	s.mu.Unlock()
	if err != nil {
		return fromScan(s.path, err, int64(s.start))
	}
	return nil
}

func (s *Source) indexArray(p *publisher) error {
	data := s.data
	end := s.start + 1
	var bad error
	err := jsonscan.ArrayElements(data, jsonscan.Span{Start: s.start, End: len(data)}, func(i int, v jsonscan.Span) bool {
		if data[v.Start] != '{' {
			bad = &Error{Path: s.path, Reason: ReasonNotFHIR, Offset: int64(v.Start),
				Err: fmt.Errorf("array element %d is a %v, not a resource", i, jsonscan.KindAt(data, v.Start))}
			return false
		}
		if !utf8.Valid(data[v.Start:v.End]) {
			bad = fromScan(s.path, jsonscan.Valid(data[v.Start:v.End]), int64(v.Start))
			return false
		}
		end = v.End
		return p.add(v, 0, jsonscan.Span{})
	})
	switch {
	case err != nil:
		return fromScan(s.path, err, 0)
	case bad != nil || s.stop.Load():
		return bad
	}
	// ArrayElements stopped at the closing bracket after the last element.
	i := end
	for i < len(data) && data[i] != ']' {
		i++
	}
	for i++; i < len(data); i++ {
		if !isSpace(data[i]) {
			return &Error{Path: s.path, Reason: ReasonTrailing, Offset: int64(i)}
		}
	}
	return nil
}

// indexNDJSON indexes one resource per line. A bad line is recorded with its
// number and skipped: one corrupt record must not hide a million good ones.
func (s *Source) indexNDJSON(p *publisher) {
	data := s.data
	line := int32(1)
	for off := s.start; off < len(data) && !s.stop.Load(); line++ {
		end := len(data)
		if nl := bytes.IndexByte(data[off:], '\n'); nl >= 0 {
			end = off + nl
		}
		a, b := off, end
		for a < b && isSpace(data[a]) {
			a++
		}
		for b > a && isSpace(data[b-1]) {
			b--
		}
		off = end + 1
		if a == b {
			continue // blank lines are harmless
		}
		seg := data[a:b]
		var lerr error
		if err := jsonscan.Valid(seg); err != nil {
			lerr = fromScan(s.path, err, int64(a))
		} else if seg[0] != '{' {
			lerr = &Error{Path: s.path, Reason: ReasonNotFHIR, Offset: int64(a), Err: fmt.Errorf("the line holds a JSON %v, not a resource", jsonscan.KindAt(seg, 0))}
		}
		if lerr != nil {
			s.lineError(line, lerr.(*Error))
			continue
		}
		p.add(jsonscan.Span{Start: a, End: b}, line, jsonscan.Span{})
	}
}

func (s *Source) lineError(line int32, e *Error) {
	e.Line = int(line)
	s.mu.Lock()
	s.badLines++
	if len(s.lineErrs) < MaxLineErrors {
		s.lineErrs = append(s.lineErrs, LineError{Line: int(line), Offset: e.Offset, Err: e})
	}
	s.mu.Unlock()
}
