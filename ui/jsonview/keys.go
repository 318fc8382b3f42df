package jsonview

import "charm.land/bubbles/v2/key"

// KeyMap is the inspector's bindings. The app may replace Model.Keys with
// its own bindings (same fields) so its help lists what the keys really do;
// enter is not bound here because the app uses it to follow references and
// passes it on (as Toggle) when the cursor is not on one.
type KeyMap struct {
	Up, Down, PageUp, PageDown, HalfUp, HalfDown, Top, Bottom key.Binding

	// Over the cursor's siblings: past an open entry to the next one.
	NextSibling, PrevSibling key.Binding

	Toggle, Expand, Collapse, ExpandAll, CollapseAll, ExpandLevel key.Binding

	Search, NextMatch, PrevMatch key.Binding

	Wrap key.Binding // wrap the cursor's line to show a long value whole

	// While the search prompt is open.
	Accept, Cancel key.Binding
}

// DefaultKeyMap returns the inspector's default bindings.
func DefaultKeyMap() KeyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Up:       b("↑/k", "up", "up", "k"),
		Down:     b("↓/j", "down", "down", "j"),
		PageUp:   b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown: b("pgdn", "page down", "pgdown", "ctrl+f"),
		HalfUp:   b("ctrl+u", "half page up", "ctrl+u"),
		HalfDown: b("ctrl+d", "half page down", "ctrl+d"),
		Top:      b("g/home", "top", "g", "home"),
		Bottom:   b("G/end", "bottom", "G", "end"),

		NextSibling: b("}", "next sibling", "}"),
		PrevSibling: b("{", "previous sibling", "{"),

		Toggle:      b("space/enter", "toggle", "space", "enter"),
		Expand:      b("→/l", "expand", "right", "l"),
		Collapse:    b("←/h", "collapse / parent", "left", "h"),
		ExpandAll:   b("E", "expand all", "E"),
		CollapseAll: b("C", "collapse all", "C"),
		ExpandLevel: b("1-9", "expand to level", "1", "2", "3", "4", "5", "6", "7", "8", "9"),

		Search:    b("/", "search", "/"),
		NextMatch: b("n", "next match", "n"),
		PrevMatch: b("N", "previous match", "N"),

		Wrap: b("w", "wrap long value", "w"),

		Accept: b("enter", "search", "enter"),
		Cancel: b("esc", "cancel search", "esc"),
	}
}

// ShortHelp is the bindings worth a place in a one-line help bar.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Toggle, k.ExpandLevel, k.Search, k.NextMatch}
}

// FullHelp is every binding, in columns for the help screen.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.HalfUp, k.HalfDown, k.Top, k.Bottom, k.NextSibling, k.PrevSibling},
		{k.Toggle, k.Expand, k.Collapse, k.ExpandAll, k.CollapseAll, k.ExpandLevel},
		{k.Search, k.NextMatch, k.PrevMatch, k.Wrap},
	}
}
