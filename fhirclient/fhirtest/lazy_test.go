package fhirtest

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The lazy dataset must be indistinguishable from the materialised one over HTTP: the same
// searches give byte-identical bodies (once each server's own origin is blanked out), on
// OpenEMR's flavor (with its _count+1 quirk) and on the paged one.
func TestLazyClinicalServesTheSameAsMaterialised(t *testing.T) {
	cfg := ClinicalConfig{Seed: 11, Patients: 300}
	eager := GenerateClinical(cfg)
	lazy := NewLazyClinical(cfg)
	now := func() time.Time { return time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC) }

	p := eager.All("Patient")[17]
	pid := p.ID
	other := eager.All("Patient")[230].ID
	obs := firstOf(t, eager, "Observation", pid)
	enc := firstOf(t, eager, "Encounter", pid)
	practitioner := eager.All("Practitioner")[0].ID
	queries := []string{
		"/Patient", "/Patient?_count=10&_offset=20", "/Patient?_count=25&_offset=290",
		"/Patient?family=" + p.Search["family"][0], "/Patient?name=" + p.Search["given"][0][:3],
		"/Patient?gender=female&birthdate=ge1980-01-01&_count=5", "/Patient?identifier=" + p.Search["identifier"][0],
		"/Patient?_id=" + pid + "," + other, "/Patient?address-city=austin&_count=7&_offset=3",
		"/Patient/" + pid, "/Patient/unknown-id", "/Patient?nosuchparam=1",
		"/Observation?patient=" + pid, "/Observation?patient=Patient/" + pid + "&category=vital-signs",
		"/Observation?subject=" + pid + "&code=8480-6", "/Observation?patient=" + pid + "," + other + "&category=laboratory",
		"/Condition?patient=" + pid, "/MedicationRequest?patient=" + pid + "&status=active",
		"/AllergyIntolerance?patient=" + pid, "/Immunization?patient=" + pid, "/Encounter?patient=" + pid,
		"/DiagnosticReport?patient=" + pid, "/Procedure?patient=" + pid,
		"/Observation?encounter=" + enc, "/Observation?_id=" + obs, "/Observation/" + obs, "/Encounter/" + enc,
		"/Observation?patient=not-a-patient", "/Encounter?practitioner=" + practitioner,
		"/Immunization?vaccine-code=140", "/Practitioner?_count=3", "/Organization",
	}
	for _, flavor := range []Flavor{Flavor704, FlavorPaged} {
		opts := Options{Flavor: flavor, Now: now, PatientCountPlusOne: flavor == Flavor704}
		es, ls := withData(t, opts, eager), withData(t, opts, lazy)
		etok, ltok := fullToken(t, es), fullToken(t, ls)
		for _, q := range queries {
			want := get(t, es.FHIRBase()+q, etok)
			got := get(t, ls.FHIRBase()+q, ltok)
			wb := bytes.ReplaceAll(want.Body, []byte(es.URL()), []byte("ORIGIN"))
			gb := bytes.ReplaceAll(got.Body, []byte(ls.URL()), []byte("ORIGIN"))
			if got.Status != want.Status || !bytes.Equal(gb, wb) {
				t.Fatalf("%s %s: lazy %d (%d bytes), materialised %d (%d bytes)\nlazy: %.300s\nwant: %.300s",
					flavor, q, got.Status, len(gb), want.Status, len(wb), gb, wb)
			}
		}
		// The CapabilityStatement (types and their search parameters) is the same too.
		want := get(t, es.FHIRBase()+"/metadata", "")
		got := get(t, ls.FHIRBase()+"/metadata", "")
		if !bytes.Equal(bytes.ReplaceAll(got.Body, []byte(ls.URL()), nil), bytes.ReplaceAll(want.Body, []byte(es.URL()), nil)) {
			t.Fatalf("%s: metadata differs", flavor)
		}
	}
	if !slices.Equal(lazy.Types(), eager.Types()) {
		t.Fatalf("types: lazy %v, materialised %v", lazy.Types(), eager.Types())
	}
	for _, typ := range eager.Types() {
		if !slices.Equal(lazy.SearchParams(typ), eager.SearchParams(typ)) {
			t.Fatalf("%s params: lazy %v, materialised %v", typ, lazy.SearchParams(typ), eager.SearchParams(typ))
		}
	}
}

// Reads of ids the server never handed out (no chart generated yet) still resolve, by a scan;
// All and Len materialise a generated type exactly.
func TestLazyClinicalReadsAndAll(t *testing.T) {
	cfg := ClinicalConfig{Seed: 3, Patients: 240}
	eager := GenerateClinical(cfg)
	for _, typ := range []string{"Patient", "Immunization", "Observation"} {
		lazy := NewLazyClinical(cfg) // fresh: nothing seen yet
		all := eager.All(typ)
		last := all[len(all)-1]
		got, ok := lazy.Get(typ, last.ID)
		if !ok || !bytes.Equal(got.JSON, last.JSON) {
			t.Fatalf("Get(%s, %s) = %v, %v", typ, last.ID, ok, got.ID)
		}
		lall := lazy.All(typ)
		if len(lall) != len(all) || lazy.Len(typ) != len(all) {
			t.Fatalf("%s: All %d, Len %d, want %d", typ, len(lall), lazy.Len(typ), len(all))
		}
		for i := range all {
			if lall[i].ID != all[i].ID || !bytes.Equal(lall[i].JSON, all[i].JSON) {
				t.Fatalf("%s[%d]: %s, want %s", typ, i, lall[i].ID, all[i].ID)
			}
		}
		if _, ok := lazy.Get(typ, "no-such-id"); ok {
			t.Fatalf("Get(%s, no-such-id) found something", typ)
		}
	}
}

func TestLazyClinicalRefusesAddOfGeneratedType(t *testing.T) {
	d := NewLazyClinical(ClinicalConfig{Seed: 1, Patients: 5})
	d.Add(Resource{Type: "Group", ID: "g1", JSON: []byte(`{"resourceType":"Group","id":"g1"}`)}) // fine
	if _, ok := d.Get("Group", "g1"); !ok {
		t.Fatal("added Group not found")
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "generated") {
			t.Fatalf("Add(Patient) to a lazy dataset: recover() = %v", r)
		}
	}()
	d.Add(Resource{Type: "Patient", ID: "p1"})
}

func firstOf(t *testing.T, d *Dataset, typ, pid string) string {
	t.Helper()
	for _, r := range d.All(typ) {
		if slices.Contains(r.Search["patient"], pid) {
			return r.ID
		}
	}
	t.Fatalf("no %s for %s", typ, pid)
	return ""
}

func withData(t *testing.T, opts Options, d *Dataset) *Server {
	opts.Data = d
	return newTestServer(t, opts)
}

// fullToken mints a token with every system read scope the server knows.
func fullToken(t testing.TB, s *Server) string {
	t.Helper()
	scopes := s.SystemReadScopes()
	return mint(t, s, enabledClient(t, s, scopes...), strings.Join(scopes, " "))
}

// Many patient= searches at once, several for the same patient (one generation shared) and
// more patients than the chart cache holds (evictions), agree with the materialised data.
func TestLazyClinicalConcurrentSearches(t *testing.T) {
	cfg := ClinicalConfig{Seed: 5, Patients: lazyChartCache + 60, HistoryYears: 1}
	eager := GenerateClinical(cfg)
	fixed := Options{Now: func() time.Time { return time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC) }} // bundles' lastUpdated
	es, ls := withData(t, fixed, eager), withData(t, fixed, NewLazyClinical(cfg))
	etok, ltok := fullToken(t, es), fullToken(t, ls)
	patients := eager.All("Patient")
	var wg sync.WaitGroup
	errs := make(chan string, len(patients)*2)
	for w := range 8 {
		wg.Go(func() {
			for k := w; k < len(patients); k += 4 { // two workers per patient
				q := "/Condition?patient=" + patients[k].ID
				if k%3 == 0 {
					q = "/Observation?patient=" + patients[k].ID + "&category=vital-signs"
				}
				want, got := get(t, es.FHIRBase()+q, etok), get(t, ls.FHIRBase()+q, ltok)
				if !bytes.Equal(bytes.ReplaceAll(got.Body, []byte(ls.URL()), nil), bytes.ReplaceAll(want.Body, []byte(es.URL()), nil)) {
					errs <- q
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for q := range errs {
		t.Errorf("%s differs", q)
	}
}

// The types and search parameters learnt from the first lazySample charts are those of the
// whole dataset (the CapabilityStatement depends on them), whatever the seed.
func TestLazyClinicalSampleLearnsEveryParameter(t *testing.T) {
	for _, seed := range []int64{21, 22} {
		cfg := ClinicalConfig{Seed: seed, Patients: 1000, HistoryYears: 1}
		eager, lazy := GenerateClinical(cfg), NewLazyClinical(cfg)
		if !slices.Equal(lazy.Types(), eager.Types()) {
			t.Fatalf("seed %d types: lazy %v, materialised %v", seed, lazy.Types(), eager.Types())
		}
		for _, typ := range eager.Types() {
			if !slices.Equal(lazy.SearchParams(typ), eager.SearchParams(typ)) {
				t.Errorf("seed %d %s: lazy %v, materialised %v", seed, typ, lazy.SearchParams(typ), eager.SearchParams(typ))
			}
		}
	}
}

// Above the scan budget, a clinical search no condition narrows is refused with a clear
// OperationOutcome (not gigabytes of matches), narrowed searches and reads of ids the server
// handed out still work, and an id it never handed out is a 404 without a scan.
func TestLazyClinicalRefusesWholeDataScansAboveBudget(t *testing.T) {
	cfg := ClinicalConfig{Seed: 9, Patients: 120, HistoryYears: 1}
	eager := GenerateClinical(cfg)
	lazy := NewLazyClinical(cfg)
	lazy.lazy.scanLimit = 50
	s := withData(t, Options{}, lazy)
	tok := fullToken(t, s)
	for _, q := range []string{"/Observation", "/Condition?code=38341003", "/Encounter?practitioner=" + eager.All("Practitioner")[0].ID} {
		res := get(t, s.FHIRBase()+q, tok)
		if res.Status != 400 || !bytes.Contains(res.Body, []byte(`"too-costly"`)) || !bytes.Contains(res.Body, []byte("patient=")) {
			t.Fatalf("%s: %d %s", q, res.Status, res.Body)
		}
	}
	pid := eager.All("Patient")[100].ID
	obs := firstOf(t, eager, "Observation", pid)
	if res := get(t, s.FHIRBase()+"/Observation/"+obs, tok); res.Status != 404 {
		t.Fatalf("an id never handed out: %d", res.Status)
	}
	if res := get(t, s.FHIRBase()+"/Observation?patient="+pid, tok); res.Status != 200 || !bytes.Contains(res.Body, []byte(obs)) {
		t.Fatalf("patient= search: %d", res.Status)
	}
	for _, q := range []string{"/Observation/" + obs, "/Observation?_id=" + obs, "/Patient?name=a", "/Practitioner"} {
		if res := get(t, s.FHIRBase()+q, tok); res.Status != 200 {
			t.Fatalf("%s: %d %s", q, res.Status, res.Body)
		}
	}
}
