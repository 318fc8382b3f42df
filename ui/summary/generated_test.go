package summary

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"fhirscope/fhirclient/fhirtest"
)

// Rows for generated patients, practitioners and organizations match what
// encoding/json reads from the same resources.
func TestRowGenerated(t *testing.T) {
	d := fhirtest.GenerateBasic(7, 30)
	for _, r := range d.All("Patient") {
		var p struct {
			ID        string
			Gender    string
			BirthDate string
			Name      []struct {
				Family string
				Given  []string
			}
			Identifier []struct{ Value string }
		}
		if err := json.Unmarshal(r.JSON, &p); err != nil {
			t.Fatal(err)
		}
		want := []string{p.Name[0].Family + ", " + strings.Join(p.Name[0].Given, " "), p.Gender, p.BirthDate, p.Identifier[0].Value, p.ID}
		if got := Row("Patient", r.JSON); !reflect.DeepEqual(got, want) {
			t.Fatalf("Row = %q, want %q", got, want)
		}
		text := Text(r.JSON)
		if !strings.HasPrefix(text, "Patient/"+p.ID+" ") || !strings.Contains(text, p.Identifier[0].Value) {
			t.Fatalf("Text = %q", text)
		}
	}
	for _, typ := range []string{"Practitioner", "Organization"} {
		for _, r := range d.All(typ) {
			var v struct {
				ID      string
				Name    json.RawMessage
				Telecom []struct{ System, Value string }
				Address []struct{ City, State string }
			}
			if err := json.Unmarshal(r.JSON, &v); err != nil {
				t.Fatal(err)
			}
			row := Row(typ, r.JSON)
			if row[len(row)-1] != v.ID || row[0] == "" {
				t.Fatalf("%s row %q", typ, row)
			}
			if !reflect.DeepEqual(row[2:4], []string{v.Telecom[0].Value, v.Address[0].City + ", " + v.Address[0].State}) {
				t.Fatalf("%s phone/address cells %q from %s", typ, row, r.JSON)
			}
		}
	}
}

func BenchmarkRowPatient(b *testing.B) {
	d := fhirtest.GenerateBasic(1, 1)
	raw := d.All("Patient")[0].JSON
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		_ = Row("Patient", raw)
	}
}

// Every resource of the rich demo dataset gets a row whose main cells are
// filled, and every reference it lists resolves inside the dataset.
func TestRowClinical(t *testing.T) {
	d := fhirtest.GenerateClinical(fhirtest.ClinicalConfig{Seed: 3, Patients: 4})
	// Column titles that every generated resource of the type must fill.
	required := map[string][]string{
		"Patient":            {"Name", "Gender", "Birth date", "MRN"},
		"Observation":        {"Code", "Value", "Date", "Subject", "Status"},
		"Encounter":          {"Type", "Period", "Status", "Subject"},
		"Condition":          {"Code", "Clinical status", "Onset", "Subject"},
		"MedicationRequest":  {"Medication", "Status", "Authored", "Subject"},
		"AllergyIntolerance": {"Substance", "Clinical status", "Patient"},
		"Immunization":       {"Vaccine", "Status", "Date", "Patient"},
		"Procedure":          {"Code", "Status", "Performed", "Subject"},
		"DiagnosticReport":   {"Code", "Status", "Effective", "Subject"},
		"Practitioner":       {"Name", "NPI"},
		"Organization":       {"Name"},
		"Location":           {"Name"},
	}
	for _, typ := range d.Types() {
		cols := Columns(typ)
		for _, r := range d.All(typ) {
			row := Row(typ, r.JSON)
			if len(row) != len(cols) || row[len(row)-1] != r.ID {
				t.Fatalf("%s/%s: row %q", typ, r.ID, row)
			}
			for i, c := range cols {
				if slices.Contains(required[typ], c.Title) && row[i] == "" {
					t.Errorf("%s/%s: empty %s cell in %q\n%s", typ, r.ID, c.Title, row, r.JSON)
				}
			}
			for _, ref := range References(r.JSON) {
				typ2, id, _ := strings.Cut(ref, "/")
				if _, ok := d.Get(typ2, id); !ok {
					t.Errorf("%s/%s: reference %s does not resolve", typ, r.ID, ref)
				}
			}
		}
	}
}

// BenchmarkTextPatient is the online filter's per-row cost (ui results_filter.go) for a
// clinical-dataset Patient.
func BenchmarkTextPatient(b *testing.B) {
	d := fhirtest.GenerateClinical(fhirtest.ClinicalConfig{Seed: 3, Patients: 1})
	raw := d.All("Patient")[0].JSON
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		_ = Text(raw)
	}
}
