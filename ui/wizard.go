package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// wizStep is one page of the setup wizard, in order.
type wizStep int

const (
	wsName wizStep = iota
	wsBase
	wsClientID
	wsKey
	wsJWKS
	wsScopes
	wsRegister // only when no client ID was typed
	wsSummary
	wsDone // saved; connecting, or what is left to do
)

var wizStepTitles = []string{"Profile name", "FHIR base URL", "Client ID", "Private key", "Public key (JWKS)",
	"Scopes", "Registration", "Review and save", "Saved"}

// WizardScreen is the setup wizard: it walks a first-time user from nothing to a saved
// profile (name, server checked live by discovery, client ID, a private key loaded, pasted
// or generated, its public JWKS, scopes from the server, optional dynamic registration), then
// connects with it. Nothing is written anywhere until the final Save; every step can go back
// (esc or shift+tab) and keeps what was typed. All I/O runs in tea.Cmds carrying request ids.
type WizardScreen struct {
	c       *Common
	setup   *Setup
	first   bool // the app's first screen: leaving the wizard quits
	step    wizStep
	w, h    int
	spin    spinner.Model
	ticking bool
	body    int // scroll offset of the step's body

	taken     map[string]bool // profile names already in the store (loaded by Init)
	loaded    bool
	takenErr  error
	confirm   bool // "leave the wizard?" asked
	name      textinput.Model
	base      textinput.Model
	clientID  textinput.Model
	disc      wizDiscovery
	keys      wizKeyStep
	jwks      wizJWKSStep
	scopes    wizScopes
	reg       wizRegistration
	save      wizSave
	lastError string // a one-line problem shown under the step (why enter did nothing)
}

// wizNamesMsg carries the existing profile names, read in Init's command.
type wizNamesMsg struct {
	names []string
	err   error
}

// NewWizardScreen starts the setup wizard; first says it is the app's first screen (no
// profile exists yet), where leaving it quits instead of going back.
func NewWizardScreen(c *Common, first bool) *WizardScreen {
	w := &WizardScreen{c: c, setup: c.Setup, first: first, taken: map[string]bool{}}
	w.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner))
	w.name = wizInput(c, "a short name, e.g. clinic or openemr-test")
	w.name.CharLimit = 64
	w.base = wizInput(c, "https://emr.example.org/apis/default/fhir")
	w.base.CharLimit = 2000
	w.clientID = wizInput(c, "leave empty to register the client later in this wizard")
	w.clientID.CharLimit = 500
	w.keys.init(c)
	w.jwks.path = wizInput(c, "/path/to/jwks.json")
	w.scopes.filter = wizInput(c, "filter scopes")
	w.scopes.filter.Prompt = "/ "
	w.save.keyFile = wizInput(c, "/path/to/new-private-key.pem")
	w.name.Focus()
	return w
}

func (w *WizardScreen) Init() tea.Cmd {
	if w.setup == nil || w.setup.Store == nil {
		return nil
	}
	store := w.setup.Store
	return func() tea.Msg {
		if err := store.Load(); err != nil {
			return wizNamesMsg{err: err}
		}
		var names []string
		for _, p := range store.List() {
			names = append(names, p.Name)
		}
		return wizNamesMsg{names: names}
	}
}

// Step is the current step (tests).
func (w *WizardScreen) Step() wizStep { return w.step }

// Capturing: a focused text field takes every key, q and ? included.
func (w *WizardScreen) Capturing() bool {
	if w.confirm {
		return false
	}
	switch w.step {
	case wsName, wsBase, wsClientID:
		return true
	case wsKey:
		return w.keys.typing()
	case wsJWKS:
		return w.jwks.editing
	case wsScopes:
		return w.scopes.filtering
	case wsSummary:
		return w.save.editing
	}
	return false
}

// StepBack: esc stays in the wizard except on a first step with nothing typed.
func (w *WizardScreen) StepBack() bool {
	return w.step > wsName || w.dirty() || w.confirm
}

// Busy: key generation and registration can be cancelled with esc.
func (w *WizardScreen) Busy() bool { return w.keys.gen.Busy() || w.reg.req.Busy() }

func (w *WizardScreen) Cancel() {
	w.keys.gen.Cancel()
	w.reg.req.Cancel()
	w.keys.generating, w.reg.running = false, false
}

// UnsavedWork makes q ask before it throws away a setup in progress.
func (w *WizardScreen) UnsavedWork() string {
	if w.step == wsDone || !w.dirty() {
		return ""
	}
	return "The new profile is not saved yet"
}

// dirty reports whether anything was typed or made that leaving would lose.
func (w *WizardScreen) dirty() bool {
	return w.name.Value() != "" || w.base.Value() != "" || w.clientID.Value() != "" || w.keys.key != nil
}

func (w *WizardScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case wizNamesMsg:
		w.takenErr, w.loaded = msg.err, true
		for _, n := range msg.names {
			w.taken[n] = true
		}
		return w, nil
	case spinner.TickMsg:
		if !w.spinning() {
			w.ticking = false
			return w, nil
		}
		var cmd tea.Cmd
		w.spin, cmd = w.spin.Update(msg)
		return w, cmd
	case tea.KeyPressMsg:
		return w, w.key(msg)
	case tea.PasteMsg:
		return w, w.paste(msg)
	}
	if cmd, ok := w.asyncReply(msg); ok {
		return w, cmd
	}
	// The file picker's directory listings (its message types are its own).
	if w.step == wsKey && w.keys.mode == keyFromFile {
		var cmd tea.Cmd
		w.keys.picker, cmd = w.keys.picker.Update(msg)
		return w, cmd
	}
	return w, nil
}

// spinning reports whether something runs that the spinner shows.
func (w *WizardScreen) spinning() bool {
	return w.keys.generating || w.reg.running || w.save.saving || w.disc.checking || w.keys.loading
}

// Resume restarts the spinner when the wizard is on top again: its ticks went to the screen
// that was above it (help, palette) and stopped there.
func (w *WizardScreen) Resume() tea.Cmd {
	w.ticking = false
	if w.spinning() {
		return w.startSpinner()
	}
	return nil
}

// startSpinner starts the spinner's ticks unless they are already running (two chains of
// ticks would spin it twice as fast).
func (w *WizardScreen) startSpinner() tea.Cmd {
	if w.ticking {
		return nil
	}
	w.ticking = true
	return w.spin.Tick
}

func (w *WizardScreen) key(k tea.KeyPressMsg) tea.Cmd {
	keys := w.c.Keys
	if w.confirm {
		if key.Matches(k, keys.Confirm, keys.Accept) {
			return w.leave()
		}
		w.confirm = false
		return nil
	}
	w.lastError = ""
	switch {
	case key.Matches(k, keys.Back):
		return w.escape()
	case key.Matches(k, keys.Prev):
		return w.back()
	// Only the real page keys scroll: ctrl+u, ctrl+d... edit text in the fields.
	case k.Code == tea.KeyPgDown:
		w.body += max(1, w.h/2)
		return nil
	case k.Code == tea.KeyPgUp:
		w.body = max(0, w.body-max(1, w.h/2))
		return nil
	}
	switch w.step {
	case wsName, wsBase, wsClientID:
		return w.fieldKey(k)
	case wsKey:
		return w.keyStepKey(k)
	case wsJWKS:
		return w.jwksKey(k)
	case wsScopes:
		return w.scopesKey(k)
	case wsRegister:
		return w.registerKey(k)
	case wsSummary:
		return w.summaryKey(k)
	}
	return nil
}

// paste goes to whatever field has the focus (bracketed paste of a PEM, a URL, a client ID).
func (w *WizardScreen) paste(p tea.PasteMsg) tea.Cmd {
	switch w.step {
	case wsName, wsBase, wsClientID:
		in := w.field()
		old := in.Value()
		var cmd tea.Cmd
		*in, cmd = in.Update(p)
		return tea.Batch(cmd, w.fieldChanged(old))
	case wsKey:
		return w.keyPaste(p)
	case wsJWKS:
		if w.jwks.editing {
			var cmd tea.Cmd
			w.jwks.path, cmd = w.jwks.path.Update(p)
			return cmd
		}
	case wsSummary:
		if w.save.editing {
			var cmd tea.Cmd
			w.save.keyFile, cmd = w.save.keyFile.Update(p)
			return cmd
		}
	}
	return nil
}

// escape is esc: close what is open inside the step, else go back one step, else leave.
func (w *WizardScreen) escape() tea.Cmd {
	switch {
	case w.step == wsKey && w.keys.mode != keyChoose:
		w.keys.closeMode()
		return nil
	case w.step == wsJWKS && w.jwks.editing:
		w.jwks.editing = false
		return nil
	case w.step == wsScopes && w.scopes.filtering:
		w.scopes.stopFilter(false)
		return nil
	case w.step == wsSummary && w.save.editing:
		w.save.editing = false
		return nil
	}
	return w.back()
}

// back goes to the previous step, keeping every value; on the first step it asks to leave.
func (w *WizardScreen) back() tea.Cmd {
	switch w.step {
	case wsName:
		if w.dirty() {
			w.confirm = true
			return nil
		}
		return w.leave()
	case wsDone:
		return nil // saved: there is nothing to go back to
	case wsSummary:
		if w.save.saving {
			return nil
		}
		w.save.noKeyring, w.save.editing, w.save.err = false, false, nil
	}
	prev := w.step - 1
	if prev == wsRegister && !w.needsRegistration() {
		prev--
	}
	w.goTo(prev)
	return nil
}

// leave closes the wizard: back to the screen below, or out of the app on first run.
func (w *WizardScreen) leave() tea.Cmd {
	w.Cancel()
	if w.first {
		return tea.Quit
	}
	return Pop()
}

// goTo shows step s with the right field focused.
func (w *WizardScreen) goTo(s wizStep) {
	w.step, w.body, w.lastError = s, 0, ""
	for _, in := range []*textinput.Model{&w.name, &w.base, &w.clientID} {
		in.Blur()
	}
	switch s {
	case wsName, wsBase, wsClientID:
		w.field().Focus()
		w.field().CursorEnd()
	case wsKey:
		w.keys.closeMode()
	case wsScopes:
		w.scopes.build(w.disc.result)
	}
}

// field is the text input of the name, base or client ID step.
func (w *WizardScreen) field() *textinput.Model {
	switch w.step {
	case wsBase:
		return &w.base
	case wsClientID:
		return &w.clientID
	}
	return &w.name
}

// needsRegistration: no client ID typed, so the wizard offers to register one.
func (w *WizardScreen) needsRegistration() bool {
	return strings.TrimSpace(w.clientID.Value()) == ""
}

func (w *WizardScreen) SetSize(width, height int) {
	w.w, w.h = width, height
	iw := max(10, width-6)
	for _, in := range w.inputs() {
		in.SetWidth(iw)
	}
	w.keys.paste.SetWidth(max(20, width-4))
	w.keys.paste.SetHeight(max(3, height-14))
	w.keys.picker.SetHeight(max(3, height-13))
}

// inputs are the wizard's one-line text fields.
func (w *WizardScreen) inputs() []*textinput.Model {
	return []*textinput.Model{&w.name, &w.base, &w.clientID, &w.jwks.path, &w.scopes.filter, &w.save.keyFile, &w.keys.path}
}

func (w *WizardScreen) Title() string { return "Setup · " + wizStepTitles[w.step] }
