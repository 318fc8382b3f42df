package ui

import (
	"testing"

	"fhirscope/fhirclient/fhirtest"
)

// Golden snapshots of the overview (colours off, the clock fixed for the age): loaded at
// 80x24 and 120x40, scrolled to the cursor on a narrow screen, and with sections locked and
// failing; 200x60 in two columns. go test ./ui -run Golden -update rewrites them.
func TestOverviewGolden(t *testing.T) {
	d, pid := overviewFixture(t)
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} { // 200x60: two columns
		w, h := size[0], size[1]
		name := "overview_" + strconv2(w, h)
		t.Run(name, func(t *testing.T) {
			env := newBrowseEnv(t, fhirtest.Options{Data: d}, nil, w, h)
			s := openOverview(t, env, pid)
			golden(t, name, plainView(s))
			for range 24 {
				browsePress(t, s, "down")
			}
			golden(t, name+"_scrolled", plainView(s))
		})
	}
}

func TestOverviewGoldenLockedAndFailed(t *testing.T) {
	d, pid := overviewFixture(t)
	var scopes []string
	for _, sc := range allReadScopes(t, d) {
		if sc != "system/Condition.read" && sc != "system/MedicationRequest.read" {
			scopes = append(scopes, sc)
		}
	}
	faults := fhirtest.FaultConfig{Rules: []fhirtest.FaultRule{{PathPrefix: "/apis/default/fhir/Observation", Kind: fhirtest.FaultStatus, Status: 500}}}
	env := newBrowseEnv(t, fhirtest.Options{Data: d, Faults: faults}, scopes, 120, 40)
	s := openOverview(t, env, pid)
	golden(t, "overview_locked_failed_120x40", plainView(s))
}
