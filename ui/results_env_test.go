package ui

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

// Test environment for the results and inspector screens: a sandbox over real HTTP on
// 127.0.0.1, a client registered and enabled on it, and helpers that drive a screen through
// Update the way the root model does (running each command and feeding its message back).

var (
	browseKeyOnce sync.Once
	browseKey     *rsa.PrivateKey
)

// browseTestKey is one RSA key shared by every test (generating one per test is slow).
func browseTestKey(t testing.TB) *rsa.PrivateKey {
	browseKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		browseKey = k
	})
	return browseKey
}

type browseEnv struct {
	srv    *fhirtest.Server
	client *fhirclient.Client
	common *Common
}

// newBrowseEnv starts a sandbox with opts and a client holding scopes (nil: every system read
// scope the server knows), and a Common sized w x h with colourless styles.
func newBrowseEnv(t testing.TB, opts fhirtest.Options, scopes []string, w, h int) *browseEnv {
	t.Helper()
	srv := fhirtest.NewServer(opts)
	t.Cleanup(srv.Close)
	all := srv.SystemReadScopes()
	if scopes == nil {
		scopes = all
	}
	key := browseTestKey(t)
	id, err := srv.RegisterClient(fhirtest.ClientRegistration{
		Name: "ui-browse-test", Scopes: all, JWKS: fhirtest.PublicJWKS(&key.PublicKey), Enabled: true,
	})
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	client, err := fhirclient.New(srv.FHIRBase(),
		fhirclient.WithCredentials(fhirclient.Credentials{ClientID: id, Signer: key, Alg: "RS384"}),
		fhirclient.WithScopes(scopes))
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	caps, err := client.Metadata(ctx)
	if err != nil {
		t.Fatalf("metadata: %v", err)
	}
	c := browseCommon(w, h)
	c.Client, c.Caps, c.Ctx = client, caps, ctx
	return &browseEnv{srv: srv, client: client, common: c}
}

// browseCommon is an offline Common with colourless styles.
func browseCommon(w, h int) *Common {
	return &Common{Width: w, Height: h, Styles: NoColorStyles(), Keys: DefaultKeyMap(), Ctx: context.Background()}
}

// runCmd runs cmd like the Bubble Tea runtime would and returns the messages it produced
// (batches flattened; ticks are skipped: tests advance time by sending messages).
func runCmd(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(10 * time.Second):
		return nil
	}
	switch m := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range m {
			out = append(out, runCmd(c)...)
		}
		return out
	}
	return []tea.Msg{msg}
}

// settle feeds s every message its commands produce until none are left, and returns every
// message seen (those meant for the root, push, status..., are not fed to s).
func settle(t testing.TB, s Screen, cmd tea.Cmd) (Screen, []tea.Msg) {
	t.Helper()
	var root []tea.Msg
	queue := runCmd(cmd)
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		root = append(root, msg)
		switch msg.(type) {
		case PushMsg, PopMsg, ReplaceMsg, StatusMsg, ErrorMsg:
			continue
		case resultsTickMsg:
			continue
		}
		var c tea.Cmd
		s, c = s.Update(msg)
		queue = append(queue, runCmd(c)...)
	}
	return s, root
}

// press sends one key (by its name: "n", "enter", "esc", "ctrl+c"...) and settles.
func browsePress(t testing.TB, s Screen, keyName string) (Screen, []tea.Msg) {
	t.Helper()
	s, cmd := s.Update(keyPress(keyName))
	return settle(t, s, cmd)
}

// typeText types each rune of text as a key press.
func browseType(t testing.TB, s Screen, text string) Screen {
	t.Helper()
	for _, r := range text {
		s, _ = browsePress(t, s, string(r))
	}
	return s
}

func keyPress(name string) tea.KeyPressMsg {
	switch name {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "home":
		return tea.KeyPressMsg{Code: tea.KeyHome}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	}
	r := []rune(name)[0]
	return tea.KeyPressMsg{Code: r, Text: name}
}

// plainView is the screen's View with styling removed, for reading and for goldens.
func plainView(s Screen) string { return ansi.Strip(s.View()) }

// sgrOnly matches the only escape sequences styled output may contain: SGR attributes.
var sgrOnly = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// assertNoRawEscapes fails when out holds an ESC that does not start an SGR sequence of our
// own styling (an OSC 52 clipboard write, a screen clear... from data).
func assertNoRawEscapes(t *testing.T, out string) {
	t.Helper()
	rest := sgrOnly.ReplaceAllString(out, "")
	if i := strings.IndexByte(rest, 0x1b); i >= 0 {
		t.Fatalf("raw ESC in output at %d: %q", i, rest[max(0, i-20):min(len(rest), i+20)])
	}
	for _, c := range rest {
		if c == 0x07 || c == 0x9b || c == 0x9d {
			t.Fatalf("raw control %U in output", c)
		}
	}
}
