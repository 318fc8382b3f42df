package ui

import (
	"fmt"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

// ScreenPanicError is a screen's Update or View that panicked. The root model recovers it
// and shows it in the error panel, so a bug costs one screen, not the session (and the
// terminal is never left in raw mode).
type ScreenPanicError struct {
	Screen string // the screen's title
	Value  any
}

func newScreenPanic(s Screen, r any) *ScreenPanicError {
	title := "?"
	func() {
		if s == nil {
			return
		}
		defer func() { _ = recover() }() // the title itself may be what panics
		title = s.Title()
	}()
	return &ScreenPanicError{Screen: title, Value: r}
}

func (e *ScreenPanicError) Error() string {
	return fmt.Sprintf("internal error in the %q screen: %v", e.Screen, e.Value)
}

// Explain says what happened and what to do; the stack is not shown (it helps nobody on
// screen), but the message names the screen and the value for a bug report.
func (e *ScreenPanicError) Explain() fhirclient.Explanation {
	return fhirclient.Explanation{
		Cause: fmt.Sprintf("fhirscope hit a bug in the %q screen (%v). Nothing was sent or changed because of it.", e.Screen, e.Value),
		Fix:   "Press esc, then go back and try again. Please report it with the steps that led here (fhirscope --trace FILE records the requests).",
	}
}

// safeView renders s, turning a panic into a short notice in its place.
func safeView(s Screen) (view string) {
	defer func() {
		if r := recover(); r != nil {
			view = "This screen could not be drawn: " + termsafe.String(newScreenPanic(s, r).Error()) + "\n\nPress esc to go back."
		}
	}()
	return s.View()
}
