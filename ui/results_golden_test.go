package ui

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/ui/records"
)

// Golden View snapshots of the results and inspector screens at fixed sizes, colours off
// (NoColorStyles, escapes stripped): go test ./ui -run Golden -update rewrites them.

func TestResultsGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
		w, h := size[0], size[1]
		name := "results_patient_" + strconv2(w, h)
		t.Run(name, func(t *testing.T) {
			env := newBrowseEnv(t, fhirtest.Options{Data: fixtureData(t)}, nil, w, h)
			s := startResults(t, env, "Patient", url.Values{"_count": {"25"}})
			browsePress(t, s, "down")
			browsePress(t, s, "down")
			golden(t, name, plainView(s))

			_, msgs := browsePress(t, s, "enter")
			ins, ok := findPush(msgs)
			if !ok {
				t.Fatal("enter did not open the inspector")
			}
			ins.SetSize(w, h)
			golden(t, "inspector_patient_"+strconv2(w, h), plainView(ins))
		})
	}
}

func TestResultsGoldenLocalAndSearchError(t *testing.T) {
	env := newBrowseEnv(t, fhirtest.Options{Data: fixtureData(t)}, nil, 120, 40)
	s := startResults(t, env, "Observation", url.Values{"_count": {"25"}})
	browsePress(t, s, "n")
	golden(t, "results_observation_local_120x40", plainView(s))

	// Parameters are checked against the declared ones (fixed here, not the sandbox's list).
	env.common.Caps = &fhirclient.Capabilities{Resources: []fhirclient.ResourceCapability{{Type: "Observation",
		SearchParams: []fhirclient.SearchParam{{Name: "_id"}, {Name: "category"}, {Name: "code"}, {Name: "date"}, {Name: "patient"}, {Name: "status"}}}}}
	browsePress(t, s, "s")
	s.search.SetValue("")
	browseType(t, s, "cod=8867-4")
	browsePress(t, s, "enter")
	golden(t, "results_param_error_120x40", plainView(s))
}

func TestResultsGoldenOfflineFile(t *testing.T) {
	// An NDJSON export holding several types: the mixed column set, paged locally.
	src, err := records.OpenFile(filepath.Join("testdata", "results_fixture.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if err := src.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	var s Screen = NewFileResultsScreen(browseCommon(80, 24), "export.ndjson", src)
	s, _ = settle(t, s, s.Init())
	s, _ = browsePress(t, s, "G")
	golden(t, "results_file_80x24", plainView(s))
	if v := plainView(s); !strings.HasPrefix(s.(*ResultsScreen).Position(), "page 4 of 4 · local") || !strings.Contains(v, "Patient") {
		t.Fatalf("offline NDJSON:\n%s", v)
	}
}

// fixtureData is a fixed dataset (testdata/results_fixture.ndjson: Patients, Observations,
// Encounters), so goldens do not change when the sandbox's generators do.
func fixtureData(t *testing.T) *fhirtest.Dataset {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "results_fixture.ndjson"))
	if err != nil {
		t.Fatal(err)
	}
	d := fhirtest.NewDataset()
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		typ, id := records.TypeAndID(line)
		d.Add(fhirtest.Resource{Type: typ, ID: id, JSON: line, Search: map[string][]string{"_id": {id}}})
	}
	return d
}

// A Patient whose name carries an OSC 52 clipboard write and a screen clear must reach the
// terminal as inert, visible text in the table and in the inspector.
func TestResultsAndInspectorNeutraliseEscapesFromServer(t *testing.T) {
	data := fhirtest.NewDataset()
	evil := `{"resourceType":"Patient","id":"evil-1","gender":"other","birthDate":"1970-01-01",` +
		`"name":[{"family":"Pwn\u001b]52;c;ZXZpbA==\u0007","given":["\u001b[2JMallory","\u202eredro"]}],` +
		`"identifier":[{"type":{"coding":[{"code":"MR"}]},"value":"\u001b[31mMRN"}]}`
	data.Add(fhirtest.Resource{Type: "Patient", ID: "evil-1", JSON: []byte(evil),
		Search: map[string][]string{"_id": {"evil-1"}, "name": {"pwn"}}})
	env := newBrowseEnv(t, fhirtest.Options{Data: data}, nil, 120, 40)
	s := startResults(t, env, "Patient", nil)
	if len(s.page.Entries) != 1 {
		t.Fatalf("%d entries", len(s.page.Entries))
	}
	for _, st := range []*Styles{NoColorStyles(), NewStyles(true)} {
		env.common.Styles = st
		s.rows.reset(s.colType)
		out := s.View()
		assertNoRawEscapes(t, out)
		if !strings.Contains(out, "␛]52;c;") || !strings.Contains(out, "␛[2J") {
			t.Fatalf("escapes are not shown as visible text:\n%s", out)
		}
		_, msgs := browsePress(t, s, "enter")
		ins, _ := findPush(msgs)
		ins.SetSize(120, 40)
		out = ins.View()
		assertNoRawEscapes(t, out)
		if !strings.Contains(out, "␛") {
			t.Fatalf("inspector hides the escape instead of showing it:\n%s", out)
		}
		// The title (resource id) and the filter line are server/user text too.
		browsePress(t, s, "/")
		browseType(t, s, "pwn")
		assertNoRawEscapes(t, s.View())
		browsePress(t, s, "esc")
	}
}

func strconv2(w, h int) string { return fmt.Sprintf("%dx%d", w, h) }
