package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Bad flag combinations are refused before any terminal work, with a message that says why.
func TestTUIFlagsRefusedWithReason(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--demo", "--profile", "x"}, "do not go together"},
		{[]string{"--demo", "--demo-flavor", "openemr-9"}, "want one of openemr-7.0.4"},
		{[]string{"--demo", "--patients", "0"}, "--patients must be between 1 and 100000"},
		{[]string{"--demo", "--patients", "100001"}, "--patients must be between"},
		{[]string{"extra"}, `unknown command "extra"`},
		{[]string{"--no-such-flag"}, "flag provided but not defined"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		if code := run(c.args, &out, &errb); code != 2 {
			t.Errorf("%v: exit %d, want 2", c.args, code)
		}
		if !strings.Contains(errb.String(), c.want) {
			t.Errorf("%v: stderr %q lacks %q", c.args, errb.String(), c.want)
		}
	}
}

// --help-tui lists the flags and the keys, from the one KeyMap.
func TestHelpTUIListsFlagsAndKeys(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"--help-tui"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"-demo", "-demo-flavor", "-patients", "-ca-file", "-insecure", "-no-mouse", "-trace", "-profile",
		"Everywhere", "request log", "Search results", "next page", "Inspector", "history back"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("--help-tui lacks %q:\n%s", want, out.String())
		}
	}
}

// `fhirscope open` refuses a missing file or a missing argument before starting the UI.
func TestOpenRefusesBadArguments(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"open"}, &out, &errb); code != 2 || !strings.Contains(errb.String(), "Usage: fhirscope open") {
		t.Errorf("no file: exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	missing := filepath.Join(t.TempDir(), "nope.json")
	if code := run([]string{"open", missing}, &out, &errb); code != 1 || !strings.Contains(errb.String(), "nope.json") {
		t.Errorf("missing file: exit %d, stderr %q", code, errb.String())
	}
	errb.Reset()
	notJSON := filepath.Join(t.TempDir(), "page.html")
	if err := os.WriteFile(notJSON, []byte("<html><body>502 Bad Gateway</body></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"open", notJSON}, &out, &errb); code != 1 || errb.Len() == 0 {
		t.Errorf("HTML file: exit %d, stderr %q", code, errb.String())
	}
}

// `fhirscope open FILE` in a real terminal: an NDJSON export's rows, one opened in the
// inspector, back, quit.
func TestE2EOpenNDJSON(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin := fhirscopeBinary(t)
	dir := t.TempDir()
	var nd strings.Builder
	for i := range 30 {
		fmt.Fprintf(&nd, `{"resourceType":"Patient","id":"p%02d","name":[{"family":"Family%02d","given":["Given"]}],"gender":"female","birthDate":"19%02d-01-01"}`+"\n", i, i, 50+i)
	}
	file := filepath.Join(dir, "Patient.ndjson")
	if err := os.WriteFile(file, []byte(nd.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	tm := startTmux(t, 100, 30, dir, []string{"HOME=" + dir}, fmt.Sprintf("%q open %q; echo \"fhirscope exited with $?\"; sleep 60", bin, file))
	tm.waitFor("rows", "Family00, Given", "Family05, Given", "file Patient.ndjson")
	tm.keys("G") // last row
	tm.waitFor("last row", "Family29")
	tm.keys("Enter")
	tm.waitFor("inspector", `"id": "p29"`, "Patient/p29")
	tm.keys("Escape")
	tm.waitFor("back to rows", "Family29, Given", "row 30 of 30")
	tm.keys("q")
	tm.waitFor("quit", "fhirscope exited with 0")
}
