package summary

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestRowFixtures(t *testing.T) {
	cases := []struct {
		file, typ string
		want      []string
	}{
		{"observation_bp.json", "Observation", []string{"Blood pressure panel", "120/80 mmHg", "2024-03-05 09:41", "Patient/p-1", "final", "bp-1"}},
		{"observation_cc.json", "Observation", []string{"Tobacco smoking status", "Ex-smoker", "2023-12-01 08:00", "Smith, Ann", "final", "smk"}},
		{"encounter.json", "Encounter", []string{"Encounter for check up", "2024-01-10 10:00 – 2024-01-10 10:30", "finished", "ambulatory", "Patient/p-1", "enc-7"}},
		{"condition.json", "Condition", []string{"Diabetes mellitus type 2", "active", "2019-06-01", "Problem List Item", "Patient/p-1", "c-3"}},
		{"medicationrequest.json", "MedicationRequest", []string{"Metformin 500 mg tablet", "active", "order", "2024-02-02 12:00", "Patient/p-1", "mr-1"}},
		{"allergy.json", "AllergyIntolerance", []string{"Penicillin G", "Active", "high", "Hives", "Patient/p-1", "al-1"}},
		{"immunization.json", "Immunization", []string{"Influenza, seasonal", "completed", "2023-10-15 14:20", "Patient/p-1", "im-1"}},
		{"procedure.json", "Procedure", []string{"Appendectomy", "completed", "2015-04-01 08:00 – 2015-04-01 09:15", "Patient/p-1", "pr-1"}},
		{"diagnosticreport.json", "DiagnosticReport", []string{"CBC panel", "final", "2024-03-01", "Laboratory", "Patient/p-1", "dr-1"}},
		{"location.json", "Location", []string{"Main Clinic", "active", "Outpatient clinic", "Springfield, IL", "loc-1"}},
		{"documentreference.json", "DocumentReference", []string{"Progress note", "current", "2024-03-05 09:41", "application/pdf", "Patient/p-1", "doc-1"}},
		{"appointment.json", "Appointment", []string{"2026-02-01 09:00", "2026-02-01 09:30", "booked", "Follow-up visit", "Ann Smith", "ap-1"}},
		{"careteam.json", "CareTeam", []string{"Diabetes team", "active", "3 members", "Patient/p-1", "ct-1"}},
		{"bundle.json", "Bundle", []string{"collection", "2", "2 entries", "2026-01-15 09:00", "b-1"}},
		{"outcome.json", "OperationOutcome", []string{"warning", "processing", "Search parameter 'foo' is not supported: ignored", "warn-1"}},
		{"outcome.json", "Patient", []string{"OperationOutcome: Search parameter 'foo' is not supported: ignored", "", "", "", "warn-1"}},
		{"location.json", "Observation", []string{"Location: Main Clinic (active)", "", "", "", "", "loc-1"}},
		{"questionnaire.json", "Questionnaire", []string{"2024-05-06 07:08", "PHQ-9 (active)", "q-1"}},
		{"questionnaire.json", "", []string{"2024-05-06 07:08", "PHQ-9 (active)", "q-1"}},
	}
	for _, c := range cases {
		t.Run(c.file+"/"+c.typ, func(t *testing.T) {
			got := Row(c.typ, fixture(t, c.file))
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("Row = %q\nwant  %q", got, c.want)
			}
			if n := len(Columns(c.typ)); n != len(got) {
				t.Errorf("%d cells for %d columns", len(got), n)
			}
		})
	}
}

func TestHostilePatient(t *testing.T) {
	raw := fixture(t, "hostile_patient.json")
	row := Row("Patient", raw)
	for _, s := range append(row, Text(raw)) {
		if strings.ContainsAny(s, "\x1b\a\n\u0085\u202e") {
			t.Fatalf("unsafe cell %q", s)
		}
	}
	if !strings.Contains(row[0], "␛]52;c;") || !strings.Contains(row[0], "␛[2JEve") {
		t.Errorf("name cell does not show the escape visibly: %q", row[0])
	}
	if row[3] != "" {
		t.Errorf("an SSN was shown as MRN: %q", row[3])
	}
}

func TestOddInput(t *testing.T) {
	for _, in := range []string{"", "null", "[]", "42", `{"resourceType":7}`, `{"name":"plain string"}`,
		`{"resourceType":"Patient","name":{"family":"Single"},"identifier":{"value":"x"}}`, `{"resourceType":"Patient"`, "\xff"} {
		for _, typ := range []string{"Patient", "Observation", "Nope", ""} {
			row := Row(typ, []byte(in))
			if typ != "" && len(row) != len(Columns(typ)) {
				t.Fatalf("Row(%q, %q) has %d cells, want %d", typ, in, len(row), len(Columns(typ)))
			}
		}
		_ = Text([]byte(in))
		_ = References([]byte(in))
	}
	// Single values where the spec says arrays still read.
	row := Row("Patient", []byte(`{"resourceType":"Patient","name":{"family":"Single","given":"Only"},"identifier":{"value":"x"}}`))
	if row[0] != "Single, Only" || row[3] != "x" {
		t.Errorf("row %q", row)
	}
}

func TestLongCellIsClipped(t *testing.T) {
	long := strings.Repeat("é", 10000)
	row := Row("Location", []byte(`{"name":"`+long+`"}`))
	if n := len([]rune(row[0])); n != maxCell+1 || !strings.HasSuffix(row[0], "…") {
		t.Errorf("cell of %d runes", n)
	}
}

func TestReferences(t *testing.T) {
	cases := map[string][]string{
		"observation_bp.json":    {"Patient/p-1", "Practitioner/dr-9"},
		"observation_cc.json":    {"Patient/p-1"},
		"diagnosticreport.json":  {"Patient/p-1", "Observation/o-1", "Observation/o-2"},
		"encounter.json":         {"Patient/p-1", "Organization/org-2"},
		"hostile_patient.json":   nil,
		"medicationrequest.json": {"Patient/p-1", "Practitioner/dr-9"},
		"careteam.json":          {"Patient/p-1", "Practitioner/dr-9", "Organization/org-2"},
	}
	for file, want := range cases {
		if got := References(fixture(t, file)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: References = %q, want %q", file, got, want)
		}
	}
}

func TestParseReference(t *testing.T) {
	good := map[string]string{
		"Patient/123":            "Patient/123",
		"Patient/123/_history/4": "Patient/123",
		"https://h/apis/default/fhir/Encounter/a-1.b": "Encounter/a-1.b",
		" Practitioner/9 ":                            "Practitioner/9",
	}
	for in, want := range good {
		if got, ok := ParseReference(in); !ok || got != want {
			t.Errorf("ParseReference(%q) = %q, %v", in, got, ok)
		}
	}
	for _, in := range []string{"", "#c1", "urn:uuid:1234", "patient/1", "Patient/", "Patient/a b", "Patient/\x1b[2J", "x/Patient/1", "Patient/" + strings.Repeat("1", 65)} {
		if got, ok := ParseReference(in); ok {
			t.Errorf("ParseReference(%q) = %q, want rejection", in, got)
		}
	}
}

func BenchmarkText(b *testing.B) {
	raw := fixture(b, "observation_bp.json")
	for b.Loop() {
		_ = Text(raw)
	}
}
