package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

// renderErrorPanel draws err as a bordered panel: what failed, its cause and its fix (from
// Explain()), and the raw message when it adds something. Every string is sanitised: error
// messages often quote server bodies. A panel taller than height loses the raw message, then
// the end of its fix, but always keeps its border and the hint saying how to close it.
func renderErrorPanel(c *Common, err error, width, height int) string {
	hint := helpHint(c.Keys.Dismiss, c.Keys.RequestLog)
	box := renderErrorBox(c, "Error", err, width, hint)
	if lipgloss.Height(box) <= height {
		return box
	}
	box = renderErrorBoxWith(c, "Error", err, width, hint, false)
	lines := strings.Split(box, "\n")
	if len(lines) <= height || height < 6 {
		return box
	}
	// Keep the top, then "…", then the blank line, hint and bottom border.
	tail := lines[len(lines)-3:]
	head := lines[:height-4]
	w := lipgloss.Width(lines[0])
	gap := c.Styles.Faint.Render(fitWidth("│ …", w-1)) + c.Styles.Faint.Render("│")
	return strings.Join(append(append(head, gap), tail...), "\n")
}

// helpHint is a footer of bindings as "key desc · key desc", from their own help.
func helpHint(bindings ...key.Binding) string {
	parts := make([]string, len(bindings))
	for i, b := range bindings {
		parts[i] = b.Help().Key + " " + b.Help().Desc
	}
	return strings.Join(parts, " · ")
}

// fitWidth pads or cuts plain text to exactly w cells.
func fitWidth(s string, w int) string {
	if lipgloss.Width(s) > w {
		return truncate(s, w)
	}
	return s + strings.Repeat(" ", w-lipgloss.Width(s))
}

// renderErrorBox is renderErrorPanel with a title and a footer hint of the caller's choice
// (the connect screen says which step failed and offers retry).
func renderErrorBox(c *Common, title string, err error, width int, hint string) string {
	return renderErrorBoxWith(c, title, err, width, hint, true)
}

func renderErrorBoxWith(c *Common, title string, err error, width int, hint string, raw bool) string {
	s := c.Styles
	inner := max(20, min(width-4, 96))
	ex := Explain(err)
	var b strings.Builder
	b.WriteString(s.Bad.Bold(true).Render(termsafe.String(title)) + "\n\n")
	for _, l := range explanationLines(s, ex, inner) {
		b.WriteString(l + "\n")
	}
	if msg := termsafe.String(err.Error()); raw && msg != "" && !strings.Contains(ex.Cause, err.Error()) {
		b.WriteString("\n" + s.Subtle.Render(wrapText(msg, inner)) + "\n")
	}
	if hint != "" {
		b.WriteString("\n" + s.Faint.Render(hint))
	}
	return s.ErrorPanel.Width(inner + 4).Render(b.String())
}

// explanationLines is an explanation as "Cause:" and "Fix:" lines wrapped to width, sanitised,
// with a hanging indent (an empty cause or fix is left out).
func explanationLines(st *Styles, ex fhirclient.Explanation, width int) []string {
	var lines []string
	if ex.Cause != "" {
		lines = append(lines, strings.Split(labelled(st.Cause.Render("Cause: "), termsafe.Text(ex.Cause), width), "\n")...)
	}
	if ex.Fix != "" {
		lines = append(lines, strings.Split(labelled(st.Fix.Render("Fix:   "), termsafe.Text(ex.Fix), width), "\n")...)
	}
	return lines
}

// labelled wraps text to width with a hanging indent under label.
func labelled(label, text string, width int) string {
	const indent = 7 // len("Cause: ")
	lines := strings.Split(wrapText(text, max(10, width-indent)), "\n")
	for i := range lines {
		if i == 0 {
			lines[i] = label + lines[i]
		} else {
			lines[i] = strings.Repeat(" ", indent) + lines[i]
		}
	}
	return strings.Join(lines, "\n")
}
