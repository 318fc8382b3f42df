package session

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestKeyringCallTimeout: a keyring that never answers (an unlock prompt nobody sees) gives a
// *KeyringError after the timeout instead of hanging the caller.
func TestKeyringCallTimeout(t *testing.T) {
	s := &Secrets{Timeout: 50 * time.Millisecond}
	release := make(chan struct{})
	defer close(release)
	start := time.Now()
	_, err := s.call("read", "p", func() (string, error) { <-release; return "", nil })
	if !errors.Is(err, ErrNoKeyring) || !strings.Contains(err.Error(), "did not answer within 50ms") {
		t.Fatalf("got %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}
