package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

type stepState int

const (
	stepPending stepState = iota
	stepRunning
	stepDone
	stepFailed
	stepCancelled
)

// stepFunc is a step as the screen runs it: apply, when not nil, stores typed results
// (token, capabilities) on the screen in Update, on the UI goroutine.
type stepFunc func(ctx context.Context, conn *Connection) (detail string, apply func(*ConnectScreen), err error)

type stepRow struct {
	title  string
	run    stepFunc
	state  stepState
	detail string
	err    error
}

// ConnectScreen runs the connection as a visible step list (the connection's Prepare steps,
// then discovery, sign assertion, token, metadata), each with a spinner while it runs. It ends
// in the granted scopes (dropped ones flagged) or in the failed step's cause and fix.
type ConnectScreen struct {
	c      *Common
	conn   *Connection
	rows   []stepRow
	cur    int // index of the running or failed step; len(rows) when all done
	req    ReqID
	spin   spinner.Model
	token  *fhirclient.Token
	offset int
	w, h   int
}

// stepDoneMsg is one step's result; apply stores typed results on the screen.
type stepDoneMsg struct {
	id     uint64
	index  int
	detail string
	err    error
	apply  func(*ConnectScreen)
}

// NewConnectScreen builds the step list for conn; Init starts the first step.
func NewConnectScreen(c *Common, conn *Connection) *ConnectScreen {
	s := &ConnectScreen{c: c, conn: conn}
	s.spin = spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner))
	for _, p := range conn.Prepare {
		run := p.Run
		s.rows = append(s.rows, stepRow{title: p.Title, run: func(ctx context.Context, conn *Connection) (string, func(*ConnectScreen), error) {
			// A Prepare step fills in the connection (the demo's creates the Client) while
			// View reads it on the UI goroutine: it works on a copy, stored by Update.
			work := *conn
			d, err := run(ctx, &work)
			return d, func(s *ConnectScreen) { *s.conn = work }, err
		}})
	}
	s.rows = append(s.rows,
		stepRow{title: "Discovery (.well-known/smart-configuration)", run: discoverStep},
		stepRow{title: "Sign client assertion (private_key_jwt, " + algOf(conn.Cred) + ")", run: signStep},
		stepRow{title: "Access token (client_credentials)", run: mintStep},
		stepRow{title: "Capabilities (metadata)", run: metadataStep},
	)
	if conn.Profile != "" {
		c.Profile = conn.Profile
	}
	if conn.Client != nil {
		c.Client = conn.Client
		c.Insecure = c.Insecure || conn.Client.Insecure()
	}
	c.Doctor = conn.Doctor
	return s
}

func (s *ConnectScreen) Init() tea.Cmd { return tea.Batch(s.spin.Tick, s.run(0)) }

// Done reports whether every step succeeded.
func (s *ConnectScreen) Done() bool { return s.cur >= len(s.rows) }

// Failed returns the failed step's error, if any.
func (s *ConnectScreen) Failed() error {
	if s.cur < len(s.rows) && s.rows[s.cur].state == stepFailed {
		return s.rows[s.cur].err
	}
	return nil
}

func (s *ConnectScreen) run(i int) tea.Cmd {
	s.cur = i
	if i >= len(s.rows) {
		return nil
	}
	s.rows[i].state = stepRunning
	s.rows[i].err = nil
	id, ctx := s.req.Start(s.c.Ctx)
	run, conn := s.rows[i].run, s.conn
	return func() tea.Msg {
		detail, apply, err := run(ctx, conn)
		return stepDoneMsg{id: id, index: i, detail: detail, err: err, apply: apply}
	}
}

func (s *ConnectScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case spinner.TickMsg:
		if !s.req.Busy() {
			return s, nil // nothing running: let the tick loop end instead of redrawing idly
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case stepDoneMsg:
		if !s.req.Current(msg.id) {
			return s, nil // a cancelled or retried step answering late
		}
		s.req.Done()
		row := &s.rows[msg.index]
		if msg.err != nil {
			row.state, row.err = stepFailed, msg.err
			if s.conn.AutoDoctor && s.conn.Doctor != nil {
				s.conn.AutoDoctor = false // once: r retries the step, d re-runs the doctor
				return s, Push(NewDoctorScreen(s.c, *s.conn.Doctor))
			}
			return s, nil
		}
		row.state, row.detail = stepDone, msg.detail
		if msg.apply != nil {
			msg.apply(s)
		}
		if s.conn.Client != nil {
			s.c.Client = s.conn.Client
			s.c.Insecure = s.c.Insecure || s.conn.Client.Insecure()
		}
		if s.conn.Doctor != nil { // a Prepare step may have made the setup (the demo's)
			s.c.Doctor = s.conn.Doctor
		}
		return s, s.run(msg.index + 1)
	case tea.KeyPressMsg:
		keys := s.c.Keys
		switch {
		case key.Matches(msg, keys.Open) && s.Done():
			return s, Replace(NewTypesScreen(s.c))
		case key.Matches(msg, keys.Refresh) && !s.req.Busy() && !s.Done():
			return s, tea.Batch(s.spin.Tick, s.run(s.cur))
		case key.Matches(msg, keys.Doctor) && s.Failed() != nil && s.conn.Doctor != nil:
			return s, Push(NewDoctorScreen(s.c, *s.conn.Doctor))
		case key.Matches(msg, keys.Down):
			s.offset++
		case key.Matches(msg, keys.Up):
			s.offset = max(0, s.offset-1)
		}
	}
	return s, nil
}

func (s *ConnectScreen) Busy() bool { return s.req.Busy() }

func (s *ConnectScreen) Cancel() {
	s.req.Cancel()
	if s.cur < len(s.rows) {
		s.rows[s.cur].state = stepCancelled
	}
}

func (s *ConnectScreen) SetSize(w, h int) { s.w, s.h = w, h }

func (s *ConnectScreen) Title() string { return "Connect" }

func (s *ConnectScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	if s.Done() {
		return []key.Binding{withHelp(k.Open, "browse types"), k.Palette, k.Help, k.Quit}
	}
	if s.Failed() != nil && s.conn.Doctor != nil {
		return []key.Binding{withHelp(k.Refresh, "retry"), k.Doctor, k.RequestLog, k.Quit}
	}
	return []key.Binding{withHelp(k.Refresh, "retry"), withHelp(k.Back, "cancel"), k.RequestLog, k.Quit}
}

func (s *ConnectScreen) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{{withHelp(k.Open, "browse resource types"), withHelp(k.Refresh, "retry the failed step"),
		withHelp(k.Back, "cancel the running step"), k.Up, k.Down}}
}

// withHelp returns b with another description, for screens where a shared key means more
// precisely something else.
func withHelp(b key.Binding, desc string) key.Binding {
	b.SetHelp(b.Help().Key, desc)
	return b
}

func algOf(cred fhirclient.Credentials) string {
	if cred.Alg == "" {
		return "RS384"
	}
	return cred.Alg
}

var errNoClient = errors.New("no FHIR client was set up for this connection")

func discoverStep(ctx context.Context, conn *Connection) (string, func(*ConnectScreen), error) {
	if conn.Client == nil {
		return "", nil, errNoClient
	}
	discover := conn.Client.Discover
	if conn.Fresh {
		discover = conn.Client.Rediscover
	}
	sc, err := discover(ctx)
	if err != nil {
		return "", nil, err
	}
	return fmt.Sprintf("token endpoint %s · %d scopes supported", termsafe.String(sc.TokenEndpoint), len(sc.ScopesSupported)),
		nil, nil
}

func signStep(ctx context.Context, conn *Connection) (string, func(*ConnectScreen), error) {
	if conn.Client == nil {
		return "", nil, errNoClient
	}
	aud, err := conn.Client.TokenEndpoint(ctx)
	if err != nil {
		return "", nil, err
	}
	jwt, err := fhirclient.SignAssertion(conn.Cred, aud, time.Now())
	if err != nil {
		return "", nil, err
	}
	// The assertion is a credential: only its size is shown, never its text.
	return fmt.Sprintf("kid %s · %d-byte JWT signed, iss = sub = the client ID", shortKID(conn.Cred.KeyID), len(jwt)), nil, nil
}

func mintStep(ctx context.Context, conn *Connection) (string, func(*ConnectScreen), error) {
	if conn.Client == nil {
		return "", nil, errNoClient
	}
	tok, err := conn.Client.MintToken(ctx)
	if err != nil {
		return "", nil, err
	}
	detail := fmt.Sprintf("%s token, expires in %s · %d scopes granted", termsafe.String(tok.TokenType),
		time.Duration(tok.ExpiresIn)*time.Second, len(tok.Granted))
	if d := tok.Dropped(); len(d) > 0 {
		detail += fmt.Sprintf(", %d dropped", len(d))
	}
	return detail, func(s *ConnectScreen) { s.token = tok; s.c.Token = tok }, nil
}

func metadataStep(ctx context.Context, conn *Connection) (string, func(*ConnectScreen), error) {
	if conn.Client == nil {
		return "", nil, errNoClient
	}
	caps, err := conn.Client.Metadata(ctx)
	if err != nil {
		return "", nil, err
	}
	sw := strings.TrimSpace(caps.Software + " " + caps.SoftwareVersion)
	if sw == "" {
		sw = "unnamed server"
	}
	return fmt.Sprintf("%s · FHIR %s · %d resource types", termsafe.String(sw), termsafe.String(caps.FHIRVersion), len(caps.Resources)),
		func(s *ConnectScreen) { s.c.Caps = caps }, nil
}
