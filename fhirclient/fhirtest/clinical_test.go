package fhirtest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// clinicalTypes are the types GenerateClinical must produce.
var clinicalTypes = []string{"AllergyIntolerance", "Condition", "DiagnosticReport", "Encounter", "Immunization",
	"Location", "MedicationRequest", "Observation", "Organization", "Patient", "Practitioner", "PractitionerRole", "Procedure"}

func collectClinical(t testing.TB, cfg ClinicalConfig) []Resource {
	t.Helper()
	var out []Resource
	GenerateClinicalEach(cfg, func(r Resource) { out = append(out, r) })
	return out
}

func TestClinicalSameSeedIsByteIdentical(t *testing.T) {
	cfg := ClinicalConfig{Seed: 42, Patients: 80}
	a, b := collectClinical(t, cfg), collectClinical(t, cfg)
	if len(a) != len(b) {
		t.Fatalf("resource counts differ: %d vs %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Type != b[i].Type || a[i].ID != b[i].ID || !bytes.Equal(a[i].JSON, b[i].JSON) ||
			!a[i].LastUpdated.Equal(b[i].LastUpdated) || !reflect.DeepEqual(a[i].Search, b[i].Search) {
			t.Fatalf("resource %d differs between runs:\n%s\n%s", i, a[i].JSON, b[i].JSON)
		}
	}
	// The Dataset form holds exactly the streamed resources.
	d := GenerateClinical(cfg)
	n := 0
	for _, typ := range d.Types() {
		n += d.Len(typ)
	}
	if n != len(a) {
		t.Fatalf("GenerateClinical holds %d resources, GenerateClinicalEach gave %d", n, len(a))
	}
	for _, r := range a {
		got, ok := d.Get(r.Type, r.ID)
		if !ok || !bytes.Equal(got.JSON, r.JSON) {
			t.Fatalf("%s/%s missing or different in the dataset", r.Type, r.ID)
		}
	}
}

func TestClinicalDifferentSeedsDiffer(t *testing.T) {
	a := collectClinical(t, ClinicalConfig{Seed: 1, Patients: 20})
	b := collectClinical(t, ClinicalConfig{Seed: 2, Patients: 20})
	ids := map[string]bool{}
	for _, r := range a {
		ids[r.ID] = true
	}
	shared := 0
	for _, r := range b {
		if ids[r.ID] {
			shared++
		}
	}
	if shared != 0 {
		t.Fatalf("%d ids shared between seeds 1 and 2", shared)
	}
	pa, pb := firstOfType(a, "Patient"), firstOfType(b, "Patient")
	if bytes.Equal(pa.JSON, pb.JSON) {
		t.Fatal("first patient identical for different seeds")
	}
}

// A patient's data depends only on the seed and its index (and the directory, which is the
// same for these two sizes): growing the count appends patients without changing earlier ones.
func TestClinicalPatientsAreIndependentOfCount(t *testing.T) {
	small := collectClinical(t, ClinicalConfig{Seed: 9, Patients: 30})
	large := collectClinical(t, ClinicalConfig{Seed: 9, Patients: 60})
	for i := range small {
		if !bytes.Equal(small[i].JSON, large[i].JSON) {
			t.Fatalf("resource %d changed when the patient count grew", i)
		}
	}
}

func firstOfType(list []Resource, typ string) Resource {
	for _, r := range list {
		if r.Type == typ {
			return r
		}
	}
	return Resource{}
}

func TestClinicalConfigDefaults(t *testing.T) {
	c := ClinicalConfig{}.normalized()
	if c.Patients != DefaultClinicalPatients || !c.Reference.Equal(datasetEpoch) {
		t.Fatalf("defaults: %+v", c)
	}
	if c := (ClinicalConfig{Patients: 5 * MaxClinicalPatients}).normalized(); c.Patients != MaxClinicalPatients {
		t.Fatalf("cap: got %d patients", c.Patients)
	}
	d := GenerateClinical(ClinicalConfig{Seed: 3})
	if n := d.Len("Patient"); n != DefaultClinicalPatients {
		t.Fatalf("default dataset has %d patients, want %d", n, DefaultClinicalPatients)
	}
}

// references walks a decoded resource and returns every Reference.reference value.
func references(v any, out []string) []string {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			if s, ok := val.(string); ok && k == "reference" {
				out = append(out, s)
			} else {
				out = references(val, out)
			}
		}
	case []any:
		for _, e := range x {
			out = references(e, out)
		}
	}
	return out
}

func TestClinicalReferencesResolve(t *testing.T) {
	d := GenerateClinical(ClinicalConfig{Seed: 7, Patients: 300})
	if got := d.Types(); !slices.Equal(got, clinicalTypes) {
		t.Fatalf("types = %v, want %v", got, clinicalTypes)
	}
	checked := 0
	for _, typ := range d.Types() {
		for _, r := range d.All(typ) {
			var doc map[string]any
			if err := json.Unmarshal(r.JSON, &doc); err != nil {
				t.Fatalf("%s/%s: invalid JSON: %v", typ, r.ID, err)
			}
			for _, ref := range references(doc, nil) {
				rt, id, ok := strings.Cut(ref, "/")
				if !ok {
					t.Fatalf("%s/%s: malformed reference %q", typ, r.ID, ref)
				}
				if _, found := d.Get(rt, id); !found {
					t.Fatalf("%s/%s: reference %q does not resolve", typ, r.ID, ref)
				}
				checked++
			}
		}
	}
	if checked < 10000 {
		t.Fatalf("only %d references checked; the generator lost its links", checked)
	}
}

// PatientResource gives the same Patient as the full generation, without the chart.
func TestClinicalPatientResourceMatches(t *testing.T) {
	g := NewClinicalGenerator(ClinicalConfig{Seed: 8, Patients: 20})
	for i := range 20 {
		var first Resource
		g.Patient(i, func(r Resource) {
			if first.ID == "" {
				first = r
			}
		})
		got := g.PatientResource(i)
		if first.Type != "Patient" || got.ID != first.ID || !bytes.Equal(got.JSON, first.JSON) || !reflect.DeepEqual(got.Search, first.Search) {
			t.Fatalf("patient %d: PatientResource differs from the generated Patient", i)
		}
	}
}

// NPIs carry a valid Luhn check digit (CMS's published example: 1234567893).
func TestClinicalNPICheckDigit(t *testing.T) {
	if d := npiCheckDigit("123456789"); d != 3 {
		t.Fatalf("check digit of 123456789 = %d, want 3", d)
	}
	for _, r := range GenerateClinical(ClinicalConfig{Seed: 1, Patients: 20}).All("Practitioner") {
		npi := r.Search["identifier"][0]
		if len(npi) != 10 || npiCheckDigit(npi[:9]) != int(npi[9]-'0') {
			t.Fatalf("invalid NPI %q", npi)
		}
	}
}
