package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"fhirscope/fhirclient/doctor"
	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

// PickerScreen lists the stored profiles (the default marked) with their server, whether a
// client ID is set and where the key lives. enter connects, n starts the setup wizard, d runs
// the doctor on the selected profile, / filters.
type PickerScreen struct {
	c         *Common
	setup     *Setup
	profiles  []session.Profile
	dflt      string
	loadErr   error
	loaded    bool
	shown     []int
	cursor    int
	filter    textinput.Model
	filtering bool
	req       ReqID
	opening   string // "connecting to X…" / "preparing the doctor…"
	w, h      int
}

type pickerLoadedMsg struct {
	profiles []session.Profile
	dflt     string
	err      error
}

type pickerDoctorMsg struct {
	id  uint64
	cfg *doctor.Config
	err error
}

type pickerOpenFailedMsg struct {
	id  uint64
	err error
}

// NewPickerScreen lists the profiles of c.Setup's store.
func NewPickerScreen(c *Common) *PickerScreen {
	p := &PickerScreen{c: c, setup: c.Setup}
	p.filter = newBrowseInput(c, "/ ", "filter profiles")
	return p
}

func (p *PickerScreen) Init() tea.Cmd { return p.load() }

// Resume reloads: the wizard or another fhirscope may have added a profile meanwhile.
func (p *PickerScreen) Resume() tea.Cmd { return p.load() }

func (p *PickerScreen) load() tea.Cmd {
	if p.setup == nil || p.setup.Store == nil {
		return func() tea.Msg { return pickerLoadedMsg{err: fmt.Errorf("no profile store is available here")} }
	}
	store := p.setup.Store
	return func() tea.Msg {
		if err := store.Load(); err != nil {
			return pickerLoadedMsg{err: err}
		}
		return pickerLoadedMsg{profiles: store.List(), dflt: store.DefaultName()}
	}
}

// Restyle copies the light or dark styles into the filter field again.
func (p *PickerScreen) Restyle() { styleInput(&p.filter, p.c.Styles) }

// Capturing while the filter is open.
func (p *PickerScreen) Capturing() bool { return p.filtering }

// Busy while a profile opens or the doctor's settings load: esc cancels.
func (p *PickerScreen) Busy() bool { return p.req.Busy() }

func (p *PickerScreen) Cancel() {
	p.req.Cancel()
	p.opening = ""
}

// Names are the profiles shown, in order (tests).
func (p *PickerScreen) Names() []string {
	out := make([]string, len(p.shown))
	for i, j := range p.shown {
		out[i] = p.profiles[j].Name
	}
	return out
}

func (p *PickerScreen) selected() (session.Profile, bool) {
	if p.cursor >= 0 && p.cursor < len(p.shown) {
		return p.profiles[p.shown[p.cursor]], true
	}
	return session.Profile{}, false
}

func (p *PickerScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case pickerLoadedMsg:
		p.loaded, p.loadErr = true, msg.err
		if msg.err == nil {
			sel, _ := p.selected()
			p.profiles, p.dflt = msg.profiles, msg.dflt
			p.refilter()
			if sel.Name == "" {
				sel.Name = p.dflt // start on the default profile
			}
			for i, j := range p.shown {
				if p.profiles[j].Name == sel.Name {
					p.cursor = i
				}
			}
		}
		return p, nil
	case pickerDoctorMsg:
		if !p.req.Current(msg.id) {
			return p, nil
		}
		p.req.Done()
		p.opening = ""
		if msg.err != nil {
			return p, ShowError(msg.err)
		}
		return p, Push(NewDoctorScreen(p.c, *msg.cfg))
	case pickerOpenFailedMsg:
		if !p.req.Current(msg.id) {
			return p, nil
		}
		p.req.Done()
		p.opening = ""
		return p, ShowError(msg.err)
	case tea.KeyPressMsg:
		return p, p.key(msg)
	}
	return p, nil
}

func (p *PickerScreen) key(m tea.KeyPressMsg) tea.Cmd {
	keys := p.c.Keys
	if p.filtering {
		switch {
		case key.Matches(m, keys.Cancel):
			p.filtering = false
			p.filter.SetValue("")
			p.filter.Blur()
			p.refilter()
		case key.Matches(m, keys.Accept):
			p.filtering = false
			p.filter.Blur()
			if len(p.shown) == 1 {
				return p.open()
			}
		case m.Code == tea.KeyUp || m.Code == tea.KeyDown: // arrows move; j and k are letters here
			p.cursor, _ = keys.ListMove(m, p.cursor, len(p.shown), 1)
		default:
			var cmd tea.Cmd
			p.filter, cmd = p.filter.Update(m)
			p.refilter()
			return cmd
		}
		return nil
	}
	if c, ok := keys.ListMove(m, p.cursor, len(p.shown), p.listHeight()); ok {
		p.cursor = c
		return nil
	}
	switch {
	case key.Matches(m, keys.Filter):
		p.filtering = true
		return p.filter.Focus()
	case key.Matches(m, keys.Open):
		return p.open()
	case key.Matches(m, keys.NewProfile):
		return Push(NewWizardScreen(p.c, false))
	case key.Matches(m, keys.Doctor):
		return p.doctor()
	case key.Matches(m, keys.Refresh):
		return p.load()
	}
	return nil
}

// open connects with the selected profile (its credentials load in a tea.Cmd).
func (p *PickerScreen) open() tea.Cmd {
	sel, ok := p.selected()
	if !ok || p.setup == nil {
		return nil
	}
	id, ctx := p.req.Start(p.c.Ctx)
	p.opening = "opening " + sel.Name + " (the OS keyring may ask to unlock)…"
	setup := p.setup
	return func() tea.Msg {
		conn, err := ProfileConnection(ctx, setup.Store, sel.Name, setup.Conn)
		if err != nil {
			return pickerOpenFailedMsg{id, fmt.Errorf("profile %q: %w", sel.Name, err)}
		}
		if ctx.Err() != nil {
			return nil // cancelled with esc
		}
		return ConnectMsg{conn}
	}
}

// doctor runs the doctor on the selected profile, loading its credentials first.
func (p *PickerScreen) doctor() tea.Cmd {
	sel, ok := p.selected()
	if !ok || p.setup == nil {
		return nil
	}
	id, _ := p.req.Start(p.c.Ctx)
	p.opening = "loading " + sel.Name + " for the doctor…"
	setup := p.setup
	return func() tea.Msg {
		cfg, err := doctorForProfile(setup, sel.Name)
		return pickerDoctorMsg{id, cfg, err}
	}
}

func (p *PickerScreen) refilter() {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	p.shown = p.shown[:0]
	for i, pr := range p.profiles {
		if q == "" || strings.Contains(strings.ToLower(pr.Name+" "+pr.BaseURL+" "+pr.ClientID), q) {
			p.shown = append(p.shown, i)
		}
	}
	p.cursor = max(0, min(p.cursor, len(p.shown)-1))
}

func (p *PickerScreen) SetSize(w, h int) {
	p.w, p.h = w, h
	p.filter.SetWidth(max(10, w-4))
}

// listHeight is the rows left for profiles: the title, filter and header lines above them,
// a blank line and the hint below.
func (p *PickerScreen) listHeight() int { return max(1, p.h-5) }

func (p *PickerScreen) Title() string { return "Profiles" }

func (p *PickerScreen) ShortHelp() []key.Binding {
	k := p.c.Keys
	if p.filtering {
		return []key.Binding{withHelp(k.Accept, "keep filter"), withHelp(k.Cancel, "clear filter")}
	}
	return []key.Binding{withHelp(k.Open, "connect"), k.NewProfile, k.Doctor, k.Filter, k.Quit}
}

func (p *PickerScreen) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{withHelp(k.Open, "connect with the profile"), k.NewProfile, withHelp(k.Doctor, "run the doctor on the profile"),
		withHelp(k.Filter, "filter profiles"), withHelp(k.Refresh, "reload the profiles")}, k.ListHelp()}
}

func (p *PickerScreen) View() string {
	st := p.c.Styles
	mark := " · * marks the default"
	if p.dflt == "" {
		mark = " · none is the default (fhirscope profile default NAME)"
	}
	lines := []string{truncate(st.Title.Render("Choose a profile")+st.Subtle.Render(" · "+plural(len(p.profiles), "profile", "profiles")+mark), p.w)}
	switch {
	case p.loadErr != nil:
		lines = append(lines, "")
		lines = append(lines, wizWrapStyled(st.Bad, "✗ "+termsafe.Text(p.loadErr.Error()), max(20, p.w-2))...)
		return strings.Join(lines, "\n")
	case !p.loaded:
		return strings.Join(append(lines, "", st.Subtle.Render("reading profiles…")), "\n")
	}
	if p.filtering || p.filter.Value() != "" {
		lines = append(lines, p.filter.View())
	} else {
		lines = append(lines, "")
	}
	nameW, idW, keyW := 16, 11, 24
	for _, pr := range p.profiles {
		nameW = max(nameW, min(28, lipgloss.Width(termsafe.String(pr.Name))+2))
	}
	baseW := max(10, p.w-nameW-idW-keyW-len(st.NoCursor)-4)
	cell := func(s string, w int) string {
		s = truncate(s, w-1)
		return s + strings.Repeat(" ", max(0, w-lipgloss.Width(s)))
	}
	lines = append(lines, st.Header.Render(st.NoCursor+"  "+cell("Name", nameW)+cell("FHIR base", baseW)+cell("Client ID", idW)+cell("Key", keyW)))
	rows := p.listHeight()
	start := max(0, min(p.cursor-rows/2, len(p.shown)-rows))
	for i := start; i < min(len(p.shown), start+rows); i++ {
		pr := p.profiles[p.shown[i]]
		mark := "  "
		if pr.Name == p.dflt {
			mark = "* "
		}
		id := "✓ set"
		if pr.ClientID == "" {
			id = "– none"
		}
		where := "OS keyring"
		if pr.KeyFile != "" {
			where = "file " + truncateLeft(termsafe.String(pr.KeyFile), keyW-6)
		}
		base := strings.TrimPrefix(strings.TrimPrefix(pr.BaseURL, "https://"), "http://")
		row := mark + cell(termsafe.String(pr.Name), nameW) + cell(termsafe.String(base), baseW) + cell(id, idW) + cell(where, keyW)
		if i == p.cursor {
			lines = append(lines, st.Cursor+st.Selected.Render(row))
		} else {
			lines = append(lines, st.NoCursor+row)
		}
	}
	if len(p.shown) == 0 {
		lines = append(lines, st.Subtle.Render("  no profile matches"))
	}
	lines = append(lines, "")
	if p.opening != "" {
		lines = append(lines, st.Subtle.Render(termsafe.String(p.opening)+" (esc cancels)"))
	} else {
		lines = append(lines, st.Subtle.Render("enter connects · n new profile (setup wizard) · d runs the doctor · / filters"))
	}
	return strings.Join(lines, "\n")
}
