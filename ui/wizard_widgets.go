package ui

import (
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/filepicker"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// wizInput is a one-line text input in the app's styles, without a blinking cursor.
func wizInput(c *Common, placeholder string) textinput.Model {
	return newBrowseInput(c, "› ", placeholder)
}

// Restyle copies the light or dark styles into the wizard's widgets again.
func (w *WizardScreen) Restyle() {
	st := w.c.Styles
	for _, in := range w.inputs() {
		styleInput(in, st)
	}
	w.spin.Style = st.Spinner
	stylePasteArea(&w.keys.paste, st)
	styleKeyPicker(&w.keys.picker, st)
}

// pathKey is a key in one of the wizard's path fields: enter hands the path to submit (or
// says what is missing when it is empty); any other key edits the field.
func (w *WizardScreen) pathKey(in *textinput.Model, m tea.KeyPressMsg, missing string, submit func(path string) tea.Cmd) tea.Cmd {
	if key.Matches(m, w.c.Keys.Accept) {
		path := strings.TrimSpace(in.Value())
		if path == "" {
			w.lastError = missing
			return nil
		}
		return submit(path)
	}
	var cmd tea.Cmd
	*in, cmd = in.Update(m)
	return cmd
}

// newKeyPicker is the bubbles file picker for the key file, in the app's styles, with esc
// left to the wizard (it goes back) instead of meaning "parent directory".
func newKeyPicker(c *Common) filepicker.Model {
	fp := filepicker.New()
	if wd, err := filepath.Abs("."); err == nil {
		fp.CurrentDirectory = wd // shown above the list, so where it is must be clear
	}
	fp.AutoHeight = false
	fp.ShowPermissions = false
	fp.ShowHidden = true // keys often live in ~/.ssh-like dot directories
	fp.Cursor = "›"
	fp.KeyMap.Back = key.NewBinding(key.WithKeys("h", "backspace", "left"), key.WithHelp("←/h", "parent directory"))
	styleKeyPicker(&fp, c.Styles)
	return fp
}

// styleKeyPicker applies the app's styles to the file picker (again after light/dark).
func styleKeyPicker(fp *filepicker.Model, st *Styles) {
	fp.Styles.Cursor, fp.Styles.Selected, fp.Styles.Directory = st.Key, st.Accent, st.Link
	fp.Styles.File, fp.Styles.FileSize, fp.Styles.DisabledFile = st.Normal, st.Faint.Width(7).AlignHorizontal(1), st.Faint
	fp.Styles.Permission, fp.Styles.Symlink, fp.Styles.DisabledCursor, fp.Styles.DisabledSelected = st.Faint, st.Subtle, st.Faint, st.Faint
	fp.Styles.EmptyDirectory = st.Faint.PaddingLeft(2).SetString("(empty directory)")
}

// newPasteArea is the textarea a PEM or JWK is pasted into.
func newPasteArea(c *Common) textarea.Model {
	ta := textarea.New()
	ta.Placeholder = "paste the private key here: -----BEGIN PRIVATE KEY----- … or a JWK {\"kty\":\"RSA\",…}"
	ta.ShowLineNumbers = false
	ta.Prompt = "│ "
	ta.MaxHeight = 0
	ta.CharLimit = 64 << 10
	stylePasteArea(&ta, c.Styles)
	return ta
}

// stylePasteArea applies the app's styles to the paste area (again after light/dark).
func stylePasteArea(ta *textarea.Model, styles *Styles) {
	st := ta.Styles()
	st.Focused.Text, st.Focused.Placeholder, st.Focused.Prompt = styles.Normal, styles.Faint, styles.Faint
	st.Focused.CursorLine = styles.Normal
	st.Blurred = st.Focused
	st.Cursor.Blink = false
	ta.SetStyles(st)
}
