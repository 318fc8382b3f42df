package ui

import (
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient/doctor"
	"fhirscope/session"
)

// Setup is what the profile picker and the setup wizard need from outside the UI: the
// profile store (with its keyring) and the command line's connection settings (CA file,
// --insecure, request log, trace), applied to every connection they make.
type Setup struct {
	Store *session.Store
	Conn  ConnOptions
}

// StepScreen is a screen with steps of its own (the setup wizard): while StepBack is true,
// esc goes to the screen (back one step, or a "leave?" question) instead of closing it.
type StepScreen interface {
	StepBack() bool
}

// clientOptions are the setup's connection settings in session's terms.
func (s *Setup) clientOptions() session.ClientOptions {
	return session.ClientOptions{CAFile: s.Conn.CAFile, Insecure: s.Conn.Insecure, Log: s.Conn.Log, Trace: s.Conn.Trace}
}

// profileDoctorConfig gathers what the doctor checks for profile p: its settings, and its key
// and client id from creds, or, when they could not be resolved, credErr (the doctor then
// reports that first, as the cause).
func profileDoctorConfig(p session.Profile, creds *session.Credentials, credErr error, o ConnOptions) *doctor.Config {
	co := session.ClientOptions{CAFile: o.CAFile, Insecure: o.Insecure, Log: o.Log, Trace: o.Trace}
	cfg := &doctor.Config{Profile: p.Name, BaseURL: p.BaseURL, TokenURL: p.TokenURL, Scopes: p.Scopes,
		Alg: p.Alg, KeyID: p.KeyID, JWKSURI: p.JWKSURI, CAFile: p.CAFile, Insecure: o.Insecure || p.InsecureSkipVerify,
		ClientID: p.ClientID, ClientOptions: session.TransportOptions(p, co)}
	if cfg.CAFile == "" {
		cfg.CAFile = o.CAFile
	}
	switch {
	case creds != nil && creds.Key != nil:
		cred := creds.ClientCredentials(p)
		cfg.ClientID, cfg.Key, cfg.Alg, cfg.KeyID = cred.ClientID, cred.Signer, cred.Alg, cred.KeyID
	case credErr != nil:
		cfg.KeyErr = credErr
	}
	return cfg
}

// doctorForProfile loads profile name and its credentials (keyring I/O: call it in a
// tea.Cmd) and returns the doctor's settings for it.
func doctorForProfile(setup *Setup, name string) (*doctor.Config, error) {
	p, err := setup.Store.Get(name)
	if err != nil {
		return nil, err
	}
	creds, err := session.ResolveCredentials(p, setup.Store.Secrets())
	if err != nil {
		return profileDoctorConfig(p, nil, err, setup.Conn), nil
	}
	return profileDoctorConfig(p, creds, nil, setup.Conn), nil
}

func init() {
	// The palette offers the picker and the wizard wherever a profile store is at hand.
	RegisterCommands(func(c *Common) []Command {
		if c.Setup == nil || c.Setup.Store == nil {
			return nil
		}
		return []Command{
			{Group: "Profile", Title: "Switch profile…", Hint: "the profile picker",
				Run: func() tea.Cmd { return Push(NewPickerScreen(c)) }},
			{Group: "Profile", Title: "New profile (setup wizard)", Hint: "server, key, scopes, registration",
				Run: func() tea.Cmd { return Push(NewWizardScreen(c, false)) }},
		}
	})
}
