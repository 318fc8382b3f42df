package summary

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRow feeds arbitrary bytes as a resource of every known type: nothing
// may panic, the cell count must match the columns, and no cell may hold a
// byte a terminal would act on.
func FuzzRow(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"resourceType":"Observation","valueQuantity":{"value":1e999,"unit":"\u001b"}}`))
	types := []string{"", "Patient", "Observation", "Encounter", "Condition", "MedicationRequest",
		"AllergyIntolerance", "Immunization", "Procedure", "DiagnosticReport", "Practitioner",
		"Organization", "Location", "DocumentReference", "Appointment", "CareTeam", "Device", "Specimen",
		"Group", "Provenance", "Coverage", "Basic"}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range types {
			row := Row(typ, data)
			if typ != "" && len(row) != len(Columns(typ)) {
				t.Fatalf("%s: %d cells for %d columns", typ, len(row), len(Columns(typ)))
			}
			for _, c := range row {
				checkCell(t, c)
			}
		}
		checkCell(t, Text(data))
		for _, ref := range References(data) {
			if _, ok := ParseReference(ref); !ok || strings.Count(ref, "/") != 1 {
				t.Fatalf("bad reference %q", ref)
			}
		}
	})
}

func checkCell(t *testing.T, s string) {
	t.Helper()
	if !utf8.ValidString(s) {
		t.Fatalf("invalid UTF-8 in %q", s)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Fatalf("control %U in cell %q", r, s)
		}
	}
}
