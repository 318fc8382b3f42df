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
