package ui

import (
	"strings"
	"testing"

	"fhirscope/fhirclient"
)

// A long explanation on a short terminal still shows its cause, and the way to close it.
func TestErrorPanelFitsShortTerminals(t *testing.T) {
	tokenURL := "https://emr.example.org/oauth2/default/token"
	err := &fhirclient.AuthError{Status: 400, Code: "invalid_client", Description: "Client authentication failed",
		TokenURL: tokenURL, Audience: tokenURL, ClientID: "abc123", Alg: "RS384"}
	for _, h := range []int{8, 12, 16, 24, 40} {
		app := newTestApp(t, Options{Start: func(c *Common) Screen { return startNotice(c) }})
		d := newDriver(t, app, 80, h)
		d.send(ErrorMsg{err})
		scr := d.screen()
		lines := strings.Split(scr, "\n")
		if len(lines) != h {
			t.Fatalf("height %d: %d lines", h, len(lines))
		}
		if h >= 12 && (!strings.Contains(scr, "esc dismiss") || !strings.Contains(scr, "Cause:") || !strings.Contains(scr, "╰")) {
			t.Errorf("height %d: the panel lost its cause, hint or border:\n%s", h, scr)
		}
	}
}
