package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// KeyMap is the one set of key bindings for the whole app. Screens match keys against these
// fields (key.Matches(msg, c.Keys.Open)) and return the same bindings from ShortHelp/FullHelp,
// so what `?` shows is always what the keys do. A key may mean different things on different
// screens (n: next page in results, next match in the inspector); each binding's help text
// says what it does where it is shown.
type KeyMap struct {
	// Global: handled by the root model before the active screen sees the key (except when
	// the screen is capturing text, see TextInputScreen).
	Quit       key.Binding
	ForceQuit  key.Binding
	Help       key.Binding
	Back       key.Binding // esc: cancel a request in flight, else close the filter, else go back
	Palette    key.Binding
	RequestLog key.Binding
	Scopes     key.Binding // requested vs granted scopes, access matrix, token claims
	Dismiss    key.Binding // closes the error panel (which takes every key while it shows)
	Confirm    key.Binding // yes to a question ("leave the setup?")

	// Movement in lists, tables and trees.
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Open     key.Binding // enter: open the thing under the cursor
	Filter   key.Binding // "/": filter a list as you type; search in the inspector
	Refresh  key.Binding

	// Results table (UI BROWSE).
	NextPage  key.Binding
	PrevPage  key.Binding
	FirstPage key.Binding
	PageSize  key.Binding
	Search    key.Binding // edit the server-side search parameters (name=smith birthdate=ge1970)
	Overview  key.Binding // patient overview (demo helper)

	// Inspector (UI BROWSE).
	Expand      key.Binding
	Collapse    key.Binding
	Toggle      key.Binding
	ExpandAll   key.Binding
	CollapseAll key.Binding
	ExpandLevel key.Binding // 1-9: expand to that depth
	NextMatch   key.Binding
	PrevMatch   key.Binding
	CopyValue   key.Binding
	CopyPath    key.Binding
	Save        key.Binding
	HistBack    key.Binding
	HistForward key.Binding

	// Profiles: the picker, the setup wizard, a failed connection.
	Doctor     key.Binding
	NewProfile key.Binding

	// Text inputs (filter, palette, search parameters).
	Accept key.Binding
	Cancel key.Binding
	Next   key.Binding // tab: next field / completion
	Prev   key.Binding
	// Moving in a list under a text field that takes the letters (the palette): no j or k.
	ChoiceUp   key.Binding
	ChoiceDown key.Binding
}

// DefaultKeyMap returns the bindings fhirscope ships with.
func DefaultKeyMap() *KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k := &KeyMap{
		Quit:       b("q", "quit", "q"),
		ForceQuit:  b("ctrl+c", "quit", "ctrl+c"),
		Help:       b("?", "help", "?"),
		Back:       b("esc", "cancel / back", "esc"),
		Palette:    b(":", "commands", ":", "ctrl+p"),
		RequestLog: b("L", "request log", "L"),
		Scopes:     b("S", "scopes & access", "S"),
		Dismiss:    b("esc", "dismiss", "esc", "enter", "space"),
		Confirm:    b("y", "yes", "y", "Y"),

		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+b", "ctrl+u"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f", "ctrl+d"),
		Top:      b("g/home", "top", "g", "home"),
		Bottom:   b("G/end", "bottom", "G", "end"),
		Open:     b("enter", "open", "enter"),
		Filter:   b("/", "filter", "/"),
		Refresh:  b("r", "reload", "r", "ctrl+r"),

		NextPage:  b("n/→", "next page", "n", "right"),
		PrevPage:  b("p/←", "previous page", "p", "left"),
		FirstPage: b("<", "first page", "<"),
		PageSize:  b("z", "page size", "z"),
		Search:    b("s", "search parameters", "s"),
		Overview:  b("o", "patient overview", "o"),

		Expand:      b("→/l", "expand", "right", "l"),
		Collapse:    b("←/h", "collapse", "left", "h"),
		Toggle:      b("space", "toggle", "space"),
		ExpandAll:   b("E", "expand all", "E"),
		CollapseAll: b("C", "collapse all", "C"),
		ExpandLevel: b("1-9", "expand to level", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
		NextMatch:   b("n", "next match", "n"),
		PrevMatch:   b("N", "previous match", "N"),
		CopyValue:   b("y", "copy value", "y"),
		CopyPath:    b("Y", "copy path", "Y"),
		Save:        b("s", "save to file", "s"),
		HistBack:    b("[/bksp", "history back", "[", "backspace"),
		HistForward: b("]", "history forward", "]"),

		Doctor:     b("d", "run the doctor", "d"),
		NewProfile: b("n", "new profile (setup wizard)", "n"),

		Accept: b("enter", "accept", "enter"),
		Cancel: b("esc", "cancel", "esc"),
		Next:   b("tab", "next", "tab"),
		Prev:   b("shift+tab", "previous", "shift+tab"),

		ChoiceUp:   b("↑/ctrl+k", "previous", "up", "ctrl+k"),
		ChoiceDown: b("↓/ctrl+j", "next", "down", "ctrl+j"),
	}
	// Off (and out of help) until a patient overview screen is built in: see OpenOverview.
	k.Overview.SetEnabled(OpenOverview != nil)
	return k
}

// GlobalHelp is the bindings every screen's full help ends with.
func (k *KeyMap) GlobalHelp() []key.Binding {
	return []key.Binding{k.Back, k.Palette, k.RequestLog, k.Help, k.Quit}
}

// ListHelp is the movement bindings shared by list screens.
func (k *KeyMap) ListHelp() []key.Binding {
	return []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}
}

// ListMove is where ListHelp's keys take a list's cursor among n rows, page rows to a page
// (clamped to the list); ok is false for any other key.
func (k *KeyMap) ListMove(msg tea.KeyPressMsg, cursor, n, page int) (next int, ok bool) {
	switch {
	case key.Matches(msg, k.Up):
		cursor--
	case key.Matches(msg, k.Down):
		cursor++
	case key.Matches(msg, k.PageUp):
		cursor -= page
	case key.Matches(msg, k.PageDown):
		cursor += page
	case key.Matches(msg, k.Top):
		cursor = 0
	case key.Matches(msg, k.Bottom):
		cursor = n - 1
	default:
		return cursor, false
	}
	return max(0, min(cursor, n-1)), true
}

// KeyGroup is a named set of bindings, for `fhirscope --help-tui`.
type KeyGroup struct {
	Name     string
	Bindings []key.Binding
}

// KeyGroups lists every binding by where it applies.
func KeyGroups(k *KeyMap) []KeyGroup {
	return []KeyGroup{
		{"Everywhere", []key.Binding{k.Help, k.Palette, k.RequestLog, k.Scopes, k.Back, k.Quit, k.ForceQuit,
			withHelp(k.Dismiss, "dismiss the error panel (enter and space too)")}},
		{"Lists", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom, k.Open, k.Filter, k.Refresh}},
		{"Profiles and setup", []key.Binding{withHelp(k.Open, "connect (profile picker)"), k.NewProfile, k.Doctor,
			withHelp(k.Next, "next wizard step"), withHelp(k.Prev, "previous wizard step"), withHelp(k.Toggle, "toggle a scope")}},
		{"Search results", []key.Binding{k.NextPage, k.PrevPage, k.FirstPage, k.PageSize, k.Search, k.Overview}},
		{"Inspector", []key.Binding{k.Expand, k.Collapse, k.Toggle, k.ExpandAll, k.CollapseAll, k.ExpandLevel,
			k.Filter, k.NextMatch, k.PrevMatch, k.CopyValue, k.CopyPath, k.Save, k.Open, k.HistBack, k.HistForward}},
	}
}
