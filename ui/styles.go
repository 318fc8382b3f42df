package ui

import (
	"image/color"
	"os"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Styles is the one place colours and text attributes come from. Screens never build their
// own lipgloss styles with colours in them: they take one of these, so light/dark switching,
// NO_COLOR and the colourless golden-test variant apply everywhere at once.
type Styles struct {
	Dark    bool // chosen for a dark terminal background
	NoColor bool // no colours at all (NO_COLOR, or golden tests); attributes like bold remain

	// Text roles.
	Normal  lipgloss.Style
	Title   lipgloss.Style // screen titles and section headings
	Subtle  lipgloss.Style // secondary text: hints, units, ids
	Faint   lipgloss.Style // tertiary text: separators, placeholders
	Accent  lipgloss.Style // the one highlighted thing (current page, profile name)
	Key     lipgloss.Style // a key name in inline hints ("press ? for help")
	Match   lipgloss.Style // a search/filter match inside text
	Link    lipgloss.Style // a reference that enter follows
	Good    lipgloss.Style // success: granted scope, readable type, step done
	Warn    lipgloss.Style // caution: dropped scope, insecure, slow
	Bad     lipgloss.Style // failure: error titles, locked types, failed steps
	Cause   lipgloss.Style // "Cause:" label in error panels
	Fix     lipgloss.Style // "Fix:" label in error panels
	Spinner lipgloss.Style

	// Lists and tables.
	Header   lipgloss.Style // table column headings
	Row      lipgloss.Style
	Selected lipgloss.Style // the row under the cursor (reverse when colourless)
	Cursor   string         // marker left of the selected row, readable without colour
	NoCursor string         // same width as Cursor, for other rows

	// Frames.
	Panel      lipgloss.Style // bordered box (error panel, palette, dialogs)
	ErrorPanel lipgloss.Style
	Banner     lipgloss.Style // full-width warning banner (--insecure)
	Input      lipgloss.Style // text input prompt

	// Status bar.
	StatusBar   lipgloss.Style
	StatusLabel lipgloss.Style
	StatusDemo  lipgloss.Style // "DEMO: synthetic data" badge
	StatusWarn  lipgloss.Style // insecure / token expired badge
	StatusMsg   lipgloss.Style // transient message

	// JSON syntax roles, for the inspector (ui/jsonview takes colours from here).
	JSONKey    lipgloss.Style
	JSONString lipgloss.Style
	JSONNumber lipgloss.Style
	JSONBool   lipgloss.Style
	JSONNull   lipgloss.Style
	JSONPunct  lipgloss.Style

	// Help is the bubbles help model's styles, derived from the same palette.
	Help help.Styles
}

// DefaultStyles picks the variant for this process: colourless when NO_COLOR is set (any
// non-empty value, per no-color.org), else the dark or light palette. The root model starts
// with dark and switches when the terminal answers tea.RequestBackgroundColor.
func DefaultStyles(dark bool) *Styles {
	if os.Getenv("NO_COLOR") != "" {
		return NoColorStyles()
	}
	return NewStyles(dark)
}

// palette is the handful of colours both variants are built from.
type palette struct {
	fg, subtle, faint, accent, key, match, link, good, warn, bad, selBg, selFg, barBg, barFg, demoBg, demoFg color.Color
	jKey, jStr, jNum, jBool, jNull, jPunct                                                                   color.Color
}

func paletteFor(dark bool) palette {
	ld := lipgloss.LightDark(dark)
	c := lipgloss.Color
	return palette{
		fg:     ld(c("#1F1F28"), c("#DCD7BA")),
		subtle: ld(c("#5C6370"), c("#9A9A9A")),
		faint:  ld(c("#9AA0A6"), c("#5A5A5A")),
		accent: ld(c("#5A3FC0"), c("#B8A4FF")),
		key:    ld(c("#0B6E99"), c("#7FD1F7")),
		match:  ld(c("#B35900"), c("#FFB86C")),
		link:   ld(c("#1F5FBF"), c("#82AAFF")),
		good:   ld(c("#1A7F37"), c("#7EE787")),
		warn:   ld(c("#9A6700"), c("#E3B341")),
		bad:    ld(c("#CF222E"), c("#FF7B72")),
		selBg:  ld(c("#DDE3F8"), c("#2F3550")),
		selFg:  ld(c("#0B0B0B"), c("#FFFFFF")),
		barBg:  ld(c("#E4E4E8"), c("#24242E")),
		barFg:  ld(c("#333333"), c("#C8C8C8")),
		demoBg: ld(c("#FFD866"), c("#7A5C00")),
		demoFg: ld(c("#222222"), c("#FFF4CC")),
		jKey:   ld(c("#7A3E9D"), c("#C792EA")),
		jStr:   ld(c("#2E7D32"), c("#C3E88D")),
		jNum:   ld(c("#B35900"), c("#F78C6C")),
		jBool:  ld(c("#1F5FBF"), c("#82AAFF")),
		jNull:  ld(c("#8A8A8A"), c("#8A8A8A")),
		jPunct: ld(c("#8A8A8A"), c("#6A6A6A")),
	}
}

// NewStyles builds the coloured variant for a dark or a light background.
func NewStyles(dark bool) *Styles {
	p := paletteFor(dark)
	fg := func(c color.Color) lipgloss.Style { return lipgloss.NewStyle().Foreground(c) }
	s := base()
	s.Dark = dark
	s.Normal = fg(p.fg)
	s.Title = fg(p.accent).Bold(true)
	s.Subtle = fg(p.subtle)
	s.Faint = fg(p.faint)
	s.Accent = fg(p.accent).Bold(true)
	s.Key = fg(p.key).Bold(true)
	s.Match = fg(p.match).Bold(true).Underline(true)
	s.Link = fg(p.link).Underline(true)
	s.Good = fg(p.good)
	s.Warn = fg(p.warn)
	s.Bad = fg(p.bad)
	s.Cause = fg(p.bad).Bold(true)
	s.Fix = fg(p.good).Bold(true)
	s.Spinner = fg(p.accent)
	s.Header = fg(p.subtle).Bold(true)
	s.Row = fg(p.fg)
	s.Selected = lipgloss.NewStyle().Foreground(p.selFg).Background(p.selBg).Bold(true)
	s.Panel = s.Panel.BorderForeground(p.faint)
	s.ErrorPanel = s.ErrorPanel.BorderForeground(p.bad)
	s.Banner = lipgloss.NewStyle().Foreground(p.demoFg).Background(p.bad).Bold(true).Padding(0, 1)
	s.Input = fg(p.accent)
	s.StatusBar = lipgloss.NewStyle().Foreground(p.barFg).Background(p.barBg)
	s.StatusLabel = lipgloss.NewStyle().Foreground(p.subtle).Background(p.barBg)
	s.StatusDemo = lipgloss.NewStyle().Foreground(p.demoFg).Background(p.demoBg).Bold(true).Padding(0, 1)
	s.StatusWarn = lipgloss.NewStyle().Foreground(p.demoFg).Background(p.bad).Bold(true).Padding(0, 1)
	s.StatusMsg = lipgloss.NewStyle().Foreground(p.accent).Background(p.barBg).Padding(0, 1)
	s.JSONKey = fg(p.jKey)
	s.JSONString = fg(p.jStr)
	s.JSONNumber = fg(p.jNum)
	s.JSONBool = fg(p.jBool)
	s.JSONNull = fg(p.jNull).Italic(true)
	s.JSONPunct = fg(p.jPunct)
	s.Help = help.DefaultStyles(dark)
	return s
}

// NoColorStyles is the colourless variant: for NO_COLOR and for golden View snapshots.
// Meaning that colour carries elsewhere is kept by attributes (bold, reverse) and by text
// markers (the row cursor, "locked" labels), so the screens stay usable without colour.
func NoColorStyles() *Styles {
	s := base()
	s.NoColor = true
	s.Dark = true
	s.Title = lipgloss.NewStyle().Bold(true)
	s.Accent = lipgloss.NewStyle().Bold(true)
	s.Key = lipgloss.NewStyle().Bold(true)
	s.Match = lipgloss.NewStyle().Underline(true)
	s.Link = lipgloss.NewStyle().Underline(true)
	s.Cause = lipgloss.NewStyle().Bold(true)
	s.Fix = lipgloss.NewStyle().Bold(true)
	s.Header = lipgloss.NewStyle().Bold(true)
	s.Selected = lipgloss.NewStyle().Reverse(true)
	s.Banner = lipgloss.NewStyle().Reverse(true).Bold(true).Padding(0, 1)
	s.StatusBar = lipgloss.NewStyle().Reverse(true)
	s.StatusLabel = lipgloss.NewStyle().Reverse(true)
	s.StatusDemo = lipgloss.NewStyle().Bold(true).Padding(0, 1)
	s.StatusWarn = lipgloss.NewStyle().Bold(true).Padding(0, 1)
	s.StatusMsg = lipgloss.NewStyle().Reverse(true).Padding(0, 1)
	plain := lipgloss.NewStyle()
	s.Help = help.Styles{
		Ellipsis: plain, ShortKey: plain.Bold(true), ShortDesc: plain, ShortSeparator: plain,
		FullKey: plain.Bold(true), FullDesc: plain, FullSeparator: plain,
	}
	return s
}

// base sets what both variants share: unstyled text and the frame shapes.
func base() *Styles {
	plain := lipgloss.NewStyle()
	return &Styles{
		Normal: plain, Title: plain, Subtle: plain, Faint: plain, Accent: plain, Key: plain,
		Match: plain, Link: plain, Good: plain, Warn: plain, Bad: plain, Cause: plain, Fix: plain,
		Spinner: plain, Header: plain, Row: plain, Selected: plain,
		Cursor: "▌ ", NoCursor: "  ",
		Panel:      lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		ErrorPanel: lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1),
		Banner:     plain, Input: plain,
		StatusBar: plain, StatusLabel: plain, StatusDemo: plain, StatusWarn: plain, StatusMsg: plain,
		JSONKey: plain, JSONString: plain, JSONNumber: plain, JSONBool: plain, JSONNull: plain, JSONPunct: plain,
	}
}
