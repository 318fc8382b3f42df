package ui

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"fhirscope/session"
)

// Profile and keyring failures get a cause and a fix that fit them, never the HTTP advice.
func TestExplainSessionErrors(t *testing.T) {
	cases := []struct {
		err        error
		cause, fix string
	}{
		{&session.KeyringError{Op: "read", Profile: "clinic", Err: errors.New("dbus: no session bus")}, `"clinic"`, "--key-file"},
		{&session.SecretError{Profile: "clinic", Msg: "no private key", Err: session.ErrNoSecret}, "no private key", "keygen"},
		{fmt.Errorf("profile %q: %w", "x", session.ErrNoClientID), "client ID", "register"},
		{fmt.Errorf("open: %w", session.ErrProfileNotFound), "no such profile", "Switch profile"},
		{&session.KeyError{Kind: session.ErrKeyEncrypted, Msg: "the key is encrypted"}, "private key", "unencrypted"},
		{&session.ConfigError{Path: "/c.json", Line: 3, Msg: "bad"}, "configuration", "never overwrites"},
	}
	for _, c := range cases {
		ex := Explain(c.err)
		if !strings.Contains(ex.Cause, c.cause) || !strings.Contains(ex.Fix, c.fix) {
			t.Errorf("%v: cause %q fix %q, want %q / %q", c.err, ex.Cause, ex.Fix, c.cause, c.fix)
		}
		if strings.Contains(ex.Fix, "request log") {
			t.Errorf("%v: HTTP advice for a local problem: %q", c.err, ex.Fix)
		}
	}
}
