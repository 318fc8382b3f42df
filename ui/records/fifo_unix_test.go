//go:build unix

package records

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// A pipe cannot be mapped: OpenFile must fall back to reading it, as for
// `fhirscope open /dev/stdin` or `<(curl ...)`.
func TestOpenFileReadsPipes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("no fifo support: %v", err)
	}
	go func() {
		w, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			return
		}
		_, _ = w.WriteString("{\"resourceType\":\"Patient\",\"id\":\"a\"}\n{\"resourceType\":\"Patient\",\"id\":\"b\"}\n")
		_ = w.Close()
	}()
	s, err := OpenFile(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_ = s.Wait(context.Background())
	if s.Len() != 2 || s.Status().Format != FormatNDJSON || string(s.Entry(1)) != `{"resourceType":"Patient","id":"b"}` {
		t.Fatalf("pipe: %d entries, %v", s.Len(), s.Status())
	}
}
