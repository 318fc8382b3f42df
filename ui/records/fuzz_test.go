package records

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzFromBytes: any input either is rejected with an *Error or indexes to
// completion without panicking, and every entry handed out is a valid,
// UTF-8 JSON object lying inside the input.
func FuzzFromBytes(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"1"}},{"fullUrl":"x"}]}`,
		"{\"resourceType\":\"Patient\"}\n{\"resourceType\":\"Patient\",\"id\":\"2\"}\n{bad\n",
		`[{"resourceType":"Patient"},{"resourceType":"Observation"}]`,
		"\xef\xbb\xbf{\"resourceType\":\"Patient\"}", `[]`, `<html>`, "\x1f\x8b", ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := FromBytes(data)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := s.Wait(ctx); err != nil {
			t.Fatal("indexing did not finish")
		}
		if e := s.Err(); e != nil {
			var fe *Error
			if !errors.As(e, &fe) {
				t.Fatalf("untyped error %v", e)
			}
			if fe.Reason == ReasonIO || fe.Reason == ReasonChanged {
				t.Fatalf("in-memory input cannot fail I/O: a panic was recovered: %v", e)
			}
		}
		for i := 0; i < s.Len(); i++ {
			e := s.Entry(i)
			if len(e) == 0 || e[0] != '{' || !json.Valid(e) || !utf8.Valid(e) {
				t.Fatalf("entry %d is not a valid object: %q", i, e)
			}
		}
		_ = s.Filter("a b")
		_, _ = s.Lookup("Patient/a")
		_, _ = s.Lookup("urn:uuid:1")
		for i := 0; i < s.Len(); i++ {
			_ = s.FullURL(i)
			_ = s.ResourceType(i)
			_ = s.Line(i)
		}
	})
}
