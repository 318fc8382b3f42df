package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/lipgloss/v2"

	"fhirscope/ui/termsafe"
)

func (s *ConnectScreen) View() string {
	st := s.c.Styles
	var lines []string
	head := "Connecting"
	if s.conn.Profile != "" {
		head += " with profile " + st.Accent.Render(termsafe.String(s.conn.Profile))
	}
	if s.Done() {
		head = "Connected" + strings.TrimPrefix(head, "Connecting")
		head = st.Title.Render(head) + st.Subtle.Render(" · press ") + st.Key.Render("enter") + st.Subtle.Render(" to browse resource types")
	} else {
		head = st.Title.Render(head)
	}
	lines = append(lines, truncate(head, s.w))
	if cl := s.conn.Client; cl != nil {
		lines = append(lines, st.Subtle.Render(truncate("FHIR base "+termsafe.String(cl.BaseURL())+"  ·  client "+termsafe.String(s.conn.Cred.ClientID), s.w)))
	}
	lines = append(lines, "")

	titleW := 0
	for _, r := range s.rows {
		titleW = max(titleW, lipgloss.Width(r.title))
	}
	titleW = min(titleW, max(20, s.w/2))
	for _, r := range s.rows {
		lines = append(lines, s.stepLine(r, titleW))
	}
	for _, n := range s.conn.Notes {
		lines = append(lines, "")
		for _, l := range strings.Split(wrapText(termsafe.Text(n), max(20, s.w-4)), "\n") {
			lines = append(lines, "  "+st.Subtle.Render(l))
		}
	}
	lines = append(lines, "")

	switch {
	case s.Failed() != nil:
		row := s.rows[s.cur]
		k := s.c.Keys
		hint := helpHint(withHelp(k.Refresh, "retry"), k.RequestLog, k.Quit)
		if s.conn.Doctor != nil {
			hint = helpHint(withHelp(k.Refresh, "retry"), k.Doctor, k.RequestLog, k.Quit)
		}
		box := renderErrorBox(s.c, row.title+" failed", row.err, s.w-2, hint)
		lines = append(lines, strings.Split(box, "\n")...)
	case s.cur < len(s.rows) && s.rows[s.cur].state == stepCancelled:
		lines = append(lines, st.Warn.Render("Cancelled. Press r to try this step again."))
	case s.Done():
		lines = append(lines, s.scopeLines()...)
	}

	// Scroll when the list is taller than the screen (many scopes at 80x24).
	maxOff := max(0, len(lines)-s.h)
	s.offset = min(s.offset, maxOff)
	return strings.Join(lines[s.offset:], "\n")
}

func (s *ConnectScreen) stepLine(r stepRow, titleW int) string {
	st := s.c.Styles
	var mark string
	switch r.state {
	case stepPending:
		mark = st.Faint.Render("·")
	case stepRunning:
		sp := s.spin
		sp.Style = st.Spinner // follows a light/dark switch made after the screen was built
		mark = sp.View()
	case stepDone:
		mark = st.Good.Render("✓")
	case stepFailed:
		mark = st.Bad.Render("✗")
	case stepCancelled:
		mark = st.Warn.Render("−")
	}
	title := truncate(r.title, titleW)
	title += strings.Repeat(" ", max(0, titleW-lipgloss.Width(title)))
	line := " " + mark + " " + title
	switch r.state {
	case stepDone:
		// Sanitised here too: a Prepare step's detail (the demo's) quotes the server.
		line += "  " + st.Subtle.Render(termsafe.String(r.detail))
	case stepRunning:
		line += "  " + st.Faint.Render("…")
	case stepFailed:
		line += "  " + st.Bad.Render(termsafe.String(Explain(r.err).Cause))
	case stepCancelled:
		line += "  " + st.Warn.Render("cancelled")
	}
	return truncate(line, s.w)
}

// scopeLines lists the granted scopes in columns, then the requested scopes the server
// dropped without saying so (OpenEMR grants only what the client registered).
func (s *ConnectScreen) scopeLines() []string {
	st := s.c.Styles
	tok := s.token
	if tok == nil {
		tok = s.c.Token
	}
	var lines []string
	if tok == nil {
		return []string{st.Good.Render("Connected.") + " Press " + st.Key.Render("enter") + " to browse resource types."}
	}
	granted := slices.Clone(tok.Granted)
	slices.Sort(granted)
	lines = append(lines, st.Good.Render(fmt.Sprintf("Connected. Granted %d of %d requested scopes:", len(granted), len(tok.Requested))))
	lines = append(lines, columns(s.c, granted, st.Good.Render("✓ "), s.w)...)
	if dropped := tok.Dropped(); len(dropped) > 0 {
		lines = append(lines, "", st.Warn.Render(fmt.Sprintf("Dropped by the server (%d): requested, not granted. Types needing them show as locked.", len(dropped))))
		lines = append(lines, columns(s.c, dropped, st.Bad.Render("✗ "), s.w)...)
	}
	if len(granted) == 0 {
		lines = append(lines, st.Warn.Render("No scope was granted: every read will fail. Register the client with the scopes it needs, then reconnect."))
	}
	lines = append(lines, "", "Press "+st.Key.Render("enter")+" to browse resource types.")
	return lines
}

// columns lays items out in as many columns as fit in width, each prefixed with mark.
func columns(c *Common, items []string, mark string, width int) []string {
	if len(items) == 0 {
		return nil
	}
	cellW := 0
	for _, it := range items {
		cellW = max(cellW, lipgloss.Width(termsafe.String(it)))
	}
	cellW += lipgloss.Width(mark) + 3
	cols := max(1, (width-2)/cellW)
	rows := (len(items) + cols - 1) / cols
	out := make([]string, rows)
	for i, it := range items {
		r, col := i%rows, i/rows
		cell := mark + termsafe.String(it)
		if col < cols-1 {
			cell += strings.Repeat(" ", max(0, cellW-lipgloss.Width(cell)))
		}
		if col == 0 {
			out[r] = "  "
		}
		out[r] += cell
	}
	for i := range out {
		out[i] = truncate(out[i], width)
	}
	return out
}
