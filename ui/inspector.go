package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/ui/jsonview"
	"fhirscope/ui/records"
)

// InspectorScreen shows one resource's JSON as a collapsible tree (ui/jsonview), the path of
// the cursor, and lets the user copy a value or path, save the resource, search in it, and
// follow references to other resources with back/forward history.
type InspectorScreen struct {
	c       *Common
	cur     *inspectorDoc
	back    []*inspectorDoc // history: most recent last
	forward []*inspectorDoc

	fetch    ReqID  // reference fetch in flight
	fetchRef string // what is being fetched, for the footer

	// localRefs resolves references offline, within the file the resource came from.
	localRefs *records.Source

	status    string // the last action's outcome (copied, saved, refused...)
	statusBad bool

	prompt      inspectorPrompt
	input       textinput.Model
	confirmPath string // save: the existing file the user is asked to overwrite

	width, height int
}

// inspectorPrompt is which text input (if any) has the keyboard.
type inspectorPrompt int

const (
	promptNone inspectorPrompt = iota
	promptSave
	promptOverwrite // y/n: overwrite confirmPath
)

// inspectorDoc is one resource in the history, with its tree (cursor and expansion kept).
type inspectorDoc struct {
	ref  string // "Patient/123" (title)
	data []byte
	view *jsonview.Model
	err  error // the JSON could not be shown
}

// NewInspectorScreen shows data, one resource's JSON (the bytes as received; s saves them
// indented).
func NewInspectorScreen(c *Common, data []byte) *InspectorScreen {
	s := &InspectorScreen{c: c}
	s.input = newBrowseInput(c, "", "")
	s.cur = s.newDoc(data)
	s.SetSize(c.Width, c.Height)
	return s
}

func (s *InspectorScreen) newDoc(data []byte) *inspectorDoc {
	d := &inspectorDoc{data: data}
	typ, id := records.TypeAndID(data)
	d.ref = typ
	if id != "" {
		d.ref += "/" + id
	}
	if d.ref == "" {
		d.ref = "JSON"
	}
	d.view, d.err = jsonview.New(data, jsonStyles(s.c.Styles))
	if d.view != nil {
		d.view.Keys = jsonKeys(s.c.Keys)
		d.view.SetSize(s.width, s.treeHeight())
		// The tree starts below the title line: clicks select the line under the pointer.
		d.view.SetOrigin(0, screenTop(s.c)+1)
	}
	return d
}

// jsonStyles hands the app's colour roles to ui/jsonview.
func jsonStyles(st *Styles) jsonview.Styles {
	js := jsonview.Styles{
		Key: st.JSONKey, String: st.JSONString, Number: st.JSONNumber, Bool: st.JSONBool,
		Null: st.JSONNull, Punct: st.JSONPunct, Cursor: st.Selected, Match: st.Match,
		Hint: st.Faint, Path: st.Accent, Footer: st.Subtle, Prompt: st.Key,
		CursorMark: strings.TrimRight(st.Cursor, " "),
	}
	if js.CursorMark == "" {
		js.CursorMark = ">"
	}
	return js
}

// jsonKeys gives the tree the app's bindings, so `?` lists what the keys really do here.
// enter is not the tree's: the inspector follows a reference with it, else toggles.
func jsonKeys(k *KeyMap) jsonview.KeyMap {
	jk := jsonview.DefaultKeyMap()
	jk.Up, jk.Down, jk.PageUp, jk.PageDown = k.Up, k.Down, k.PageUp, k.PageDown
	jk.Top, jk.Bottom = k.Top, k.Bottom
	jk.Toggle, jk.Expand, jk.Collapse = k.Toggle, k.Expand, k.Collapse
	jk.ExpandAll, jk.CollapseAll, jk.ExpandLevel = k.ExpandAll, k.CollapseAll, k.ExpandLevel
	jk.Search, jk.NextMatch, jk.PrevMatch = inspectorKeys(k).search, k.NextMatch, k.PrevMatch
	jk.Accept, jk.Cancel = k.Accept, k.Cancel
	return jk
}

// Resume runs when the inspector is on top again (after help, the palette, the request log):
// a reference reply that arrived meanwhile went to that screen, so the fetch starts again.
func (s *InspectorScreen) Resume() tea.Cmd {
	if !s.fetch.Busy() {
		return nil
	}
	ref := s.fetchRef
	s.fetch.Cancel()
	return s.follow(ref)
}

// Init has nothing to start: the resource is already here.
func (s *InspectorScreen) Init() tea.Cmd { return nil }

// Title is the resource shown.
func (s *InspectorScreen) Title() string { return s.cur.ref }

// SetSize is the area the screen may draw in: a title line, the tree (with jsonview's footer:
// the cursor path, search prompt, position), and a status line.
func (s *InspectorScreen) SetSize(width, height int) {
	s.width, s.height = max(width, 20), max(height, 4)
	s.input.SetWidth(s.width - 30)
	for _, d := range s.docs() {
		if d.view != nil {
			d.view.SetSize(s.width, s.treeHeight())
		}
	}
}

func (s *InspectorScreen) treeHeight() int { return max(1, s.height-2) }

func (s *InspectorScreen) docs() []*inspectorDoc {
	out := append(append([]*inspectorDoc{s.cur}, s.back...), s.forward...)
	return out
}

// Capturing is true while a prompt (save, or the tree's search) has the keyboard.
func (s *InspectorScreen) Capturing() bool {
	return s.prompt != promptNone || (s.cur.view != nil && s.cur.view.Searching())
}

// Busy is true while a reference is being fetched.
func (s *InspectorScreen) Busy() bool { return s.fetch.Busy() }

// Cancel abandons the reference fetch in flight.
func (s *InspectorScreen) Cancel() {
	s.fetch.Cancel()
	s.setStatus("cancelled fetching "+s.fetchRef, false)
	s.fetchRef = ""
}

// Restyle copies the light or dark styles into the input and every open tree again (the root
// calls it after the terminal reports its background).
func (s *InspectorScreen) Restyle() {
	styleInput(&s.input, s.c.Styles)
	for _, d := range s.docs() {
		if d.view != nil {
			d.view.SetStyles(jsonStyles(s.c.Styles))
		}
	}
}

// Update handles keys, fetched references, clipboard and save outcomes.
func (s *InspectorScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case inspectorFetchedMsg:
		return s, s.onFetched(msg)
	case inspectorCopiedMsg:
		s.onCopied(msg)
		return s, nil
	case inspectorSavedMsg:
		return s, s.onSaved(msg)
	case tea.KeyPressMsg:
		if s.prompt != promptNone {
			return s, s.onPromptKey(msg)
		}
		return s, s.onKey(msg)
	case tea.PasteMsg:
		if s.prompt == promptSave {
			var cmd tea.Cmd
			s.input, cmd = s.input.Update(msg)
			return s, cmd
		}
	}
	if s.cur.view != nil {
		var cmd tea.Cmd
		s.cur.view, cmd = s.cur.view.Update(msg)
		return s, cmd
	}
	return s, nil
}

func (s *InspectorScreen) onKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	v := s.cur.view
	if v != nil && v.Searching() {
		// The tree's search prompt has the keyboard.
		var cmd tea.Cmd
		s.cur.view, cmd = v.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, k.HistBack):
		s.goBack()
		return nil
	case key.Matches(msg, k.HistForward):
		s.goForward()
		return nil
	case key.Matches(msg, k.Save):
		s.prompt = promptSave
		s.input.Prompt = "save to: "
		s.input.SetValue(defaultSavePath(s.cur.data))
		s.input.CursorEnd()
		return s.input.Focus()
	case key.Matches(msg, k.Overview) && s.c.Client != nil:
		return s.openOverview() // overview_open.go
	case v == nil:
		return nil
	case key.Matches(msg, inspectorKeys(k).follow):
		if ref, ok := v.RawReferenceAtCursor(); ok {
			return s.follow(ref)
		}
		if p := v.Path(); p == "reference" || strings.HasSuffix(p, ".reference") {
			// A reference the tree cannot read as Type/id (#contained, urn:uuid:...):
			// follow says why it cannot be opened.
			return s.follow(v.TextAtCursor())
		}
		v.Toggle()
		return nil
	case key.Matches(msg, k.CopyValue):
		return s.copy("value", v.TextAtCursor())
	case key.Matches(msg, k.CopyPath):
		return s.copy("path", v.Path())
	}
	// Everything else (movement, expand/collapse, levels, search) is the tree's.
	var cmd tea.Cmd
	s.cur.view, cmd = v.Update(msg)
	return cmd
}

func (s *InspectorScreen) onPromptKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.c.Keys
	if s.prompt == promptOverwrite {
		switch {
		case key.Matches(msg, k.Confirm):
			s.prompt = promptNone
			return saveCmd(s, s.confirmPath, s.cur.data, true)
		case key.Matches(msg, k.Cancel), msg.String() == "n", msg.String() == "N":
			// Back to the path prompt to pick another name.
			s.prompt = promptSave
			s.input.SetValue(s.confirmPath)
			s.input.CursorEnd()
			return s.input.Focus()
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Cancel):
		s.prompt = promptNone
		s.input.Blur()
		return nil
	case key.Matches(msg, k.Accept):
		path := strings.TrimSpace(s.input.Value())
		s.prompt = promptNone
		s.input.Blur()
		if path == "" {
			s.setStatus("save cancelled: no file name", true)
			return nil
		}
		return saveCmd(s, path, s.cur.data, false)
	}
	var cmd tea.Cmd
	s.input, cmd = s.input.Update(msg)
	return cmd
}

func (s *InspectorScreen) setStatus(text string, bad bool) {
	s.status, s.statusBad = text, bad
}

// ShortHelp is the bindings shown in the one-line help.
func (s *InspectorScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	if s.prompt != promptNone {
		return []key.Binding{k.Accept, k.Cancel}
	}
	ik := inspectorKeys(k)
	return []key.Binding{k.Toggle, ik.follow, ik.search, k.CopyValue, k.CopyPath, k.Save, k.HistBack, k.Back}
}

// FullHelp is every binding of the screen, grouped.
func (s *InspectorScreen) FullHelp() [][]key.Binding {
	k := s.c.Keys
	ik := inspectorKeys(k)
	return [][]key.Binding{
		k.ListHelp(),
		{k.Expand, k.Collapse, k.Toggle, k.ExpandAll, k.CollapseAll, k.ExpandLevel},
		{ik.search, k.NextMatch, k.PrevMatch, k.CopyValue, k.CopyPath, k.Save},
		{ik.follow, k.HistBack, k.HistForward, k.Overview},
		k.GlobalHelp(),
	}
}

// inspectorBindings are the app's bindings (keys.go) whose meaning differs in the inspector,
// with the help text they have here, so `?` says what the keys really do.
type inspectorBindings struct{ search, follow key.Binding }

func inspectorKeys(k *KeyMap) inspectorBindings {
	rename := func(b key.Binding, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	}
	return inspectorBindings{
		search: rename(k.Filter, "search"),
		follow: rename(k.Open, "follow reference / toggle"),
	}
}
