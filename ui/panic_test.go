package ui

import (
	"strings"
	"testing"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// crashingScreen is a deliberately broken screen: a bug the root must contain.
type crashingScreen struct {
	*NoticeScreen
	onKey, onView bool
}

func (s *crashingScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	if _, ok := msg.(tea.KeyPressMsg); ok && s.onKey {
		var rows []string
		_ = rows[s.cursorFor(msg)] // index out of range: a typical bug
	}
	return s, nil
}

// cursorFor stands for the screen's cursor bookkeeping that went wrong.
func (s *crashingScreen) cursorFor(tea.Msg) int { return 3 }

func (s *crashingScreen) View() string {
	if s.onView {
		panic("view exploded \x1b[2J")
	}
	return s.NoticeScreen.View()
}

func TestScreenPanicsLandInTheErrorPanel(t *testing.T) {
	app := newTestApp(t, Options{Start: func(c *Common) Screen { return startNotice(c) }})
	d := newDriver(t, app, 100, 30)
	bad := &crashingScreen{NoticeScreen: NewNoticeScreen(app.Common(), "Crashy", nil, nil), onKey: true}
	d.send(PushMsg{bad})
	d.press("x")
	if app.Err() == nil || !strings.Contains(app.Err().Error(), `"Crashy" screen`) {
		t.Fatalf("the panic should be in the error panel, got %v", app.Err())
	}
	scr := d.screen()
	if !strings.Contains(scr, "Cause:") || !strings.Contains(scr, "Fix:") {
		t.Errorf("the panic should be explained:\n%s", scr)
	}
	d.press("esc") // dismiss
	d.press("esc") // back
	if app.Top() == Screen(bad) {
		t.Fatal("esc should still leave the broken screen")
	}

	bad2 := &crashingScreen{NoticeScreen: NewNoticeScreen(app.Common(), "Undrawable", nil, nil), onView: true}
	d.send(PushMsg{bad2})
	frame := app.Render()
	if strings.Contains(frame, "\x1b[2J") {
		t.Fatal("a panic value reached the terminal raw")
	}
	if !strings.Contains(d.screen(), "This screen could not be drawn") || !strings.Contains(d.screen(), "Press esc to go back") {
		t.Errorf("a View panic should draw a notice:\n%s", d.screen())
	}
}

// helplessScreen's help is broken: the root builds the help screen from it itself, outside
// the screen's Update.
type helplessScreen struct{ *NoticeScreen }

func (s *helplessScreen) FullHelp() [][]key.Binding {
	var groups [][]key.Binding
	return groups[:1] // slice bounds out of range: a bug in the screen, met by the root
}

func TestRootPanicsLandInTheErrorPanel(t *testing.T) {
	app := newTestApp(t, Options{Start: func(c *Common) Screen {
		return &helplessScreen{NewNoticeScreen(c, "Helpless", nil, nil)}
	}})
	d := newDriver(t, app, 100, 30)
	if m, _ := app.Update(keyMsg("?")); m != tea.Model(app) {
		t.Fatalf("Update answered the model %v after the panic, want the app", m)
	}
	if app.Err() == nil || !strings.Contains(app.Err().Error(), `"Helpless" screen`) {
		t.Fatalf("the panic should be in the error panel, got %v", app.Err())
	}
	d.press("esc")
	if app.Err() != nil || app.Top() == nil {
		t.Fatalf("esc should dismiss the panel and keep the screen: err %v, top %T", app.Err(), app.Top())
	}
}
