package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The end-to-end test drives the BUILT binary in a real terminal: tmux at 120x40, keys sent
// with send-keys, the screen read back with capture-pane. It walks the explorer as a user
// would on `fhirscope --demo` and checks what the screen shows at every step, polling the
// pane until the expected text appears (never a fixed sleep alone).

// fhirscopeBinary returns $FHIRSCOPE_BIN (set by .ci/run) or builds the binary.
func fhirscopeBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("FHIRSCOPE_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	bin := filepath.Join(t.TempDir(), "fhirscope")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// tmuxTerm is one tmux server (its own socket, so it never touches the user's) with one
// session running a command.
type tmuxTerm struct {
	t      *testing.T
	socket string
}

func startTmux(t *testing.T, w, h int, dir string, env []string, command string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("SKIPPED: tmux is not installed; the end-to-end terminal test needs it (.ci/run installs it)")
	}
	tm := &tmuxTerm{t: t, socket: fmt.Sprintf("fhirscope-e2e-%d-%d", os.Getpid(), time.Now().UnixNano())}
	args := []string{"new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), "-c", dir}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, command)
	tm.run(args...)
	// kill-server leaves the socket file behind (tmux 3.3a): remove it too.
	sock := ""
	t.Cleanup(func() {
		_ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run()
		if sock != "" {
			_ = os.Remove(sock)
		}
	})
	sock = strings.TrimSpace(tm.run("display-message", "-p", "#{socket_path}"))
	return tm
}

func (tm *tmuxTerm) run(args ...string) string {
	tm.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", tm.socket}, args...)...).CombinedOutput()
	if err != nil {
		tm.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names (Enter, Escape, C-c, or plain characters).
func (tm *tmuxTerm) keys(keys ...string) {
	tm.t.Helper()
	tm.run(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
}

// text types s literally.
func (tm *tmuxTerm) text(s string) {
	tm.t.Helper()
	tm.run("send-keys", "-t", "e2e", "-l", s)
}

func (tm *tmuxTerm) screen() string {
	tm.t.Helper()
	return tm.run("capture-pane", "-p", "-t", "e2e")
}

// e2eTimeout bounds each wait for the screen: generous, because CI runs these next to
// `go test -race ./...` on two shared cores, where a step of milliseconds can take seconds.
const e2eTimeout = 30 * time.Second

// waitFor polls the pane until every want is on screen, and returns the screen.
func (tm *tmuxTerm) waitFor(step string, want ...string) string {
	tm.t.Helper()
	deadline := time.Now().Add(e2eTimeout)
	for {
		scr := tm.screen()
		missing := ""
		for _, w := range want {
			if !strings.Contains(scr, w) {
				missing = w
				break
			}
		}
		if missing == "" {
			return scr
		}
		if time.Now().After(deadline) {
			tm.t.Fatalf("step %q: %q never showed up; screen:\n%s", step, missing, scr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestE2EDemoWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin := fhirscopeBinary(t)
	home := t.TempDir()
	work := t.TempDir()
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"XDG_DATA_HOME=" + filepath.Join(home, ".local/share"), "NO_COLOR="}
	// The shell line reports the exit status, and keeps the pane open to read it.
	tm := startTmux(t, 120, 40, work, env, fmt.Sprintf("%q --demo --patients 120; echo \"fhirscope exited with $?\"; sleep 60", bin))

	scr := tm.waitFor("connect", "Connected with profile demo", "press enter to browse resource types")
	for _, want := range []string{"✓ Register the client", "✓ Enable the client", "Admin > System > API Clients",
		"✓ Access token", "DEMO: synthetic data"} {
		if !strings.Contains(scr, want) {
			t.Errorf("connect screen lacks %q:\n%s", want, scr)
		}
	}

	tm.keys("Enter")
	tm.waitFor("types", "Resource types", "Patient", "✓ read")

	tm.keys("/")
	tm.text("Patient")
	tm.keys("Enter") // one match: opens it
	scr = tm.waitFor("patient results", "Name", "Birth date", "MRN", "page 1")
	if !strings.Contains(scr, "DEMO: synthetic data") {
		t.Errorf("the demo mark left the status bar:\n%s", scr)
	}
	firstPage := rowIDs(scr)

	tm.keys("n")
	scr = tm.waitFor("page 2", "page 2")
	deadline := time.Now().Add(e2eTimeout)
	for sameRows(rowIDs(scr), firstPage) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		scr = tm.screen()
	}
	if sameRows(rowIDs(scr), firstPage) {
		t.Fatalf("page 2 shows the rows of page 1:\n%s", scr)
	}

	tm.keys("Enter")
	scr = tm.waitFor("inspector", `"resourceType": "Patient"`, "(root)")
	patient := strings.Fields(strings.SplitN(scr, "\n", 2)[0])[0] // the title: Patient/<id>
	if !strings.HasPrefix(patient, "Patient/") {
		t.Fatalf("the inspector's title should be the patient's reference:\n%s", scr)
	}

	// The footer counts the tree's visible lines ("1/136"): expanding all must show more
	// than collapsing all (the root's members stay, collapsed, with their "…").
	tm.keys("C") // collapse all
	collapsed := treeLines(t, tm.waitFor("collapsed", "…", `"resourceType": "Patient"`))
	tm.keys("E") // expand all
	scr = tm.waitFor("expanded", `"resourceType": "Patient"`)
	for deadline := time.Now().Add(e2eTimeout); treeLines(t, scr) <= collapsed && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		scr = tm.screen()
	}
	if treeLines(t, scr) <= collapsed {
		t.Fatalf("expand all shows no more than the %d lines of collapse all:\n%s", collapsed, scr)
	}

	tm.keys("/")
	tm.text("reference")
	tm.keys("Enter")
	// The footer shows the cursor's path once the search is accepted (until then, the prompt).
	tm.waitFor("search in the inspector", `"reference": "`, ".reference")

	tm.keys("Enter") // follow the reference
	tm.waitFor("followed reference", `"resourceType": "Practitioner"`)

	tm.keys("[") // back in the inspector's history (to where the cursor was)
	tm.waitFor("back", patient, "1 forward")

	tm.keys("?")
	scr = tm.waitFor("help", "Keys:", "quit", "history back")
	if strings.Contains(scr, `"resourceType"`) {
		t.Errorf("help should cover the screen:\n%s", scr)
	}
	tm.keys("Escape")
	scr = tm.waitFor("help closed", patient, "1 forward")
	if strings.Contains(scr, "Keys:") {
		t.Errorf("help still showing after esc:\n%s", scr)
	}

	tm.keys("q")
	tm.waitFor("quit", "fhirscope exited with 0")

	// The demo writes nothing: no config, no keyring file, nothing in the working directory.
	for _, dir := range []string{home, work} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) > 0 {
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			t.Errorf("--demo left files in %s: %v", dir, names)
		}
	}
}

// treeLines is the inspector's count of visible tree lines: the "/136" of the footer's
// "1/136" on the cursor path's line.
func treeLines(t *testing.T, scr string) int {
	t.Helper()
	for _, line := range strings.Split(scr, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || !strings.HasPrefix(f[0], "(root)") && !strings.HasPrefix(f[0], ".") {
			continue
		}
		if _, total, ok := strings.Cut(f[len(f)-1], "/"); ok {
			if n, err := strconv.Atoi(total); err == nil {
				return n
			}
		}
	}
	t.Fatalf("no line count in the inspector's footer:\n%s", scr)
	return 0
}

// rowIDs are the patient ids (last column) of the rows on screen.
func rowIDs(scr string) []string {
	var ids []string
	for _, line := range strings.Split(scr, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 && len(f[len(f)-1]) == 36 && strings.Count(f[len(f)-1], "-") == 4 {
			ids = append(ids, f[len(f)-1])
		}
	}
	return ids
}

func sameRows(a, b []string) bool {
	return len(a) > 0 && len(a) == len(b) && a[0] == b[0] && a[len(a)-1] == b[len(b)-1]
}

// At 80x24 the same product fits: connect, types, the palette, the request log, help, quit,
// with the status bar on the last line throughout.
func TestE2EDemoSmallTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	bin := fhirscopeBinary(t)
	home := t.TempDir()
	tm := startTmux(t, 80, 24, home, []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config")},
		fmt.Sprintf("%q --demo --patients 20; echo \"fhirscope exited with $?\"; sleep 60", bin))
	statusLast := func(scr string) {
		t.Helper()
		lines := strings.Split(strings.TrimRight(scr, "\n"), "\n")
		if len(lines) != 24 || !strings.Contains(lines[23], "DEMO: synthetic data") {
			t.Fatalf("the status bar should be the 24th line:\n%s", scr)
		}
	}
	statusLast(tm.waitFor("connect", "Connected with profile demo"))
	tm.keys("Enter")
	statusLast(tm.waitFor("types", "Resource types", "✓ read"))
	tm.keys(":")
	tm.waitFor("palette", "type a command or a resource type", "Reconnect")
	tm.text("request log")
	tm.keys("Enter")
	statusLast(tm.waitFor("request log", "Request log ·", "/oauth2/default/token"))
	tm.keys("Escape")
	tm.waitFor("back to types", "Resource types")
	tm.keys("?")
	statusLast(tm.waitFor("help", "Keys: Resource types", "filter types"))
	tm.keys("q")
	tm.waitFor("quit", "fhirscope exited with 0")
}
