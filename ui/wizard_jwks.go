package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

// wizJWKSStep shows the key's public JWKS and saves it to a file on request.
type wizJWKSStep struct {
	raw     []byte // compact public JWKS, as registered
	pretty  string
	err     error
	path    textinput.Model
	editing bool
	req     ReqID
	saving  bool
	saved   string // where it was saved
	saveErr error
}

type wizJWKSSavedMsg struct {
	id   uint64
	path string
	err  error
}

// setKey computes the public JWKS of k and checks it holds no private member.
func (j *wizJWKSStep) setKey(k *session.Key) {
	j.raw, j.pretty, j.err, j.saved, j.saveErr, j.editing = nil, "", nil, "", nil, false
	raw, err := k.PublicJWKS()
	if err == nil {
		var set *session.JWKS
		if set, err = session.InspectJWKS(raw); err == nil && len(set.PrivateMembers()) > 0 {
			err = fmt.Errorf("the public JWKS would carry private members %v; refusing to show or register it", set.PrivateMembers())
		}
	}
	if err != nil {
		j.err = err
		return
	}
	var pretty, compact bytes.Buffer
	if err := json.Indent(&pretty, raw, "", "  "); err != nil {
		j.err = err
		return
	}
	if err := json.Compact(&compact, raw); err != nil {
		j.err = err
		return
	}
	j.raw, j.pretty = compact.Bytes(), pretty.String()
}

func (w *WizardScreen) jwksKey(m tea.KeyPressMsg) tea.Cmd {
	j, keys := &w.jwks, w.c.Keys
	if j.editing {
		return w.pathKey(&j.path, m, "Type the path of the new file.", w.saveJWKS)
	}
	switch {
	case key.Matches(m, keys.Save) && j.raw != nil:
		j.editing, j.saveErr = true, nil
		if j.path.Value() == "" {
			j.path.SetValue(strings.TrimSpace(w.name.Value()) + "-jwks.json")
		}
		j.path.CursorEnd()
		return j.path.Focus()
	case key.Matches(m, keys.Accept), key.Matches(m, keys.Next):
		if j.raw == nil {
			w.lastError = "This key has no usable public JWKS: go back and choose another key."
			return nil
		}
		w.goTo(wsScopes)
	case key.Matches(m, keys.Down):
		w.body++
	case key.Matches(m, keys.Up):
		w.body = max(0, w.body-1)
	}
	return nil
}

// saveJWKS writes the public JWKS to a new file in a tea.Cmd; an existing file is never
// replaced (the user types another name).
func (w *WizardScreen) saveJWKS(path string) tea.Cmd {
	j := &w.jwks
	id, ctx := j.req.Start(w.c.Ctx)
	j.saving, j.saveErr = true, nil
	data := []byte(j.pretty + "\n")
	return func() tea.Msg {
		p, err := writeNewFile(ctx, path, data, 0o644)
		return wizJWKSSavedMsg{id: id, path: p, err: err}
	}
}

// writeNewFile creates path (~ expanded, made absolute) with data; it fails if the file
// exists, saying so.
func writeNewFile(ctx context.Context, path string, data []byte, mode os.FileMode) (string, error) {
	p, err := session.ExpandPath(strings.TrimSpace(path))
	if err != nil {
		return path, err
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if err := ctx.Err(); err != nil {
		return p, err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if errors.Is(err, fs.ErrExist) {
		return p, fmt.Errorf("%s already exists; fhirscope never overwrites a file: type another path", p)
	}
	if err != nil {
		return p, err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(p)
	}
	return p, err
}

func (w *WizardScreen) jwksSaved(msg wizJWKSSavedMsg) tea.Cmd {
	j := &w.jwks
	if !j.req.Current(msg.id) {
		return nil
	}
	j.req.Done()
	j.saving = false
	if msg.err != nil {
		j.saveErr = msg.err
		return nil
	}
	j.saved, j.editing = msg.path, false
	j.path.Blur()
	return nil
}

// jwksLines render the JWKS step: the key, its public JWKS, what to do with it in OpenEMR.
func (w *WizardScreen) jwksLines() []string {
	st, j, k := w.c.Styles, &w.jwks, w.keys.key
	width := max(20, w.w-4)
	var lines []string
	if k != nil {
		lines = append(lines, st.Good.Render("✓ ")+"Private key: "+keySummary(k)+st.Subtle.Render(" · "+termsafe.String(w.keys.from)))
		if warn := k.Warning(); warn != "" {
			lines = append(lines, wizWrapStyled(st.Warn, "! "+warn, width)...)
		}
	}
	if j.err != nil {
		return append(lines, wizWrapStyled(st.Bad, "✗ "+termsafe.Text(j.err.Error()), width)...)
	}
	lines = append(lines, "", st.Title.Render("Public key set (JWKS)")+st.Subtle.Render(" · public half only: no d, p, q, dp, dq, qi"))
	// Compact, so the key and what to do with it fit on one screen; the saved file is pretty.
	for _, part := range strings.Split(breakLong(termsafe.String(string(j.raw)), width-2), "\n") {
		lines = append(lines, "  "+st.Accent.Render(part))
	}
	lines = append(lines, "")
	lines = append(lines, wizWrap("What OpenEMR needs: the client registered with this JWKS (fhirscope can register it for you in a later step, or paste it into the registration yourself), then an administrator enables the client under Admin > System > API Clients. Until then every token request fails with invalid_client.", width)...)
	switch {
	case j.editing:
		lines = append(lines, "", "Save the public JWKS to (a new file; an existing one is never replaced):", j.path.View())
	case j.saved != "":
		lines = append(lines, "", st.Good.Render("✓ ")+"JWKS saved to "+termsafe.String(j.saved))
	}
	if j.saving {
		lines = append(lines, w.spin.View()+" saving…")
	}
	if j.saveErr != nil {
		lines = append(lines, wizWrapStyled(st.Bad, "✗ "+termsafe.Text(j.saveErr.Error()), width)...)
	}
	return lines
}

// breakLong cuts a line without spaces (a base64 modulus) into width-sized pieces.
func breakLong(s string, width int) string {
	if width < 10 || len(s) <= width {
		return s
	}
	var b strings.Builder
	r := []rune(s)
	for len(r) > width {
		b.WriteString(string(r[:width]) + "\n")
		r = r[width:]
	}
	b.WriteString(string(r))
	return b.String()
}
