package ui

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/filepicker"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textarea"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/session"
)

// keyMode is where the key step gets the private key from.
type keyMode int

const (
	keyChoose keyMode = iota
	keyFromFile
	keyFromPaste
	keyGenerate
)

var keySources = []struct{ title, detail string }{
	{"Load it from a file", "PEM (PKCS#8, PKCS#1, SEC1) or JWK"},
	{"Paste a PEM or JWK", "e.g. from a password manager"},
	{"Generate a new key", "made here, then its public JWKS registered"},
}

// keyChoices are the keys the wizard generates, first the one OpenEMR expects.
var keyChoices = []struct {
	title, alg string
	bits       int
}{
	{"RSA 2048 (RS384) · recommended, what OpenEMR expects", session.AlgRS384, 2048},
	{"RSA 3072 (RS384) · bigger, slower to generate", session.AlgRS384, 3072},
	{"EC P-384 (ES384) · NOT accepted by OpenEMR", session.AlgES384, 0},
}

// maxKeyFile bounds what is read as a key file (a key is a few KB; a wrong pick could be GBs).
const maxKeyFile = 1 << 20

// wizKeyStep is the key step's state.
type wizKeyStep struct {
	mode        keyMode
	choice      int // cursor in keySources
	genChoice   int // cursor in keyChoices
	path        textinput.Model
	picker      filepicker.Model
	pickerFocus bool
	paste       textarea.Model
	load        ReqID // reading a file or parsing the paste
	loading     bool
	gen         ReqID
	generating  bool
	parsed      *session.Key // the paste, parsed as typed; taken with tab
	err         error        // why the file, paste or generation gave no key
	key         *session.Key // the key the profile will use
	from        string       // where it came from, for the summary
}

// wizKeyLoadedMsg is a key read from a file, parsed from the paste, or generated.
type wizKeyLoadedMsg struct {
	id   uint64
	mode keyMode
	key  *session.Key
	from string
	err  error
}

func (k *wizKeyStep) init(c *Common) {
	k.path = wizInput(c, "~/keys/fhirscope.pem")
	k.path.CharLimit = 4096
	k.picker = newKeyPicker(c)
	k.paste = newPasteArea(c)
}

// typing reports whether keys go into a text field (the path or the paste).
func (k *wizKeyStep) typing() bool {
	return (k.mode == keyFromFile && !k.pickerFocus) || k.mode == keyFromPaste
}

// closeMode goes back to the list of sources, dropping pasted text (it is a private key).
func (k *wizKeyStep) closeMode() {
	k.load.Cancel()
	k.gen.Cancel()
	k.loading, k.generating, k.err, k.parsed = false, false, nil, nil
	k.paste.Reset()
	k.paste.Blur()
	k.path.Blur()
	k.mode = keyChoose
}

func (w *WizardScreen) keyStepKey(m tea.KeyPressMsg) tea.Cmd {
	k, keys := &w.keys, w.c.Keys
	switch k.mode {
	case keyChoose:
		switch {
		case key.Matches(m, keys.Up):
			k.choice = max(0, k.choice-1)
		case key.Matches(m, keys.Down):
			k.choice = min(len(keySources)-1, k.choice+1)
		case key.Matches(m, keys.Accept):
			return w.openKeyMode(keyMode(k.choice + 1))
		case key.Matches(m, keys.Next):
			if k.key == nil {
				w.lastError = "Choose where the private key comes from first."
				return nil
			}
			w.goTo(wsJWKS)
		}
		return nil
	case keyFromFile:
		if key.Matches(m, keys.Next) {
			k.pickerFocus = !k.pickerFocus
			if k.pickerFocus {
				k.path.Blur()
			} else {
				k.path.Focus()
			}
			return nil
		}
		if k.pickerFocus {
			var cmd tea.Cmd
			k.picker, cmd = k.picker.Update(m)
			if ok, path := k.picker.DidSelectFile(m); ok {
				k.path.SetValue(path)
				return tea.Batch(cmd, w.loadKeyFile(path))
			}
			return cmd
		}
		return w.pathKey(&k.path, m, "Type the key file's path, or press tab to browse.", w.loadKeyFile)
	case keyFromPaste:
		if key.Matches(m, keys.Next) {
			if k.parsed == nil {
				w.lastError = "Paste a private key that parses first (the line above says what is wrong)."
				return nil
			}
			w.takeKey(k.parsed, "pasted ("+k.parsed.Format+")")
			return nil
		}
		old := k.paste.Value()
		var cmd tea.Cmd
		k.paste, cmd = k.paste.Update(m)
		if k.paste.Value() != old {
			return tea.Batch(cmd, w.parsePaste())
		}
		return cmd
	case keyGenerate:
		switch {
		case key.Matches(m, keys.Up):
			k.genChoice = max(0, k.genChoice-1)
		case key.Matches(m, keys.Down):
			k.genChoice = min(len(keyChoices)-1, k.genChoice+1)
		case key.Matches(m, keys.Accept) && !k.generating:
			return w.generateKey()
		}
	}
	return nil
}

func (w *WizardScreen) keyPaste(p tea.PasteMsg) tea.Cmd {
	k := &w.keys
	switch {
	case k.mode == keyFromPaste:
		var cmd tea.Cmd
		k.paste, cmd = k.paste.Update(p)
		return tea.Batch(cmd, w.parsePaste())
	case k.mode == keyFromFile && !k.pickerFocus:
		var cmd tea.Cmd
		k.path, cmd = k.path.Update(p)
		return cmd
	}
	return nil
}

// openKeyMode shows one way of getting the key.
func (w *WizardScreen) openKeyMode(m keyMode) tea.Cmd {
	k := &w.keys
	k.mode, k.err, k.parsed = m, nil, nil
	switch m {
	case keyFromFile:
		k.pickerFocus = false
		k.path.Focus()
		return k.picker.Init()
	case keyFromPaste:
		return k.paste.Focus()
	}
	return nil
}

// loadKeyFile reads and parses the key file in a tea.Cmd.
func (w *WizardScreen) loadKeyFile(path string) tea.Cmd {
	k := &w.keys
	id, ctx := k.load.Start(w.c.Ctx)
	k.loading, k.err = true, nil
	return tea.Batch(w.startSpinner(), func() tea.Msg {
		key, abs, err := readKeyFile(ctx, path)
		return wizKeyLoadedMsg{id: id, mode: keyFromFile, key: key, from: "file " + abs, err: err}
	})
}

func readKeyFile(ctx context.Context, path string) (*session.Key, string, error) {
	p, err := session.ExpandPath(strings.TrimSpace(path))
	if err != nil {
		return nil, path, err
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, p, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, p, fmt.Errorf("%s is a directory, not a key file", p)
	}
	data, err := io.ReadAll(io.LimitReader(f, maxKeyFile+1))
	if err != nil {
		return nil, p, err
	}
	if len(data) > maxKeyFile {
		return nil, p, fmt.Errorf("%s is over 1 MB: not a private key file", p)
	}
	if err := ctx.Err(); err != nil {
		return nil, p, err
	}
	key, err := session.ParseKey(data)
	return key, p, err
}

// parsePaste parses the pasted text in a tea.Cmd (RSA validation of a big key takes a while).
func (w *WizardScreen) parsePaste() tea.Cmd {
	k := &w.keys
	text := k.paste.Value()
	id, _ := k.load.Start(w.c.Ctx)
	k.parsed, k.err = nil, nil
	if strings.TrimSpace(text) == "" {
		k.load.Done()
		return nil
	}
	k.loading = true
	return func() tea.Msg {
		key, err := session.ParseKey([]byte(text))
		return wizKeyLoadedMsg{id: id, mode: keyFromPaste, key: key, err: err}
	}
}

// generateKey makes the chosen key in a tea.Cmd, with a spinner: RSA takes seconds.
func (w *WizardScreen) generateKey() tea.Cmd {
	k := &w.keys
	choice := keyChoices[k.genChoice]
	id, ctx := k.gen.Start(w.c.Ctx)
	k.generating, k.err = true, nil
	return tea.Batch(w.startSpinner(), func() tea.Msg {
		key, err := session.GenerateKey(choice.alg, choice.bits)
		if ctx.Err() != nil {
			return nil // cancelled: nobody waits for this key
		}
		return wizKeyLoadedMsg{id: id, mode: keyGenerate, key: key, from: "generated here", err: err}
	})
}

func (w *WizardScreen) keyLoaded(msg wizKeyLoadedMsg) tea.Cmd {
	k := &w.keys
	req := &k.load
	if msg.mode == keyGenerate {
		req = &k.gen
	}
	if !req.Current(msg.id) || w.step != wsKey || k.mode != msg.mode {
		return nil // the user moved on, or typed more
	}
	req.Done()
	k.loading, k.generating = false, false
	if msg.err != nil {
		k.err = msg.err
		return nil
	}
	if msg.mode == keyFromPaste {
		k.parsed = msg.key
		return nil
	}
	w.takeKey(msg.key, msg.from)
	return nil
}

// takeKey makes key the profile's key and moves on to its public JWKS. A registration made
// with another key no longer fits, so it is forgotten.
func (w *WizardScreen) takeKey(key *session.Key, from string) {
	k := &w.keys
	if k.key == nil || k.key.KeyID != key.KeyID {
		w.reg.forget()
	}
	k.key, k.from = key, from
	w.jwks.setKey(key)
	k.closeMode()
	w.goTo(wsJWKS)
}

func (k *wizKeyStep) help(keys *KeyMap) []key.Binding {
	switch k.mode {
	case keyFromFile:
		if k.pickerFocus {
			return []key.Binding{withHelp(keys.Accept, "open / choose"), withHelp(keys.Next, "type a path"), withHelp(keys.Back, "back")}
		}
		return []key.Binding{withHelp(keys.Accept, "load"), withHelp(keys.Next, "browse files"), withHelp(keys.Back, "back")}
	case keyFromPaste:
		return []key.Binding{withHelp(keys.Next, "use this key"), withHelp(keys.Back, "back")}
	case keyGenerate:
		return []key.Binding{withHelp(keys.Accept, "generate"), keys.Up, keys.Down, withHelp(keys.Back, "back")}
	}
	return []key.Binding{withHelp(keys.Accept, "choose"), withHelp(keys.Next, "keep the current key"), withHelp(keys.Back, "back")}
}
