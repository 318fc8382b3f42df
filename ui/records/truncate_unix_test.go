//go:build unix

package records

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"fhirscope/fhirclient/jsonscan/jsonscantest"
)

// A file truncated by another process while mapped makes the next access
// to a vanished page raise SIGBUS; the indexer must turn that into
// ReasonChanged instead of crashing the program.
func TestFileTruncatedWhileIndexing(t *testing.T) {
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&buf, 20000, jsonscantest.Options{Seed: 3})
	p := filepath.Join(t.TempDir(), "shrinking.json")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := os.Truncate(p, 4096); err != nil {
		t.Fatal(err)
	}
	_ = s.Wait(context.Background())
	var fe *Error
	switch {
	case s.Err() == nil && s.Len() == 20000:
		t.Skip("indexing finished before the truncation")
	case !errors.As(s.Err(), &fe) || fe.Reason != ReasonChanged:
		t.Fatalf("want ReasonChanged, got %v after %d entries", s.Err(), s.Len())
	}
	if s.Entry(0) != nil || s.EntryCopy(0) != nil {
		t.Fatal("entries of a vanished mapping must not be handed out")
	}
	t.Logf("%v after %d entries", s.Err(), s.Len())
}

// A file truncated after indexing faults in the Source's own later reads of
// the mapping (filter summaries, the reference index): each must turn into
// ReasonChanged, not a crash, and hand out no more slices.
func TestFileTruncatedAfterIndexing(t *testing.T) {
	for _, c := range []struct {
		name string
		read func(s *Source)
	}{
		{"Filter", func(s *Source) {
			if got := s.Filter("smith"); len(got) != 0 {
				t.Errorf("Filter over a vanished mapping kept %d entries", len(got))
			}
		}},
		{"Summary", func(s *Source) { _ = s.Summary(s.Len() - 1) }},
		{"Lookup", func(s *Source) {
			if i, ok := s.Lookup("Patient/does-not-exist"); ok {
				t.Errorf("Lookup found entry %d", i)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			_, _ = jsonscantest.WriteBundle(&buf, 2000, jsonscantest.Options{Seed: 5})
			p := filepath.Join(t.TempDir(), "shrunk.json")
			if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := OpenFile(p)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Wait(context.Background()); err != nil || s.Err() != nil {
				t.Fatalf("indexing: %v %v", err, s.Err())
			}
			if err := os.Truncate(p, 4096); err != nil {
				t.Fatal(err)
			}
			c.read(s)
			var fe *Error
			if !errors.As(s.Err(), &fe) || fe.Reason != ReasonChanged {
				t.Fatalf("want ReasonChanged, got %v", s.Err())
			}
			if fe.Offset < 4096 || fe.Offset > int64(buf.Len()) {
				t.Errorf("fault located at byte %d, want past the new end", fe.Offset)
			}
			if s.Entry(0) != nil {
				t.Fatal("entries of a vanished mapping must not be handed out")
			}
			c.read(s) // and again, with the Source marked changed
			t.Log(s.Err())
		})
	}
}
