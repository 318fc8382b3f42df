package ui

import (
	"context"
	"errors"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

// OverviewScreen is one patient at a glance: a card (name, age, gender, MRN, address, phone)
// and, per clinical type, the count and the latest few items (vitals with values and units,
// labs, active conditions and medications, allergies, recent encounters, immunizations).
// The card and every section load in parallel, each with its own request id, and each shows
// its own loading, locked (which scope is missing) or error (cause and fix) state. enter opens
// the item under the cursor in the inspector, or a section's whole search in the results table.
type OverviewScreen struct {
	c         *Common
	patientID string
	now       func() time.Time // the app clock, for the age

	card     patientCard
	cardRaw  []byte
	cardReq  ReqID
	cardErr  error
	cardBusy bool

	sections []*overviewSection

	cursor        int // selectable row (section header or item) under the cursor
	offset        int // first body line shown
	width, height int
}

// sectionState is where one section is.
type sectionState int

const (
	secLoading sectionState = iota
	secLoaded
	secLocked
	secFailed
	secCancelled
)

type overviewSection struct {
	def   sectionDef
	state sectionState
	req   ReqID
	res   sectionResult
	err   error
	scope string // locked: the scope that would unlock it
}

// Messages carry the screen and the request id: a reply for a screen that was left, or for a
// request that was reloaded or cancelled since, is dropped.
type overviewCardMsg struct {
	screen *OverviewScreen
	id     uint64
	raw    []byte
	card   patientCard
	err    error
}

type overviewSectionMsg struct {
	screen *OverviewScreen
	index  int
	id     uint64
	res    sectionResult
	err    error
}

// overviewMaxEntries bounds what one section reads (a patient with a decade of daily labs on
// a paged server); the count still comes from the bundle's total ovWhen the server gives one.
const overviewMaxEntries = 5000

// NewOverviewScreen shows the overview of Patient patientID; loading starts with Init.
func NewOverviewScreen(c *Common, patientID string) *OverviewScreen {
	s := &OverviewScreen{c: c, patientID: patientID, now: time.Now}
	if c.Now != nil {
		s.now = c.Now
	}
	for _, d := range overviewSections {
		s.sections = append(s.sections, &overviewSection{def: d})
	}
	s.SetSize(c.Width, c.Height)
	return s
}

func init() {
	OpenOverview = func(c *Common, patientID string) Screen { return NewOverviewScreen(c, patientID) }
}

// Init loads the card and every section at once.
func (s *OverviewScreen) Init() tea.Cmd { return s.reload() }

func (s *OverviewScreen) reload() tea.Cmd {
	cmds := []tea.Cmd{s.fetchCard()}
	for i := range s.sections {
		cmds = append(cmds, s.fetchSection(i))
	}
	return tea.Batch(cmds...)
}

func (s *OverviewScreen) fetchCard() tea.Cmd {
	client := s.c.Client
	id, ctx := s.cardReq.Start(s.c.Ctx)
	s.cardBusy, s.cardErr = true, nil
	pid := s.patientID
	return func() tea.Msg {
		if client == nil {
			return overviewCardMsg{screen: s, id: id, err: errors.New("not connected to a server")}
		}
		raw, err := client.Read(ctx, "Patient", pid)
		if err != nil {
			return overviewCardMsg{screen: s, id: id, err: err}
		}
		card, err := parsePatientCard(raw)
		return overviewCardMsg{screen: s, id: id, raw: raw, card: card, err: err}
	}
}

func (s *OverviewScreen) fetchSection(i int) tea.Cmd {
	sec := s.sections[i]
	sec.err, sec.scope = nil, ""
	if TypeAccess(s.c.Token, sec.def.typ) == AccessLocked {
		// No granted scope covers the type: say so without a request the server would refuse.
		sec.req.Cancel()
		sec.state, sec.scope = secLocked, MissingScope(sec.def.typ)
		return nil
	}
	sec.state = secLoading
	client, def, params := s.c.Client, sec.def, sec.def.params(s.patientID)
	id, ctx := sec.req.Start(s.c.Ctx)
	return func() tea.Msg {
		if client == nil {
			return overviewSectionMsg{screen: s, index: i, id: id, err: errors.New("not connected to a server")}
		}
		var entries [][]byte
		total := 0
		for page, err := range client.SearchIter(ctx, def.typ, params) {
			if err != nil {
				return overviewSectionMsg{screen: s, index: i, id: id, err: err}
			}
			if page.HasTotal && total == 0 {
				total = page.Total
			}
			entries = append(entries, page.Entries...)
			if len(entries) >= overviewMaxEntries {
				break
			}
		}
		return overviewSectionMsg{screen: s, index: i, id: id, res: def.summarize(entries, total)}
	}
}

// Resume runs when the overview is on top again (after help, the palette, an item opened in
// the inspector): replies that arrived meanwhile went to the screen above, so the card and the
// sections still loading are fetched again.
func (s *OverviewScreen) Resume() tea.Cmd {
	var cmds []tea.Cmd
	if s.cardBusy {
		cmds = append(cmds, s.fetchCard())
	}
	for i, sec := range s.sections {
		if sec.state == secLoading {
			cmds = append(cmds, s.fetchSection(i))
		}
	}
	return tea.Batch(cmds...)
}

// Update handles replies and keys.
func (s *OverviewScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case overviewCardMsg:
		if msg.screen == s && s.cardReq.Current(msg.id) {
			s.cardReq.Done()
			s.cardBusy = false
			s.card, s.cardRaw, s.cardErr = msg.card, msg.raw, msg.err
		}
	case overviewSectionMsg:
		if msg.screen != s || msg.index < 0 || msg.index >= len(s.sections) {
			break
		}
		sec := s.sections[msg.index]
		if !sec.req.Current(msg.id) || sec.state != secLoading {
			break // stale: reloaded, cancelled or locked since
		}
		sec.req.Done()
		sec.res, sec.err = msg.res, msg.err
		sec.state = secLoaded
		if msg.err != nil {
			sec.state = secFailed
			if scope, ok := ovLockedBy(msg.err, sec.def.typ); ok {
				sec.state, sec.scope = secLocked, scope
			}
		}
		s.clamp()
	case tea.KeyPressMsg:
		return s, s.onKey(msg)
	}
	return s, nil
}

// ovLockedBy reports whether err is the server refusing the type for a missing scope.
func ovLockedBy(err error, typ string) (string, bool) {
	var apiErr *fhirclient.APIError
	if !errors.As(err, &apiErr) || (apiErr.Kind != fhirclient.KindScopeMissing && apiErr.Kind != fhirclient.KindForbidden) {
		return "", false
	}
	if apiErr.MissingScope != "" {
		return apiErr.MissingScope, true
	}
	return MissingScope(typ), true
}

func (s *OverviewScreen) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	switch {
	case key.Matches(msg, k.Up):
		s.move(-1)
	case key.Matches(msg, k.Down):
		s.move(1)
	case key.Matches(msg, k.PageUp):
		s.move(-max(1, s.bodyHeight()-1))
	case key.Matches(msg, k.PageDown):
		s.move(max(1, s.bodyHeight()-1))
	case key.Matches(msg, k.Top):
		s.move(-len(s.rows()))
	case key.Matches(msg, k.Bottom):
		s.move(len(s.rows()))
	case key.Matches(msg, k.Refresh):
		return s.reload()
	case key.Matches(msg, k.Open):
		return s.open()
	}
	return nil
}

// open opens the item under the cursor in the inspector, or a section's search as results.
func (s *OverviewScreen) open() tea.Cmd {
	rows := s.rows()
	if s.cursor < 0 || s.cursor >= len(rows) {
		return nil
	}
	r := rows[s.cursor]
	switch {
	case r.card:
		if s.cardRaw != nil {
			return Push(NewInspectorScreen(s.c, s.cardRaw))
		}
	case r.item >= 0:
		return Push(NewInspectorScreen(s.c, s.sections[r.section].res.items[r.item].raw))
	default:
		sec := s.sections[r.section]
		return Push(NewResultsScreen(s.c, sec.def.typ, sec.def.params(s.patientID)))
	}
	return nil
}

// Busy is true while the card or a section is loading: esc stops them.
func (s *OverviewScreen) Busy() bool {
	if s.cardBusy {
		return true
	}
	for _, sec := range s.sections {
		if sec.state == secLoading {
			return true
		}
	}
	return false
}

// Cancel stops every request in flight; r reloads.
func (s *OverviewScreen) Cancel() {
	if s.cardBusy {
		s.cardReq.Cancel()
		s.cardBusy = false
		s.cardErr = context.Canceled
	}
	for _, sec := range s.sections {
		if sec.state == secLoading {
			sec.req.Cancel()
			sec.state = secCancelled
		}
	}
}

// SetSize is the area the screen may draw in.
func (s *OverviewScreen) SetSize(width, height int) {
	s.width, s.height = max(width, 20), max(height, 6)
	s.clamp()
}

// Title is the breadcrumb.
func (s *OverviewScreen) Title() string {
	if s.card.Name != "" {
		return "Overview · " + s.card.Name
	}
	return "Overview · Patient/" + termsafe.String(s.patientID)
}

// ShortHelp is the one-line help.
func (s *OverviewScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	return []key.Binding{withHelp(k.Open, "inspect / open section"), k.Up, k.Down, withHelp(k.Refresh, "reload"), k.Back}
}

// FullHelp is every binding of the screen.
func (s *OverviewScreen) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{
		k.ListHelp(),
		{withHelp(k.Open, "inspect the item; on a section title, its search in the results table"), withHelp(k.Refresh, "reload every section")},
		k.GlobalHelp(),
	}
}
