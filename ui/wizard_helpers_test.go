package ui

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/zalando/go-keyring"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// wizardEnv is a wizard app over a fresh profile store in a temp FHIRSCOPE_CONFIG, with
// go-keyring's in-memory mock as the OS keyring (or a failing one: noKeyring).
type wizardEnv struct {
	t     *testing.T
	d     *driver
	app   *App
	store *session.Store
	log   *fhirclient.RequestLog
}

func newWizardEnv(t *testing.T, w, h int, noKeyring bool, profiles ...session.Profile) *wizardEnv {
	t.Helper()
	if noKeyring {
		keyring.MockInitWithError(errors.New("The name org.freedesktop.secrets was not provided by any .service files"))
	} else {
		keyring.MockInit()
	}
	t.Cleanup(keyring.MockInit) // the next test starts from an empty, working mock
	t.Setenv(session.EnvClientID, "")
	t.Setenv(session.EnvPrivateKeyFile, "")
	path := filepath.Join(t.TempDir(), "config.json")
	t.Setenv(session.EnvConfig, path)
	store, err := session.OpenDefaultStore()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range profiles {
		if err := store.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	log := fhirclient.NewRequestLog(0)
	app := newTestApp(t, Options{Log: log, Now: time.Now, Setup: &Setup{Store: store, Conn: ConnOptions{Log: log}},
		Start: func(c *Common) Screen { return NewWizardScreen(c, true) }})
	return &wizardEnv{t: t, d: newDriver(t, app, w, h), app: app, store: store, log: log}
}

// wiz is the wizard screen (it must be on top).
func (e *wizardEnv) wiz() *WizardScreen {
	e.t.Helper()
	w, ok := e.app.Top().(*WizardScreen)
	if !ok {
		e.t.Fatalf("the top screen is %T, not the wizard; screen:\n%s", e.app.Top(), e.d.screen())
	}
	return w
}

func (e *wizardEnv) waitStep(s wizStep) {
	e.t.Helper()
	e.d.until("wizard step "+wizStepTitles[s], func() bool {
		w, ok := e.app.Top().(*WizardScreen)
		return ok && w.step == s
	})
}

func (e *wizardEnv) waitScreen(what string) {
	e.t.Helper()
	e.d.until(what, func() bool { return strings.Contains(e.d.screen(), what) })
}

// toBase types the name and reaches the base URL step.
func (e *wizardEnv) toBase(name string) {
	e.t.Helper()
	e.d.until("profile names loaded", func() bool { return e.wiz().loaded })
	e.d.typeText(name)
	e.d.press("enter")
	e.waitStep(wsBase)
}

// toKey types the base URL, waits for the live check, and leaves the client ID as given.
func (e *wizardEnv) toKey(srv *fhirtest.Server, clientID string) {
	e.t.Helper()
	e.d.typeText(srv.FHIRBase())
	e.d.until("discovery", func() bool { return e.wiz().disc.result != nil })
	e.d.press("enter")
	e.waitStep(wsClientID)
	e.d.typeText(clientID)
	e.d.press("enter")
	e.waitStep(wsKey)
}

// pasteTestKey pastes ui/testdata/test_key.pem and takes it.
func (e *wizardEnv) pasteTestKey() {
	e.t.Helper()
	e.wiz().keys.choice = 1
	e.d.press("enter")
	e.d.send(tea.PasteMsg{Content: string(testKeyPEM(e.t))})
	e.d.until("the paste parsed", func() bool { return e.wiz().keys.parsed != nil })
	e.d.press("tab")
	e.waitStep(wsJWKS)
}

// walkToSummary goes from the JWKS step through the default scopes and registration choice.
func (e *wizardEnv) toScopes() {
	e.t.Helper()
	e.d.press("enter")
	e.waitStep(wsScopes)
}

func testKeyPEM(t *testing.T) []byte {
	t.Helper()
	testKey(t)
	pem, err := testKey(t).MarshalPEM()
	if err != nil {
		t.Fatal(err)
	}
	return pem
}

// shiftTab is the shift+tab key press.
var shiftTab = tea.KeyPressMsg{Code: tea.KeyTab, Mod: tea.ModShift}

// flat joins a screen's lines and collapses spaces, so wrapped sentences can be matched.
func flat(s string) string { return strings.Join(strings.Fields(s), " ") }
