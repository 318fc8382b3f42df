package ui

import (
	"slices"
	"strings"
	"sync"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"fhirscope/ui/termsafe"
)

// goToTypeGroup is the group of the palette's per-type commands.
const goToTypeGroup = "Go to type"

// Command is one entry of the command palette.
type Command struct {
	Group string // "Go to type", "Profile", "App"...: shown dimmed before the title
	Title string
	Hint  string // shown dimmed after the title (a key, a detail)
	// Run returns what to do once the palette has closed. It is called in Update, so it
	// must not do I/O itself: return a tea.Cmd that does.
	Run func() tea.Cmd
}

// CommandSource adds palette commands; later screens (wizard, doctor, overview) register
// theirs with RegisterCommands from an init func in their own file.
type CommandSource func(c *Common) []Command

var (
	sourcesMu sync.Mutex
	sources   []CommandSource
)

// RegisterCommands adds a source of palette commands, consulted each time the palette opens.
func RegisterCommands(src CommandSource) {
	sourcesMu.Lock()
	defer sourcesMu.Unlock()
	sources = append(sources, src)
}

func registeredCommands(c *Common) []Command {
	sourcesMu.Lock()
	srcs := slices.Clone(sources)
	sourcesMu.Unlock()
	var out []Command
	for _, src := range srcs {
		out = append(out, src(c)...)
	}
	return out
}

// PaletteScreen is the `:` / ctrl+p command palette: a filter field over a list of commands,
// drawn as a box over the screen below it. Typing filters (every word must appear), up/down
// choose, enter runs, esc closes.
type PaletteScreen struct {
	c      *Common
	all    []Command
	shown  []int
	cursor int
	input  textinput.Model
	more   tea.Cmd // loads commands that need I/O (the profile list)
	w, h   int
}

// morePaletteMsg delivers commands that had to be loaded in a tea.Cmd.
type morePaletteMsg struct{ cmds []Command }

// NewPaletteScreen opens the palette over cmds; more, when not nil, is run by Init and
// answers with a morePaletteMsg.
func NewPaletteScreen(c *Common, cmds []Command, more tea.Cmd) *PaletteScreen {
	p := &PaletteScreen{c: c, all: cmds, more: more}
	p.input = newBrowseInput(c, ": ", "type a command or a resource type")
	p.input.CharLimit = 80
	p.input.Focus()
	p.filter()
	return p
}

func (p *PaletteScreen) Init() tea.Cmd { return p.more }

// Overlay marks the palette as drawn over the screen below.
func (p *PaletteScreen) Overlay() {}

// Capturing: every key but esc, enter and arrows is text here.
func (p *PaletteScreen) Capturing() bool { return true }

// Titles lists the commands currently shown, in order.
func (p *PaletteScreen) Titles() []string {
	out := make([]string, len(p.shown))
	for i, j := range p.shown {
		out[i] = p.all[j].Title
	}
	return out
}

// Chosen runs the selected command's Run and returns its tea.Cmd (nil when nothing is
// selected or the command needs nothing done).
func (p *PaletteScreen) Chosen() tea.Cmd {
	if p.cursor < 0 || p.cursor >= len(p.shown) {
		return nil
	}
	if run := p.all[p.shown[p.cursor]].Run; run != nil {
		return run()
	}
	return nil
}

func (p *PaletteScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case morePaletteMsg:
		// Before the long "Go to type" list, so they show without typing.
		at := len(p.all)
		for i, c := range p.all {
			if c.Group == goToTypeGroup {
				at = i
				break
			}
		}
		p.all = append(p.all[:at], append(slices.Clone(msg.cmds), p.all[at:]...)...)
		p.filter()
		return p, nil
	case tea.KeyPressMsg:
		keys := p.c.Keys
		switch {
		case key.Matches(msg, keys.Cancel):
			return p, Pop()
		case key.Matches(msg, keys.Accept):
			if run := p.Chosen(); run != nil {
				return p, tea.Sequence(Pop(), run)
			}
			return p, Pop()
		case key.Matches(msg, keys.ChoiceUp, keys.Prev):
			p.cursor = max(0, p.cursor-1)
			return p, nil
		case key.Matches(msg, keys.ChoiceDown, keys.Next):
			p.cursor = max(0, min(len(p.shown)-1, p.cursor+1)) // never -1 when nothing matches
			return p, nil
		}
		var cmd tea.Cmd
		p.input, cmd = p.input.Update(msg)
		p.filter()
		return p, cmd
	}
	return p, nil
}

// filter keeps commands whose "group title" contains every word typed, best first: titles
// starting with the query, then the rest in their original order.
func (p *PaletteScreen) filter() {
	words := strings.Fields(strings.ToLower(p.input.Value()))
	var first, rest []int
	for i, c := range p.all {
		hay := strings.ToLower(c.Group + " " + c.Title)
		ok := true
		for _, w := range words {
			if !strings.Contains(hay, w) {
				ok = false
				break
			}
		}
		if !ok {
			continue
		}
		if len(words) > 0 && strings.HasPrefix(strings.ToLower(c.Title), words[0]) {
			first = append(first, i)
		} else {
			rest = append(rest, i)
		}
	}
	p.shown = append(first, rest...)
	p.cursor = max(0, min(p.cursor, len(p.shown)-1))
}

func (p *PaletteScreen) SetSize(w, h int) {
	p.w, p.h = w, h
	p.input.SetWidth(max(10, p.boxWidth()-8))
}

func (p *PaletteScreen) boxWidth() int { return max(20, min(p.w-4, 72)) }

func (p *PaletteScreen) Title() string { return "Commands" }

func (p *PaletteScreen) ShortHelp() []key.Binding {
	k := p.c.Keys
	return []key.Binding{withHelp(k.Accept, "run"), withHelp(k.Cancel, "close")}
}

func (p *PaletteScreen) FullHelp() [][]key.Binding {
	k := p.c.Keys
	return [][]key.Binding{{withHelp(k.Accept, "run the command"), withHelp(k.Cancel, "close"),
		withHelp(k.ChoiceUp, "previous command"), withHelp(k.ChoiceDown, "next command")}}
}

func (p *PaletteScreen) View() string {
	st := p.c.Styles
	inner := p.boxWidth() - 4
	rows := max(3, min(12, p.h-6))
	var b strings.Builder
	b.WriteString(p.input.View() + "\n")
	b.WriteString(st.Faint.Render(strings.Repeat("─", inner)) + "\n")
	start := max(0, p.cursor-rows+1)
	end := min(len(p.shown), start+rows)
	for i := start; i < end; i++ {
		c := p.all[p.shown[i]]
		group := ""
		if c.Group != "" {
			group = termsafe.String(c.Group) + ": "
		}
		hint := ""
		if c.Hint != "" {
			hint = "  " + termsafe.String(c.Hint)
		}
		if i == p.cursor {
			line := truncate(group+termsafe.String(c.Title)+hint, inner-2)
			line += strings.Repeat(" ", max(0, inner-2-lipgloss.Width(line)))
			b.WriteString(st.Cursor + st.Selected.Render(line))
		} else {
			b.WriteString(truncate(st.NoCursor+st.Subtle.Render(group)+termsafe.String(c.Title)+st.Faint.Render(hint), inner))
		}
		if i < end-1 {
			b.WriteString("\n")
		}
	}
	if len(p.shown) == 0 {
		b.WriteString(st.Subtle.Render("  no matching command"))
	}
	for i := max(1, end-start); i < rows; i++ {
		b.WriteString("\n")
	}
	return st.Panel.Width(p.boxWidth()).Render(b.String())
}
