// Package records is the entry source behind the results table and
// `fhirscope open FILE`: a local Bundle, single resource, JSON array of
// resources or NDJSON bulk-export file (any of them optionally .gz),
// possibly hundreds of MB, kept as raw
// bytes (memory-mapped where possible) plus an index of entry spans that a
// background goroutine builds while the first screen is already showing.
// Widgets ask for the few entries they draw; nothing parses the whole file
// into values.
package records

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"sync"
	"sync/atomic"

	"fhirscope/fhirclient/jsonscan"
)

// Format is the shape of the file.
type Format uint8

// File shapes. FormatUnknown is only seen while a JSON document is being
// indexed and no Bundle entry has been found yet (a single resource is
// known as such once it has been read to its end).
const (
	FormatUnknown  Format = iota
	FormatBundle          // a FHIR Bundle: entries are entry[].resource
	FormatResource        // one resource: the single entry is the whole document
	FormatNDJSON          // one resource per line (bulk export)
	FormatArray           // a JSON array of resources
	FormatList            // resources handed over in memory (FromEntries)
)

func (f Format) String() string {
	return [...]string{"unknown", "bundle", "resource", "ndjson", "array", "list"}[min(int(f), 5)]
}

// Status is a consistent snapshot of the indexing state.
type Status struct {
	Entries  int     // entries indexed so far
	Done     bool    // indexing finished (successfully or not)
	Progress float64 // fraction of the file's bytes indexed, 0..1
	Format   Format
	Err      error // the problem that stopped indexing; entries before it stay usable
	BadLines int   // NDJSON lines skipped (see LineErrors)
	Size     int64 // file size in bytes
}

// Info is a Bundle's metadata, complete once indexing is done.
type Info struct {
	ResourceType string // "Bundle" or the single resource's type
	BundleType   string // "searchset", "collection", ...
	Total        int
	HasTotal     bool
	Links        []jsonscan.Link
	NoResource   int // Bundle entries without a resource (e.g. transaction responses), not listed
}

// Source is an indexed file or buffer. All methods are safe for concurrent
// use; Entry slices alias the file's bytes and are valid until Close.
type Source struct {
	path   string
	data   []byte
	list   [][]byte // FromEntries: the entries themselves, spans unused
	unmap  func() error
	format Format // detected before indexing; documents refine it when done
	start  int    // offset after a UTF-8 BOM and leading whitespace

	mu       sync.RWMutex
	spans    []jsonscan.Span
	lines    []int32         // NDJSON: line number of each entry
	urls     []jsonscan.Span // Bundle: each entry's fullUrl (zero if none)
	done     bool
	err      error
	info     Info
	lineErrs []LineError
	badLines int
	indexed  int64
	changed  chan struct{}
	closed   bool

	lineMu  sync.Mutex // guards the newline-count cache below
	lineOff int        // line lineAt starts at or before lineOff
	lineAt  int

	stop      atomic.Bool
	finished  chan struct{}
	closeOnce sync.Once
	filter    filterState
	refs      refIndex
}

// MaxLineErrors bounds the skipped NDJSON lines kept in detail; the count
// in Status.BadLines stays exact.
const MaxLineErrors = 1000

// OpenFile opens path and starts indexing it in the background. Problems
// visible at once (missing file, empty file, not JSON) are returned as
// *Error; problems found later (truncation, a bad byte deep inside) end up
// in Status().Err with the entries before them still usable.
func OpenFile(path string) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{Path: path, Reason: ReasonIO, Err: err}
	}
	defer f.Close() // a mapping outlives its descriptor
	fi, err := f.Stat()
	if err != nil {
		return nil, &Error{Path: path, Reason: ReasonIO, Err: err}
	}
	size := fi.Size()
	if !fi.Mode().IsRegular() {
		size = -1 // pipes and devices report no useful size: read them
	}
	var data []byte
	var unmap func() error
	if size > 0 && isGzip(f) {
		data, unmap, err = openGzip(path, f, size)
	} else {
		data, unmap, err = mapFile(f, size)
	}
	if err != nil {
		var fe *Error
		if errors.As(err, &fe) {
			return nil, err
		}
		return nil, &Error{Path: path, Reason: ReasonIO, Err: err}
	}
	s, err := newSource(path, data, unmap)
	if err != nil && unmap != nil {
		_ = unmap()
	}
	return s, err
}

// FromBytes indexes an in-memory document (a downloaded bundle, an export
// file already read). b must not be modified while the Source is in use.
func FromBytes(b []byte) (*Source, error) { return newSource("", b, nil) }

// FromEntries wraps resources that are already split, such as a server
// page's entries (fhirclient Page.Entries), so the results table can use the
// same Entry/Filter code for server results as for files. It is Done at once.
func FromEntries(entries [][]byte) *Source {
	s := &Source{
		list: entries, format: FormatList, spans: make([]jsonscan.Span, len(entries)),
		done: true, changed: make(chan struct{}), finished: make(chan struct{}),
	}
	close(s.changed)
	close(s.finished)
	return s
}

func readAll(f *os.File, size int64) ([]byte, func() error, error) {
	if size > 0 && size < math.MaxInt32 {
		b := make([]byte, size)
		n, err := io.ReadFull(f, b)
		if err == nil || err == io.ErrUnexpectedEOF {
			return b[:n], nil, nil
		}
		return nil, nil, err
	}
	// A pipe or device has no size to check first, and may never end (/dev/zero, `yes |`):
	// read at most maxStreamRead, then refuse rather than fill memory.
	b, err := io.ReadAll(io.LimitReader(f, maxStreamRead+1))
	if err == nil && int64(len(b)) > maxStreamRead {
		return nil, nil, fmt.Errorf("it is a pipe or device sending more than %d MB; save it to a file and open that (files are mapped, not read into memory)", maxStreamRead>>20)
	}
	return b, nil, err
}

// maxStreamRead bounds what is read from a pipe or device (a var so tests can lower it).
var maxStreamRead int64 = 1 << 30

func newSource(path string, data []byte, unmap func() error) (*Source, error) {
	format, start, err := detect(path, data)
	if err != nil {
		return nil, err
	}
	s := &Source{
		path: path, data: data, unmap: unmap, format: format, start: start,
		changed: make(chan struct{}), finished: make(chan struct{}),
	}
	go s.run()
	return s, nil
}

// Path is the file's path ("" for FromBytes).
func (s *Source) Path() string { return s.path }

// Size is the document's size in bytes.
func (s *Source) Size() int64 { return int64(len(s.data)) }

// Len is the number of entries indexed so far.
func (s *Source) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.spans)
}

// Done reports whether indexing has finished.
func (s *Source) Done() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.done
}

// Progress is the fraction of the file indexed, 0..1.
func (s *Source) Progress() float64 { return s.Status().Progress }

// Err is the problem that stopped indexing, if any.
func (s *Source) Err() error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.err
}

// Status returns a consistent snapshot for a status line or progress bar.
func (s *Source) Status() Status {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := Status{Entries: len(s.spans), Done: s.done, Format: s.format, Err: s.err, BadLines: s.badLines, Size: int64(len(s.data))}
	st.Progress = 1
	if len(s.data) > 0 && !s.done {
		st.Progress = float64(s.indexed) / float64(len(s.data))
	}
	return st
}

// Info returns the Bundle metadata (complete once Done).
func (s *Source) Info() Info {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.info
}

// Changed returns a channel that is closed at the next change (more
// entries, progress, completion). After Done it is always closed. A Bubble
// Tea screen waits on it inside a tea.Cmd and re-arms after each message.
func (s *Source) Changed() <-chan struct{} {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.changed
}

// WaitFor blocks until at least n entries are indexed, indexing is done, or
// ctx ends; it returns the entry count then.
func (s *Source) WaitFor(ctx context.Context, n int) (int, error) {
	for {
		s.mu.RLock()
		count, done, ch := len(s.spans), s.done, s.changed
		s.mu.RUnlock()
		if count >= n || done {
			return count, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return count, ctx.Err()
		}
	}
}

// Wait blocks until indexing is done or ctx ends.
func (s *Source) Wait(ctx context.Context) error {
	_, err := s.WaitFor(ctx, math.MaxInt)
	return err
}

// Entry returns the raw JSON of entry i (a resource), or nil if i is out of
// range or the Source is closed. The slice aliases the file: read-only, and
// valid until Close.
func (s *Source) Entry(i int) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || i < 0 || i >= len(s.spans) {
		return nil
	}
	if s.list != nil {
		return s.list[i]
	}
	sp := s.spans[i]
	return s.data[sp.Start:sp.End:sp.End]
}

// EntryCopy is Entry copied onto the heap, for a consumer that may outlive
// the Source (an inspector kept in back/forward history): a slice of a
// mapping faults once Close has unmapped it, a copy never does.
func (s *Source) EntryCopy(i int) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || i < 0 || i >= len(s.spans) {
		return nil
	}
	if s.list != nil {
		return bytes.Clone(s.list[i])
	}
	sp := s.spans[i]
	return bytes.Clone(s.data[sp.Start:sp.End])
}

// Span returns entry i's byte range in the file.
func (s *Source) Span(i int) (jsonscan.Span, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i < 0 || i >= len(s.spans) || s.list != nil {
		return jsonscan.Span{}, false
	}
	return s.spans[i], true
}

// Line returns the 1-based line where entry i starts (for "line 12,345" in
// the UI and for error messages), or 0 if i is out of range.
func (s *Source) Line(i int) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if i < 0 || i >= len(s.spans) || s.list != nil {
		return 0
	}
	if s.lines != nil {
		return int(s.lines[i])
	}
	// Count newlines from the last answer when moving forward, as a cursor
	// walking down a 200 MB one-entry-per-line file does.
	off := s.spans[i].Start
	s.lineMu.Lock()
	defer s.lineMu.Unlock()
	if s.lineAt == 0 || off < s.lineOff {
		s.lineOff, s.lineAt = 0, 1
	}
	s.lineAt += bytes.Count(s.data[s.lineOff:off], []byte{'\n'})
	s.lineOff = off
	return s.lineAt
}

// FullURL returns Bundle entry i's fullUrl ("" if it has none, or the file
// is not a Bundle).
func (s *Source) FullURL(i int) string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed || i < 0 || i >= len(s.urls) || s.urls[i].End == 0 {
		return ""
	}
	u, _ := jsonscan.Unquote(s.data, s.urls[i])
	return u
}

// LineErrors returns the skipped NDJSON lines (at most MaxLineErrors).
func (s *Source) LineErrors() []LineError {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]LineError(nil), s.lineErrs...)
}

// Close stops indexing and releases the mapping. Entry slices obtained
// before must not be used afterwards (with a mapping they would fault).
func (s *Source) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.stop.Store(true)
		<-s.finished
		s.mu.Lock()
		s.closed = true
		s.spans, s.lines, s.list, s.urls = nil, nil, nil, nil
		s.mu.Unlock()
		s.filter.reset()
		if s.unmap != nil {
			err = s.unmap()
		}
	})
	return err
}

// ResourceType returns entry i's resourceType ("" if absent), reading only
// the members before it, so a table can pick columns per row cheaply.
func (s *Source) ResourceType(i int) string {
	e := s.Entry(i)
	if e == nil {
		return ""
	}
	t, _ := jsonscan.MemberString(e, jsonscan.Span{Start: 0, End: len(e)}, "resourceType")
	return t
}
