package ui

import (
	"context"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/doctor"
)

// Connection is one server and one client identity to connect with: what the connect screen
// needs. cmd_tui builds it from a profile (session) or from the --demo bootstrap.
type Connection struct {
	Profile string
	Client  *fhirclient.Client     // may be nil until a Prepare step creates it
	Cred    fhirclient.Credentials // for the "sign assertion" step
	// Prepare are steps that run before discovery, shown in the same step list (the demo's:
	// start the sandbox, generate a key, register the client, enable it).
	Prepare []Step
	// Notes are lines shown under the step list (what the demo's steps stand for).
	Notes []string
	// Fresh asks discovery to run again instead of using the client's cached answer
	// (the palette's Reconnect).
	Fresh bool
	// Doctor, when set, lets the connect screen run the doctor on a failure (d), and at once
	// when AutoDoctor is set (the setup wizard's first connection).
	Doctor     *doctor.Config
	AutoDoctor bool
}

// Step is one line of the connect screen's step list. Run happens inside a tea.Cmd; it may
// fill in conn (the demo's steps create the Client), a copy the screen keeps only when Run
// succeeds, and returns a one-line detail shown beside the step once done.
type Step struct {
	Title string
	Run   func(ctx context.Context, conn *Connection) (detail string, err error)
}

// ScopeAccess says what the granted scopes allow for one resource type.
type ScopeAccess int

const (
	AccessUnknown  ScopeAccess = iota // no token yet (or offline)
	AccessReadable                    // a granted scope allows reading/searching the type
	AccessLocked                      // no granted scope covers the type
)

// TypeAccess checks the granted scopes for read access to typ (SMART v1 and v2 forms, for
// system, user and patient contexts: fhirclient.ScopeCovers).
func TypeAccess(tok *fhirclient.Token, typ string) ScopeAccess {
	switch {
	case tok == nil:
		return AccessUnknown
	case fhirclient.ScopeCovers(tok.Granted, typ):
		return AccessReadable
	}
	return AccessLocked
}

// MissingScope names the scope a client would need to read typ, in OpenEMR's v1 form.
func MissingScope(typ string) string { return "system/" + typ + ".read" }
