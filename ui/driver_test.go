package ui

import (
	"context"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// driver runs an App the way tea.Program does, minus the terminal: commands run in
// goroutines, their messages come back through a channel and go through Update one at a time
// on the test goroutine. Tests step it with send/press and wait with until (a deadline, never
// a fixed sleep).
type driver struct {
	t    testing.TB
	app  *App
	msgs chan tea.Msg
	quit bool
	// dropTicks drops the app's clock and spinner ticks, which re-arm forever.
	dropTicks bool
	// onMsg, when set, sees every message before Update does (a test waiting for a reply
	// that changes nothing on screen, such as a cancelled one).
	onMsg func(tea.Msg)
}

// untilTimeout bounds every until: generous, because under -race on a loaded two-core box a
// step that takes milliseconds alone (a 4 MB capped body, a key signature) can take seconds.
const untilTimeout = 30 * time.Second

func newDriver(t testing.TB, app *App, w, h int) *driver {
	t.Helper()
	d := &driver{t: t, app: app, msgs: make(chan tea.Msg, 1024), dropTicks: true}
	d.update(tea.WindowSizeMsg{Width: w, Height: h})
	d.run(app.Init())
	return d
}

// run executes cmd in a goroutine like the tea runtime does.
func (d *driver) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() {
		d.deliver(cmd())
	}()
}

func (d *driver) deliver(msg tea.Msg) {
	if msg == nil {
		return
	}
	if b, ok := msg.(tea.BatchMsg); ok {
		for _, c := range b {
			d.run(c)
		}
		return
	}
	// tea.Sequence's message type is unexported: a slice of commands run in order.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		for i := range v.Len() {
			if c := v.Index(i).Interface().(tea.Cmd); c != nil {
				d.deliver(c())
			}
		}
		return
	}
	select {
	case d.msgs <- msg:
	default: // a test that stopped reading; never block a goroutine
	}
}

func (d *driver) update(msg tea.Msg) {
	if d.onMsg != nil {
		d.onMsg(msg)
	}
	if _, ok := msg.(tea.QuitMsg); ok {
		d.quit = true
		return
	}
	_, cmd := d.app.Update(msg)
	d.run(cmd)
}

// send gives msg to Update as if it came from the runtime.
func (d *driver) send(msg tea.Msg) { d.update(msg) }

// press sends key presses: "enter", "esc", "down", "ctrl+c", or single characters.
func (d *driver) press(keys ...string) {
	for _, k := range keys {
		d.update(keyMsg(k))
	}
}

// typeText types each rune of s.
func (d *driver) typeText(s string) {
	for _, r := range s {
		d.update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// until processes messages until cond holds, failing the test after the deadline.
func (d *driver) until(what string, cond func() bool) {
	d.t.Helper()
	deadline := time.After(untilTimeout)
	for !cond() {
		select {
		case msg := <-d.msgs:
			if d.dropTicks && isTick(msg) {
				continue
			}
			d.update(msg)
		case <-deadline:
			d.t.Fatalf("timed out waiting for %s; screen:\n%s", what, d.screen())
		}
	}
}

// drain processes the messages already waiting (without waiting for more).
func (d *driver) drain() {
	for {
		select {
		case msg := <-d.msgs:
			if d.dropTicks && isTick(msg) {
				continue
			}
			d.update(msg)
		default:
			return
		}
	}
}

func isTick(msg tea.Msg) bool {
	switch msg.(type) {
	case tickMsg, spinner.TickMsg, logTickMsg:
		return true
	}
	return false
}

// screen is the frame as plain text.
func (d *driver) screen() string { return ansi.Strip(d.app.Render()) }

func keyMsg(k string) tea.KeyPressMsg {
	codes := map[string]rune{
		"enter": tea.KeyEnter, "esc": tea.KeyEscape, "up": tea.KeyUp, "down": tea.KeyDown,
		"left": tea.KeyLeft, "right": tea.KeyRight, "pgdown": tea.KeyPgDown, "pgup": tea.KeyPgUp,
		"home": tea.KeyHome, "end": tea.KeyEnd, "tab": tea.KeyTab, "backspace": tea.KeyBackspace,
		"space": tea.KeySpace,
	}
	if c, ok := codes[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// Fixtures: a sandbox over real HTTP, a fixed key (so kids are stable), registered clients.

var (
	keyOnce sync.Once
	theKey  *session.Key
	keyErr  error
)

func testKey(t testing.TB) *session.Key {
	t.Helper()
	keyOnce.Do(func() {
		raw, err := os.ReadFile("testdata/test_key.pem")
		if err != nil {
			keyErr = err
			return
		}
		theKey, keyErr = session.ParseKey(raw)
	})
	if keyErr != nil {
		t.Fatal(keyErr)
	}
	return theKey
}

// newSandbox starts a sandbox whose clock is fixedNow (the clients' too), so tokens expire
// at the same moment in every run.
func newSandbox(t testing.TB, opts fhirtest.Options) *fhirtest.Server {
	t.Helper()
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	srv := fhirtest.NewServer(opts)
	t.Cleanup(srv.Close)
	return srv
}

// register registers and enables a client with scopes and returns a Connection for it; a
// nil scopes registers every system read scope.
func register(t testing.TB, srv *fhirtest.Server, scopes []string, log *fhirclient.RequestLog) *Connection {
	t.Helper()
	key := testKey(t)
	if scopes == nil {
		scopes = srv.SystemReadScopes()
	}
	jwks, err := key.PublicJWKS()
	if err != nil {
		t.Fatal(err)
	}
	id, err := srv.RegisterClient(fhirtest.ClientRegistration{Name: "ui test", Scopes: scopes, JWKS: jwks, Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	cred := fhirclient.Credentials{ClientID: id, Signer: key.Signer, Alg: key.Alg, KeyID: key.KeyID}
	client, err := fhirclient.New(srv.FHIRBase(), fhirclient.WithCredentials(cred), fhirclient.WithScopes(scopes),
		fhirclient.WithRequestLog(log), fhirclient.WithClock(func() time.Time { return fixedNow }))
	if err != nil {
		t.Fatal(err)
	}
	return &Connection{Profile: "test", Client: client, Cred: cred}
}

// fixedNow is the clock of every test app, so token countdowns render the same each run.
var fixedNow = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// newTestApp builds an app with colourless styles and a fixed clock.
func newTestApp(t testing.TB, opts Options) *App {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if opts.Styles == nil {
		opts.Styles = NoColorStyles()
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	return NewApp(ctx, opts)
}

// startNotice is a plain first screen for tests that need an app but no server.
func startNotice(c *Common) Screen {
	return NewNoticeScreen(c, "Welcome", []string{"A screen to start from."}, nil)
}
