package ui

import (
	"fmt"
	"strings"

	"fhirscope/ui/termsafe"
)

// View renders a title line (resource, history, fetch in flight), the tree, and a footer with
// the path of the cursor and the last action's outcome, or the prompt being answered.
func (s *InspectorScreen) View() string {
	st := s.c.Styles
	lines := make([]string, 0, s.height)
	lines = append(lines, s.inspectorTitle())

	tree := s.treeHeight()
	switch {
	case s.cur.err != nil:
		body := []string{"", "  " + st.Bad.Render("This resource cannot be shown as JSON")}
		for _, l := range wrapLines("Cause: "+termsafe.String(s.cur.err.Error()), max(20, s.width-4)) {
			body = append(body, "  "+l)
		}
		body = append(body, "  Fix: press s to save the raw bytes and inspect them with another tool.")
		lines = append(lines, body...)
	default:
		lines = append(lines, strings.Split(s.cur.view.View(), "\n")...)
	}
	if len(lines) > 1+tree {
		lines = lines[:1+tree]
	}
	for len(lines) < 1+tree {
		lines = append(lines, "")
	}
	lines = append(lines, s.inspectorFooter())
	for i, l := range lines {
		lines[i] = fitLine(l, s.width)
	}
	return strings.Join(lines, "\n")
}

func (s *InspectorScreen) inspectorTitle() string {
	st := s.c.Styles
	left := st.Title.Render(termsafe.String(s.cur.ref))
	var hist []string
	if n := len(s.back); n > 0 {
		hist = append(hist, fmt.Sprintf("← %d back", n))
	}
	if n := len(s.forward); n > 0 {
		hist = append(hist, fmt.Sprintf("%d forward →", n))
	}
	if len(hist) > 0 {
		left += "  " + st.Subtle.Render(strings.Join(hist, " · "))
	}
	return left
}

func (s *InspectorScreen) inspectorFooter() string {
	st := s.c.Styles
	switch s.prompt {
	case promptSave:
		return s.input.View()
	case promptOverwrite:
		return st.Warn.Render(termsafe.String(s.confirmPath)+" exists: overwrite it? ") + st.Key.Render("y/n")
	}
	if s.fetchRef != "" {
		// The reference may be a long URL: the hint to cancel comes first so it always shows.
		return st.Warn.Render("esc cancels · opening " + termsafe.String(s.fetchRef) + "…")
	}
	if s.status == "" {
		return st.Faint.Render("enter follow reference · y copy value · Y copy path · s save · [ ] history")
	}
	if s.statusBad {
		return st.Bad.Render(s.status)
	}
	return st.Subtle.Render(s.status)
}
