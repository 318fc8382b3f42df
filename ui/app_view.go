package ui

import tea "charm.land/bubbletea/v2"

func (a *App) View() tea.View {
	var v tea.View
	v.AltScreen = true
	if !a.opts.NoMouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	if a.width <= 0 || a.height <= 0 {
		return v
	}
	v.SetContent(a.Render())
	v.WindowTitle = "fhirscope"
	if top := a.Top(); top != nil && top.Title() != "" {
		v.WindowTitle = "fhirscope · " + top.Title()
	}
	return v
}

// Render is the whole frame as a string (the golden tests compare it).
func (a *App) Render() string {
	c := a.c
	var body string
	top := a.Top()
	if top != nil {
		body = fit(safeView(top), c.Width, c.Height)
		if _, ok := top.(overlayScreen); ok && len(a.stack) > 1 {
			under := fit(safeView(a.stack[len(a.stack)-2]), c.Width, c.Height)
			body = overlay(under, safeView(top), c.Width, c.Height)
		}
	} else {
		body = fit("", c.Width, c.Height)
	}
	if a.err != nil {
		body = overlay(body, renderErrorPanel(c, a.err, c.Width, c.Height), c.Width, c.Height)
	}
	info := statusInfo{
		Profile: c.Profile, Demo: c.Demo, Insecure: c.Insecure, Offline: a.opts.Offline,
		Token: c.Token, Minting: a.minting, Now: a.c.Now(), Message: a.status,
	}
	if c.Client != nil {
		info.Server = c.Client.BaseURL()
		// The client re-mints on its own when a request finds the token near expiry.
		if t := c.Client.CurrentToken(); t != nil {
			info.Token = t
		}
	}
	if top != nil {
		info.Title = top.Title()
		if ps, ok := top.(PositionScreen); ok {
			info.Position = ps.Position()
		}
	}
	out := ""
	if c.Insecure {
		out = fit(c.Styles.Banner.Width(a.width).Render(truncate(
			"⚠ TLS certificate verification is OFF (--insecure): anyone on the network can read this session.", max(1, a.width-2))), a.width, 1) + "\n"
	}
	return out + body + "\n" + renderStatusBar(c.Styles, a.width, info)
}
