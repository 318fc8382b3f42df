package ui

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"fhirscope/fhirclient"
)

// The status bar is exactly one line of exactly the terminal's width, whatever it holds.
func TestStatusBarFitsEveryWidth(t *testing.T) {
	tok := &fhirclient.Token{ExpiresAt: fixedNow.Add(4*time.Minute + 7*time.Second)}
	infos := []statusInfo{
		{},
		{Profile: "clinic", Server: "https://emr.example.org/apis/default/fhir", Token: tok, Now: fixedNow, Title: "Patient", Position: "page 2 of 5 · offset"},
		{Demo: true, Insecure: true, Profile: strings.Repeat("p", 90), Server: "https://" + strings.Repeat("h", 200) + "/fhir",
			Token: tok, Now: fixedNow, Title: strings.Repeat("T", 80), Position: strings.Repeat("9", 50), Message: strings.Repeat("m", 120)},
		{Offline: "export\x1b]52;c;x\a.ndjson", Title: "file"},
	}
	for _, styles := range []*Styles{NoColorStyles(), NewStyles(true), NewStyles(false)} {
		for _, in := range infos {
			for w := 1; w <= 220; w++ {
				bar := renderStatusBar(styles, w, in)
				if strings.Contains(bar, "\n") || lipgloss.Width(bar) != w {
					t.Fatalf("width %d: status bar is %d wide (or wraps): %q", w, lipgloss.Width(bar), bar)
				}
				if strings.Contains(bar, "\x1b]52") || strings.Contains(bar, "\a") {
					t.Fatalf("width %d: raw control from a file name reached the bar", w)
				}
			}
		}
	}
}

func TestStatusBarKeepsTheImportantParts(t *testing.T) {
	tok := &fhirclient.Token{ExpiresAt: fixedNow.Add(4*time.Minute + 7*time.Second)}
	in := statusInfo{Demo: true, Profile: "demo", Server: "http://127.0.0.1:8300/apis/default/fhir", Token: tok, Now: fixedNow,
		Title: "Patient", Position: "page 2 · offset · 50/page"}
	wide := ansi.Strip(renderStatusBar(NoColorStyles(), 200, in))
	for _, want := range []string{"DEMO: synthetic data", "profile demo", "127.0.0.1:8300/apis/default/fhir", "token 4m07s", "page 2", "? help"} {
		if !strings.Contains(wide, want) {
			t.Errorf("200 wide lacks %q: %q", want, wide)
		}
	}
	narrow := ansi.Strip(renderStatusBar(NoColorStyles(), 80, in))
	for _, want := range []string{"DEMO: synthetic data", "token 4m07s", "page 2"} {
		if !strings.Contains(narrow, want) {
			t.Errorf("80 wide should keep %q: %q", want, narrow)
		}
	}
	if strings.Contains(narrow, "127.0.0.1") {
		t.Errorf("80 wide should drop the server first: %q", narrow)
	}
	expired := ansi.Strip(renderStatusBar(NoColorStyles(), 120, statusInfo{Token: tok, Now: fixedNow.Add(time.Hour)}))
	if !strings.Contains(expired, "token expired") {
		t.Errorf("an expired token should say so: %q", expired)
	}
}

func TestTypeAccessReadsScopeForms(t *testing.T) {
	cases := []struct {
		scope, typ string
		want       bool
	}{
		{"system/Patient.read", "Patient", true},
		{"system/Patient.rs", "Patient", true},
		{"system/Observation.rs?category=laboratory", "Observation", true},
		{"system/*.read", "Condition", true},
		{"patient/Patient.*", "Patient", true},
		{"user/Encounter.r", "Encounter", true},
		{"system/Patient.write", "Patient", false},
		{"system/Patient.cud", "Patient", false},
		{"system/Patient.$export", "Patient", false},
		{"system/*.$bulkdata-status", "Patient", false},
		{"system/Observation.read", "Patient", false},
		{"openid", "Patient", false},
		{"system/Patient.rsx", "Patient", false},
		{"launch/patient", "Patient", false},
	}
	for _, c := range cases {
		got := TypeAccess(&fhirclient.Token{Granted: []string{c.scope}}, c.typ) == AccessReadable
		if got != c.want {
			t.Errorf("%s for %s: readable %v, want %v", c.scope, c.typ, got, c.want)
		}
	}
	if TypeAccess(nil, "Patient") != AccessUnknown {
		t.Error("no token: access unknown")
	}
}

// Granted scopes come from the server: any string must be judged without a panic.
func FuzzTypeAccess(f *testing.F) {
	for _, s := range []string{"system/Patient.read", "system/Observation.rs?category=x", "a/b.c", "/.", ".", "system/.", "\x00/\xff.rs"} {
		f.Add(s, "Patient")
	}
	f.Fuzz(func(t *testing.T, scope, typ string) {
		TypeAccess(&fhirclient.Token{Granted: []string{scope}}, typ)
	})
}
