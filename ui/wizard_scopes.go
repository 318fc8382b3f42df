package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/ui/termsafe"
)

// defaultScopeTypes are read by default when the server has them: the patient and the
// everyday clinical record, plus who and where (references in them point there).
var defaultScopeTypes = []string{"Patient", "Observation", "Condition", "Encounter", "AllergyIntolerance",
	"MedicationRequest", "Immunization", "Procedure", "DiagnosticReport", "CarePlan", "CareTeam", "Goal",
	"Practitioner", "Organization"}

// wizScopes is the scope checklist.
type wizScopes struct {
	items     []scopeItem
	builtFor  string // the base the list was built for: another server gets a new list
	cursor    int    // index into shown
	shown     []int
	filter    textinput.Model
	filtering bool
}

type scopeItem struct {
	scope string
	on    bool
}

// build makes the checklist from the server's scopes_supported (its system scopes) or, when
// it advertises none, from its resource types; the defaults are the everyday read scopes.
// Coming back to the step keeps the user's choices.
func (s *wizScopes) build(srv *wizServer) {
	if srv == nil || (s.builtFor == srv.Base && len(s.items) > 0) {
		return
	}
	s.builtFor, s.items, s.cursor = srv.Base, nil, 0
	var cands []string
	for _, sc := range srv.ScopesSupported {
		if strings.HasPrefix(sc, "system/") && !slices.Contains(cands, sc) {
			cands = append(cands, sc)
		}
	}
	if len(cands) == 0 {
		for _, t := range srv.Types {
			cands = append(cands, "system/"+t+".read")
		}
	}
	slices.SortStableFunc(cands, func(a, b string) int { return scopeRank(a) - scopeRank(b) })
	v1 := slices.ContainsFunc(cands, func(c string) bool { return strings.HasSuffix(c, ".read") })
	for _, c := range cands {
		s.items = append(s.items, scopeItem{scope: c, on: defaultScope(c, srv.Types, v1)})
	}
	s.refilter()
}

// scopeRank orders v1 reads, then v2 reads, then everything else (operations, writes).
func scopeRank(sc string) int {
	switch {
	case strings.HasSuffix(sc, ".read"):
		return 0
	case strings.HasSuffix(sc, ".rs"):
		return 1
	}
	return 2
}

// defaultScope: a read scope of a common type the server serves, in the v1 form when the
// server has it (OpenEMR before 7.0.4 knows no other).
func defaultScope(sc string, types []string, v1 bool) bool {
	rest, ok := strings.CutPrefix(sc, "system/")
	if !ok {
		return false
	}
	typ, perm, ok := strings.Cut(rest, ".")
	if !ok || !slices.Contains(defaultScopeTypes, typ) || (len(types) > 0 && !slices.Contains(types, typ)) {
		return false
	}
	if v1 {
		return perm == "read"
	}
	return perm == "rs"
}

// Selected lists the chosen scopes in list order.
func (s *wizScopes) Selected() []string {
	var out []string
	for _, it := range s.items {
		if it.on {
			out = append(out, it.scope)
		}
	}
	return out
}

func (s *wizScopes) refilter() {
	q := strings.ToLower(strings.TrimSpace(s.filter.Value()))
	s.shown = s.shown[:0]
	for i, it := range s.items {
		if q == "" || strings.Contains(strings.ToLower(it.scope), q) {
			s.shown = append(s.shown, i)
		}
	}
	s.cursor = max(0, min(s.cursor, len(s.shown)-1))
}

func (s *wizScopes) stopFilter(keep bool) {
	s.filtering = false
	s.filter.Blur()
	if !keep {
		s.filter.SetValue("")
		s.refilter()
	}
}

func (w *WizardScreen) scopesKey(m tea.KeyPressMsg) tea.Cmd {
	s, keys := &w.scopes, w.c.Keys
	if s.filtering {
		switch {
		case key.Matches(m, keys.Accept):
			s.stopFilter(true)
			return nil
		case key.Matches(m, keys.Up), key.Matches(m, keys.Down):
			if m.Code == tea.KeyUp || m.Code == tea.KeyDown {
				break // arrows move in the list while filtering; k and j are text
			}
			fallthrough
		default:
			var cmd tea.Cmd
			s.filter, cmd = s.filter.Update(m)
			s.refilter()
			return cmd
		}
	}
	if c, ok := keys.ListMove(m, s.cursor, len(s.shown), max(1, w.h/2)); ok {
		s.cursor = c
		return nil
	}
	switch {
	case key.Matches(m, keys.Toggle):
		if s.cursor < len(s.shown) {
			it := &s.items[s.shown[s.cursor]]
			it.on = !it.on
			w.reg.forget() // a registered client would lack the new scopes
		}
	case key.Matches(m, keys.Filter) && !s.filtering:
		s.filtering = true
		return s.filter.Focus()
	case key.Matches(m, keys.Accept), key.Matches(m, keys.Next):
		if len(s.Selected()) == 0 {
			w.lastError = "Choose at least one scope (space toggles the one under the cursor)."
			return nil
		}
		if w.needsRegistration() {
			w.goTo(wsRegister)
		} else {
			w.goTo(wsSummary)
		}
	}
	return nil
}

// scopeLines render the checklist, keeping the cursor in view.
func (w *WizardScreen) scopeLines(height int) []string {
	st, s := w.c.Styles, &w.scopes
	if len(s.items) == 0 {
		return []string{st.Warn.Render("The server lists no system scopes and no resource types: go back and check the base URL.")}
	}
	lines := []string{fmt.Sprintf("Scopes to request: %d of %d selected", len(s.Selected()), len(s.items)) +
		st.Subtle.Render(" (the server's scopes_supported)")}
	if s.filtering || s.filter.Value() != "" {
		lines = append(lines, s.filter.View())
	} else {
		lines = append(lines, st.Faint.Render("space toggles · / filters · enter goes on"))
	}
	rows := max(3, height-len(lines))
	start := max(0, min(s.cursor-rows/2, len(s.shown)-rows))
	end := min(len(s.shown), start+rows)
	if len(s.shown) == 0 {
		lines = append(lines, st.Subtle.Render("  no scope matches the filter"))
	}
	for i := start; i < end; i++ {
		it := s.items[s.shown[i]]
		box := "[ ] "
		if it.on {
			box = st.Good.Render("[x] ")
		}
		text := box + termsafe.String(it.scope)
		if i == s.cursor {
			lines = append(lines, st.Cursor+st.Selected.Render(text))
		} else {
			lines = append(lines, st.NoCursor+text)
		}
	}
	return lines
}
