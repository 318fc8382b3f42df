package ui

import (
	"errors"

	tea "charm.land/bubbletea/v2"
)

// OpenType builds the screen that searches resource type typ (the search results screen,
// results.go). The types screen, the palette's "Go to type" and later screens all go through
// it. results.go assigns it in an init func, so this file compiles before results.go exists.
var OpenType func(c *Common, typ string) Screen

// openTypeCmd pushes OpenType's screen, or says why it cannot.
func openTypeCmd(c *Common, typ string) tea.Cmd {
	if OpenType == nil {
		return ShowError(errors.New("this build has no search results screen"))
	}
	return Push(OpenType(c, typ))
}

// OpenOverview builds the patient overview for a Patient id (the demo helper's screen; its
// file assigns this in an init func). While it is nil the `o` key is disabled and hidden.
var OpenOverview func(c *Common, patientID string) Screen
