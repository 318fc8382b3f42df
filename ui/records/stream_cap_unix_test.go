//go:build unix

package records

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// `fhirscope open /dev/zero` (or an endless pipe) used to read until memory ran out, before
// the UI even started: io.ReadAll had no bound for files without a size. It is refused once
// maxStreamRead is exceeded, with a typed error that says what to do.
func TestEndlessDeviceIsRefused(t *testing.T) {
	old := maxStreamRead
	maxStreamRead = 4 << 20
	t.Cleanup(func() { maxStreamRead = old })
	for _, dev := range []string{"/dev/zero", "/dev/urandom"} {
		start := time.Now()
		s, err := OpenFile(dev)
		var fe *Error
		if !errors.As(err, &fe) || fe.Reason != ReasonIO || !strings.Contains(err.Error(), "save it to a file") {
			if s != nil {
				_ = s.Close()
			}
			t.Fatalf("%s: %v (%T)", dev, err, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: refused after %v", dev, d)
		}
	}
}
