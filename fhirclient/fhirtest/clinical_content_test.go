package fhirtest

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// Clinical content follows the patient: a diabetic's HbA1c runs high, children get
// well-child visits, chronic conditions carry their prescriptions.
func TestClinicalContentIsCoherent(t *testing.T) {
	d := GenerateClinical(ClinicalConfig{Seed: 21, Patients: 400})
	byPatient := map[string]map[string]int{} // patient -> code -> count
	for _, typ := range []string{"Condition", "MedicationRequest", "Observation", "Encounter"} {
		for _, r := range d.All(typ) {
			pid := r.Search["patient"][0]
			if byPatient[pid] == nil {
				byPatient[pid] = map[string]int{}
			}
			for _, c := range r.Search["code"] {
				byPatient[pid][c]++
			}
			for _, c := range r.Search["type"] {
				byPatient[pid][c]++
			}
		}
	}
	diabetics, treated, wellChild := 0, 0, 0
	for _, codes := range byPatient {
		if codes["44054006"] > 0 {
			diabetics++
			if codes["860975"] > 0 {
				treated++
			}
		}
		wellChild += codes["410620009"]
	}
	if diabetics == 0 || treated*2 < diabetics {
		t.Errorf("%d diabetics, %d on metformin", diabetics, treated)
	}
	if wellChild == 0 {
		t.Error("no well-child visits")
	}
	high := 0
	for _, r := range d.All("Observation") {
		if slices.Contains(r.Search["code"], "4548-4") && bytes.Contains(r.JSON, []byte(`"code":"H"`)) {
			high++
		}
	}
	if high == 0 {
		t.Error("no elevated HbA1c among diabetics")
	}
	// Lists a chart filters: stopped prescriptions (with a reason), resolved allergies.
	stopped, resolved := 0, 0
	for _, r := range d.All("MedicationRequest") {
		if slices.Contains(r.Search["status"], "stopped") {
			if !bytes.Contains(r.JSON, []byte(`"statusReason"`)) {
				t.Fatalf("stopped prescription without a reason: %s", r.JSON)
			}
			stopped++
		}
	}
	for _, r := range d.All("AllergyIntolerance") {
		if slices.Contains(r.Search["clinical-status"], "resolved") {
			resolved++
		}
	}
	if stopped == 0 || resolved == 0 {
		t.Errorf("%d stopped prescriptions, %d resolved allergies", stopped, resolved)
	}
}

// A dataset dated before a vaccine existed does not contain it.
func TestClinicalVaccinesNotBeforeTheyExisted(t *testing.T) {
	ref := time.Date(2016, 6, 1, 9, 0, 0, 0, time.UTC)
	seen := map[string]bool{}
	GenerateClinicalEach(ClinicalConfig{Seed: 6, Patients: 400, Reference: ref}, func(r Resource) {
		if r.Type == "Immunization" {
			seen[r.Search["vaccine-code"][0]] = true
		}
	})
	if seen["208"] || seen["187"] {
		t.Fatalf("2016 data holds COVID-19 or recombinant zoster vaccines: %v", seen)
	}
	if !seen["140"] {
		t.Fatalf("no influenza vaccines at all: %v", seen)
	}
}

// Treatment shows in the results: LDL measured after a statin was started runs well below
// the LDL of hyperlipidemia managed without one.
func TestClinicalTreatmentLowersResults(t *testing.T) {
	d := GenerateClinical(ClinicalConfig{Seed: 13, Patients: 600})
	statinSince := map[string]string{} // patient -> first statin authoredOn
	for _, r := range d.All("MedicationRequest") {
		code, pid, at := r.Search["code"][0], r.Search["patient"][0], r.Search["authoredon"][0]
		if code == "259255" || code == "312961" {
			if old, ok := statinSince[pid]; !ok || at < old {
				statinSince[pid] = at
			}
		}
	}
	hld := map[string]bool{}
	for _, r := range d.All("Condition") {
		if r.Search["code"][0] == "55822004" {
			hld[r.Search["patient"][0]] = true
		}
	}
	var before, after []float64
	for _, r := range d.All("Observation") {
		pid := r.Search["patient"][0]
		if r.Search["code"][0] != "18262-6" || !hld[pid] {
			continue
		}
		var o struct{ ValueQuantity struct{ Value float64 } }
		if err := json.Unmarshal(r.JSON, &o); err != nil {
			t.Fatal(err)
		}
		since, onStatin := statinSince[pid]
		switch {
		case !onStatin: // hyperlipidemia managed without a drug
			before = append(before, o.ValueQuantity.Value)
		case since < r.Search["date"][0]:
			after = append(after, o.ValueQuantity.Value)
		}
	}
	mean := func(v []float64) float64 {
		sum := 0.0
		for _, x := range v {
			sum += x
		}
		return sum / float64(len(v))
	}
	if len(before) < 5 || len(after) < 5 || mean(after) > mean(before)-25 {
		t.Fatalf("LDL untreated %.0f (n=%d), on a statin %.0f (n=%d)", mean(before), len(before), mean(after), len(after))
	}
}
