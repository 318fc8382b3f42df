// Package jsonscan is a fast, allocation-light JSON scanner over []byte.
//
// It never builds a tree: callers ask for the Span of a value, walk the
// members of one object or the elements of one array, and decode only the
// strings they show. That is what lets fhirscope page through bundles of
// hundreds of megabytes while parsing only what is on screen.
//
// Every function accepts arbitrary input (truncated, binary, hostile) and
// reports a *SyntaxError instead of panicking. Nesting is limited to
// MaxDepth so a deeply nested document cannot exhaust memory or time.
package jsonscan

import (
	"errors"
	"fmt"
)

// MaxDepth is the deepest nesting of objects and arrays accepted. Real FHIR
// resources nest a dozen levels; 512 leaves room while bounding hostile input.
const MaxDepth = 512

// Kind is the JSON type of a value, read from its first byte.
type Kind uint8

// The kinds of JSON values. Invalid means the offset does not start a value.
const (
	Invalid Kind = iota
	Object
	Array
	String
	Number
	True
	False
	Null
)

var kindNames = [...]string{"invalid", "object", "array", "string", "number", "true", "false", "null"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Span is the half-open byte range [Start, End) of one value in a document.
// String spans include their quotes.
type Span struct{ Start, End int }

// Len is the span's length in bytes.
func (s Span) Len() int { return s.End - s.Start }

// Reason classifies a SyntaxError so callers can explain it (a truncated
// download reads differently from an HTML error page).
type Reason uint8

// Reasons a document is rejected.
const (
	ReasonSyntax      Reason = iota + 1 // not JSON at this byte
	ReasonTruncated                     // input ended inside a value
	ReasonTooDeep                       // nesting beyond MaxDepth
	ReasonInvalidUTF8                   // strict UTF-8 check failed
	ReasonEmpty                         // no value at all (empty or only whitespace)
	ReasonTrailing                      // data after the top-level value
	ReasonNotResource                   // valid JSON, but not a FHIR resource
	ReasonRange                         // a span or offset outside the data
)

// Sentinel errors for errors.Is; a *SyntaxError matches the one of its Reason.
var (
	ErrSyntax      = errors.New("invalid JSON")
	ErrTruncated   = errors.New("unexpected end of JSON input")
	ErrTooDeep     = fmt.Errorf("JSON nested deeper than %d levels", MaxDepth)
	ErrInvalidUTF8 = errors.New("invalid UTF-8")
	ErrEmpty       = errors.New("empty input, no JSON value")
	ErrTrailing    = errors.New("data after the JSON value")
	ErrNotResource = errors.New("not a FHIR resource")
	ErrRange       = errors.New("offset outside the data")
)

func (r Reason) sentinel() error {
	switch r {
	case ReasonSyntax:
		return ErrSyntax
	case ReasonTruncated:
		return ErrTruncated
	case ReasonTooDeep:
		return ErrTooDeep
	case ReasonInvalidUTF8:
		return ErrInvalidUTF8
	case ReasonEmpty:
		return ErrEmpty
	case ReasonTrailing:
		return ErrTrailing
	case ReasonNotResource:
		return ErrNotResource
	case ReasonRange:
		return ErrRange
	}
	return ErrSyntax
}

// SyntaxError reports where and why a document was rejected.
type SyntaxError struct {
	Offset int    // byte offset of the problem
	Reason Reason // what kind of problem
	Msg    string // detail, e.g. "expected ':' after object key"
}

func (e *SyntaxError) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("jsonscan: %v at byte %d", e.Reason.sentinel(), e.Offset)
	}
	return fmt.Sprintf("jsonscan: %v at byte %d: %s", e.Reason.sentinel(), e.Offset, e.Msg)
}

// Is makes errors.Is(err, ErrTruncated) and friends work.
func (e *SyntaxError) Is(target error) bool { return target == e.Reason.sentinel() }

func errAt(off int, r Reason, msg string) error {
	return &SyntaxError{Offset: off, Reason: r, Msg: msg}
}

// syntaxOrEOF reports a syntax error at i, or truncation when i is past the end,
// so "input ended early" is never mistaken for "garbage here".
func syntaxOrEOF(data []byte, i int, msg string) error {
	if i >= len(data) {
		return errAt(len(data), ReasonTruncated, msg)
	}
	return errAt(i, ReasonSyntax, fmt.Sprintf("%s, found %s", msg, quoteByte(data[i])))
}

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7f {
		return fmt.Sprintf("%q", rune(c))
	}
	return fmt.Sprintf("byte 0x%02x", c)
}
