package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
)

// HelpScreen is the full help for the screen below it, built from that screen's FullHelp()
// and the global bindings, so it can never disagree with what the keys do. Columns wrap to
// the width and the whole thing scrolls when it is taller than the terminal.
type HelpScreen struct {
	c      *Common
	of     string
	groups [][]key.Binding
	lines  []string
	offset int
	w, h   int
}

// NewHelpScreen builds the help for screen (which may be nil: global keys only).
func NewHelpScreen(c *Common, screen Screen) *HelpScreen {
	h := &HelpScreen{c: c}
	if screen != nil {
		h.of = screen.Title()
		h.groups = append(h.groups, screen.FullHelp()...)
	}
	h.groups = append(h.groups, c.Keys.GlobalHelp())
	h.SetSize(c.Width, c.Height)
	return h
}

func (h *HelpScreen) Init() tea.Cmd { return nil }

func (h *HelpScreen) Title() string { return "Help" }

func (h *HelpScreen) ShortHelp() []key.Binding {
	return []key.Binding{h.c.Keys.Back, h.c.Keys.Up, h.c.Keys.Down}
}

func (h *HelpScreen) FullHelp() [][]key.Binding { return [][]key.Binding{h.ShortHelp()} }

func (h *HelpScreen) SetSize(w, height int) {
	h.w, h.h = w, height
	h.lines = strings.Split(h.layout(w), "\n")
	h.clamp()
}

func (h *HelpScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		keys := h.c.Keys
		switch {
		case key.Matches(k, keys.Help):
			return h, Pop()
		case key.Matches(k, keys.Down):
			h.offset++
		case key.Matches(k, keys.Up):
			h.offset--
		case key.Matches(k, keys.PageDown):
			h.offset += h.body()
		case key.Matches(k, keys.PageUp):
			h.offset -= h.body()
		case key.Matches(k, keys.Top):
			h.offset = 0
		case key.Matches(k, keys.Bottom):
			h.offset = len(h.lines)
		}
		h.clamp()
	}
	return h, nil
}

func (h *HelpScreen) body() int { return max(1, h.h-2) }

func (h *HelpScreen) clamp() {
	h.offset = min(h.offset, len(h.lines)-h.body())
	h.offset = max(h.offset, 0)
}

func (h *HelpScreen) View() string {
	s := h.c.Styles
	title := "Keys"
	if h.of != "" {
		title += ": " + h.of
	}
	end := min(len(h.lines), h.offset+h.body())
	var b strings.Builder
	b.WriteString(s.Title.Render(title) + "\n\n")
	b.WriteString(strings.Join(h.lines[h.offset:end], "\n"))
	return b.String()
}

// layout renders the groups as columns of "key  description", side by side while they fit
// in width, wrapping to a new band of columns when they do not.
func (h *HelpScreen) layout(width int) string {
	s := h.c.Styles
	var blocks []string
	// A binding the screen lists is not repeated: the same key and text anywhere, nor (in
	// the global group, last) a key the screen already explains in its own words.
	seen := map[string]bool{}
	seenKey := map[string]bool{}
	skip := func(b key.Binding, global bool) bool {
		hp := b.Help()
		return !b.Enabled() || hp.Key == "" || seen[hp.Key+"\x00"+hp.Desc] || (global && seenKey[hp.Key])
	}
	for gi, g := range h.groups {
		global := gi == len(h.groups)-1
		keyW := 0
		for _, b := range g {
			if !skip(b, global) {
				keyW = max(keyW, lipgloss.Width(b.Help().Key))
			}
		}
		var rows []string
		for _, b := range g {
			if skip(b, global) {
				continue
			}
			hp := b.Help()
			seen[hp.Key+"\x00"+hp.Desc] = true
			if !global {
				seenKey[hp.Key] = true
			}
			pad := strings.Repeat(" ", keyW-lipgloss.Width(hp.Key))
			rows = append(rows, s.Key.Render(hp.Key)+pad+"  "+s.Subtle.Render(hp.Desc))
		}
		if len(rows) > 0 {
			blocks = append(blocks, strings.Join(rows, "\n"))
		}
	}
	const gap = 4
	var bands []string
	var band []string
	used := 0
	for _, blk := range blocks {
		w := lipgloss.Width(blk)
		if len(band) > 0 && used+gap+w > width {
			bands = append(bands, lipgloss.JoinHorizontal(lipgloss.Top, band...))
			band, used = nil, 0
		}
		if len(band) > 0 {
			band = append(band, strings.Repeat(" ", gap))
			used += gap
		}
		band = append(band, blk)
		used += w
	}
	if len(band) > 0 {
		bands = append(bands, lipgloss.JoinHorizontal(lipgloss.Top, band...))
	}
	return strings.Join(bands, "\n\n")
}
