package ui

import (
	"errors"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

// View renders exactly the screen area: a title line with the paging position, the table
// header, the visible rows (only those are summarised), and a footer with the input, the
// state or a hint. Loading, empty and error states replace the rows and say what to do.
func (s *ResultsScreen) View() string {
	st := s.c.Styles
	lines := make([]string, 0, s.height)
	lines = append(lines, s.titleLine())
	footer := s.footerLines()
	body := s.height - 1 - len(footer)

	switch {
	case s.err != nil && s.src != nil && s.rowCount() > 0:
		// A later page failed: the page the user had stays, with the error below it.
		errs := s.errorLines(max(3, body/2))
		lines = append(lines, s.tableLines(body-len(errs))...)
		for len(lines) < 1+body-len(errs) {
			lines = append(lines, "")
		}
		lines = append(lines, errs...)
	case s.err != nil:
		lines = append(lines, s.errorLines(body)...)
	case s.src == nil:
		what := s.fetchWhat
		if what == "" {
			what = "Waiting for the search to start"
		}
		lines = append(lines, "", "  "+st.Subtle.Render(what+"…"), "", "  "+st.Faint.Render("esc cancels"))
	case s.rowCount() == 0:
		lines = append(lines, s.emptyLines()...)
	default:
		lines = append(lines, s.tableLines(body)...)
	}
	for len(lines) < s.height-len(footer) {
		lines = append(lines, "")
	}
	lines = append(lines[:s.height-len(footer)], footer...)
	for i, l := range lines {
		lines[i] = fitLine(l, s.width)
	}
	return strings.Join(lines, "\n")
}

// fitLine truncates a rendered line to width cells (styles survive truncation).
func fitLine(l string, width int) string {
	if len(l) <= width || textWidth(l) <= width {
		// len is an upper bound of the width: short lines need no measuring.
		return l
	}
	if ansi.StringWidth(l) > width {
		return ansi.Truncate(l, width, "…")
	}
	return l
}

func (s *ResultsScreen) titleLine() string {
	st := s.c.Styles
	left := st.Title.Render(termsafe.String(s.typ))
	if s.file != "" {
		left = st.Title.Render(termsafe.String(s.file))
		if s.typ != "" {
			left += " " + st.Subtle.Render(termsafe.String(s.typ))
		}
	} else if q := formatSearchLine(s.params); q != "" {
		left += " " + st.Subtle.Render(termsafe.String(q))
	}
	// The paging position is in the status bar (Position); the title says how much there is.
	right := st.Subtle.Render(s.sizeLabel())
	gap := s.width - ansi.StringWidth(left) - ansi.StringWidth(right)
	if gap < 2 {
		return left
	}
	return left + strings.Repeat(" ", gap) + right
}

// sizeLabel says which rows the page holds and how many there are, where that is known:
// "rows 51–100 of 11568 matches", "rows 26–50" (offset paging without a total).
func (s *ResultsScreen) sizeLabel() string {
	if s.src == nil {
		return ""
	}
	first, n := s.windowStart(), s.windowLen()
	if !s.local && s.page != nil {
		first = s.page.Offset
	}
	label := "no rows"
	if n > 0 {
		label = fmt.Sprintf("rows %d–%d", first+1, first+n)
	}
	switch {
	case s.filter.query != "":
		label += fmt.Sprintf(" of %d filtered", s.rowCount())
	case s.records != nil:
		label += " of " + plural(s.records.Len(), "entry", "entries")
		if !s.records.Done() {
			label += " so far"
		}
	case s.local:
		label += " of " + plural(s.src.Len(), "match", "matches")
	case s.page != nil && s.page.HasTotal:
		label += " of " + plural(s.page.Total, "match", "matches")
	}
	return label
}

// tableLines renders the header and the visible rows of the current window.
func (s *ResultsScreen) tableLines(body int) []string {
	st := s.c.Styles
	cols := layoutColumns(s.cols, s.width-ansi.StringWidth(st.Cursor))
	var b strings.Builder
	b.WriteString(st.NoCursor)
	titles := make([]string, len(cols))
	for i, c := range cols {
		titles[i] = c.title
	}
	renderCells(&b, cols, titles)
	out := []string{st.Header.Render(b.String())}

	rows := max(0, body-1)
	start, n := s.windowStart(), s.windowLen()
	words := strings.Fields(strings.ToLower(s.filter.query))
	for k := s.offset; k < n && k < s.offset+rows; k++ {
		cells := s.rows.get(s.src, s.rowAt(start+k))
		b.Reset()
		renderCells(&b, cols, cells)
		base, mark := st.Row, st.Match
		prefix := st.NoCursor
		if k == s.cursor {
			base, mark, prefix = st.Selected, st.Match.Inherit(st.Selected), st.Cursor
		}
		out = append(out, prefix+highlight(b.String(), words, base, mark))
	}
	return out
}

// highlight renders line in base with the filter's words marked, so the user sees why a row
// matched. Matching is case-insensitive; a line whose lowercase form changes length (rare
// non-ASCII case mappings) is left unmarked rather than marked at the wrong place.
func highlight(line string, words []string, base, mark lipgloss.Style) string {
	lower := strings.ToLower(line)
	if len(words) == 0 || len(lower) != len(line) {
		return base.Render(line)
	}
	marked := make([]bool, len(line))
	found := false
	for _, w := range words {
		for from := 0; from < len(lower); {
			i := strings.Index(lower[from:], w)
			if i < 0 {
				break
			}
			for j := from + i; j < from+i+len(w); j++ {
				marked[j] = true
			}
			found = true
			from += i + len(w)
		}
	}
	if !found {
		return base.Render(line)
	}
	var out strings.Builder
	for i := 0; i < len(line); {
		j := i
		for j < len(line) && marked[j] == marked[i] {
			j++
		}
		if marked[i] {
			out.WriteString(mark.Render(line[i:j]))
		} else {
			out.WriteString(base.Render(line[i:j]))
		}
		i = j
	}
	return out.String()
}

func (s *ResultsScreen) emptyLines() []string {
	st := s.c.Styles
	var what, fix string
	switch {
	case s.filter.query != "":
		what = fmt.Sprintf("No row matches the filter %q.", termsafe.String(s.filter.query))
		fix = "Change the filter, or press esc in it to clear it."
	case s.records != nil && !s.records.Done():
		what = "Indexing… no entries found yet."
		fix = "Entries show as soon as they are indexed."
	case s.records != nil:
		what = "This file holds no resources."
		fix = "Open a Bundle, a single resource or an NDJSON export."
	case len(s.params) > 0:
		what = fmt.Sprintf("No %s matches %s.", s.typ, termsafe.String(formatSearchLine(s.params)))
		fix = "Press s to change the search parameters."
	default:
		what = fmt.Sprintf("The server has no %s resources this client may read.", s.typ)
		fix = "Press r to search again, or esc to pick another type."
	}
	return []string{"", "  " + st.Subtle.Render(what), "  " + st.Fix.Render("Fix:") + " " + fix}
}

// errorLines explains a failed fetch: what failed, why, and how to fix it.
func (s *ResultsScreen) errorLines(body int) []string {
	st := s.c.Styles
	ex := Explain(s.err)
	title := "Search failed"
	if s.page != nil {
		title = "Could not load the page"
	}
	if errors.Is(s.err, errOffline) {
		ex = fhirclient.Explanation{Cause: "There is no server connection for this screen.", Fix: "Connect with a profile, or open a file with `fhirscope open FILE`."}
	}
	var apiErr *fhirclient.APIError
	fix := ex.Fix
	if errors.As(s.err, &apiErr) && apiErr.MissingScope != "" && !strings.Contains(fix, apiErr.MissingScope) {
		fix += " Add the scope " + apiErr.MissingScope + " to the client and the profile."
	}
	width := max(20, s.width-4)
	out := []string{"", "  " + st.Bad.Render(title)}
	for _, l := range wrapLines("Cause: "+termsafe.String(ex.Cause), width) {
		out = append(out, "  "+l)
	}
	for _, l := range wrapLines("Fix: "+termsafe.String(fix), width) {
		out = append(out, "  "+l)
	}
	hint := "r retry · esc back · L request log"
	if s.page != nil {
		hint = "n/p try again · r reload from the first page · esc back · L request log"
	}
	out = append(out, "", "  "+st.Faint.Render(hint))
	if len(out) > body {
		out = out[:body]
	}
	return out
}

// footerLines is the input being edited, the state, or a hint, plus a parameter error.
func (s *ResultsScreen) footerLines() []string {
	st := s.c.Styles
	switch {
	case s.searching:
		out := []string{s.search.View()}
		if s.paramErr != nil {
			// The list of valid parameters can be long: give it a few lines.
			lines := wrapLines(termsafe.String(s.paramErr.Error()), max(20, s.width-2))
			if len(lines) > 4 {
				lines = append(lines[:3], "…")
			}
			for i := range lines {
				lines[i] = st.Bad.Render(lines[i])
			}
			out = append(lines, out...)
		} else if s.paramHint != "" {
			lines := wrapLines(termsafe.String(s.paramHint), max(20, s.width-2))
			if len(lines) > 3 {
				lines = append(lines[:2], "…")
			}
			for i := range lines {
				lines[i] = st.Subtle.Render(lines[i])
			}
			out = append(lines, out...)
		} else if s.c.Caps == nil {
			out = append([]string{st.Faint.Render("capabilities not loaded: parameters are not checked")}, out...)
		} else {
			out = append([]string{st.Faint.Render("name=value pairs separated by spaces · tab completes a parameter name · enter searches")}, out...)
		}
		return out
	case s.filter.editing:
		state := s.countLabel()
		if s.filter.pending != "" {
			state = "summarising rows for the filter…"
		}
		return []string{s.filter.input.View() + "  " + st.Subtle.Render(state)}
	}
	var parts []string
	if s.fetchWhat != "" && s.src != nil {
		parts = append(parts, st.Warn.Render(s.fetchWhat+"… (esc cancels)"))
	}
	if s.records != nil {
		parts = append(parts, s.indexingState()...)
	}
	if s.page != nil && s.page.Note != "" && !s.local {
		parts = append(parts, st.Warn.Render(termsafe.String(s.page.Note)))
	}
	if s.src != nil {
		parts = append(parts, st.Subtle.Render(s.countLabel()))
	}
	if s.filter.query != "" {
		parts = append(parts, st.Accent.Render("filter: "+termsafe.String(s.filter.query)+" (esc clears)"))
	}
	if s.src != nil && s.err == nil {
		hint := "enter open · / filter · n/p page · z size"
		if s.records == nil {
			hint = "enter open · s search · / filter · n/p page · z size"
			if s.typ == "Patient" && s.c.Keys.Overview.Enabled() {
				hint = "enter open · o overview · s search · / filter · n/p page · z size" // overview_open.go
			}
		}
		parts = append(parts, st.Faint.Render(hint))
	}
	return []string{strings.Join(parts, st.Faint.Render(" · "))}
}

// indexingState says how far an offline file is indexed, and what went wrong in it: a file
// cut short or an NDJSON line that is not JSON still leaves every entry before it usable.
func (s *ResultsScreen) indexingState() []string {
	st := s.c.Styles
	status := s.records.Status()
	var out []string
	if !status.Done {
		// The entry count so far is in the title and the row count.
		out = append(out, st.Warn.Render(fmt.Sprintf("indexing %.0f%%", 100*status.Progress)))
	}
	if status.Err != nil {
		out = append(out, st.Bad.Render("stopped: "+termsafe.String(firstLine(status.Err.Error()))))
	}
	if status.BadLines > 0 {
		out = append(out, st.Warn.Render(plural(status.BadLines, "bad line", "bad lines")+" skipped"))
	}
	return out
}

// countLabel is "row 3 of 50" (and how many rows the filter kept).
func (s *ResultsScreen) countLabel() string {
	n := s.rowCount()
	if n == 0 {
		return "no rows"
	}
	label := fmt.Sprintf("row %d of %d", s.windowStart()+s.cursor+1, n)
	if s.filter.query != "" && s.src != nil {
		label += fmt.Sprintf(" (%d total)", s.src.Len())
	}
	return label
}

// onTick refreshes an offline file's indexing state and keeps ticking until it is done.
func (s *ResultsScreen) onTick() tea.Cmd {
	s.settleColumns()
	s.clampCursor()
	if s.records.Done() && s.filter.query != "" {
		// Rows indexed since the filter ran were not matched yet.
		q := s.filter.query
		return s.applyFilter(q)
	}
	return s.tickIfIndexing()
}

// settleColumns picks a file's columns from the entries indexed so far, until enough are
// indexed (or all) for the choice to be final: it must not change under the user later.
func (s *ResultsScreen) settleColumns() {
	if s.colsFinal || s.records == nil {
		return
	}
	s.detectColumns()
	s.colsFinal = s.records.Done() || s.src.Len() >= columnSample
}

func (s *ResultsScreen) tickIfIndexing() tea.Cmd {
	if s.records == nil || s.records.Done() {
		return nil
	}
	s.tickSeq++
	seq := s.tickSeq
	return tea.Tick(indexTick, func(time.Time) tea.Msg { return resultsTickMsg{screen: s, seq: seq} })
}

// wrapText breaks plain text into lines of at most width cells, at spaces where it can.
func wrapLines(s string, width int) []string {
	return strings.Split(ansi.Wrap(s, width, " ,"), "\n")
}
