package ui

import (
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"

	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

func (w *WizardScreen) View() string {
	st := w.c.Styles
	width := max(20, w.w-4)
	head := []string{truncate(st.Title.Render("Set up a profile")+st.Subtle.Render(" · "+w.progress()), w.w), ""}
	var foot []string
	switch {
	case w.confirm:
		foot = append(foot, "", st.Warn.Render("Leave the setup? Nothing has been saved.")+" "+st.Key.Render(w.c.Keys.Confirm.Help().Key)+" leave · any other key stays")
	case w.lastError != "":
		foot = append(foot, "")
		foot = append(foot, wizWrapStyled(st.Bad, w.lastError, width)...)
	}
	room := max(3, w.h-len(head)-len(foot))
	var body []string
	switch w.step {
	case wsName, wsBase, wsClientID:
		body = w.fieldLines()
	case wsKey:
		body = w.keyLines()
	case wsJWKS:
		body = w.jwksLines()
	case wsScopes:
		body = w.scopeLines(room)
	case wsRegister:
		body = w.registerLines()
	case wsSummary:
		body = w.summaryLines()
	case wsDone:
		body = w.doneLines()
	}
	if w.followBottom() {
		w.body = len(body) // what needs the user's attention is at the end: keep it in view
	}
	w.body = max(0, min(w.body, len(body)-room))
	body = body[w.body:]
	if len(body) > room {
		body = append(body[:room-1], st.Faint.Render("  ↓ more (pgdn)"))
	}
	for i, l := range body {
		body[i] = truncate(" "+l, w.w)
	}
	lines := append(head, body...)
	if len(foot) > 0 {
		for len(lines) < w.h-len(foot) {
			lines = append(lines, "")
		}
		lines = append(lines, foot...)
	}
	return strings.Join(lines, "\n")
}

// followBottom reports whether the step's body ends in what the user acts on now (a path
// being typed, an error, a running save), so the view scrolls to its end.
func (w *WizardScreen) followBottom() bool {
	switch w.step {
	case wsJWKS:
		return w.jwks.editing || w.jwks.saving || w.jwks.saveErr != nil
	case wsSummary:
		return w.save.saving || w.save.err != nil
	case wsRegister:
		return w.reg.running || w.reg.err != nil
	}
	return false
}

// progress is "step 2 of 8: FHIR base URL" (the registration step counts only when offered).
func (w *WizardScreen) progress() string {
	total, n := 8, int(w.step)+1
	if !w.needsRegistration() {
		total--
		if w.step > wsRegister {
			n--
		}
	}
	if w.step == wsDone {
		return "saved"
	}
	return fmt.Sprintf("step %d of %d: %s", n, total, wizStepTitles[w.step])
}

func (w *WizardScreen) fieldLines() []string {
	st := w.c.Styles
	width := max(20, w.w-4)
	var intro string
	switch w.step {
	case wsName:
		intro = "Name the profile: it is how you choose this server and client later (fhirscope --profile NAME)."
	case wsBase:
		intro = "The server's FHIR base URL. For OpenEMR: https://HOST/apis/SITE/fhir (SITE is usually \"default\"). It is checked as you type."
	case wsClientID:
		intro = "The client ID, if the client is already registered with the server. Leave it empty and fhirscope offers to register the client after the key and scopes steps."
	}
	lines := wizWrap(intro, width)
	lines = append(lines, "", w.field().View())
	if msg := w.fieldError(); msg != "" {
		lines = append(lines, wizWrapStyled(st.Bad, "✗ "+msg, width)...)
	} else if v := strings.TrimSpace(w.field().Value()); v != "" && w.step != wsBase {
		lines = append(lines, st.Good.Render("✓"))
	}
	if w.step == wsBase {
		lines = append(lines, "")
		lines = append(lines, w.serverLines()...)
	}
	return lines
}

func (w *WizardScreen) summaryLines() []string {
	st, s := w.c.Styles, &w.save
	width := max(20, w.w-4)
	p := w.profile()
	var lines []string
	row := func(label, value string) {
		for i, l := range strings.Split(wrapText(value, max(10, width-12)), "\n") {
			if i == 0 {
				lines = append(lines, st.Subtle.Render(fmt.Sprintf("%-12s", label))+l)
			} else {
				lines = append(lines, strings.Repeat(" ", 12)+l)
			}
		}
	}
	clientID := termsafe.String(p.ClientID)
	switch {
	case p.ClientID == "":
		clientID = st.Warn.Render("none yet: register the client, then fhirscope profile set " + termsafe.String(p.Name) + " --client-id ID")
	case w.reg.clientID != "":
		clientID += st.Subtle.Render(" (registered just now; an admin must enable it)")
	}
	server := "not checked"
	if r := w.disc.result; r != nil {
		server = termsafe.String(strings.TrimSpace(r.Software+" "+r.Version)) + st.Subtle.Render(" · token "+termsafe.String(r.TokenEndpoint))
	}
	key := "none"
	if k := w.keys.key; k != nil {
		key = keySummary(k) + st.Subtle.Render(" · "+termsafe.String(w.keys.from)+" · stored in the OS keyring")
	}
	row("Profile", st.Accent.Render(termsafe.String(p.Name)))
	row("FHIR base", termsafe.String(p.BaseURL))
	row("Server", server)
	row("Client ID", clientID)
	row("Key", key)
	row("Scopes", fmt.Sprintf("%d: %s", len(p.Scopes), termsafe.String(strings.Join(p.Scopes, " "))))
	if w.jwks.saved != "" {
		row("JWKS file", termsafe.String(w.jwks.saved))
	}
	lines = append(lines, "")
	switch {
	case s.saving:
		lines = append(lines, w.spin.View()+" saving (the OS keyring may ask to unlock)…")
	case s.noKeyring:
		lines = append(lines, wizWrapStyled(st.Bad, "✗ The OS keyring cannot be used, so the key was NOT saved and nothing was written.", width)...)
		why := s.err.Error()
		var ke *session.KeyringError
		if errors.As(s.err, &ke) && ke.Err != nil {
			why = "The keyring said: " + ke.Err.Error() // the rest of its message is the CLI's advice
		}
		lines = append(lines, wizWrapStyled(st.Subtle, termsafe.Text(why), width)...)
		lines = append(lines, "", "fhirscope never writes a private key to disk on its own. You can instead:")
		lines = append(lines, w.choiceLine(s.choice == 0, "Keep the key in a file", "you type the path; a new file, mode 0600, read at each use"),
			w.choiceLine(s.choice == 1, "Go back", "e.g. unlock or start the keyring, then save again"))
		if s.editing {
			lines = append(lines, "", "Path of the new private key file:", s.keyFile.View())
		}
	case s.err != nil:
		lines = append(lines, wizWrapStyled(st.Bad, "✗ Not saved: "+termsafe.Text(s.err.Error()), width)...)
		if s.editing {
			lines = append(lines, "", "Path of the new private key file:", s.keyFile.View())
		}
	default:
		lines = append(lines, strings.Split(wrapText("Nothing is written until you press "+st.Key.Render("enter")+
			": then the profile goes into the config file and the key and client ID into the OS keyring.", width), "\n")...)
	}
	return lines
}

func (w *WizardScreen) doneLines() []string {
	st, s := w.c.Styles, &w.save
	width := max(20, w.w-4)
	if s.saved == nil {
		return nil
	}
	p := *s.saved
	where := "the key and client ID are in the OS keyring"
	if p.KeyFile != "" {
		where = "the key is in " + termsafe.String(p.KeyFile) + " (mode 0600)"
	}
	lines := []string{st.Good.Render("✓ ") + "Saved profile " + st.Accent.Render(termsafe.String(p.Name)) + "; " + where + ".", ""}
	switch {
	case s.connectErr != nil:
		ex := Explain(s.connectErr)
		lines = append(lines, st.Bad.Render("✗ Could not open the new profile."))
		lines = append(lines, explanationLines(st, ex, width)...)
	case p.ClientID == "":
		lines = append(lines, wizWrap("Next: register the client with the server using the public JWKS (or run fhirscope register --profile "+termsafe.String(p.Name)+"), then set its client ID:", width)...)
		lines = append(lines, "  fhirscope profile set "+termsafe.String(p.Name)+" --client-id ID", "")
		lines = append(lines, wizWrapStyled(st.Warn, "Then an OpenEMR administrator enables the client under Admin > System > API Clients, and `fhirscope --profile "+termsafe.String(p.Name)+"` connects.", width)...)
		lines = append(lines, "", st.Subtle.Render("q quits · : opens the commands"))
	default:
		lines = append(lines, w.spin.View()+" connecting…")
	}
	return lines
}

// choiceLine is one entry of a list of choices, the chosen one marked.
func (w *WizardScreen) choiceLine(selected bool, title, detail string) string {
	st := w.c.Styles
	if detail != "" {
		detail = st.Subtle.Render("  " + detail)
	}
	if selected {
		return st.Cursor + st.Selected.Render(title) + detail
	}
	return st.NoCursor + title + detail
}

// wizWrap wraps plain text to width.
func wizWrap(s string, width int) []string { return strings.Split(wrapText(s, width), "\n") }

// wizWrapStyled wraps plain text to width and styles each line.
func wizWrapStyled(style lipgloss.Style, s string, width int) []string {
	lines := wizWrap(s, width)
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

func (w *WizardScreen) ShortHelp() []key.Binding {
	k := w.c.Keys
	next := withHelp(k.Accept, "next")
	back := withHelp(k.Back, "back")
	switch w.step {
	case wsKey:
		return w.keys.help(k)
	case wsJWKS:
		if w.jwks.editing {
			return []key.Binding{withHelp(k.Accept, "save"), withHelp(k.Back, "cancel")}
		}
		return []key.Binding{next, withHelp(k.Save, "save JWKS to a file"), back}
	case wsScopes:
		if w.scopes.filtering {
			return []key.Binding{withHelp(k.Accept, "keep filter"), withHelp(k.Back, "clear filter")}
		}
		return []key.Binding{withHelp(k.Toggle, "toggle"), k.Filter, next, back}
	case wsSummary:
		return []key.Binding{withHelp(k.Accept, "save the profile"), back, k.Quit}
	case wsDone:
		return []key.Binding{k.Palette, k.Quit}
	}
	return []key.Binding{next, withHelp(k.Prev, "back"), withHelp(k.ForceQuit, "quit")}
}

func (w *WizardScreen) FullHelp() [][]key.Binding {
	k := w.c.Keys
	return [][]key.Binding{
		{withHelp(k.Accept, "next step / choose"), withHelp(k.Next, "next step"), withHelp(k.Prev, "previous step"),
			withHelp(k.Back, "close / previous step / leave")},
		{withHelp(k.Toggle, "toggle a scope"), withHelp(k.Filter, "filter scopes"), withHelp(k.Save, "save the public JWKS"),
			k.Up, k.Down, k.PageUp, k.PageDown},
	}
}
