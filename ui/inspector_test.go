package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient/fhirtest"
	"fhirscope/ui/records"
)

// Model tests for the inspector, through Update, against the sandbox over HTTP.

// openInspector searches typ and opens the first row in the inspector.
func openInspector(t *testing.T, env *browseEnv, typ string, params url.Values) *InspectorScreen {
	t.Helper()
	s := startResults(t, env, typ, params)
	_, msgs := browsePress(t, s, "enter")
	scr, ok := findPush(msgs)
	if !ok {
		t.Fatal("enter did not open the inspector")
	}
	ins := scr.(*InspectorScreen)
	ins.SetSize(env.common.Width, env.common.Height)
	return ins
}

// cursorTo moves the tree cursor to the first match of q (the tree's own search).
func cursorTo(t *testing.T, ins *InspectorScreen, q string) {
	t.Helper()
	ins.cur.view.Search(q)
	if _, total := ins.cur.view.Matches(); total == 0 {
		t.Fatalf("no %q in %s", q, ins.cur.ref)
	}
}

func TestInspectorFollowsReferenceWithHistory(t *testing.T) {
	env := clinicalEnv(t, fhirtest.Options{}, nil, 120, 40)
	ins := openInspector(t, env, "Observation", nil)
	obs := ins.cur.ref
	cursorTo(t, ins, "Patient/")
	ref, ok := ins.cur.view.RawReferenceAtCursor()
	if !ok || !strings.HasPrefix(ref, "Patient/") {
		t.Fatalf("cursor not on the subject reference: %q %v (path %s)", ref, ok, ins.cur.view.Path())
	}
	browsePress(t, ins, "enter")
	if ins.cur.ref != ref || len(ins.back) != 1 {
		t.Fatalf("after enter: showing %s (back %d), want %s", ins.cur.ref, len(ins.back), ref)
	}
	if v := plainView(ins); !strings.Contains(v, ref) || !strings.Contains(v, "← 1 back") {
		t.Fatalf("view after following:\n%s", v)
	}
	// Back keeps the tree's state: the cursor is still on the reference.
	browsePress(t, ins, "[")
	if ins.cur.ref != obs || len(ins.forward) != 1 {
		t.Fatalf("[: showing %s", ins.cur.ref)
	}
	if r, _ := ins.cur.view.RawReferenceAtCursor(); r != ref {
		t.Fatalf("back lost the cursor: on %q", r)
	}
	browsePress(t, ins, "]")
	if ins.cur.ref != ref {
		t.Fatalf("]: showing %s", ins.cur.ref)
	}
	browsePress(t, ins, "backspace")
	if ins.cur.ref != obs {
		t.Fatalf("backspace: showing %s", ins.cur.ref)
	}
	// Following again from the middle of the history drops the forward part.
	browsePress(t, ins, "enter")
	if len(ins.forward) != 0 || len(ins.back) != 1 {
		t.Fatalf("history after a new follow: back %d forward %d", len(ins.back), len(ins.forward))
	}
}

// resourceWithReferences is a Patient-less resource pointing at a real patient three ways.
func resourceWithReferences(base, patientID string) []byte {
	return []byte(`{"resourceType":"Observation","id":"refs","status":"final",` +
		`"subject":{"reference":"` + base + `/Patient/` + patientID + `"},` +
		`"performer":[{"reference":"https://elsewhere.example/fhir/Practitioner/9","display":"Dr Elsewhere"}],` +
		`"focus":[{"reference":"#contained-1"}]}`)
}

func TestInspectorAbsoluteReferencesSameOriginOnly(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 3}, nil, 120, 40)
	pid := env.srv.Data().All("Patient")[0].ID
	ins := NewInspectorScreen(env.common, resourceWithReferences(env.srv.FHIRBase(), pid))

	cursorTo(t, ins, "/Patient/")
	browsePress(t, ins, "enter")
	if ins.cur.ref != "Patient/"+pid {
		t.Fatalf("same-origin absolute URL not followed: showing %s, status %q", ins.cur.ref, ins.status)
	}
	browsePress(t, ins, "[")

	before := env.srv.Counters().Requests
	cursorTo(t, ins, "Dr Elsewhere") // a member of the Reference object counts as on it
	browsePress(t, ins, "enter")
	if ins.cur.ref != "Observation/refs" || !ins.statusBad || !strings.Contains(ins.status, "refusing to send the access token") {
		t.Fatalf("other origin: showing %s, status %q", ins.cur.ref, ins.status)
	}
	if env.srv.Counters().Requests != before {
		t.Fatal("a request was sent for another origin's reference")
	}
	if !strings.Contains(plainView(ins), "elsewhere.example") {
		t.Fatalf("refusal not on screen:\n%s", plainView(ins))
	}

	cursorTo(t, ins, "#contained-1")
	browsePress(t, ins, "enter")
	if !strings.Contains(ins.status, "contained") {
		t.Fatalf("contained reference: %q", ins.status)
	}
}

func TestInspectorEscCancelsFetchAndDropsLateReply(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 3, Latency: 200 * time.Millisecond}, nil, 120, 40)
	pid := env.srv.Data().All("Patient")[0].ID
	ins := NewInspectorScreen(env.common, resourceWithReferences(env.srv.FHIRBase(), pid))
	cursorTo(t, ins, "/Patient/")
	_, cmd := ins.Update(keyPress("enter"))
	if !ins.Busy() || !strings.Contains(plainView(ins), "esc cancels · opening") {
		t.Fatalf("not busy while fetching:\n%s", plainView(ins))
	}
	ins.Cancel()
	for _, m := range runCmd(cmd) {
		ins.Update(m)
	}
	if ins.cur.ref != "Observation/refs" || len(ins.back) != 0 {
		t.Fatalf("late reply after cancel was used: showing %s", ins.cur.ref)
	}
}

func TestInspectorOfflineReferencesResolveInFile(t *testing.T) {
	env := clinicalEnv(t, fhirtest.Options{}, nil, 120, 40)
	ins := openInspector(t, env, "Observation", nil)
	// Same inspector, offline: references are looked up among the file's entries.
	var entries [][]byte
	for _, r := range env.srv.Data().All("Patient") {
		entries = append(entries, r.JSON)
	}
	ins.c = browseCommon(120, 40)
	ins.localRefs = records.FromEntries(entries)
	cursorTo(t, ins, "Patient/")
	ref, _ := ins.cur.view.RawReferenceAtCursor()
	browsePress(t, ins, "enter")
	if ins.cur.ref != ref {
		t.Fatalf("offline reference: showing %s, status %q", ins.cur.ref, ins.status)
	}
	ins.localRefs = records.FromEntries(entries[:0])
	browsePress(t, ins, "[")
	browsePress(t, ins, "enter")
	if !strings.Contains(ins.status, "not in this file") {
		t.Fatalf("missing offline reference: %q", ins.status)
	}
}

// Offline, a urn:uuid reference (transaction and Synthea bundles) opens the Bundle entry with
// that fullUrl; online it still cannot be fetched.
func TestInspectorOfflineURNReferenceOpensBundleEntry(t *testing.T) {
	bundle := []byte(`{"resourceType":"Bundle","type":"transaction","entry":[` +
		`{"fullUrl":"urn:uuid:7f3c","resource":{"resourceType":"Patient","id":"p1","name":[{"family":"Urn"}]}},` +
		`{"fullUrl":"urn:uuid:9a1d","resource":{"resourceType":"Observation","id":"o1","subject":{"reference":"urn:uuid:7f3c"}}}]}`)
	src, err := records.FromBytes(bundle)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Wait(t.Context()); err != nil || src.Len() != 2 {
		t.Fatalf("bundle: %d entries, %v", src.Len(), err)
	}
	ins := NewInspectorScreen(browseCommon(120, 40), src.Entry(1))
	ins.localRefs = src
	cursorTo(t, ins, "urn:uuid:7f3c")
	browsePress(t, ins, "enter")
	if ins.cur.ref != "Patient/p1" || len(ins.back) != 1 {
		t.Fatalf("urn:uuid reference offline: showing %s, status %q", ins.cur.ref, ins.status)
	}
	browsePress(t, ins, "[")
	ins.localRefs = nil
	browsePress(t, ins, "enter")
	if !strings.Contains(ins.status, "cannot be fetched") {
		t.Fatalf("urn:uuid reference without the file: %q", ins.status)
	}
}

func TestInspectorSaveNeverOverwritesSilently(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 2}, nil, 100, 30)
	ins := openInspector(t, env, "Patient", nil)
	browsePress(t, ins, "s")
	if !ins.Capturing() || !strings.HasPrefix(ins.input.Value(), "./Patient-") || !strings.HasSuffix(ins.input.Value(), ".json") {
		t.Fatalf("save prompt default %q", ins.input.Value())
	}
	path := filepath.Join(t.TempDir(), "p.json")
	ins.input.SetValue(path)
	browsePress(t, ins, "enter")
	saved, err := os.ReadFile(path)
	if err != nil || !strings.Contains(ins.status, "saved") {
		t.Fatalf("save: %v, status %q", err, ins.status)
	}
	var a, b bytes.Buffer
	_ = json.Compact(&a, saved)
	_ = json.Compact(&b, ins.cur.data)
	if a.String() != b.String() {
		t.Fatal("saved JSON differs from the resource")
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("saved with mode %v, want 0600 (patient data)", st.Mode().Perm())
	}

	if err := os.WriteFile(path, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	browsePress(t, ins, "s")
	ins.input.SetValue(path)
	browsePress(t, ins, "enter")
	if ins.prompt != promptOverwrite || !strings.Contains(plainView(ins), "exists: overwrite it? y/n") {
		t.Fatalf("existing file: prompt %v\n%s", ins.prompt, plainView(ins))
	}
	browsePress(t, ins, "n") // back to the path prompt
	if got, _ := os.ReadFile(path); string(got) != "keep me" || ins.prompt != promptSave {
		t.Fatalf("n overwrote the file or left the prompt (%v)", ins.prompt)
	}
	browsePress(t, ins, "enter")
	browsePress(t, ins, "y")
	if got, _ := os.ReadFile(path); !bytes.Contains(got, []byte(`"resourceType": "Patient"`)) {
		t.Fatalf("y did not overwrite: %q", got)
	}
}

func TestInspectorCopiesValueAndPathByOSC52AndSystemClipboard(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 2}, nil, 100, 30)
	ins := openInspector(t, env, "Patient", nil)
	cursorTo(t, ins, "birthDate")
	want := ins.cur.view.TextAtCursor()
	_, msgs := browsePress(t, ins, "y")
	if !hasMsg(msgs, tea.SetClipboard(want)()) {
		t.Fatalf("no OSC 52 copy of %q in %v", want, msgs)
	}
	// Either the system clipboard took it, or the status says only OSC 52 did: never silent.
	if !strings.Contains(ins.status, "copied value") || !strings.Contains(ins.status, "OSC 52") {
		t.Fatalf("copy status %q", ins.status)
	}
	_, msgs = browsePress(t, ins, "Y")
	if !hasMsg(msgs, tea.SetClipboard("birthDate")()) || !strings.Contains(ins.status, "copied path") {
		t.Fatalf("path copy: status %q msgs %v", ins.status, msgs)
	}
}

func TestInspectorSearchPromptCapturesKeys(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Patients: 2}, nil, 100, 30)
	ins := openInspector(t, env, "Patient", nil)
	browsePress(t, ins, "/")
	if !ins.Capturing() {
		t.Fatal("the tree's search prompt must capture q, ? and esc")
	}
	browseType(t, ins, "gender")
	browsePress(t, ins, "enter")
	if ins.Capturing() || ins.cur.view.Path() != "gender" {
		t.Fatalf("search: capturing %v path %q", ins.Capturing(), ins.cur.view.Path())
	}
	if v := plainView(ins); !strings.Contains(v, "gender") {
		t.Fatalf("path not shown:\n%s", v)
	}
}

func hasMsg(msgs []tea.Msg, want tea.Msg) bool {
	for _, m := range msgs {
		if m == want {
			return true
		}
	}
	return false
}

func TestInspectorReferenceToLockedTypeExplainsScope(t *testing.T) {
	env := clinicalEnv(t, fhirtest.Options{}, []string{"system/Observation.read"}, 120, 40)
	ins := openInspector(t, env, "Observation", nil)
	cursorTo(t, ins, "Patient/")
	browsePress(t, ins, "enter")
	if !strings.HasPrefix(ins.cur.ref, "Observation/") || !ins.statusBad {
		t.Fatalf("locked reference opened? showing %s, status %q", ins.cur.ref, ins.status)
	}
	if !strings.Contains(ins.status, "system/Patient.read") {
		t.Fatalf("status does not name the missing scope: %q", ins.status)
	}
	assertNoRawEscapes(t, ins.View())
}

func TestInspectorGoldenAfterFollowing(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Data: fixtureData(t)}, nil, 120, 40)
	ins := openInspector(t, env, "Observation", nil)
	cursorTo(t, ins, "Patient/")
	browsePress(t, ins, "enter")
	browsePress(t, ins, "[")
	browsePress(t, ins, "]")
	browsePress(t, ins, "2") // expand two levels
	golden(t, "inspector_followed_120x40", plainView(ins))
}

func TestInspectorHugeCopySkipsOSC52(t *testing.T) {
	big := `{"resourceType":"Binary","id":"b","data":"` + strings.Repeat("QUJD", 40<<10) + `"}`
	ins := NewInspectorScreen(browseCommon(100, 30), []byte(big))
	cursorTo(t, ins, "data")
	_, msgs := browsePress(t, ins, "y")
	for _, m := range msgs {
		if _, ok := m.(inspectorCopiedMsg); ok {
			continue
		}
		if m == tea.SetClipboard(ins.cur.view.TextAtCursor())() {
			t.Fatal("a 160 KB value was sent by OSC 52")
		}
	}
	if !strings.Contains(ins.status, "too big for OSC 52") {
		t.Fatalf("status %q", ins.status)
	}
}

// Overwriting the very file `fhirscope open` has mapped must not pull its pages away: the
// save goes to a new file renamed over the old one, so the open Source reads on.
func TestInspectorOverwritingTheOpenFileKeepsItReadable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "bundle.json")
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[` +
		`{"resource":{"resourceType":"Patient","id":"a","name":[{"family":"Alpha"}]}},` +
		`{"resource":{"resourceType":"Patient","id":"b","name":[{"family":"Beta"}]}}]}`
	if err := os.WriteFile(path, []byte(bundle), 0o600); err != nil {
		t.Fatal(err)
	}
	src, err := records.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	if err := src.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := string(src.Entry(1))
	msg := saveCmd(nil, path, src.Entry(0), true)().(inspectorSavedMsg)
	if msg.err != nil {
		t.Fatalf("overwrite: %v", msg.err)
	}
	if got := string(src.Entry(1)); got != before {
		t.Fatalf("the open file's entry changed under the table: %q", got)
	}
	if saved, _ := os.ReadFile(path); !bytes.Contains(saved, []byte(`"family": "Alpha"`)) {
		t.Fatalf("the file was not replaced: %q", saved)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Fatalf("replaced file has mode %v, want 0600", st.Mode().Perm())
	}
}
