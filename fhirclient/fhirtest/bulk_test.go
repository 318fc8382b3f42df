package fhirtest

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

func exportRequest(t *testing.T, method, u, token string, headers bool) httpResult {
	t.Helper()
	req, _ := http.NewRequest(method, u, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if headers {
		req.Header.Set("Accept", "application/fhir+json")
		req.Header.Set("Prefer", "respond-async")
	}
	return do(t, req)
}

func TestBulkExport(t *testing.T) {
	s := newTestServer(t, Options{Patients: 12, ExportDelay: time.Minute})
	scopes := []string{"system/*.$export", "system/*.$bulkdata-status", "system/Binary.read", "system/Patient.read", "system/Practitioner.read"}
	id := enabledClient(t, s, scopes...)
	tok := mint(t, s, id, strings.Join(scopes, " "))

	if res := exportRequest(t, http.MethodGet, s.FHIRBase()+"/$export", tok, false); res.Status != 400 || res.json(t)["resourceType"] != "OperationOutcome" {
		t.Fatalf("kick-off without headers: %d %s", res.Status, res.Body)
	}
	// `type` is the filter OpenEMR reads; `_type` alone is ignored.
	res := exportRequest(t, http.MethodGet, s.FHIRBase()+"/$export?type=Patient&_type=Practitioner", tok, true)
	loc := res.Header.Get("Content-Location")
	if res.Status != 202 || len(res.Body) != 0 || !strings.HasPrefix(loc, s.FHIRBase()+"/$bulkdata-status?job=") {
		t.Fatalf("kick-off: %d %q %s", res.Status, loc, res.Body)
	}
	if st := exportRequest(t, http.MethodGet, loc, tok, false); st.Status != 202 {
		t.Fatalf("status before ExportDelay: %d", st.Status)
	}
	s.SetNow(func() time.Time { return time.Now().Add(2 * time.Minute) })
	st := exportRequest(t, http.MethodGet, loc, tok, false)
	m := st.json(t)
	out, _ := m["output"].([]any)
	tt, _ := m["transactionTime"].(map[string]any)
	if st.Status != 200 || len(out) != 1 || tt["timezone_type"] != float64(3) || m["requiresAccessToken"] != true {
		t.Fatalf("status: %d %s", st.Status, st.Body)
	}
	file := out[0].(map[string]any)
	if file["type"] != "Patient" || !strings.HasPrefix(file["url"].(string), s.FHIRBase()+"/Binary/") {
		t.Fatalf("output %v", file)
	}
	dl := get(t, file["url"].(string), mint(t, s, id, strings.Join(scopes, " ")))
	if dl.Status != 200 || dl.Header.Get("Content-Type") != "application/fhir+ndjson" || bytes.Count(dl.Body, []byte("\n")) != 12 {
		t.Fatalf("download: %d %q %d lines", dl.Status, dl.Header.Get("Content-Type"), bytes.Count(dl.Body, []byte("\n")))
	}
	// Files expire an hour after the job started.
	s.SetNow(func() time.Time { return time.Now().Add(61 * time.Minute) })
	tok2 := mint(t, s, id, strings.Join(scopes, " "))
	if dl := get(t, file["url"].(string), tok2); dl.Status != 404 {
		t.Fatalf("expired download: %d", dl.Status)
	}
	// DELETE cancels; the job is gone afterwards.
	if del := exportRequest(t, http.MethodDelete, loc, tok2, false); del.Status != 202 {
		t.Fatalf("delete: %d", del.Status)
	}
	if st := exportRequest(t, http.MethodGet, loc, tok2, false); st.Status != 404 {
		t.Fatalf("status after delete: %d", st.Status)
	}
}

func TestBulkExportNeedsScopes(t *testing.T) {
	s := newTestServer(t, Options{Patients: 3})
	id := enabledClient(t, s, "system/Patient.read", "system/*.$export")
	tok := mint(t, s, id, "system/Patient.read system/*.$export")
	if res := exportRequest(t, http.MethodGet, s.FHIRBase()+"/Patient/$export", tok, true); res.Status != 401 {
		t.Fatalf("without bulkdata-status and Binary.read: %d %s", res.Status, res.Body)
	}
}

func TestBulkExportPagedIsStandard(t *testing.T) {
	s := newTestServer(t, Options{Flavor: FlavorPaged, Patients: 4, ExportDelay: time.Minute})
	scopes := []string{"system/*.$export", "system/*.$bulkdata-status", "system/Binary.read", "system/Patient.read", "system/Practitioner.read"}
	tok := mint(t, s, enabledClient(t, s, scopes...), strings.Join(scopes, " "))
	res := exportRequest(t, http.MethodGet, s.FHIRBase()+"/$export?_type=Practitioner", tok, true)
	loc := res.Header.Get("Content-Location")
	if st := exportRequest(t, http.MethodGet, loc, tok, false); st.Status != 202 || st.Header.Get("Retry-After") == "" {
		t.Fatalf("running: %d Retry-After %q", st.Status, st.Header.Get("Retry-After"))
	}
	s.SetNow(func() time.Time { return time.Now().Add(2 * time.Minute) })
	m := exportRequest(t, http.MethodGet, loc, tok, false).json(t)
	out, _ := m["output"].([]any)
	if _, isString := m["transactionTime"].(string); !isString || len(out) != 1 || out[0].(map[string]any)["type"] != "Practitioner" {
		t.Fatalf("status %v", m)
	}
}

// On data generated on demand above the scan budget, a system-level export (which would
// build every chart inside the kick-off request) is refused like an unnarrowed search.
func TestBulkExportRefusedOnLazyDataAboveBudget(t *testing.T) {
	lazy := NewLazyClinical(ClinicalConfig{Seed: 9, Patients: 120, HistoryYears: 1})
	lazy.lazy.scanLimit = 50
	s := withData(t, Options{}, lazy)
	scopes := []string{"system/*.$export", "system/*.$bulkdata-status", "system/Binary.read", "system/Observation.read"}
	tok := mint(t, s, enabledClient(t, s, scopes...), strings.Join(scopes, " "))
	res := exportRequest(t, http.MethodGet, s.FHIRBase()+"/$export?type=Observation", tok, true)
	if res.Status != 400 || !strings.Contains(string(res.Body), `"too-costly"`) || !strings.Contains(string(res.Body), "fewer patients") {
		t.Fatalf("export on lazy data: %d %s", res.Status, res.Body)
	}
}
