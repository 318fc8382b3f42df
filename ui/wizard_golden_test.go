package ui

import (
	"fmt"
	"testing"

	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// The wizard's main steps and the picker, colours off, at 80x24 and 120x40.
func TestWizardGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		w, h := size[0], size[1]
		srv := newSandbox(t, fhirtest.Options{Patients: 1})
		e := newWizardEnv(t, w, h, false)
		shot := func(step string) {
			t.Helper()
			golden(t, fmt.Sprintf("wizard_%s_%dx%d", step, w, h), normalize(e.d.screen(), srv))
		}
		e.d.until("names", func() bool { return e.wiz().loaded })
		e.d.typeText("clinic")
		shot("name")
		e.d.press("enter")
		e.d.typeText(srv.URL() + "/apis/default")
		e.waitScreen("Try ")
		shot("base_wrong")
		e.d.typeText("/fhir")
		e.waitScreen("✓ OpenEMR")
		shot("base")
		e.d.press("enter")
		e.waitStep(wsClientID)
		e.d.press("enter")
		e.waitStep(wsKey)
		shot("key")
		e.wiz().keys.choice = 2
		e.d.press("enter", "down", "down")
		shot("keygen_ec")
		e.d.press("esc")
		e.pasteTestKey()
		shot("jwks")
		e.toScopes()
		shot("scopes")
		e.d.press("enter")
		e.waitStep(wsRegister)
		shot("register")
		e.d.press("down", "enter")
		e.waitStep(wsSummary)
		shot("summary")
	}
}

func TestPickerGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}} {
		e := pickerEnv(t, size[0], size[1],
			session.Profile{Name: "clinic", BaseURL: "https://emr.example.org/apis/default/fhir", ClientID: "abc", KeyFile: "/home/me/keys/clinic.pem"},
			session.Profile{Name: "staging", BaseURL: "https://staging.example.org/openemr/apis/default/fhir"},
			session.Profile{Name: "sandbox", BaseURL: "http://127.0.0.1:8300/apis/default/fhir", ClientID: "xyz"},
		)
		golden(t, fmt.Sprintf("picker_%dx%d", size[0], size[1]), e.d.screen())
	}
}
