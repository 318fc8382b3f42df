package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// The results table's keys. They are the app's one KeyMap (keys.go); the few whose meaning
// here differs get this screen's help text, and `>` (last page) is defined here until it
// moves into keys.go.

// lastPageKey is `>`: the last page.
var lastPageKey = key.NewBinding(key.WithKeys(">"), key.WithHelp(">", "last page"))

// resultsBindings are the app's bindings (keys.go) whose meaning differs in the table, with
// the help text they have here.
type resultsBindings struct{ copyRef, copyURL key.Binding }

func resultsKeys(k *KeyMap) resultsBindings {
	rename := func(b key.Binding, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
	}
	return resultsBindings{copyRef: rename(k.CopyValue, "copy the row's Type/id"), copyURL: rename(k.CopyPath, "copy the search URL")}
}

// copiedStatus reports a copy from the results table in the status bar.
func copiedStatus(r copyResult) tea.Msg {
	text, _ := r.describe()
	return StatusMsg{Text: text}
}

// ShortHelp is the bindings shown in the one-line help.
func (s *ResultsScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	if s.searching || s.filter.editing {
		return []key.Binding{k.Accept, k.Cancel}
	}
	if s.records != nil {
		return []key.Binding{k.Open, k.Filter, k.NextPage, k.PrevPage, k.Back}
	}
	if s.typ == "Patient" && k.Overview.Enabled() {
		return []key.Binding{k.Open, k.Overview, k.Search, k.Filter, k.NextPage, k.PrevPage, k.Back}
	}
	return []key.Binding{k.Open, k.Search, k.Filter, k.NextPage, k.PrevPage, k.Back}
}

// FullHelp is every binding of the screen, grouped.
func (s *ResultsScreen) FullHelp() [][]key.Binding {
	k := s.c.Keys
	paging := []key.Binding{k.NextPage, k.PrevPage, k.FirstPage, lastPageKey, k.PageSize}
	rk := resultsKeys(k)
	actions := []key.Binding{k.Open, k.Filter, rk.copyRef}
	if s.records == nil {
		actions = append(actions, k.Search, k.Refresh, rk.copyURL, k.Overview)
	}
	return [][]key.Binding{k.ListHelp(), paging, actions, k.GlobalHelp()}
}

// Position is the paging position for the status bar.
func (s *ResultsScreen) Position() string { return s.pagingLabel() }
