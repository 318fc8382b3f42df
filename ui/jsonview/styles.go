package jsonview

import "charm.land/lipgloss/v2"

// Styles colours the inspector. The app fills it from its own Styles
// (JSONKey, JSONString, ...); PlainStyles is the colourless variant golden
// tests use, and the cursor stays visible there through the gutter marker.
type Styles struct {
	Key, String, Number, Bool, Null, Punct lipgloss.Style

	Cursor lipgloss.Style // the cursor line (a background); segments inherit it
	Match  lipgloss.Style // a search match inside a key or value
	Hint   lipgloss.Style // "3 keys", "12 items", sizes of unopened containers
	Path   lipgloss.Style // the cursor path in the footer
	Footer lipgloss.Style // the rest of the footer line (position, match count)
	Prompt lipgloss.Style // the search prompt

	CursorMark string // gutter marker on the cursor line, e.g. "▶"
}

// PlainStyles has no colours or attributes at all.
func PlainStyles() Styles {
	return Styles{CursorMark: ">"}
}

// DefaultStyles is a dark-background palette for using the component on
// its own; the app passes its own light or dark variant instead.
func DefaultStyles() Styles {
	fg := func(c string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(c)) }
	return Styles{
		Key:        fg("#C792EA"),
		String:     fg("#C3E88D"),
		Number:     fg("#F78C6C"),
		Bool:       fg("#82AAFF"),
		Null:       fg("#8A8A8A").Italic(true),
		Punct:      fg("#6A6A6A"),
		Cursor:     lipgloss.NewStyle().Background(lipgloss.Color("#2F3550")),
		Match:      fg("#FFB86C").Bold(true).Underline(true),
		Hint:       fg("#5A5A5A"),
		Path:       fg("#B8A4FF").Bold(true),
		Footer:     fg("#9A9A9A"),
		Prompt:     fg("#B8A4FF"),
		CursorMark: "▶",
	}
}

// onCursor is the same styles with the cursor line's background added, so
// the highlight runs under every segment of the line.
func (s Styles) onCursor() Styles {
	c := s
	for _, p := range []*lipgloss.Style{&c.Key, &c.String, &c.Number, &c.Bool, &c.Null, &c.Punct, &c.Match, &c.Hint} {
		*p = p.Inherit(s.Cursor)
	}
	return c
}
