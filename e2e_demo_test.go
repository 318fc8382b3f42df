package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `fhirscope --demo --patients 100000` end to end in a real terminal (tmux 120x40, helpers in
// e2e_test.go): it connects with no input at all (sandbox, ephemeral key, registration, the
// admin's enable step), lists patients from the lazily generated 100,000, opens a patient's
// overview with o, inspects one of its vitals, quits with q, and leaves no file in HOME, the
// config dir, TMPDIR or the working directory.
func TestE2EDemoOverview(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin := fhirscopeBinary(t)
	home, tmp, work := t.TempDir(), t.TempDir(), t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "TMPDIR=" + tmp,
		"XDG_DATA_HOME=" + filepath.Join(home, ".local/share"), "TERM=xterm-256color", "NO_COLOR="}
	tm := startTmux(t, 120, 40, work, env, fmt.Sprintf("%q --demo --patients 100000; echo \"fhirscope exited with $?\"; sleep 60", bin))

	scr := tm.waitFor("connect", "Connected with profile demo", "100000 patients")
	for _, want := range []string{"✓ Register the client", "✓ Enable the client", "Admin > System > API Clients", "DEMO: synthetic data"} {
		if !strings.Contains(scr, want) {
			t.Errorf("connect screen lacks %q:\n%s", want, scr)
		}
	}
	tm.keys("Enter")
	tm.waitFor("types", "Resource types", "Patient")
	tm.keys("/")
	tm.text("Patient")
	tm.keys("Enter")
	scr = tm.waitFor("patients", "Name", "MRN", "page 1")
	if len(rowIDs(scr)) == 0 {
		t.Fatalf("no patient rows:\n%s", scr)
	}

	tm.keys("o")
	scr = tm.waitFor("overview", "Patient overview", "MRN MRN-", "Vitals · ", "mmHg", "Conditions · ", "Medications · ")
	if strings.Contains(scr, "error:") || strings.Contains(scr, "locked:") {
		t.Errorf("a demo overview section failed:\n%s", scr)
	}

	tm.keys("Down", "Down", "Enter") // the Vitals title, then its first item
	tm.waitFor("vital in the inspector", `"resourceType": "Observation"`, `"vital-signs"`)
	tm.keys("Escape")
	tm.waitFor("back to the overview", "Patient overview", "Vitals · ")

	tm.keys("q")
	tm.waitFor("quit", "fhirscope exited with 0")
	for _, dir := range []string{home, tmp, work} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			t.Errorf("--demo left %s in %s", e.Name(), dir)
		}
	}
}
