package ui

import (
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// truncate cuts a styled line to width cells, ending in "…" when something was cut.
func truncate(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= width {
		return s
	}
	return ansi.Truncate(s, width, "…")
}

// truncateLeft keeps the end of a plain string ("…/apis/default/fhir") within width cells.
func truncateLeft(s string, width int) string {
	if width <= 0 {
		return ""
	}
	if lipgloss.Width(s) <= width {
		return s
	}
	return "…" + ansi.TruncateLeft(s, lipgloss.Width(s)-width+1, "")
}

// fit makes a block of text exactly width x height: lines are cut to width and padded with
// spaces, missing lines are added and extra ones dropped. The root model runs every screen's
// View through it, so a screen that renders a line too long or too many lines cannot break
// the layout (the status bar stays at the bottom whatever happens).
func fit(s string, width, height int) string {
	if width <= 0 || height <= 0 {
		return ""
	}
	lines := strings.Split(s, "\n")
	if len(lines) > height {
		lines = lines[:height]
	}
	for len(lines) < height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		l = strings.TrimRight(l, "\r")
		w := lipgloss.Width(l)
		if w > width {
			l = ansi.Truncate(l, width, "")
			w = lipgloss.Width(l)
		}
		if w < width {
			l += strings.Repeat(" ", width-w)
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}

// overlay draws box centred over background (both already fitted to width x height).
func overlay(background, box string, width, height int) string {
	bw, bh := lipgloss.Width(box), lipgloss.Height(box)
	x := max(0, (width-bw)/2)
	y := max(0, (height-bh)/3)
	return placeAt(background, box, x, y)
}

// placeAt writes box over background with its top-left corner at column x, row y, keeping
// the background to the left and right of each box line.
func placeAt(background, box string, x, y int) string {
	bg := strings.Split(background, "\n")
	for i, line := range strings.Split(box, "\n") {
		row := y + i
		if row < 0 || row >= len(bg) {
			continue
		}
		under := bg[row]
		uw := lipgloss.Width(under)
		left := ansi.Truncate(under, x, "")
		if lw := lipgloss.Width(left); lw < x {
			left += strings.Repeat(" ", x-lw)
		}
		right := ""
		if end := x + lipgloss.Width(line); end < uw {
			right = ansi.TruncateLeft(under, end, "")
			if lipgloss.Width(right) > uw-end {
				// A wide character straddled the box's right edge: show a space for its
				// visible half, so the line keeps its width.
				right = " " + ansi.TruncateLeft(under, end+1, "")
			}
		}
		// Resets around the box: a style left open in the background (a selected row's
		// reverse video) must not bleed into the box, nor the box's into the rest.
		bg[row] = left + ansi.ResetStyle + line + ansi.ResetStyle + right
	}
	return strings.Join(bg, "\n")
}

// keepInView is the first row to show of n rows in a window of height rows, moved as little
// as possible from offset so the cursor's row is in it.
func keepInView(cursor, offset, height, n int) int {
	offset = min(offset, cursor)
	offset = max(offset, cursor-height+1)
	return max(0, min(offset, n-height))
}

// wrapText wraps plain text to width cells (for causes, fixes and notes in panels).
func wrapText(s string, width int) string {
	if width <= 0 {
		return s
	}
	return ansi.Wrap(s, width, " ")
}
