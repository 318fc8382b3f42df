package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"

	"fhirscope/ui/records"
	"fhirscope/ui/summary"
	"fhirscope/ui/termsafe"
)

// The results table renders only the rows on screen: a row is summarised (ui/summary scans
// just the members its columns need) when it first becomes visible and kept in a small
// cache, so a frame costs the same at the top and at the bottom of a 200 MB bundle.

// entrySource is where the table's rows come from: one server page's entries, or a
// ui/records Source over a whole file or bundle (which may still be growing while indexing).
type entrySource interface {
	Len() int
	Entry(i int) []byte
}

// pageEntries adapts a page's entry slices to entrySource.
type pageEntries [][]byte

func (p pageEntries) Len() int           { return len(p) }
func (p pageEntries) Entry(i int) []byte { return p[i] }

// mixedType is the column set for a source holding several resource types (an NDJSON bulk
// export concatenated, a bundle with _include): type, id and the one-line summary.
const mixedType = ""

// tableColumn is a laid-out column: its title and the width it got on this screen.
type tableColumn struct {
	title string
	width int
}

// columnsFor returns ui/summary's columns for typ, or the mixed set.
func columnsFor(typ string) []summary.Column {
	if typ == mixedType {
		return []summary.Column{{Title: "Type", Width: 13}, {Title: "Summary", Width: 60}, {Title: "ID", Width: 36}}
	}
	return summary.Columns(typ)
}

// cellsFor summarises one entry for the table's column set.
func cellsFor(typ string, entry []byte) []string {
	if typ == mixedType {
		// Each row is summarised by its own type's columns, joined into one cell.
		rt, id := records.TypeAndID(entry)
		cells := summary.Row(rt, entry)
		parts := make([]string, 0, len(cells))
		for _, c := range cells {
			if c != "" && c != id {
				parts = append(parts, c)
			}
		}
		return []string{termsafe.String(rt), strings.Join(parts, " · "), termsafe.String(id)}
	}
	return summary.Row(typ, entry)
}

// layoutColumns fits the preferred widths into width cells. When the screen is narrow the
// last column shrinks first, then the widest column gives up a cell at a time (so short columns such as dates and genders stay
// whole while a long name or id is cut), never below a few cells; when it is wide the last
// column takes what is left over. Two spaces separate columns.
func layoutColumns(cols []summary.Column, width int) []tableColumn {
	out := make([]tableColumn, len(cols))
	if len(cols) == 0 {
		return out
	}
	const gap, minWidth = 2, 4
	avail := width - gap*(len(cols)-1)
	used := 0
	for i, c := range cols {
		out[i] = tableColumn{title: c.Title, width: max(c.Width, minWidth)}
		used += out[i].width
	}
	// The last column (the id, for ui/summary's layouts) is the least telling when cut short
	// of the others, so it gives up its room first, down to a recognisable prefix.
	last := &out[len(out)-1]
	if floor := max(12, ansi.StringWidth(last.title)); used > avail && last.width > floor {
		cut := min(used-avail, last.width-floor)
		last.width -= cut
		used -= cut
	}
	for used > avail {
		widest := 0
		for i := range out {
			if out[i].width > out[widest].width {
				widest = i
			}
		}
		if out[widest].width <= minWidth {
			break
		}
		out[widest].width--
		used--
	}
	if rest := avail - used; rest > 0 {
		last.width += rest
	}
	return out
}

// renderCells lays cells out in the columns, truncating with an ellipsis and padding each to
// its width so the columns line up.
func renderCells(b *strings.Builder, cols []tableColumn, cells []string) {
	for i, col := range cols {
		if i > 0 {
			b.WriteString("  ")
		}
		cell := ""
		if i < len(cells) {
			cell = cells[i]
		}
		cell = fitCell(cell, col.width)
		b.WriteString(cell)
	}
}

// fitCell truncates s to width display cells (with "…") and pads it with spaces.
func fitCell(s string, width int) string {
	w := textWidth(s)
	if w > width {
		s = ansi.Truncate(s, width, "…")
		w = ansi.StringWidth(s)
	}
	if w < width {
		s += strings.Repeat(" ", width-w)
	}
	return s
}

// textWidth is the display width of s; plain ASCII (most cells) skips grapheme segmentation.
func textWidth(s string) int {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return ansi.StringWidth(s)
		}
	}
	return len(s)
}

// rowCache keeps the cells of recently shown rows. It is dropped whole when it grows past a
// few screens, which is cheaper than an LRU and keeps memory flat while scrolling a huge file.
type rowCache struct {
	typ   string
	cells map[int][]string
}

const rowCacheMax = 512

func (rc *rowCache) get(src entrySource, i int) []string {
	if c, ok := rc.cells[i]; ok {
		return c
	}
	if rc.cells == nil || len(rc.cells) >= rowCacheMax {
		rc.cells = make(map[int][]string, 64)
	}
	c := cellsFor(rc.typ, src.Entry(i))
	// ui/summary sanitises its cells; this second pass is cheap on plain text (no allocation)
	// and keeps a control character from ever reaching the terminal if a cell slips through.
	for j := range c {
		c[j] = termsafe.String(c[j])
	}
	rc.cells[i] = c
	return c
}

func (rc *rowCache) reset(typ string) {
	rc.typ = typ
	rc.cells = nil
}

// sourceType decides the table's column set: the one resource type of the first entries, or
// mixedType when they differ. Sampling is enough: a bundle or an export file is grouped by
// type in practice, and a late odd row still shows its cells in the same columns.
func sourceType(src entrySource, sample int) string {
	typ := ""
	for i := 0; i < src.Len() && i < sample; i++ {
		t, _ := records.TypeAndID(src.Entry(i))
		if i == 0 {
			typ = t
			continue
		}
		if t != typ {
			return mixedType
		}
	}
	return typ
}
