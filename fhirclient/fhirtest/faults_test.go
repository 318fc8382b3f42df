package fhirtest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestFaultsByPrefixAndCount(t *testing.T) {
	s, tok := allScopesServer(t, Options{Patients: 3})
	patients := "/apis/default/fhir/Patient"
	s.SetFaults(FaultConfig{Rules: []FaultRule{
		{PathPrefix: patients, Kind: FaultStatus, Skip: 1, Count: 2},
		{PathPrefix: "/apis/default/fhir/Practitioner", Kind: FaultHTML, Status: 503, Count: 1},
	}})
	var statuses []int
	for range 4 {
		statuses = append(statuses, get(t, s.FHIRBase()+"/Patient", tok).Status)
	}
	if got := fmt.Sprint(statuses); got != "[200 500 500 200]" {
		t.Fatalf("statuses %v, want 200 500 500 200", got)
	}
	res := get(t, s.FHIRBase()+"/Practitioner", tok)
	if res.Status != 503 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(res.Body), "<html>") {
		t.Fatalf("html fault: %d %q", res.Status, res.Body)
	}
	if res := get(t, s.FHIRBase()+"/Practitioner", tok); res.Status != 200 {
		t.Fatalf("after count: %d", res.Status)
	}
}

func TestFaultDropAndTokenFault(t *testing.T) {
	s, tok := allScopesServer(t, Options{Patients: 3})
	s.SetFaults(FaultConfig{Rules: []FaultRule{
		{PathPrefix: "/apis/default/fhir/Patient", Kind: FaultDrop, Count: 1},
		{PathPrefix: "/oauth2/default/token", Kind: FaultEmpty, Status: 502},
	}})
	req, _ := http.NewRequest(http.MethodGet, s.FHIRBase()+"/Patient", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("dropped connection answered %d", resp.StatusCode)
	}
	if res := get(t, s.FHIRBase()+"/Patient", tok); res.Status != 200 {
		t.Fatalf("after drop: %d", res.Status)
	}
	if res := postForm(t, s.TokenURL(), nil); res.Status != 502 || len(res.Body) != 0 {
		t.Fatalf("token fault: %d %q", res.Status, res.Body)
	}
	if c := s.Counters(); c.TokenRequests != 1 {
		// The faulted token request never reached the endpoint; only the first mint counts.
		t.Fatalf("token requests %d, want 1", c.TokenRequests)
	}
}

func TestLatency(t *testing.T) {
	s := newTestServer(t, Options{Patients: 1, Latency: 30 * time.Millisecond})
	start := time.Now()
	get(t, s.FHIRBase()+"/metadata", "")
	if time.Since(start) < 30*time.Millisecond {
		t.Fatal("latency not applied")
	}
}

func TestFaultEvery(t *testing.T) {
	s := newTestServer(t, Options{Patients: 1})
	s.SetFaults(FaultConfig{Rules: []FaultRule{{PathPrefix: "/apis/default/fhir/metadata", Kind: FaultEmpty, Every: 3, Count: 2}}})
	var statuses []int
	for range 10 {
		statuses = append(statuses, get(t, s.FHIRBase()+"/metadata", "").Status)
	}
	if got := fmt.Sprint(statuses); got != "[200 200 500 200 200 500 200 200 200 200]" {
		t.Fatalf("statuses %s", got)
	}
}

func TestFaultBodyAndEndless(t *testing.T) {
	s := newTestServer(t, Options{Patients: 1})
	evil := []byte("{\"resourceType\":\"OperationOutcome\",\"issue\":[{\"diagnostics\":\"\x1b]52;c;AAAA\x07 \xff\"}]}")
	s.SetFaults(FaultConfig{Rules: []FaultRule{
		{PathPrefix: "/apis/default/fhir/metadata", Kind: FaultBody, Status: 422, Body: evil},
		{PathPrefix: "/apis/default/fhir/Patient", Kind: FaultEndless},
	}})
	res := get(t, s.FHIRBase()+"/metadata", "")
	if res.Status != 422 || !bytes.Equal(res.Body, evil) || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("body fault: %d %q", res.Status, res.Body)
	}
	resp, err := http.Get(s.FHIRBase() + "/Patient")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.CopyN(io.Discard, resp.Body, 8<<20)
	resp.Body.Close()
	if err != nil || n != 8<<20 {
		t.Fatalf("endless body ended after %d bytes: %v", n, err)
	}
}
