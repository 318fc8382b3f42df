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

// profileDoctorConfig is session.DoctorConfig for the explorer's connection options.
func profileDoctorConfig(p session.Profile, creds *session.Credentials, credErr error, o ConnOptions) *doctor.Config {
	cfg := session.DoctorConfig(p, creds, credErr, o)
	return &cfg
}

// doctorForProfile loads profile name and its credentials (keyring I/O: call it in a
// tea.Cmd) and returns the doctor's settings for it.
func doctorForProfile(setup *Setup, name string) (*doctor.Config, error) {
	p, err := setup.Store.Get(name)
	if err != nil {
		return nil, err
	}
	cfg := session.ProfileDoctorConfig(p, setup.Store.Secrets(), setup.Conn)
	return &cfg, nil
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
