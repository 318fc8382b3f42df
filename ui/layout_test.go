package ui

import (
	"strings"
	"testing"

	"charm.land/lipgloss/v2"
)

// Overlays and fitting keep every line exactly as wide as the terminal, also over wide
// characters (CJK names, emoji) that a box edge cuts through.
func TestOverlayKeepsLineWidths(t *testing.T) {
	const w, h = 30, 6
	bg := fit(strings.Repeat("名前患者データ😀ab患者\n", h), w, h)
	box := "╭────╮\n│ hi │\n╰────╯"
	for x := 0; x < w-6; x++ {
		out := placeAt(bg, box, x, 1)
		for i, l := range strings.Split(out, "\n") {
			if lipgloss.Width(l) != w {
				t.Fatalf("box at x=%d: line %d is %d wide, want %d: %q", x, i, lipgloss.Width(l), w, l)
			}
		}
	}
	if got := fit("a\nb", 3, 4); strings.Count(got, "\n") != 3 || lipgloss.Width(got) != 3 {
		t.Errorf("fit pads lines and rows: %q", got)
	}
	if got := fit(strings.Repeat("x", 50)+"\n"+strings.Repeat("y\n", 10), 5, 2); got != "xxxxx\ny    " {
		t.Errorf("fit cuts lines and rows: %q", got)
	}
}
