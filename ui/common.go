// Package ui is fhirscope's terminal explorer: a Bubble Tea v2 program whose root model keeps
// a stack of screens (connect, resource types, search results, inspector, request log, ...).
//
// Each screen is a Screen: it gets messages through Update, renders a string in View for the
// area above the status bar, and lists its keys for help. Screens never do I/O in Update:
// every fetch runs in a tea.Cmd carrying a screen-local request id, and a reply whose id is no
// longer current (the user moved on, or pressed esc) is dropped.
//
// Adding a screen:
//   - NewXxxScreen(c *Common, ...) *XxxScreen implementing Screen; show it with Push(s),
//     Replace(s) or Reset(s); leave with Pop(). The root sizes it (SetSize) before Init.
//   - Keys come from c.Keys (add bindings to KeyMap in keys.go, never match literal strings),
//     and ShortHelp/FullHelp return those bindings, so `?` is always right. withHelp(b, desc)
//     re-labels a shared binding for one screen.
//   - Colours come from c.Styles only; server strings go through ui/termsafe before View.
//   - Fetches: keep a ReqID; id, ctx := req.Start(c.Ctx) in Update, do the I/O in the returned
//     tea.Cmd, answer with a message carrying id, and drop it unless req.Current(id). Implement
//     Busy/Cancel (CancellableScreen) so esc cancels before it goes back.
//   - Optional interfaces: TextInputScreen (typing: q, ?, :, L are letters), PositionScreen
//     (status bar position), ResumableScreen (re-arm ticks when on top again), overlay
//     screens (Overlay(), drawn over the screen below).
//   - Errors: return ShowError(err) for the error panel (cause and fix from Explain), or
//     render renderErrorBox inline; Status(text) for a transient status-bar note.
//   - Palette commands: RegisterCommands(func(c *Common) []Command) from an init func.
package ui

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/doctor"
)

// Common is what every screen shares, passed by pointer: the root model keeps it current
// (size, token, capabilities) and screens read from it.
type Common struct {
	Width, Height int // size of the screen area, without the status bar and banners
	Styles        *Styles
	Keys          *KeyMap
	Client        *fhirclient.Client       // nil offline (`fhirscope open`)
	Caps          *fhirclient.Capabilities // nil until metadata loaded, and offline
	Token         *fhirclient.Token        // latest known token (status bar, locked types)
	Doctor        *doctor.Config           // the connection's setup, for the palette's "Run the doctor" (nil: none)
	Profile       string
	Demo          bool
	Insecure      bool
	Log           *fhirclient.RequestLog
	Ctx           context.Context  // app lifetime; fetch contexts derive from it
	Setup         *Setup           // profile store for the picker and setup wizard (nil in --demo and offline)
	Now           func() time.Time // the app clock (Options.Now; tests fix it); nil means time.Now
}

// Screen is one page of the app. The root model owns a stack of them; the top one gets
// every message the root does not handle itself.
type Screen interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (Screen, tea.Cmd)
	View() string
	SetSize(width, height int)
	Title() string // breadcrumb and status bar
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
}

// Optional interfaces a Screen may implement; the root model checks for them.

// TextInputScreen is a screen that is capturing typed text right now (a filter, a search
// field): while Capturing() is true the root passes q, ?, :, L and esc to the screen instead
// of treating them as global keys (ctrl+c still quits).
type TextInputScreen interface {
	Capturing() bool
}

// CancellableScreen is a screen with a request in flight: when Busy() the root sends esc to
// Cancel() instead of popping the screen.
type CancellableScreen interface {
	Busy() bool
	Cancel()
}

// UnsavedScreen is a screen holding work that quitting would lose: the first q then asks
// for a second one (ctrl+c still quits at once).
type UnsavedScreen interface {
	UnsavedWork() string // "" when there is nothing to lose
}

// PositionScreen reports a paging position for the status bar ("page 2 of 5 · links").
type PositionScreen interface {
	Position() string
}

// Messages the root model handles.

// PushMsg pushes a screen on the stack; the root sizes it and runs its Init.
type PushMsg struct{ Screen Screen }

// PopMsg goes back to the previous screen (quitting never happens by popping the last one).
type PopMsg struct{}

// ReplaceMsg swaps the top screen for another (the connect screen becomes the types screen).
type ReplaceMsg struct{ Screen Screen }

// ErrorMsg shows an error panel with Explain()'s cause and fix over the current screen.
type ErrorMsg struct{ Err error }

// StatusMsg shows a transient message in the status bar.
type StatusMsg struct{ Text string }

// TokenMsg tells the root (and so the status bar and every screen) about a new token.
type TokenMsg struct{ Token *fhirclient.Token }

// CapsMsg tells the root the server's capabilities were loaded.
type CapsMsg struct{ Caps *fhirclient.Capabilities }

// Push returns a command that pushes s.
func Push(s Screen) tea.Cmd { return func() tea.Msg { return PushMsg{Screen: s} } }

// Pop returns a command that goes back one screen.
func Pop() tea.Cmd { return func() tea.Msg { return PopMsg{} } }

// Replace returns a command that replaces the top screen with s.
func Replace(s Screen) tea.Cmd { return func() tea.Msg { return ReplaceMsg{Screen: s} } }

// ShowError returns a command that shows err in the error panel.
func ShowError(err error) tea.Cmd { return func() tea.Msg { return ErrorMsg{Err: err} } }

// Status returns a command that shows text in the status bar for a few seconds.
func Status(text string) tea.Cmd { return func() tea.Msg { return StatusMsg{Text: text} } }

// Explained is any error that can say its cause and fix (fhirclient.AuthError, APIError...).
type Explained interface {
	Explain() fhirclient.Explanation
}

// Explain returns the cause and fix for err, looking through wrapped errors; errors that
// cannot explain themselves get their message as the cause and a generic fix.
func Explain(err error) fhirclient.Explanation {
	var ex Explained
	if errors.As(err, &ex) {
		return ex.Explain()
	}
	if errors.Is(err, context.Canceled) {
		return fhirclient.Explanation{Cause: "The request was cancelled.", Fix: "Press r to try again."}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return fhirclient.Explanation{Cause: "The server did not answer in time.", Fix: "Check the server is up, then press r to try again."}
	}
	if ex, ok := explainSession(err); ok {
		return ex
	}
	return fhirclient.Explanation{Cause: err.Error(), Fix: "Press esc and try again; the request log (L) shows every exchange with the server."}
}

// ReqID is a screen-local request counter: Next() starts a new request and makes every
// earlier one stale; Current(id) says whether a reply is still wanted.
type ReqID struct {
	id     uint64
	cancel context.CancelFunc
}

// Start begins a new request derived from parent: it cancels the previous one, and returns
// the new id and the context the fetch must use.
func (r *ReqID) Start(parent context.Context) (uint64, context.Context) {
	if r.cancel != nil {
		r.cancel()
	}
	if parent == nil {
		parent = context.Background()
	}
	ctx, cancel := context.WithCancel(parent)
	r.id++
	r.cancel = cancel
	return r.id, ctx
}

// Current reports whether id is the request in flight (or the last one finished).
func (r *ReqID) Current(id uint64) bool { return id == r.id }

// Done marks the current request finished (not busy any more); late replies stay stale.
func (r *ReqID) Done() {
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
}

// Busy reports whether a request is in flight.
func (r *ReqID) Busy() bool { return r.cancel != nil }

// Cancel abandons the request in flight: its context is cancelled and its reply, if one
// still comes, will be stale.
func (r *ReqID) Cancel() {
	if r.cancel != nil {
		r.cancel()
		r.cancel = nil
	}
	r.id++
}
