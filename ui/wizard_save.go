package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

const adminStep = "An OpenEMR administrator must now enable this client under Admin > System > API Clients; until then every token request fails with invalid_client."

// wizRegistration is the optional dynamic registration.
type wizRegistration struct {
	choice   int // 0: register now, 1: I'll register it myself
	req      ReqID
	running  bool
	clientID string // returned by the server
	endpoint string
	err      error
	note     string // why an earlier registration was dropped
}

type wizRegisteredMsg struct {
	id  uint64
	reg *fhirclient.Registration
	err error
}

// forget drops a registration that no longer fits the key or the scopes.
func (r *wizRegistration) forget() {
	r.req.Cancel()
	r.running = false
	if r.clientID != "" {
		r.note = "The key or the scopes changed after client " + termsafe.String(r.clientID) + " was registered: register again (the earlier client stays on the server, unused)."
	}
	r.clientID, r.err = "", nil
}

func (w *WizardScreen) registerKey(m tea.KeyPressMsg) tea.Cmd {
	r, keys := &w.reg, w.c.Keys
	if r.running {
		return nil
	}
	if r.clientID != "" {
		if key.Matches(m, keys.Accept) || key.Matches(m, keys.Next) {
			w.goTo(wsSummary)
		}
		return nil
	}
	switch {
	case key.Matches(m, keys.Up):
		r.choice = 0
	case key.Matches(m, keys.Down):
		r.choice = 1
	case key.Matches(m, keys.Accept), key.Matches(m, keys.Refresh) && r.err != nil:
		if r.choice == 1 {
			w.goTo(wsSummary)
			return nil
		}
		return w.register()
	}
	return nil
}

// register registers the client with the public JWKS and the chosen scopes, in a tea.Cmd.
func (w *WizardScreen) register() tea.Cmd {
	r := &w.reg
	id, ctx := r.req.Start(w.c.Ctx)
	r.running, r.err, r.note = true, nil, ""
	base := normalBase(w.base.Value())
	opts := w.transport(base)
	req := fhirclient.RegistrationRequest{ClientName: "fhirscope (" + strings.TrimSpace(w.name.Value()) + ")",
		Scopes: w.scopes.Selected(), JWKS: w.jwks.raw}
	return tea.Batch(w.startSpinner(), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		client, err := fhirclient.New(base, opts...)
		if err != nil {
			return wizRegisteredMsg{id: id, err: err}
		}
		reg, err := client.Register(ctx, req)
		return wizRegisteredMsg{id: id, reg: reg, err: err}
	})
}

func (w *WizardScreen) registered(msg wizRegisteredMsg) tea.Cmd {
	r := &w.reg
	if !r.req.Current(msg.id) {
		return nil
	}
	r.req.Done()
	r.running = false
	if msg.err != nil {
		r.err = msg.err
		return nil
	}
	r.clientID, r.endpoint = msg.reg.ClientID, msg.reg.Endpoint
	return nil
}

func (w *WizardScreen) registerLines() []string {
	st, r := w.c.Styles, &w.reg
	width := max(20, w.w-4)
	lines := wizWrap("No client ID was given. fhirscope can register the client with the server now (dynamic registration with the public JWKS and the "+
		fmt.Sprint(len(w.scopes.Selected()))+" scopes chosen), or you register it yourself and add its client ID to the profile later.", width)
	lines = append(lines, "")
	if r.clientID != "" {
		lines = append(lines, st.Good.Render("✓ ")+"Registered. Client ID: "+st.Accent.Render(termsafe.String(r.clientID)))
		lines = append(lines, st.Subtle.Render("  at "+termsafe.String(r.endpoint)), "")
		lines = append(lines, wizWrapStyled(st.Warn, adminStep, width)...)
		return append(lines, "", "Press "+st.Key.Render("enter")+" to review and save.")
	}
	lines = append(lines, w.choiceLine(r.choice == 0, "Register this client now", ""),
		w.choiceLine(r.choice == 1, "I'll register it myself", "save without a client ID"))
	if r.note != "" {
		lines = append(lines, "")
		lines = append(lines, wizWrapStyled(st.Warn, r.note, width)...)
	}
	switch {
	case r.running:
		lines = append(lines, "", w.spin.View()+" registering…")
	case r.err != nil:
		ex := Explain(r.err)
		lines = append(lines, "", st.Bad.Render("✗ Registration failed."))
		lines = append(lines, explanationLines(st, ex, width)...)
		lines = append(lines, st.Subtle.Render("enter or r tries again"))
	}
	return lines
}

// wizSave is the final Save and what follows it.
type wizSave struct {
	req        ReqID
	saving     bool
	err        error
	noKeyring  bool // the keyring failed: offer a key file instead
	choice     int  // in the no-keyring list: 0 key file, 1 back
	editing    bool // typing the key file's path
	keyFile    textinput.Model
	saved      *session.Profile
	connecting bool
	connectErr error
}

type wizSavedMsg struct {
	id      uint64
	profile session.Profile
	err     error
}

type wizConnectFailedMsg struct{ err error }

// profile is what the wizard saves.
func (w *WizardScreen) profile() session.Profile {
	p := session.Profile{Name: strings.TrimSpace(w.name.Value()), BaseURL: normalBase(w.base.Value()),
		ClientID: strings.TrimSpace(w.clientID.Value()), Scopes: w.scopes.Selected()}
	if p.ClientID == "" {
		p.ClientID = w.reg.clientID
	}
	if k := w.keys.key; k != nil {
		p.Alg, p.KeyID = k.Alg, k.KeyID
	}
	return p
}

func (w *WizardScreen) summaryKey(m tea.KeyPressMsg) tea.Cmd {
	s, keys := &w.save, w.c.Keys
	if s.saving {
		return nil
	}
	if s.editing {
		return w.pathKey(&s.keyFile, m, "Type the path of the new key file.", w.saveProfile)
	}
	if s.noKeyring {
		switch {
		case key.Matches(m, keys.Up):
			s.choice = 0
		case key.Matches(m, keys.Down):
			s.choice = 1
		case key.Matches(m, keys.Accept) && s.choice == 0:
			s.editing = true
			return s.keyFile.Focus()
		case key.Matches(m, keys.Accept):
			s.noKeyring, s.err = false, nil
		}
		return nil
	}
	switch {
	case key.Matches(m, keys.Accept):
		return w.saveProfile("")
	case key.Matches(m, keys.Down):
		w.body++
	case key.Matches(m, keys.Up):
		w.body = max(0, w.body-1)
	}
	return nil
}

// saveProfile saves in a tea.Cmd: the key into the keyring, or, when keyFile is set (the
// user chose it after the keyring failed), into that new file (mode 0600), never both.
func (w *WizardScreen) saveProfile(keyFile string) tea.Cmd {
	s := &w.save
	if w.setup == nil || w.setup.Store == nil {
		w.lastError = "There is no profile store here (the demo has none): run fhirscope without --demo to save profiles."
		return nil
	}
	id, ctx := s.req.Start(w.c.Ctx)
	s.saving, s.err = true, nil
	store, p, k := w.setup.Store, w.profile(), w.keys.key
	return tea.Batch(w.startSpinner(), func() tea.Msg {
		if ctx.Err() != nil {
			return nil
		}
		if keyFile == "" {
			return wizSavedMsg{id: id, profile: p, err: store.AddProfile(p, session.AddOptions{ImportKey: k})}
		}
		path, err := session.ExpandPath(keyFile)
		if err == nil && !filepath.IsAbs(path) {
			path, err = filepath.Abs(path)
		}
		if err == nil {
			err = session.WritePrivateKeyFile(path, k)
		}
		if err != nil {
			return wizSavedMsg{id: id, profile: p, err: err}
		}
		p.KeyFile, p.Alg, p.KeyID = path, "", ""
		if err := store.AddProfile(p, session.AddOptions{}); err != nil {
			return wizSavedMsg{id: id, profile: p, err: fmt.Errorf("%w (the key was written to %s; delete it, or use it with fhirscope profile add --key-file)", err, path)}
		}
		return wizSavedMsg{id: id, profile: p}
	})
}

func (w *WizardScreen) saved(msg wizSavedMsg) tea.Cmd {
	s := &w.save
	if !s.req.Current(msg.id) {
		return nil
	}
	s.req.Done()
	s.saving = false
	if msg.err != nil {
		s.err = msg.err
		if errors.Is(msg.err, session.ErrNoKeyring) && msg.profile.KeyFile == "" {
			s.noKeyring, s.choice = true, 0
		}
		return nil
	}
	p := msg.profile
	s.saved, s.editing, s.noKeyring, s.err = &p, false, false, nil
	w.goTo(wsDone)
	if p.ClientID == "" {
		return nil // nothing to connect with until the client is registered
	}
	s.connecting = true
	setup, ctx := w.setup, w.c.Ctx
	return func() tea.Msg {
		conn, err := ProfileConnection(ctx, setup.Store, p.Name, setup.Conn)
		if err != nil {
			return wizConnectFailedMsg{err}
		}
		conn.AutoDoctor = true // a failure runs the doctor at once, so the cause is named
		return ConnectMsg{conn}
	}
}
