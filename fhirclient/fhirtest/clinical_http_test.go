package fhirtest

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The clinical dataset served by the sandbox over real HTTP: a client finds a patient by MRN
// and name, pulls the chart with patient= searches narrowed by code, category and status,
// and follows a report's result references to the Observations.
func TestClinicalDataServedOverHTTP(t *testing.T) {
	d := GenerateClinical(ClinicalConfig{Seed: 4, Patients: 60})
	s := newTestServer(t, Options{Data: d})
	scopes := []string{"system/Patient.read", "system/Observation.read", "system/Condition.read",
		"system/DiagnosticReport.read", "system/MedicationRequest.read", "system/Encounter.read"}
	tok := mint(t, s, enabledClient(t, s, scopes...), strings.Join(scopes, " "))

	report := d.All("DiagnosticReport")[0]
	pid := report.Search["patient"][0]
	patient, ok := d.Get("Patient", pid)
	if !ok {
		t.Fatalf("report's patient %s missing", pid)
	}
	mrn := patient.Search["identifier"][0]
	if got := search(t, s, tok, "Patient", url.Values{"identifier": {MRNSystem + "|" + mrn}}).ids(t); !slices.Equal(got, []string{pid}) {
		t.Fatalf("Patient?identifier=%s -> %v, want %s", mrn, got, pid)
	}
	family := patient.Search["family"][0]
	if got := search(t, s, tok, "Patient", url.Values{"family": {family}, "birthdate": {patient.Search["birthdate"][0]}}).ids(t); !slices.Contains(got, pid) {
		t.Fatalf("Patient?family=%s&birthdate=... misses %s: %v", family, pid, got)
	}

	// patient= returns exactly the patient's resources, in either reference form.
	for _, typ := range []string{"Encounter", "Condition", "Observation", "MedicationRequest", "DiagnosticReport"} {
		var want []string
		for _, r := range d.All(typ) {
			if r.Search["patient"][0] == pid {
				want = append(want, r.ID)
			}
		}
		for _, ref := range []string{pid, "Patient/" + pid} {
			got := search(t, s, tok, typ, url.Values{"patient": {ref}}).ids(t)
			sort.Strings(got)
			if len(want) == 0 || !slices.Equal(got, want) {
				t.Fatalf("%s?patient=%s: %d results, want %d", typ, ref, len(got), len(want))
			}
		}
	}

	// Narrowing by LOINC code and category, as a vitals or labs view does.
	vitals := search(t, s, tok, "Observation", url.Values{"patient": {pid}, "category": {"vital-signs"}})
	for _, e := range vitals.Entry {
		if !bytes.Contains(e.Resource, []byte(`"code":"vital-signs"`)) {
			t.Fatalf("category=vital-signs returned %s", e.Resource)
		}
	}
	hr := search(t, s, tok, "Observation", url.Values{"patient": {pid}, "code": {"http://loinc.org|8867-4"}})
	if len(hr.Entry) == 0 || len(hr.Entry) >= len(vitals.Entry) {
		t.Fatalf("heart rates: %d of %d vital signs", len(hr.Entry), len(vitals.Entry))
	}

	// The report's results resolve over HTTP to the Observations it lists.
	res := get(t, s.FHIRBase()+"/DiagnosticReport/"+report.ID, tok)
	var dr struct{ Result []reference }
	if res.Status != 200 || json.Unmarshal(res.Body, &dr) != nil || len(dr.Result) == 0 {
		t.Fatalf("read report: %d %s", res.Status, res.Body)
	}
	for _, ref := range dr.Result {
		obs := get(t, s.FHIRBase()+"/"+ref.Reference, tok)
		want, _ := d.Get("Observation", strings.TrimPrefix(ref.Reference, "Observation/"))
		if obs.Status != 200 || !bytes.Equal(obs.Body, want.JSON) {
			t.Fatalf("GET %s: %d", ref.Reference, obs.Status)
		}
	}
}
