package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"

	"fhirscope/ui/records"
	"fhirscope/ui/termsafe"
)

// Copying and saving. Both touch the outside world, so both run in commands and report back
// with a message; Update only records the outcome for the footer.

// copyResult is how a copy went. The OSC 52 copy is always sent too (unless the text is
// too big for it): over SSH the system clipboard is the remote machine's, or missing, and
// OSC 52 is what reaches the user's terminal.
type copyResult struct {
	what  string
	n     int
	err   error // system clipboard failure (OSC 52 was still sent, unless noOSC)
	noOSC bool  // too big for OSC 52: only the system clipboard was tried
}

// clipboardCmd copies text by OSC 52 and to the system clipboard, in commands; reply turns
// the outcome into the message the screen wants.
func clipboardCmd(what, text string, reply func(copyResult) tea.Msg) tea.Cmd {
	system := func() tea.Msg {
		err := clipboard.WriteAll(text)
		return reply(copyResult{what: what, n: len([]rune(text)), err: err, noOSC: len(text) > osc52Max})
	}
	if len(text) > osc52Max {
		// Terminals drop (or choke on) OSC 52 payloads this big: system clipboard only.
		return system
	}
	return tea.Batch(tea.SetClipboard(text), system)
}

// osc52Max is the largest copy sent by OSC 52; terminals cap the sequence (xterm and tmux
// at around 100 KB of base64) and a bigger one can stall the terminal.
const osc52Max = 74 << 10

// describe says where the copy went, and whether that is a failure.
func (r copyResult) describe() (text string, bad bool) {
	size := plural(r.n, "character", "characters")
	if r.noOSC {
		if r.err != nil {
			return fmt.Sprintf("could not copy the %s (%s): too big for OSC 52 and no system clipboard (%s); press s to save it instead",
				r.what, size, termsafe.String(firstLine(r.err.Error()))), true
		}
		return fmt.Sprintf("copied %s (%s) to the system clipboard (too big for OSC 52)", r.what, size), false
	}
	if r.err != nil {
		why := termsafe.String(firstLine(r.err.Error()))
		if strings.Contains(why, "No clipboard utilities") {
			why = "no xclip, xsel or wl-copy installed"
		}
		return fmt.Sprintf("copied %s (%s) by OSC 52 only; system clipboard: %s", r.what, size, why), false
	}
	return fmt.Sprintf("copied %s (%s) to the system clipboard and by OSC 52", r.what, size), false
}

// inspectorCopiedMsg reports a copy made in the inspector.
type inspectorCopiedMsg struct {
	screen *InspectorScreen
	copyResult
}

// copy puts text on the system clipboard and sends it by OSC 52.
func (s *InspectorScreen) copy(what, text string) tea.Cmd {
	if text == "" {
		s.setStatus("the cursor is on the whole resource: there is no path to copy", true)
		return nil
	}
	s.setStatus("copying "+what+"…", false)
	return clipboardCmd(what, text, func(r copyResult) tea.Msg { return inspectorCopiedMsg{screen: s, copyResult: r} })
}

func (s *InspectorScreen) onCopied(msg inspectorCopiedMsg) {
	if msg.screen != s {
		return
	}
	s.setStatus(msg.describe())
}

// inspectorSavedMsg reports a save: done, refused because the file exists, or failed.
type inspectorSavedMsg struct {
	screen *InspectorScreen
	path   string
	n      int
	exists bool
	err    error
}

// defaultSavePath is ./Type-id.json, with anything odd in the id replaced so the name is
// a plain file name in the current directory.
func defaultSavePath(data []byte) string {
	typ, id := records.TypeAndID(data)
	name := strings.Trim(typ+"-"+id, "-")
	if name == "" {
		name = "resource"
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.', r == '_':
			return r
		}
		return '_'
	}, name)
	return "./" + name + ".json"
}

// saveCmd writes the resource, pretty-printed, to path. Without overwrite an existing file
// is never touched: the reply says it exists and the user is asked. Files are created 0600:
// they hold patient data.
func saveCmd(s *InspectorScreen, path string, data []byte, overwrite bool) tea.Cmd {
	return func() tea.Msg {
		p := expandHome(path)
		var out bytes.Buffer
		if json.Indent(&out, data, "", "  ") != nil {
			out.Reset()
			out.Write(data)
		}
		out.WriteByte('\n')
		if overwrite {
			err := replaceFile(p, out.Bytes())
			return inspectorSavedMsg{screen: s, path: path, n: out.Len(), err: err}
		}
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			return inspectorSavedMsg{screen: s, path: path, exists: true}
		}
		if err != nil {
			return inspectorSavedMsg{screen: s, path: path, err: err}
		}
		_, err = f.Write(out.Bytes())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return inspectorSavedMsg{screen: s, path: path, n: out.Len(), err: err}
	}
}

// replaceFile writes data to a new file beside path and renames it over path. Never
// truncating in place matters: the file being replaced may be the one `fhirscope open` has
// mapped into memory, whose pages would vanish under the results table; a rename leaves the
// mapped inode intact. It also means a failed write never leaves half a file.
func replaceFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fhirscope-save-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func (s *InspectorScreen) onSaved(msg inspectorSavedMsg) tea.Cmd {
	if msg.screen != s {
		return nil
	}
	path := termsafe.String(msg.path)
	switch {
	case msg.exists:
		s.confirmPath = msg.path
		s.prompt = promptOverwrite
		s.setStatus(path+" exists: overwrite it? y/n", true)
	case msg.err != nil:
		s.setStatus("could not save: "+termsafe.String(msg.err.Error()), true)
	default:
		s.setStatus(fmt.Sprintf("saved %s to %s", humanBytes(int64(msg.n)), path), false)
	}
	return nil
}

// expandHome turns a leading ~/ into the home directory, as a shell would.
func expandHome(p string) string {
	if strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[2:])
		}
	}
	return p
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
