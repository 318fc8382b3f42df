package ui

import (
	"strings"

	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

// keyLines render the key step.
func (w *WizardScreen) keyLines() []string {
	st, k := w.c.Styles, &w.keys
	width := max(20, w.w-4)
	var lines []string
	switch k.mode {
	case keyChoose:
		lines = append(lines, wizWrap("The private key signs the client's assertions (private_key_jwt). It goes into the OS keyring when you save; its public half (JWKS) is what the server gets.", width)...)
		lines = append(lines, "")
		for i, s := range keySources {
			lines = append(lines, w.choiceLine(i == k.choice, s.title, s.detail))
		}
		if k.key != nil {
			lines = append(lines, "", st.Good.Render("✓ ")+"Current key: "+keySummary(k.key)+st.Subtle.Render(" · "+termsafe.String(k.from)),
				st.Subtle.Render("  tab keeps it; choosing above replaces it."))
		}
	case keyFromFile:
		lines = append(lines, "Path of the private key file:", k.path.View())
		lines = append(lines, w.keyStatus()...)
		focus := "tab: browse files below"
		if k.pickerFocus {
			focus = "enter opens a directory or chooses the file · ←/h parent · tab: type a path"
		}
		lines = append(lines, st.Faint.Render(truncate(termsafe.String(k.picker.CurrentDirectory), width)+"  ·  "+focus))
		lines = append(lines, strings.Split(strings.TrimRight(k.picker.View(), "\n"), "\n")...)
	case keyFromPaste:
		lines = append(lines, "Paste the private key (PEM or JWK); it is checked as you paste:")
		lines = append(lines, strings.Split(k.paste.View(), "\n")...)
		lines = append(lines, w.keyStatus()...)
		if k.parsed != nil {
			lines = append(lines, st.Good.Render("✓ ")+keySummary(k.parsed)+st.Subtle.Render(" · "+termsafe.String(k.parsed.Format)+" · press tab to use it"))
			if warn := k.parsed.Warning(); warn != "" {
				lines = append(lines, wizWrapStyled(st.Warn, "! "+warn, width)...)
			}
		}
	case keyGenerate:
		lines = append(lines, "Which key should fhirscope generate?", "")
		for i, c := range keyChoices {
			lines = append(lines, w.choiceLine(i == k.genChoice, c.title, ""))
		}
		if keyChoices[k.genChoice].alg == session.AlgES384 {
			lines = append(lines, "")
			lines = append(lines, wizWrapStyled(st.Warn, "! OpenEMR accepts only RS384 client assertions: it will refuse an EC key. Choose EC only for other SMART servers.", width)...)
		}
		lines = append(lines, "")
		lines = append(lines, w.keyStatus()...)
	}
	return lines
}

// keyStatus is the running spinner or the error of the key step's last attempt.
func (w *WizardScreen) keyStatus() []string {
	st, k := w.c.Styles, &w.keys
	switch {
	case k.generating:
		return []string{w.spin.View() + " " + st.Subtle.Render("Generating "+keyChoices[k.genChoice].title[:strings.Index(keyChoices[k.genChoice].title, " ·")]+"… (esc cancels)")}
	case k.loading && k.mode == keyFromFile:
		return []string{w.spin.View() + " " + st.Subtle.Render("reading the key file…")}
	case k.err != nil:
		return wizWrapStyled(st.Bad, "✗ "+termsafe.Text(k.err.Error()), max(20, w.w-4))
	}
	return nil
}

// keySummary describes a key in one line: "RSA 2048-bit · kid 3f9a…".
func keySummary(k *session.Key) string { return k.Type() + " · kid " + shortKID(k.KeyID) }

// shortKID is a key id cut to 16 cells and an ellipsis, sanitised (a JWK's kid is anything
// its author wrote; cutting by cells never splits a character).
func shortKID(kid string) string { return truncate(termsafe.String(kid), 17) }
