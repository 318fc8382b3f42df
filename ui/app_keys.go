package ui

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// The root's keys: what it handles itself before (or instead of) the screen on top.

func (a *App) key(k tea.KeyPressMsg) tea.Cmd {
	keys := a.c.Keys
	if key.Matches(k, keys.ForceQuit) {
		return tea.Quit
	}
	armed := a.quitArmed
	a.quitArmed = false // any key but a second q disarms
	if a.err != nil {
		switch {
		case key.Matches(k, keys.Dismiss):
			a.err = nil
		case key.Matches(k, keys.Quit):
			return tea.Quit
		case key.Matches(k, keys.RequestLog):
			a.err = nil
			return a.push(NewRequestLogScreen(a.c))
		}
		return nil
	}
	top := a.Top()
	if p, ok := top.(*PaletteScreen); ok {
		// Closed here, synchronously, so keys typed right after enter or esc reach the
		// screen below instead of a palette about to close.
		switch {
		case key.Matches(k, keys.Cancel):
			return a.pop()
		case key.Matches(k, keys.Accept):
			run := p.Chosen()
			return tea.Batch(a.pop(), run)
		}
	}
	if ts, ok := top.(TextInputScreen); ok && ts.Capturing() {
		return a.forward(k)
	}
	switch {
	case key.Matches(k, keys.Quit):
		if work := a.unsavedWork(); work != "" && !armed {
			a.quitArmed = true
			return a.setStatus(work + " · q again quits, any other key stays")
		}
		return tea.Quit
	case key.Matches(k, keys.Back):
		if cs, ok := top.(CancellableScreen); ok && cs.Busy() {
			cs.Cancel()
			return a.setStatus("request cancelled")
		}
		if ss, ok := top.(StepScreen); ok && ss.StepBack() {
			return a.forward(k) // the wizard goes back one step instead of closing
		}
		if len(a.stack) > 1 {
			return a.pop()
		}
		return a.forward(k)
	case key.Matches(k, keys.Scopes) && a.c.Client != nil:
		if ds, ok := top.(*DoctorScreen); ok && ds.Title() == scopesTitle {
			return nil
		}
		return a.push(NewScopesScreen(a.c))
	case key.Matches(k, keys.Help):
		if _, ok := top.(*HelpScreen); ok {
			return a.pop()
		}
		return a.push(NewHelpScreen(a.c, top))
	case key.Matches(k, keys.Palette):
		if _, ok := top.(*PaletteScreen); ok {
			return nil
		}
		cmds, more := a.paletteCommands()
		return a.push(NewPaletteScreen(a.c, cmds, more))
	case key.Matches(k, keys.RequestLog):
		if _, ok := top.(*RequestLogScreen); ok {
			return nil
		}
		return a.push(NewRequestLogScreen(a.c))
	}
	return a.forward(k)
}

// wheel turns the mouse wheel into three up/down presses for the top screen, so every
// scrolling screen supports it without handling mouse messages itself.
func (a *App) wheel(m tea.MouseWheelMsg) tea.Cmd {
	var code rune
	switch m.Button {
	case tea.MouseWheelUp:
		code = tea.KeyUp
	case tea.MouseWheelDown:
		code = tea.KeyDown
	default:
		return nil
	}
	var cmds []tea.Cmd
	for range 3 {
		cmds = append(cmds, a.forward(tea.KeyPressMsg{Code: code}))
	}
	return tea.Batch(cmds...)
}

// unsavedWork is what quitting now would lose, from the first screen on the stack that has
// any (the setup wizard before Save); "" when nothing.
func (a *App) unsavedWork() string {
	for i := len(a.stack) - 1; i >= 0; i-- {
		if g, ok := a.stack[i].(UnsavedScreen); ok {
			if w := g.UnsavedWork(); w != "" {
				return w
			}
		}
	}
	return ""
}
