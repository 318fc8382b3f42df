package ui

import (
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

func (s *TypesScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	head := "Resource types"
	if caps := s.c.Caps; caps != nil {
		sw := strings.TrimSpace(caps.Software + " " + caps.SoftwareVersion)
		if sw != "" {
			head += st.Subtle.Render(" · " + termsafe.String(sw))
		}
		readable := 0
		for _, r := range s.all {
			if TypeAccess(s.c.Token, r.Type) == AccessReadable {
				readable++
			}
		}
		if s.c.Token != nil {
			head += st.Subtle.Render(fmt.Sprintf(" · %d of %d readable", readable, len(s.all)))
		}
	}
	b.WriteString(truncate(st.Title.Render(head), s.w) + "\n")
	switch {
	case s.typing || s.filter.Value() != "":
		b.WriteString(truncate(s.filter.View(), s.w) + "\n")
	default:
		b.WriteString(st.Faint.Render("/ to filter") + "\n")
	}
	b.WriteString("\n")

	switch {
	case s.err != nil:
		b.WriteString(renderErrorBox(s.c, "Could not load the server's capabilities", s.err, s.w-2, helpHint(withHelp(s.c.Keys.Refresh, "retry"), s.c.Keys.RequestLog)))
		return b.String()
	case !s.loadedOK && s.req.Busy():
		b.WriteString(st.Subtle.Render("Loading the CapabilityStatement…"))
		return b.String()
	case !s.loadedOK:
		b.WriteString(st.Subtle.Render("No capabilities loaded. Press r to load them."))
		return b.String()
	case len(s.shown) == 0:
		b.WriteString(st.Subtle.Render(fmt.Sprintf("No type matches %q.", s.filter.Value())))
		return b.String()
	}

	nameW := 0
	for _, i := range s.shown {
		nameW = max(nameW, lipgloss.Width(s.all[i].Type))
	}
	nameW = min(nameW+2, 28)
	b.WriteString(st.Header.Render(truncate(fmt.Sprintf("  %-*s%-10s%s", nameW, "TYPE", "ACCESS", "INTERACTIONS"), s.w)) + "\n")
	end := min(len(s.shown), s.offset+s.listHeight())
	for i := s.offset; i < end; i++ {
		b.WriteString(s.row(s.all[s.shown[i]], nameW, i == s.cursor) + "\n")
	}
	for i := end - s.offset; i < s.listHeight(); i++ {
		b.WriteString("\n")
	}
	if typ := s.Selected(); typ != "" {
		r := s.all[s.shown[s.cursor]]
		note := s.accessNote(r)
		style := st.Subtle
		if TypeAccess(s.c.Token, typ) == AccessLocked {
			style = st.Warn
		}
		b.WriteString(truncate(style.Render(note), s.w))
	}
	return b.String()
}

func (s *TypesScreen) row(r fhirclient.ResourceCapability, nameW int, selected bool) string {
	st := s.c.Styles
	var access, accessText string
	switch TypeAccess(s.c.Token, r.Type) {
	case AccessReadable:
		accessText = "✓ read"
		access = st.Good.Render(accessText)
	case AccessLocked:
		accessText = "✗ locked"
		access = st.Bad.Render(accessText)
	default:
		accessText = "?"
		access = st.Faint.Render(accessText)
	}
	var what []string
	for _, in := range r.Interactions {
		what = append(what, termsafe.String(in))
	}
	detail := strings.Join(what, ", ")
	if n := len(r.SearchParams); n > 0 {
		detail += fmt.Sprintf(" · %d search params", n)
	}
	name := truncate(termsafe.String(r.Type), nameW-1)
	name += strings.Repeat(" ", nameW-lipgloss.Width(name))
	access += strings.Repeat(" ", max(0, 10-lipgloss.Width(accessText)))
	if selected {
		plain := name + accessText + strings.Repeat(" ", max(0, 10-lipgloss.Width(accessText))) + detail
		return st.Cursor + st.Selected.Render(truncate(plain, s.w-2))
	}
	return truncate(st.NoCursor+st.Row.Render(name)+access+st.Subtle.Render(detail), s.w)
}
