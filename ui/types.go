package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

// TypesScreen lists the resource types of the server's CapabilityStatement, each marked by
// whether the granted scopes allow reading it. `/` filters as you type; enter opens the type's
// search results, locked ones too (the results screen then shows why the server refuses).
type TypesScreen struct {
	c        *Common
	all      []fhirclient.ResourceCapability
	shown    []int // indexes into all, after the filter
	cursor   int
	offset   int
	filter   textinput.Model
	typing   bool
	req      ReqID
	err      error
	w, h     int
	loadedOK bool
}

type capsLoadedMsg struct {
	id   uint64
	caps *fhirclient.Capabilities
	err  error
}

// NewTypesScreen lists c.Caps' types (loading metadata first if they are not known yet).
func NewTypesScreen(c *Common) *TypesScreen {
	s := &TypesScreen{c: c}
	s.filter = newBrowseInput(c, "/", "type to filter")
	s.filter.CharLimit = 64
	if c.Caps != nil {
		s.setCaps(c.Caps)
	}
	return s
}

func (s *TypesScreen) setCaps(caps *fhirclient.Capabilities) {
	s.all = caps.Resources
	s.loadedOK = true
	s.applyFilter()
}

func (s *TypesScreen) Init() tea.Cmd {
	if s.loadedOK || s.c.Client == nil {
		return nil
	}
	return s.load()
}

// load fetches the CapabilityStatement (the connect screen normally did already).
func (s *TypesScreen) load() tea.Cmd {
	id, ctx := s.req.Start(s.c.Ctx)
	client := s.c.Client
	return func() tea.Msg {
		caps, err := client.Metadata(ctx)
		return capsLoadedMsg{id, caps, err}
	}
}

// Capturing: while the filter is being typed, q and ? are letters, not commands.
func (s *TypesScreen) Capturing() bool { return s.typing }

func (s *TypesScreen) Busy() bool { return s.req.Busy() }
func (s *TypesScreen) Cancel()    { s.req.Cancel() }

// Selected is the type under the cursor ("" when the list is empty).
func (s *TypesScreen) Selected() string {
	if s.cursor < 0 || s.cursor >= len(s.shown) {
		return ""
	}
	return s.all[s.shown[s.cursor]].Type
}

// Shown lists the types passing the filter, in order.
func (s *TypesScreen) Shown() []string {
	out := make([]string, len(s.shown))
	for i, j := range s.shown {
		out[i] = s.all[j].Type
	}
	return out
}

func (s *TypesScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case capsLoadedMsg:
		if !s.req.Current(msg.id) {
			return s, nil
		}
		s.req.Done()
		if msg.err != nil {
			s.err = msg.err
			return s, nil
		}
		s.err = nil
		s.c.Caps = msg.caps
		s.setCaps(msg.caps)
		return s, nil
	case tea.KeyPressMsg:
		if s.typing {
			return s, s.updateFilter(msg)
		}
		return s, s.key(msg)
	}
	return s, nil
}

func (s *TypesScreen) updateFilter(k tea.KeyPressMsg) tea.Cmd {
	keys := s.c.Keys
	switch {
	case key.Matches(k, keys.Cancel):
		s.typing = false
		s.filter.Blur()
		s.filter.SetValue("")
		s.applyFilter()
		return nil
	case key.Matches(k, keys.Accept):
		s.typing = false
		s.filter.Blur()
		if len(s.shown) == 1 {
			return s.open()
		}
		return nil
	case key.Matches(k, keys.Up), key.Matches(k, keys.Down):
		if k.Code == tea.KeyUp || k.Code == tea.KeyDown { // arrows move; j/k are letters here
			return s.key(k)
		}
	}
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(k)
	s.applyFilter()
	return cmd
}

func (s *TypesScreen) key(k tea.KeyPressMsg) tea.Cmd {
	keys := s.c.Keys
	switch {
	case key.Matches(k, keys.Filter):
		s.typing = true
		return s.filter.Focus()
	case key.Matches(k, keys.Back) && s.filter.Value() != "":
		s.filter.SetValue("")
		s.applyFilter()
	case key.Matches(k, keys.Open):
		return s.open()
	case key.Matches(k, keys.Refresh):
		// The client keeps the CapabilityStatement once it has it: r retries a failed load.
		if s.c.Client != nil && !s.loadedOK {
			return s.load()
		}
	default:
		if c, ok := keys.ListMove(k, s.cursor, len(s.shown), s.listHeight()); ok {
			s.cursor = c
			s.scroll()
		}
	}
	return nil
}

// open pushes the search results for the selected type.
func (s *TypesScreen) open() tea.Cmd {
	typ := s.Selected()
	if typ == "" {
		return nil
	}
	return openTypeCmd(s.c, typ)
}

func (s *TypesScreen) scroll() {
	s.offset = keepInView(s.cursor, s.offset, s.listHeight(), len(s.shown))
}

// applyFilter keeps the types whose name contains the filter (case-insensitive), putting
// those that start with it first, and keeps the cursor on the same type when it survives.
func (s *TypesScreen) applyFilter() {
	prev := s.Selected()
	q := strings.ToLower(strings.TrimSpace(s.filter.Value()))
	s.shown = s.shown[:0]
	var later []int
	for i, r := range s.all {
		name := strings.ToLower(r.Type)
		switch {
		case q == "" || strings.HasPrefix(name, q):
			s.shown = append(s.shown, i)
		case strings.Contains(name, q):
			later = append(later, i)
		}
	}
	s.shown = append(s.shown, later...)
	s.cursor = 0
	for i, j := range s.shown {
		if s.all[j].Type == prev {
			s.cursor = i
		}
	}
	s.scroll()
}

func (s *TypesScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	s.filter.SetWidth(max(10, w-4))
	s.scroll()
}

// listHeight is the rows left for the list: title, filter line, blank line and column
// header above it, the selected type's access note below.
func (s *TypesScreen) listHeight() int { return max(1, s.h-5) }

func (s *TypesScreen) Title() string { return "Resource types" }

func (s *TypesScreen) Position() string {
	if len(s.shown) == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.cursor+1, len(s.shown))
}

func (s *TypesScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	if s.typing {
		return []key.Binding{withHelp(k.Accept, "done"), withHelp(k.Cancel, "clear filter")}
	}
	return []key.Binding{withHelp(k.Open, "search"), k.Filter, k.Palette, k.Help, k.Quit}
}

func (s *TypesScreen) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{
		{withHelp(k.Open, "open the type's search results"), withHelp(k.Filter, "filter types"), withHelp(k.Refresh, "retry loading capabilities")},
		k.ListHelp(),
	}
}

// accessNote explains a type's lock state for the detail line under the list.
func (s *TypesScreen) accessNote(r fhirclient.ResourceCapability) string {
	switch TypeAccess(s.c.Token, r.Type) {
	case AccessLocked:
		return fmt.Sprintf("Locked: no granted scope covers %s (needs %s or .rs). It still opens, and shows the server's refusal.",
			termsafe.String(r.Type), termsafe.String(MissingScope(r.Type)))
	case AccessReadable:
		return "Readable with the granted scopes."
	}
	return ""
}
