package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
)

// Options configure the app; cmd_tui.go fills them from flags and the profile store.
type Options struct {
	Profile  string
	Demo     bool
	Insecure bool
	Offline  string // file name when browsing a file with `fhirscope open`
	NoMouse  bool
	Log      *fhirclient.RequestLog

	// Conn, when set, is connected to first (a connect screen starts the app).
	Conn *Connection
	// Start builds the first screen when there is no Conn (no-profile notice, offline
	// results, the setup wizard...).
	Start func(c *Common) Screen
	// Styles, when set, are used as they are (tests, NO_COLOR); otherwise the app starts dark
	// and follows the terminal's background colour.
	Styles *Styles
	// Now is the clock for the status bar's token countdown (tests fix it).
	Now func() time.Time
	// Profiles lists the stored profiles, for the palette's "switch profile".
	Profiles func() ([]string, error)
	// OpenProfile loads one profile (credentials from the keyring) for connecting. It runs in
	// a tea.Cmd, never in Update.
	OpenProfile func(ctx context.Context, name string) (*Connection, error)
	// Setup, when set, lets the profile picker and the setup wizard reach the profile store.
	Setup *Setup
}

// renewBefore is how long before expiry the status bar's tick re-mints the token, so the
// user never sees a request fail on an expired token.
const renewBefore = 30 * time.Second

// renewBackoff is the pause after a failed renewal before the next attempt.
const renewBackoff = 15 * time.Second

// App is the root model: a stack of screens, a status bar, an optional warning banner and an
// error panel over everything. Global keys (quit, help, palette, request log, esc) are
// handled here; everything else goes to the screen on top.
type App struct {
	c       *Common
	opts    Options
	stack   []Screen
	width   int
	height  int
	err     error // error panel, dismissed by esc/enter
	status  string
	statusN int // which status message is showing, so an old timer does not clear a newer one
	minting bool
	// renewRetry is when a failed renewal may be tried again.
	renewRetry time.Time
	fixed      bool        // styles given by the caller: ignore the terminal background
	conn       *Connection // the current connection, for the palette's Reconnect
	quitArmed  bool        // q was pressed once over unsaved work; a second q quits
}

type tickMsg time.Time
type clearStatusMsg struct{ n int }
type tokenRenewedMsg struct {
	tok *fhirclient.Token
	err error
}

// NewApp builds the root model. ctx is the app's lifetime: every fetch derives from it.
func NewApp(ctx context.Context, opts Options) *App {
	styles, fixed := opts.Styles, opts.Styles != nil
	if styles == nil {
		styles = DefaultStyles(true)
		fixed = styles.NoColor
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = fhirclient.NewRequestLog(1000)
	}
	c := &Common{
		Styles: styles, Keys: DefaultKeyMap(), Profile: opts.Profile, Demo: opts.Demo,
		Insecure: opts.Insecure, Log: opts.Log, Ctx: ctx, Setup: opts.Setup, Now: opts.Now,
	}
	a := &App{c: c, opts: opts, fixed: fixed, conn: opts.Conn}
	switch {
	case opts.Conn != nil:
		a.stack = []Screen{NewConnectScreen(c, opts.Conn)}
	case opts.Start != nil:
		a.stack = []Screen{opts.Start(c)}
	}
	return a
}

// Common returns the shared state (tests and cmd_tui use it).
func (a *App) Common() *Common { return a.c }

// Top returns the screen on top of the stack (nil when empty).
func (a *App) Top() Screen {
	if len(a.stack) == 0 {
		return nil
	}
	return a.stack[len(a.stack)-1]
}

// Depth is the number of screens on the stack.
func (a *App) Depth() int { return len(a.stack) }

// Err is the error the panel is showing, if any.
func (a *App) Err() error { return a.err }

// StatusText is the transient status message showing, if any.
func (a *App) StatusText() string { return a.status }

func (a *App) Init() tea.Cmd {
	cmds := []tea.Cmd{a.tick()}
	if !a.fixed {
		cmds = append(cmds, tea.RequestBackgroundColor)
	}
	if top := a.Top(); top != nil {
		cmds = append(cmds, top.Init())
	}
	return tea.Batch(cmds...)
}

func (a *App) tick() tea.Cmd {
	return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

func (a *App) Update(msg tea.Msg) (m tea.Model, cmd tea.Cmd) {
	// forward contains a screen's Update; this catches the rest: the root's own handling
	// and the screen methods it calls itself (help, palette, titles). The session goes on.
	defer func() {
		if r := recover(); r != nil {
			a.err, m, cmd = newScreenPanic(a.Top(), r), a, nil
		}
	}()
	banner := a.bannerHeight()
	cmd = a.update(msg)
	if a.bannerHeight() != banner {
		a.resize() // a profile with TLS verification off brought the warning banner
	}
	return a, cmd
}

func (a *App) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.width, a.height = msg.Width, msg.Height
		a.resize()
		return nil
	case tea.BackgroundColorMsg:
		if !a.fixed {
			// Update in place: every screen holds this pointer. Widgets keep copies of the
			// styles they were built with, so screens holding some restyle them.
			*a.c.Styles = *NewStyles(msg.IsDark())
			for _, s := range a.stack {
				if r, ok := s.(restyler); ok {
					r.Restyle()
				}
			}
		}
		return nil
	case tea.KeyPressMsg:
		return a.key(msg)
	case tea.MouseWheelMsg:
		return a.wheel(msg)
	case PushMsg:
		return a.push(msg.Screen)
	case PopMsg:
		return a.pop()
	case ReplaceMsg:
		if msg.Screen == nil {
			return nil
		}
		if len(a.stack) > 0 {
			a.drop(len(a.stack) - 1)
		}
		return a.push(msg.Screen)
	case resetMsg:
		if msg.Screen == nil {
			return nil
		}
		a.drop(0)
		return a.push(msg.Screen)
	case ErrorMsg:
		a.err = msg.Err
		return nil
	case StatusMsg:
		return a.setStatus(msg.Text)
	case clearStatusMsg:
		if msg.n == a.statusN {
			a.status = ""
		}
		return nil
	case TokenMsg:
		a.c.Token = msg.Token
		return nil
	case CapsMsg:
		a.c.Caps = msg.Caps
		return nil
	case tickMsg:
		return tea.Batch(a.tick(), a.maybeRenew())
	case tokenRenewedMsg:
		a.minting = false
		if msg.err != nil {
			// Not every tick: a server refusing tokens should not get one request a second.
			a.renewRetry = a.c.Now().Add(renewBackoff)
			return a.setStatus("token renewal failed: " + Explain(msg.err).Cause)
		}
		a.c.Token = msg.tok
		return nil
	}
	if cmd, ok := a.handleAppMsg(msg); ok {
		return cmd
	}
	return a.forward(msg)
}

// forward gives msg to the top screen.
func (a *App) forward(msg tea.Msg) (cmd tea.Cmd) {
	top := a.Top()
	if top == nil {
		return nil
	}
	// A bug in one screen lands in the error panel instead of taking the session down.
	defer func() {
		if r := recover(); r != nil {
			a.err, cmd = newScreenPanic(top, r), nil
		}
	}()
	next, cmd := top.Update(msg)
	if next != nil {
		a.stack[len(a.stack)-1] = next
	}
	return cmd
}

func (a *App) push(s Screen) tea.Cmd {
	if s == nil {
		return nil
	}
	s.SetSize(a.c.Width, a.c.Height)
	a.stack = append(a.stack, s)
	return s.Init()
}

// pop removes the top screen (never the last one), cancelling its request in flight, and
// lets the screen below resume.
func (a *App) pop() tea.Cmd {
	if len(a.stack) <= 1 {
		return nil
	}
	a.drop(len(a.stack) - 1)
	top := a.Top()
	top.SetSize(a.c.Width, a.c.Height)
	if r, ok := top.(ResumableScreen); ok {
		return r.Resume()
	}
	return nil
}

// drop removes the screens from index from up, cancelling their requests in flight so no
// goroutine keeps working for a screen nobody can see.
func (a *App) drop(from int) {
	for i := len(a.stack) - 1; i >= from; i-- {
		if cs, ok := a.stack[i].(CancellableScreen); ok && cs.Busy() {
			cs.Cancel()
		}
	}
	a.stack = a.stack[:from]
}

// resize computes the screen area (terminal minus banner and status bar) and tells every
// screen on the stack, so going back lands on a correctly sized screen.
func (a *App) resize() {
	a.c.Width = a.width
	a.c.Height = max(1, a.height-1-a.bannerHeight())
	for _, s := range a.stack {
		s.SetSize(a.c.Width, a.c.Height)
	}
}

func (a *App) bannerHeight() int {
	if a.c.Insecure {
		return 1
	}
	return 0
}

func (a *App) setStatus(text string) tea.Cmd {
	a.status = text
	a.statusN++
	n := a.statusN
	return tea.Tick(4*time.Second, func(time.Time) tea.Msg { return clearStatusMsg{n} })
}

// maybeRenew re-mints the token in the background shortly before it expires.
func (a *App) maybeRenew() tea.Cmd {
	c := a.c
	if c.Client == nil || c.Token == nil || a.minting || a.c.Now().Before(a.renewRetry) {
		return nil
	}
	// The client re-mints on its own when a request finds the token near expiry: judge
	// the newest token, not the one the connect screen got.
	if t := c.Client.CurrentToken(); t != nil && t.ExpiresAt.After(c.Token.ExpiresAt) {
		c.Token = t
	}
	if c.Token.ExpiresAt.Sub(a.c.Now()) > renewBefore {
		return nil
	}
	a.minting = true
	client, ctx := c.Client, c.Ctx
	return func() tea.Msg {
		tok, err := client.MintToken(ctx)
		return tokenRenewedMsg{tok, err}
	}
}

// restyler is a screen whose widgets (text inputs, spinners) hold copies of Common.Styles:
// Restyle copies them again after the light/dark switch. It may be on the stack before the
// terminal answers (the setup wizard or the profile picker as the first screen).
type restyler interface{ Restyle() }

// overlayScreen marks screens drawn as a box over the screen below (the palette).
type overlayScreen interface{ Overlay() }

// resetMsg clears the stack and starts over from one screen (switch profile, reconnect).
type resetMsg struct{ Screen Screen }

// Reset returns a command that replaces the whole stack with s.
func Reset(s Screen) tea.Cmd { return func() tea.Msg { return resetMsg{s} } }
