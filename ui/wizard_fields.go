package ui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

// discoverDelay is how long the base URL must stay unchanged before it is checked: one
// discovery when typing stops, not one per key.
const discoverDelay = 400 * time.Millisecond

// wizDiscovery is the live check of the base URL.
type wizDiscovery struct {
	req      ReqID
	seq      uint64 // bumped by every edit: a debounce tick for an older value is dropped
	checking bool
	advance  bool   // enter was pressed while checking: go on once the check passes
	base     string // the normalised base the result or error is for
	result   *wizServer
	err      error
}

// wizServer is what discovery and metadata said about the server (all strings sanitised
// when rendered).
type wizServer struct {
	Base                                string
	Software, Version, FHIRVersion      string
	TokenEndpoint, Registration, Source string
	Notes                               []string
	ScopesSupported                     []string
	Types                               []string
	MetaErr                             error // metadata failed although discovery worked
}

type wizDebounceMsg struct{ seq uint64 }

type wizDiscoveredMsg struct {
	id     uint64
	base   string
	server *wizServer
	err    error
}

// normalBase is the base URL as the profile will store it.
func normalBase(s string) string { return strings.TrimRight(strings.TrimSpace(s), "/") }

// fieldKey handles keys on the name, base URL and client ID steps.
func (w *WizardScreen) fieldKey(k tea.KeyPressMsg) tea.Cmd {
	keys := w.c.Keys
	if s := w.suggestion(); s != "" && key.Matches(k, keys.Next) {
		old := w.base.Value()
		w.base.SetValue(s) // tab takes the corrected base the failed check suggested
		w.base.CursorEnd()
		return w.fieldChanged(old)
	}
	if key.Matches(k, keys.Accept) || key.Matches(k, keys.Next) {
		return w.fieldNext()
	}
	in := w.field()
	old := in.Value()
	var cmd tea.Cmd
	*in, cmd = in.Update(k)
	return tea.Batch(cmd, w.fieldChanged(old))
}

// fieldChanged reacts to an edit: a changed base URL is checked again once typing stops.
func (w *WizardScreen) fieldChanged(old string) tea.Cmd {
	if w.step != wsBase || normalBase(w.base.Value()) == normalBase(old) {
		return nil
	}
	w.disc.seq++
	w.disc.req.Cancel()
	w.reg.forget() // a client registered with the old server is no use with this one
	w.disc.checking, w.disc.advance, w.disc.result, w.disc.err, w.disc.base = false, false, nil, nil, ""
	if session.ValidBaseURL(w.base.Value()) != nil {
		return nil
	}
	seq := w.disc.seq
	return tea.Tick(discoverDelay, func(time.Time) tea.Msg { return wizDebounceMsg{seq} })
}

// suggestion is the corrected base URL the failed check proposes (OpenEMR's site segment
// missing), or "".
func (w *WizardScreen) suggestion() string {
	var be *fhirclient.BaseURLError
	if w.step != wsBase || w.disc.checking || !errors.As(w.disc.err, &be) || be.Suggestion == "" {
		return ""
	}
	return be.Suggestion
}

// fieldError is the live validation message of the current field ("" when fine or empty).
func (w *WizardScreen) fieldError() string {
	v := w.field().Value()
	switch w.step {
	case wsName:
		if v == "" {
			return ""
		}
		var pe *session.ProfileError
		if err := session.ValidName(strings.TrimSpace(v)); errors.As(err, &pe) {
			return capitalize(pe.Msg) + "."
		}
		if w.taken[strings.TrimSpace(v)] {
			return "A profile named " + termsafe.String(strings.TrimSpace(v)) + " already exists: choose another name."
		}
	case wsBase:
		if v == "" {
			return ""
		}
		if err := session.ValidBaseURL(v); err != nil {
			return capitalize(err.Error()) + "."
		}
	case wsClientID:
		if err := session.ValidClientID(v); err != nil {
			return capitalize(err.Error()) + "."
		}
	}
	return ""
}

// fieldNext is enter on a field: valid input moves on; the base URL must have been checked.
func (w *WizardScreen) fieldNext() tea.Cmd {
	v := strings.TrimSpace(w.field().Value())
	if msg := w.fieldError(); msg != "" {
		w.lastError = msg
		return nil
	}
	switch w.step {
	case wsName:
		if v == "" {
			w.lastError = "Type a name for the profile."
			return nil
		}
		if w.takenErr != nil {
			w.lastError = "The profile store cannot be read: " + termsafe.String(w.takenErr.Error())
			return nil
		}
	case wsBase:
		if v == "" {
			w.lastError = "Type the server's FHIR base URL."
			return nil
		}
		base := normalBase(v)
		if w.disc.result != nil && w.disc.base == base {
			w.goTo(wsClientID)
			return nil
		}
		w.disc.advance = true
		if w.disc.checking {
			return nil
		}
		return w.startDiscovery(base) // not checked yet (or failed): check now, go on if it passes
	case wsClientID:
		w.goTo(wsKey)
		return nil
	}
	w.goTo(w.step + 1)
	return nil
}

// startDiscovery checks base in a tea.Cmd: SMART discovery, then the CapabilityStatement.
func (w *WizardScreen) startDiscovery(base string) tea.Cmd {
	id, ctx := w.disc.req.Start(w.c.Ctx)
	w.disc.checking, w.disc.base, w.disc.err, w.disc.result = true, base, nil, nil
	opts := w.transport(base)
	return tea.Batch(w.startSpinner(), func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		srv, err := discoverServer(ctx, base, opts)
		return wizDiscoveredMsg{id: id, base: base, server: srv, err: err}
	})
}

// transport are the client options for talking to base before any profile exists: the
// command line's TLS settings, the request log and the trace.
func (w *WizardScreen) transport(base string) []fhirclient.Option {
	var co session.ClientOptions
	if w.setup != nil {
		co = w.setup.Conn
	} else {
		co.Log = w.c.Log
	}
	co.Insecure = co.Insecure || w.c.Insecure
	return session.TransportOptions(session.Profile{BaseURL: base}, co)
}

func discoverServer(ctx context.Context, base string, opts []fhirclient.Option) (*wizServer, error) {
	client, err := fhirclient.New(base, opts...)
	if err != nil {
		return nil, err
	}
	sc, err := client.Rediscover(ctx)
	if err != nil {
		return nil, err
	}
	srv := &wizServer{Base: base, TokenEndpoint: sc.TokenEndpoint, Registration: sc.RegistrationEndpoint,
		Source: sc.Source, Notes: sc.Notes, ScopesSupported: sc.ScopesSupported}
	caps, err := client.Metadata(ctx)
	if err != nil {
		srv.MetaErr = err
		return srv, nil
	}
	srv.Software, srv.Version, srv.FHIRVersion = caps.Software, caps.SoftwareVersion, caps.FHIRVersion
	for _, r := range caps.Resources {
		if r.Can("read") || r.Can("search-type") || len(r.Interactions) == 0 {
			srv.Types = append(srv.Types, r.Type)
		}
	}
	return srv, nil
}

// asyncReply routes the replies of the wizard's commands; ok is false for other messages.
func (w *WizardScreen) asyncReply(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case wizDebounceMsg:
		if msg.seq != w.disc.seq || w.disc.checking {
			return nil, true
		}
		if base := normalBase(w.base.Value()); session.ValidBaseURL(base) == nil {
			return w.startDiscovery(base), true
		}
		return nil, true
	case wizDiscoveredMsg:
		if !w.disc.req.Current(msg.id) || msg.base != normalBase(w.base.Value()) {
			return nil, true // the user typed on, or left: an older check answering late
		}
		w.disc.req.Done()
		w.disc.checking = false
		w.disc.result, w.disc.err = msg.server, msg.err
		if msg.err == nil && w.disc.advance && w.step == wsBase {
			w.goTo(wsClientID)
		}
		w.disc.advance = false
		return nil, true
	case wizKeyLoadedMsg:
		return w.keyLoaded(msg), true
	case wizJWKSSavedMsg:
		return w.jwksSaved(msg), true
	case wizRegisteredMsg:
		return w.registered(msg), true
	case wizSavedMsg:
		return w.saved(msg), true
	case wizConnectFailedMsg:
		w.save.connectErr = msg.err
		return nil, true
	}
	return nil, false
}

// serverLines describe the live check of the base URL under the field.
func (w *WizardScreen) serverLines() []string {
	st := w.c.Styles
	d := &w.disc
	width := max(20, w.w-4)
	switch {
	case d.checking:
		return []string{w.spin.View() + " " + st.Subtle.Render("checking "+termsafe.String(d.base)+" (SMART discovery, then metadata)…")}
	case d.err != nil:
		ex := Explain(d.err)
		lines := []string{st.Bad.Render("✗ This is not a FHIR base fhirscope can use.")}
		lines = append(lines, explanationLines(st, ex, width)...)
		if s := w.suggestion(); s != "" {
			lines = append(lines, "", "Press "+st.Key.Render("tab")+" to use "+st.Accent.Render(termsafe.String(s))+".")
		}
		return lines
	case d.result != nil:
		s := d.result
		sw := strings.TrimSpace(s.Software + " " + s.Version)
		if sw == "" {
			sw = "unnamed server"
		}
		lines := []string{st.Good.Render("✓ ") + termsafe.String(sw) + st.Subtle.Render(" · FHIR "+termsafe.String(orDash(s.FHIRVersion))+
			" · "+strconv.Itoa(len(s.Types))+" resource types")}
		lines = append(lines, st.Subtle.Render("  token endpoint ")+termsafe.String(s.TokenEndpoint))
		if s.Source != fhirclient.SourceSmartConfiguration {
			lines = append(lines, st.Faint.Render("  found via "+termsafe.String(s.Source)+" (no smart-configuration)"))
		}
		if s.MetaErr != nil {
			lines = append(lines, st.Warn.Render("  metadata failed: "+termsafe.String(Explain(s.MetaErr).Cause)))
		}
		for _, n := range s.Notes {
			lines = append(lines, st.Faint.Render("  note: "+termsafe.String(n)))
		}
		return lines
	}
	return nil
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func orDash(s string) string {
	if s == "" {
		return "?"
	}
	return s
}
