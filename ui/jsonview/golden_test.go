package jsonview

import (
	"strings"
	"testing"
)

// Golden views at a fixed size with PlainStyles (no colour at all); run
// `go test ./ui/jsonview -update` after an intended change and review the
// diff of testdata/*.golden.
func TestGoldenViews(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		file string
		doc  []byte
		keys []string
	}{
		{name: "patient_open", w: 60, h: 16, file: "patient.json"},
		{name: "patient_collapsed", w: 60, h: 16, file: "patient.json", keys: []string{"C", "j", "j", "j"}},
		{name: "patient_search", w: 60, h: 16, file: "patient.json", keys: []string{"C", "/", "dr-9", "enter"}},
		{name: "patient_prompt", w: 60, h: 16, file: "patient.json", keys: []string{"/", "gen"}},
		{name: "patient_narrow", w: 24, h: 10, file: "patient.json", keys: []string{"/", "Mallory", "enter"}},
		{name: "bundle_bottom", w: 72, h: 14, doc: bigBundle(20 << 10), keys: []string{"3", "G"}},
		{name: "deep", w: 40, h: 8, doc: []byte(strings.Repeat(`{"a":[`, 20) + `"leaf"` + strings.Repeat("]}", 20)), keys: []string{"/", "leaf", "enter"}},
		{name: "patient_wrap", w: 40, h: 12, file: "patient.json", keys: []string{"w", "/", "line one", "enter"}},
		{name: "wrap_bottom", w: 30, h: 8, doc: []byte(`{"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"url":"https://ehr.example.org/apis/default/fhir/Binary/12345?format=application%2Fpdf&x=` + strings.Repeat("0123456789", 12) + `"}`), keys: []string{"G", "k", "w"}},
		{name: "observation_levels", w: 70, h: 20, file: "observation_bp.json", keys: []string{"3", "/", "mmHg", "enter", "n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var m *Model
			if c.file != "" {
				m = open(t, c.file, c.w, c.h)
			} else {
				var err error
				if m, err = New(c.doc, PlainStyles()); err != nil {
					t.Fatal(err)
				}
				m.SetSize(c.w, c.h)
			}
			m = keys(t, m, c.keys...)
			golden(t, c.name, checkFrame(t, m))
		})
	}
}
