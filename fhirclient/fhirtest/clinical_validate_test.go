package fhirtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Elements each type must carry: FHIR R4's required elements plus what US Core requires and
// what the demo screens read.
var requiredElements = map[string][]string{
	"Patient":            {"identifier", "name", "gender", "birthDate", "extension", "address", "telecom", "generalPractitioner"},
	"Practitioner":       {"identifier", "name", "qualification"},
	"Organization":       {"identifier", "name", "active", "type"},
	"Location":           {"name", "status", "managingOrganization", "address"},
	"PractitionerRole":   {"practitioner", "organization", "specialty", "location"},
	"Encounter":          {"status", "class", "type", "subject", "period", "participant", "location", "serviceProvider"},
	"Condition":          {"clinicalStatus", "verificationStatus", "category", "code", "subject", "onsetDateTime", "recordedDate"},
	"Observation":        {"status", "category", "code", "subject", "encounter", "effectiveDateTime"},
	"MedicationRequest":  {"status", "intent", "medicationCodeableConcept", "subject", "authoredOn", "requester", "dosageInstruction"},
	"AllergyIntolerance": {"clinicalStatus", "verificationStatus", "code", "patient", "recordedDate", "category", "criticality", "reaction"},
	"Immunization":       {"status", "vaccineCode", "patient", "occurrenceDateTime", "primarySource", "lotNumber"},
	"Procedure":          {"status", "code", "subject", "performedDateTime", "performer"},
	"DiagnosticReport":   {"status", "category", "code", "subject", "encounter", "effectiveDateTime", "issued", "result", "performer"},
}

// The code system each clinical type's main code must come from.
var primarySystem = map[string]struct{ field, system string }{
	"Condition":         {"code", sysSNOMED},
	"Observation":       {"code", sysLOINC},
	"MedicationRequest": {"medicationCodeableConcept", sysRxNorm},
	"Immunization":      {"vaccineCode", sysCVX},
	"Procedure":         {"code", sysSNOMED},
	"DiagnosticReport":  {"code", sysLOINC},
	"Encounter":         {"type", sysSNOMED},
}

func decode(t *testing.T, r Resource) map[string]any {
	t.Helper()
	if !json.Valid(r.JSON) {
		t.Fatalf("%s/%s: invalid JSON", r.Type, r.ID)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(r.JSON))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("%s/%s: %v", r.Type, r.ID, err)
	}
	return doc
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// firstCoding returns the first coding of a CodeableConcept (or of the first of a list of them).
func firstCoding(v any) map[string]any {
	if list, ok := v.([]any); ok && len(list) > 0 {
		v = list[0]
	}
	cc, _ := v.(map[string]any)
	codings, _ := cc["coding"].([]any)
	if len(codings) == 0 {
		return nil
	}
	c, _ := codings[0].(map[string]any)
	return c
}

func refID(v any, typ string) string {
	m, _ := v.(map[string]any)
	s, _ := m["reference"].(string)
	return strings.TrimPrefix(s, typ+"/")
}

func TestClinicalResourcesAreValidFHIR(t *testing.T) {
	for _, cfg := range []ClinicalConfig{
		{Seed: 11, Patients: 250},
		{Seed: -4, Patients: 120, HistoryYears: 1},
		{Seed: 1 << 40, Patients: 120, HistoryYears: 10, Reference: time.Date(2031, 7, 1, 12, 0, 0, 0, time.UTC)},
	} {
		cfg = cfg.normalized()
		t.Run(fmt.Sprintf("seed=%d/years=%d", cfg.Seed, cfg.HistoryYears), func(t *testing.T) {
			validateClinical(t, cfg)
		})
	}
}

func validateClinical(t *testing.T, cfg ClinicalConfig) {
	all := collectClinical(t, cfg)
	seen := map[string]bool{}
	birth := map[string]time.Time{}
	perType := map[string]int{}
	for _, r := range all {
		key := r.Type + "/" + r.ID
		if seen[key] {
			t.Fatalf("duplicate id %s", key)
		}
		seen[key] = true
		perType[r.Type]++
		doc := decode(t, r)
		if doc["resourceType"] != r.Type || doc["id"] != r.ID {
			t.Fatalf("%s: resourceType/id %v/%v", key, doc["resourceType"], doc["id"])
		}
		meta, _ := doc["meta"].(map[string]any)
		if meta["lastUpdated"] != fhirTime(r.LastUpdated) {
			t.Fatalf("%s: meta.lastUpdated %v, Resource.LastUpdated %v", key, meta["lastUpdated"], r.LastUpdated)
		}
		for _, el := range requiredElements[r.Type] {
			if empty(doc[el]) {
				t.Fatalf("%s lacks %s:\n%s", key, el, r.JSON)
			}
		}
		if ps, ok := primarySystem[r.Type]; ok {
			c := firstCoding(doc[ps.field])
			if c == nil || c["system"] != ps.system || empty(c["code"]) || empty(c["display"]) {
				t.Fatalf("%s: %s is not a %s coding: %v", key, ps.field, ps.system, c)
			}
		}
		if !slices.Equal(r.Search["_id"], []string{r.ID}) {
			t.Fatalf("%s: Search[_id] = %v", key, r.Search["_id"])
		}
		switch r.Type {
		case "Patient":
			for _, p := range []string{"name", "family", "given", "birthdate", "gender", "identifier"} {
				if len(r.Search[p]) == 0 {
					t.Fatalf("%s: Search[%s] empty", key, p)
				}
			}
			birth[r.ID], _ = time.Parse(time.DateOnly, doc["birthDate"].(string))
			checkUSCoreExtensions(t, key, doc)
		case "Observation":
			checkObservation(t, key, doc)
		}
		if _, clinical := primarySystem[r.Type]; clinical || r.Type == "AllergyIntolerance" {
			field := "subject"
			if r.Type == "AllergyIntolerance" || r.Type == "Immunization" {
				field = "patient"
			}
			pid := refID(doc[field], "Patient")
			if !slices.Equal(r.Search["patient"], []string{pid}) {
				t.Fatalf("%s: Search[patient] = %v, resource's patient %s", key, r.Search["patient"], pid)
			}
			b, ok := birth[pid]
			if !ok {
				t.Fatalf("%s: emitted before its Patient %s", key, pid)
			}
			checkDates(t, key, doc, b, cfg.Reference)
		}
	}
	for _, typ := range clinicalTypes {
		if perType[typ] == 0 {
			t.Errorf("no %s generated", typ)
		}
	}
	// A chart worth showing, small enough to serve: tens of resources per patient and year.
	perPatient := float64(len(all)) / float64(cfg.Patients)
	y := float64(cfg.HistoryYears)
	if perPatient < 5+8*y || perPatient > 30+40*y {
		t.Errorf("%.1f resources per patient over %v years, want %v..%v", perPatient, y, 5+8*y, 30+40*y)
	}
	if o := float64(perType["Observation"]) / float64(cfg.Patients); o < 4*y {
		t.Errorf("%.1f observations per patient over %v years", o, y)
	}
}

func checkUSCoreExtensions(t *testing.T, key string, doc map[string]any) {
	t.Helper()
	var urls []string
	for _, e := range doc["extension"].([]any) {
		ext := e.(map[string]any)
		urls = append(urls, ext["url"].(string))
		if strings.HasSuffix(ext["url"].(string), "us-core-race") || strings.HasSuffix(ext["url"].(string), "us-core-ethnicity") {
			sub := ext["extension"].([]any)
			omb := sub[0].(map[string]any)
			coding, _ := omb["valueCoding"].(map[string]any)
			if omb["url"] != "ombCategory" || coding["system"] != sysOMB || empty(coding["code"]) {
				t.Fatalf("%s: bad %s extension %v", key, ext["url"], ext)
			}
		}
	}
	for _, want := range []string{"us-core-race", "us-core-ethnicity", "us-core-birthsex"} {
		if !slices.ContainsFunc(urls, func(u string) bool { return strings.HasSuffix(u, want) }) {
			t.Fatalf("%s lacks the %s extension", key, want)
		}
	}
}

// checkObservation: a value or components, UCUM quantities, labs with reference ranges, vital
// signs within physiological limits.
func checkObservation(t *testing.T, key string, doc map[string]any) {
	t.Helper()
	cat := firstCoding(doc["category"])["code"]
	code := firstCoding(doc["code"])["code"].(string)
	vq, hasValue := doc["valueQuantity"].(map[string]any)
	comps, hasComps := doc["component"].([]any)
	if hasValue == hasComps {
		t.Fatalf("%s: needs exactly one of valueQuantity and component", key)
	}
	quantities := []map[string]any{vq}
	if hasComps {
		quantities = nil
		for _, c := range comps {
			quantities = append(quantities, c.(map[string]any)["valueQuantity"].(map[string]any))
		}
	}
	for _, q := range quantities {
		if q["system"] != sysUCUM || empty(q["code"]) || empty(q["unit"]) {
			t.Fatalf("%s: quantity not UCUM: %v", key, q)
		}
		v, _ := q["value"].(json.Number).Float64()
		limits := map[string][2]float64{"85354-9": {40, 230}, "8867-4": {35, 220}, "9279-1": {8, 45},
			"8310-5": {35, 41.5}, "59408-5": {80, 100}, "39156-5": {10, 60}, "29463-7": {2, 250}, "8302-2": {45, 215}}
		if lim, ok := limits[code]; ok && (v < lim[0] || v > lim[1]) {
			t.Fatalf("%s: %s value %v outside %v", key, code, v, lim)
		}
	}
	switch cat {
	case "laboratory":
		if empty(doc["referenceRange"]) || empty(doc["issued"]) {
			t.Fatalf("%s: lab result without reference range or issued", key)
		}
	case "vital-signs":
	default:
		t.Fatalf("%s: category %v", key, cat)
	}
}

// checkDates: every date lies between the patient's birth and the reference date, periods
// and onsets run forward, reports are issued after collection.
func checkDates(t *testing.T, key string, doc map[string]any, birth, ref time.Time) {
	t.Helper()
	parse := func(field string, v any) time.Time {
		s, _ := v.(string)
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatalf("%s: %s %q is not a dateTime", key, field, s)
		}
		if ts.Before(birth) || ts.After(ref) {
			t.Fatalf("%s: %s %s outside birth %s .. reference %s", key, field, s, birth.Format(time.DateOnly), fhirTime(ref))
		}
		return ts
	}
	for _, f := range []string{"effectiveDateTime", "issued", "onsetDateTime", "abatementDateTime", "recordedDate",
		"authoredOn", "occurrenceDateTime", "performedDateTime"} {
		if v, ok := doc[f]; ok {
			parse(f, v)
		}
	}
	if p, ok := doc["period"].(map[string]any); ok {
		if !parse("period.start", p["start"]).Before(parse("period.end", p["end"])) {
			t.Fatalf("%s: period ends before it starts", key)
		}
	}
	if a, ok := doc["abatementDateTime"]; ok && !parse("abatement", a).After(parse("onset", doc["onsetDateTime"])) {
		t.Fatalf("%s: abates before onset", key)
	}
	if doc["resourceType"] == "DiagnosticReport" && parse("issued", doc["issued"]).Before(parse("effective", doc["effectiveDateTime"])) {
		t.Fatalf("%s: issued before collection", key)
	}
}

// The parallel generator must deliver exactly what generating patient by patient gives.
func TestClinicalParallelMatchesSerial(t *testing.T) {
	cfg := ClinicalConfig{Seed: 5, Patients: 150}
	got := collectClinical(t, cfg)
	g := NewClinicalGenerator(cfg)
	want := append([]Resource(nil), g.Directory()...)
	for i := range g.Config().Patients {
		g.Patient(i, func(r Resource) { want = append(want, r) })
	}
	if len(got) != len(want) {
		t.Fatalf("parallel gave %d resources, serial %d", len(got), len(want))
	}
	for i := range got {
		if got[i].ID != want[i].ID || !bytes.Equal(got[i].JSON, want[i].JSON) {
			t.Fatalf("resource %d differs: %s/%s vs %s/%s", i, got[i].Type, got[i].ID, want[i].Type, want[i].ID)
		}
	}
}

// The data indexes only search parameters OpenEMR supports for each type (the sandbox
// advertises whatever the data indexes), and every clinical type can be searched by patient.
func TestClinicalIndexesOpenEMRParameters(t *testing.T) {
	supported := map[string]map[string]bool{}
	for _, td := range openEMRTypes {
		supported[td.Name] = map[string]bool{}
		for _, p := range td.Params {
			supported[td.Name][p.Name] = true
		}
	}
	for _, r := range collectClinical(t, ClinicalConfig{Seed: 2, Patients: 80}) {
		for name := range r.Search {
			if !supported[r.Type][name] {
				t.Fatalf("%s indexes %q, which OpenEMR does not support", r.Type, name)
			}
		}
		if _, clinical := primarySystem[r.Type]; (clinical || r.Type == "AllergyIntolerance") && len(r.Search["patient"]) != 1 {
			t.Fatalf("%s/%s: no patient search value", r.Type, r.ID)
		}
	}
}
