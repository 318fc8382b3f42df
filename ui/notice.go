package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"fhirscope/ui/termsafe"
)

// NoticeScreen is a page of text: the first-run notice when no profile exists, "opening
// profile…" while a profile loads. Init runs an optional command (loading the profile).
type NoticeScreen struct {
	c       *Common
	title   string
	body    []string
	init    tea.Cmd
	opening string // the profile being opened, when this is the "Opening profile" notice
	offset  int
	w, h    int
}

// NewNoticeScreen shows title and body (plain text, wrapped to the width); init may be nil.
func NewNoticeScreen(c *Common, title string, body []string, init tea.Cmd) *NoticeScreen {
	return &NoticeScreen{c: c, title: title, body: body, init: init}
}

// NewOpeningProfileScreen shows that a profile is loading and asks the root to open it.
func NewOpeningProfileScreen(c *Common, name string) *NoticeScreen {
	n := NewNoticeScreen(c, "Opening profile "+name, []string{"Reading the profile and its credentials (the OS keyring may ask to unlock)…"}, OpenProfile(name))
	n.opening = name
	return n
}

func (n *NoticeScreen) Init() tea.Cmd { return n.init }

func (n *NoticeScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, n.c.Keys.Down):
			n.offset = min(n.offset+1, n.maxOffset()) // no presses lost below the end
		case key.Matches(k, n.c.Keys.Up):
			n.offset = max(0, n.offset-1)
		}
	}
	return n, nil
}

func (n *NoticeScreen) SetSize(w, h int) { n.w, n.h = w, h }

func (n *NoticeScreen) Title() string { return n.title }

func (n *NoticeScreen) ShortHelp() []key.Binding {
	return []key.Binding{n.c.Keys.Quit}
}

func (n *NoticeScreen) FullHelp() [][]key.Binding {
	return [][]key.Binding{{n.c.Keys.Up, n.c.Keys.Down}}
}

func (n *NoticeScreen) View() string {
	return strings.Join(n.lines()[min(n.offset, n.maxOffset()):], "\n")
}

// maxOffset is the scroll offset that shows the last line at the bottom.
func (n *NoticeScreen) maxOffset() int { return max(0, len(n.lines())-n.h) }

// lines are the title and the body wrapped to the width, each body line keeping its indent.
func (n *NoticeScreen) lines() []string {
	st := n.c.Styles
	lines := []string{st.Title.Render(termsafe.String(n.title)), ""}
	for _, l := range n.body {
		indent := len(l) - len(strings.TrimLeft(l, " "))
		for _, w := range strings.Split(wrapText(termsafe.String(strings.TrimLeft(l, " ")), max(10, n.w-indent)), "\n") {
			lines = append(lines, strings.Repeat(" ", indent)+w)
		}
	}
	return lines
}
