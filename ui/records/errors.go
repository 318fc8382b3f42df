package records

import (
	"errors"
	"fmt"

	"fhirscope/fhirclient/jsonscan"
)

// Reason says what is wrong with a file, in terms a user can act on.
type Reason uint8

// Reasons a file cannot be shown (wholly or past some point).
const (
	ReasonIO          Reason = iota + 1 // cannot open, read or map the file
	ReasonEmpty                         // empty or whitespace only
	ReasonNotJSON                       // not JSON (e.g. an HTML page or binary)
	ReasonInvalidUTF8                   // bytes that are not UTF-8
	ReasonTruncated                     // ends inside a value: an interrupted download
	ReasonTooDeep                       // nesting beyond jsonscan.MaxDepth
	ReasonNotFHIR                       // valid JSON but not a resource, bundle or list of them
	ReasonTrailing                      // more data after the document
	ReasonChanged                       // the file shrank or vanished while mapped
)

var reasonText = map[Reason]string{
	ReasonIO:          "cannot read the file",
	ReasonEmpty:       "the file is empty",
	ReasonNotJSON:     "not JSON",
	ReasonInvalidUTF8: "invalid UTF-8",
	ReasonTruncated:   "the file is truncated",
	ReasonTooDeep:     fmt.Sprintf("JSON nested deeper than %d levels", jsonscan.MaxDepth),
	ReasonNotFHIR:     "not a FHIR resource or Bundle",
	ReasonTrailing:    "unexpected data after the JSON document",
	ReasonChanged:     "the file changed while it was being read",
}

func (r Reason) String() string {
	if s, ok := reasonText[r]; ok {
		return s
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Error is a file-level problem. Offset and Line locate it when known
// (Line is 1-based, 0 when unknown).
type Error struct {
	Path   string
	Reason Reason
	Offset int64
	Line   int
	Err    error // underlying cause (*jsonscan.SyntaxError, *os.PathError, ...)
}

func (e *Error) Error() string {
	name := e.Path
	if name == "" {
		name = "input"
	}
	msg := fmt.Sprintf("%s: %s", name, e.Reason)
	if e.Line > 0 {
		msg += fmt.Sprintf(" (line %d, byte %d)", e.Line, e.Offset)
	} else if e.Reason != ReasonIO && e.Reason != ReasonEmpty {
		msg += fmt.Sprintf(" (byte %d)", e.Offset)
	}
	var se *jsonscan.SyntaxError
	if errors.As(e.Err, &se) && se.Msg != "" {
		msg += ": " + se.Msg
	} else if e.Err != nil && !errors.As(e.Err, &se) {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// LineError is one NDJSON line that was skipped.
type LineError struct {
	Line   int   // 1-based
	Offset int64 // of the problem within the file
	Err    error // *Error with the reason
}

func (e LineError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("line %d: invalid", e.Line)
	}
	return e.Err.Error() // the *Error already names the line
}

// fromScan turns a jsonscan error at base+offset into an *Error.
func fromScan(path string, err error, base int64) *Error {
	e := &Error{Path: path, Reason: ReasonNotJSON, Err: err}
	var se *jsonscan.SyntaxError
	if errors.As(err, &se) {
		e.Offset = base + int64(se.Offset)
		switch se.Reason {
		case jsonscan.ReasonTruncated:
			e.Reason = ReasonTruncated
		case jsonscan.ReasonTooDeep:
			e.Reason = ReasonTooDeep
		case jsonscan.ReasonInvalidUTF8:
			e.Reason = ReasonInvalidUTF8
		case jsonscan.ReasonEmpty:
			e.Reason = ReasonEmpty
		case jsonscan.ReasonTrailing:
			e.Reason = ReasonTrailing
		case jsonscan.ReasonNotResource:
			e.Reason = ReasonNotFHIR
		}
	}
	return e
}
