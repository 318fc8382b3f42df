package ui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient/fhirtest"
)

// A list with nothing in it (no profile, a filter matching nothing) takes every movement
// key and enter without a panic: the cursor never goes to -1. The palette's enter is run
// by the root itself, where a panic took the whole program down.
func TestEmptyListsTakeMovementKeys(t *testing.T) {
	t.Run("palette", func(t *testing.T) {
		app := newTestApp(t, Options{Start: startNotice})
		d := newDriver(t, app, 100, 30)
		d.press(":")
		d.typeText("no such command")
		d.press("down", "up", "down", "enter")
		if _, ok := app.Top().(*PaletteScreen); ok || app.Err() != nil {
			t.Fatalf("enter on an empty palette should just close it: top %T, err %v", app.Top(), app.Err())
		}
	})
	t.Run("picker", func(t *testing.T) {
		e := pickerEnv(t, 100, 30)
		for _, k := range []string{"down", "enter", "down", "d", "G", "pgdown", "enter", "/", "down", "enter", "down", "enter"} {
			e.d.press(k)
			if err := e.app.Err(); err != nil { // a screen's panic lands in the error panel
				t.Fatalf("the empty picker, after %s: %v", k, err)
			}
		}
	})
	t.Run("scopes", func(t *testing.T) {
		srv := newSandbox(t, fhirtest.Options{Patients: 1})
		e := newWizardEnv(t, 100, 30, false)
		e.toBase("clinic")
		e.toKey(srv, "")
		e.pasteTestKey()
		e.toScopes()
		e.d.press("/")
		e.d.typeText("no such scope")
		for _, k := range []string{"down", "enter", "down", "space", "G", "pgdown", "space"} {
			e.d.press(k)
			if err := e.app.Err(); err != nil {
				t.Fatalf("the scope list filtered to nothing, after %s: %v", k, err)
			}
		}
	})
}

// The palette moves with the arrows, ctrl+j/ctrl+k and tab/shift+tab: every letter is text.
func TestPaletteChoiceKeys(t *testing.T) {
	app := newTestApp(t, Options{Start: startNotice})
	d := newDriver(t, app, 100, 30)
	d.press(":")
	p := app.Top().(*PaletteScreen)
	for _, step := range []struct {
		key  tea.KeyPressMsg
		want int
	}{{keyMsg("ctrl+j"), 1}, {keyMsg("down"), 2}, {keyMsg("ctrl+k"), 1}, {keyMsg("tab"), 2}, {shiftTab, 1}, {keyMsg("up"), 0}, {keyMsg("j"), 0}} {
		d.send(step.key)
		if p.cursor != step.want {
			t.Fatalf("after %s the cursor is %d, want %d", step.key, p.cursor, step.want)
		}
	}
}
