package ui

import (
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"
)

// ConnectMsg starts over with a connection: the stack is replaced by its connect screen.
// The profile picker and the setup wizard send it once they have a Connection.
type ConnectMsg struct{ Conn *Connection }

// OpenProfileMsg asks the root to load a stored profile (Options.OpenProfile, in a tea.Cmd)
// and connect with it; a failure lands in the error panel.
type OpenProfileMsg struct{ Name string }

// Connect returns a command that sends ConnectMsg.
func Connect(conn *Connection) tea.Cmd { return func() tea.Msg { return ConnectMsg{conn} } }

// OpenProfile returns a command that sends OpenProfileMsg.
func OpenProfile(name string) tea.Cmd { return func() tea.Msg { return OpenProfileMsg{name} } }

// profileFailedMsg is an OpenProfileMsg that failed.
type profileFailedMsg struct {
	name string
	err  error
}

// handleAppMsg handles the root's connection messages; ok is false for other messages.
func (a *App) handleAppMsg(msg tea.Msg) (cmd tea.Cmd, ok bool) {
	switch msg := msg.(type) {
	case ConnectMsg:
		if msg.Conn == nil {
			return nil, true
		}
		a.conn = msg.Conn
		// What the last connection brought goes with it: its token, capabilities and a
		// TLS warning the command line did not ask for (NewConnectScreen sets the new one's).
		a.c.Token, a.c.Caps, a.c.Insecure = nil, nil, a.opts.Insecure
		if msg.Conn.Profile != "" {
			a.c.Profile = msg.Conn.Profile
		}
		return Reset(NewConnectScreen(a.c, msg.Conn)), true
	case OpenProfileMsg:
		if a.opts.OpenProfile == nil {
			return ShowError(fmt.Errorf("profiles cannot be opened here")), true
		}
		open, ctx, name := a.opts.OpenProfile, a.c.Ctx, msg.Name
		return tea.Sequence(Status("opening profile "+name+"…"), func() tea.Msg {
			conn, err := open(ctx, name)
			if err != nil {
				return profileFailedMsg{name, fmt.Errorf("profile %q: %w", name, err)}
			}
			return ConnectMsg{conn}
		}), true
	case profileFailedMsg:
		a.err = msg.err
		// The "Opening profile…" notice would otherwise promise progress forever.
		if n, ok := a.Top().(*NoticeScreen); ok && n.opening == msg.name {
			n.opening = ""
			n.title = "Could not open profile " + msg.name
			n.body = []string{"The error panel says why and what to do.", "",
				"Press : and choose \"Switch profile\" to open another, or q to quit."}
		}
		return nil, true
	}
	return nil, false
}

// paletteCommands are the palette's built-in commands for the current state, plus those
// other screens registered. The profile list is read from disk, so it comes in a tea.Cmd.
func (a *App) paletteCommands() ([]Command, tea.Cmd) {
	c := a.c
	under := a.Top() // Help is for this screen, not for the palette that will be on top when it runs
	var cmds []Command
	if a.conn != nil {
		conn := *a.conn
		conn.Prepare = nil // the demo's sandbox and key are already in place
		conn.Fresh = true
		cmds = append(cmds, Command{Group: "Connection", Title: "Reconnect", Hint: "discovery again, new token",
			Run: func() tea.Cmd { return Connect(&conn) }})
	}
	cmds = append(cmds,
		Command{Group: "App", Title: "Show request log", Hint: "L", Run: func() tea.Cmd { return Push(NewRequestLogScreen(c)) }},
		Command{Group: "App", Title: "Help", Hint: "?", Run: func() tea.Cmd { return Push(NewHelpScreen(c, under)) }},
	)
	cmds = append(cmds, registeredCommands(c)...)
	cmds = append(cmds, Command{Group: "App", Title: "Quit", Hint: "q", Run: func() tea.Cmd { return tea.Quit }})
	// Types last: there can be dozens, and the commands above are what an empty query is for.
	if c.Caps != nil {
		for _, r := range c.Caps.Resources {
			typ := r.Type
			hint := ""
			if TypeAccess(c.Token, typ) == AccessLocked {
				hint = "locked"
			}
			cmds = append(cmds, Command{Group: goToTypeGroup, Title: typ, Hint: hint,
				Run: func() tea.Cmd { return openTypeCmd(c, typ) }})
		}
	}

	var more tea.Cmd
	if a.opts.Profiles != nil && a.opts.OpenProfile != nil {
		list, current := a.opts.Profiles, c.Profile
		more = func() tea.Msg {
			names, err := list()
			if err != nil {
				return morePaletteMsg{[]Command{{Group: "Profile", Title: "profiles unavailable", Hint: Explain(err).Cause}}}
			}
			slices.Sort(names)
			var out []Command
			for _, n := range names {
				hint := ""
				if n == current {
					hint = "current"
				}
				out = append(out, Command{Group: "Switch profile", Title: n, Hint: hint, Run: func() tea.Cmd { return OpenProfile(n) }})
			}
			return morePaletteMsg{out}
		}
	}
	return cmds, more
}

// ResumableScreen is a screen that wants to know when it is on top again (after the screen
// above it was popped): it re-arms its polling ticks, refreshes what may have changed.
type ResumableScreen interface {
	Resume() tea.Cmd
}
