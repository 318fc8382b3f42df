package ui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"fhirscope/ui/termsafe"
)

// ovRow is one selectable row: the card, a section's title (item -1) or one of its items.
type ovRow struct {
	card    bool
	section int
	item    int
}

// ovLine is one body line; row is the selectable row it belongs to (-1: none).
type ovLine struct {
	text string
	row  int
}

// rows lists the selectable rows in display order.
func (s *OverviewScreen) rows() []ovRow {
	out := []ovRow{{card: true, section: -1, item: -1}}
	for i, sec := range s.sections {
		out = append(out, ovRow{section: i, item: -1})
		if sec.state == secLoaded {
			for j := range sec.res.items {
				out = append(out, ovRow{section: i, item: j})
			}
		}
	}
	return out
}

func (s *OverviewScreen) move(d int) {
	s.cursor = min(max(s.cursor+d, 0), len(s.rows())-1)
	s.clamp()
}

// bodyHeight is the lines left for the scrolling body (title and footer take one each).
func (s *OverviewScreen) bodyHeight() int { return max(1, s.height-2) }

// clamp keeps the cursor on a row and its lines on screen.
func (s *OverviewScreen) clamp() {
	s.cursor = min(max(s.cursor, 0), len(s.rows())-1)
	lines := s.body()
	first, last := -1, -1
	for i, l := range lines {
		for _, c := range l {
			if c.row == s.cursor {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
	}
	h := s.bodyHeight()
	if first >= 0 {
		if last-s.offset >= h {
			s.offset = last - h + 1
		}
		if first < s.offset {
			s.offset = first
		}
	}
	s.offset = max(0, min(s.offset, len(lines)-h))
}

// View renders the title, the scrolled body and a footer.
func (s *OverviewScreen) View() string {
	st := s.c.Styles
	loaded, total := 0, len(s.sections)
	for _, sec := range s.sections {
		if sec.state != secLoading {
			loaded++
		}
	}
	head := st.Title.Render("Patient overview")
	if s.card.Name != "" {
		head += st.Title.Render(" · " + s.card.Name)
	}
	if loaded < total {
		head += st.Subtle.Render(fmt.Sprintf(" · loading %d of %d sections…", total-loaded, total))
	}
	out := []string{ovFit(head, s.width)}
	lines := s.body()
	h := s.bodyHeight()
	colW := s.width
	if s.twoColumns() {
		colW = (s.width - ovGap) / 2
	}
	for i := s.offset; i < min(len(lines), s.offset+h); i++ {
		var b strings.Builder
		for j, c := range lines[i] {
			marker := st.NoCursor
			if c.row == s.cursor && c.row >= 0 {
				marker = st.Cursor
			}
			if j > 0 {
				b.WriteString(strings.Repeat(" ", ovGap))
			}
			cell := ovFit(marker+c.text, colW)
			if j < len(lines[i])-1 {
				cell += strings.Repeat(" ", max(0, colW-ansi.StringWidth(cell)))
			}
			b.WriteString(cell)
		}
		out = append(out, ovFit(b.String(), s.width))
	}
	for len(out) < 1+h {
		out = append(out, "")
	}
	foot := "enter inspect · ↑↓ move · r reload · esc back"
	if len(lines) > h {
		foot = fmt.Sprintf("lines %d-%d of %d · ", s.offset+1, min(len(lines), s.offset+h), len(lines)) + foot
	}
	out = append(out, ovFit(st.Faint.Render(foot), s.width))
	return strings.Join(out, "\n")
}

// fit cuts a styled line to width cells.
func ovFit(s string, width int) string {
	if ansi.StringWidth(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// ovTwoColumns is the width from which the sections are laid out in two columns, and ovGap
// the space between them.
const (
	ovTwoColumns = 150
	ovGap        = 3
)

func (s *OverviewScreen) twoColumns() bool { return s.width >= ovTwoColumns }

// ovScreenLine is one screen line of the body: one cell, or two side by side.
type ovScreenLine []ovLine

// body lays out the blocks in one column, or in two balanced ones on wide screens (the left
// holding the first blocks, so the rows still read top to bottom, left column first).
func (s *OverviewScreen) body() []ovScreenLine {
	mw := ansi.StringWidth(s.c.Styles.Cursor)
	var out []ovScreenLine
	if !s.twoColumns() {
		for _, b := range s.blocks(s.width - mw) {
			for _, l := range b {
				out = append(out, ovScreenLine{l})
			}
		}
		return out
	}
	blocks := s.blocks((s.width-ovGap)/2 - mw)
	total := 0
	for _, b := range blocks {
		total += len(b)
	}
	var left, right []ovLine
	best := -1
	for k := 1; k <= len(blocks); k++ { // k blocks on the left: the most even split
		n := 0
		for _, b := range blocks[:k] {
			n += len(b)
		}
		if best < 0 || max(n, total-n) < best {
			best = max(n, total-n)
			left, right = nil, nil
			for _, b := range blocks[:k] {
				left = append(left, b...)
			}
			for _, b := range blocks[k:] {
				right = append(right, b...)
			}
		}
	}
	if len(right) > 0 && right[0].text == "" {
		right = right[1:] // the right column starts at the top, not after a gap
	}
	blank := ovLine{row: -1}
	for i := range max(len(left), len(right)) {
		l, r := blank, blank
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		out = append(out, ovScreenLine{l, r})
	}
	return out
}

// blocks lays out the card and then each section (starting with a blank line) as lines of
// at most w cells.
func (s *OverviewScreen) blocks(w int) [][]ovLine {
	st := s.c.Styles
	var blocks [][]ovLine
	var lines []ovLine
	add := func(row int, text string) { lines = append(lines, ovLine{text: text, row: row}) }

	// The card (row 0).
	switch {
	case s.cardBusy:
		add(0, st.Subtle.Render("Loading Patient/"+termsafe.String(s.patientID)+"…"))
	case s.cardErr != nil:
		ex := Explain(s.cardErr)
		add(0, st.Bad.Render("Patient/"+termsafe.String(s.patientID)+": ")+ovLine1(ex.Cause))
		add(0, "  "+st.Fix.Render("Fix: ")+ovLine1(ex.Fix))
	default:
		c := s.card
		add(0, st.Accent.Render(ovOrDash(c.Name))+st.Subtle.Render("  Patient/"+c.ID))
		facts := []string{ovOrDash(c.Gender)}
		if a := patientAge(c.BirthDate, s.now()); a != "" {
			facts = append(facts, a+" (born "+c.BirthDate+")")
		} else if c.BirthDate != "" {
			facts = append(facts, "born "+c.BirthDate)
		}
		facts = append(facts, "MRN "+ovOrDash(c.MRN))
		add(0, "  "+strings.Join(facts, " · "))
		add(0, "  "+ovOrDash(c.Phone)+" · "+ovOrDash(c.Address))
	}

	row := 1
	for _, sec := range s.sections {
		blocks = append(blocks, lines)
		lines = nil
		add(-1, "")
		add(row, s.sectionHeader(sec))
		headerRow := row
		row++
		switch sec.state {
		case secLoading:
			add(headerRow, "  "+st.Subtle.Render("loading…"))
		case secCancelled:
			add(headerRow, "  "+st.Warn.Render("cancelled")+st.Subtle.Render(" · r reloads"))
		case secLocked:
			add(headerRow, "  "+st.Bad.Render("locked: ")+fmt.Sprintf("the token has no scope for %s; needs %s", sec.def.typ, ovLine1(sec.scope)))
			add(headerRow, "  "+st.Fix.Render("Fix: ")+"add "+ovLine1(sec.scope)+" to the profile's scopes and the client's registration, then reconnect")
		case secFailed:
			ex := Explain(sec.err)
			for i, l := range wrapLines(st.Bad.Render("error: ")+ovLine1(ex.Cause), w-2) {
				if i < 2 {
					add(headerRow, "  "+l)
				}
			}
			for i, l := range wrapLines(st.Fix.Render("Fix: ")+ovLine1(ex.Fix), w-2) {
				if i < 2 {
					add(headerRow, "  "+l)
				}
			}
		case secLoaded:
			switch {
			case len(sec.res.items) == 0 && sec.res.count == 0:
				add(headerRow, "  "+st.Subtle.Render(sec.def.emptyOK))
			case len(sec.res.items) == 0:
				add(headerRow, "  "+st.Subtle.Render("none active · enter lists all "+plural(sec.res.count, sec.def.noun, ovPluralNoun(sec.def.noun))))
			}
			for _, it := range sec.res.items {
				add(row, s.itemLine(it, w))
				row++
			}
			if sec.res.more > 0 {
				add(headerRow, "  "+st.Faint.Render(fmt.Sprintf("… %d more: enter on %s lists them all", sec.res.more, sec.def.title)))
			}
		}
	}
	return append(blocks, lines)
}

func (s *OverviewScreen) sectionHeader(sec *overviewSection) string {
	st := s.c.Styles
	h := st.Title.Render(sec.def.title)
	if sec.state == secLoaded {
		h += st.Subtle.Render(" · " + plural(sec.res.count, sec.def.noun, ovPluralNoun(sec.def.noun)))
		if sec.res.note != "" && sec.res.count > 0 {
			h += st.Subtle.Render(" · " + sec.res.note)
		}
	}
	return h
}

// itemLine lays out label, value and date in columns that fit w.
func (s *OverviewScreen) itemLine(it overviewItem, w int) string {
	st := s.c.Styles
	const indent, dateW = 2, 10
	avail := max(10, w-indent-dateW-2)
	valueW := min(max(avail*2/5, 12), 40)
	labelW := min(max(6, avail-valueW-1), 56) // wider only pushes the value away from its label
	value := ovPad(it.value, valueW)
	if it.flag {
		value = st.Warn.Render(value)
	}
	return strings.Repeat(" ", indent) + ovPad(it.label, labelW) + " " + value + " " + st.Subtle.Render(it.at.date())
}

// pad truncates or pads plain text to exactly n cells.
func ovPad(s string, n int) string {
	if ansi.StringWidth(s) > n {
		return ansi.Truncate(s, n, "…")
	}
	return s + strings.Repeat(" ", n-ansi.StringWidth(s))
}

func ovOrDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// pluralNoun is noun's plural for the section counts.
func ovPluralNoun(noun string) string {
	switch {
	case strings.HasSuffix(noun, "y"):
		return strings.TrimSuffix(noun, "y") + "ies"
	}
	return noun + "s"
}

// sanitizedLine makes text from an error or the server one inert line.
func ovLine1(s string) string { return strings.ReplaceAll(termsafe.String(s), "\n", " ") }
