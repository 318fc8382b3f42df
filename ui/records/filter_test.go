package records

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"fhirscope/fhirclient/jsonscan/jsonscantest"
)

func TestFilter(t *testing.T) {
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&buf, 500, jsonscantest.Options{Seed: 11})
	s, _ := FromBytes(buf.Bytes())
	_ = s.Wait(context.Background())
	type pat struct {
		Name []struct {
			Family string
			Given  []string
		}
		Address []struct{ City string }
	}
	var pats []pat
	for i := 0; i < s.Len(); i++ {
		var p pat
		if err := json.Unmarshal(s.Entry(i), &p); err != nil {
			t.Fatal(err)
		}
		pats = append(pats, p)
	}
	naive := func(family, city string) []int {
		var out []int
		for i, p := range pats {
			if strings.Contains(strings.ToLower(p.Name[0].Family), family) && strings.Contains(strings.ToLower(p.Address[0].City), city) {
				out = append(out, i)
			}
		}
		return out
	}
	got := s.Filter("  MÜLLER  austin ")
	want := naive("müller", "austin")
	if len(want) == 0 || !equalInts(got, want) {
		t.Fatalf("Filter = %v, want %v", got, want)
	}
	if got := s.Filter("muller AUSTIN"); !equalInts(got, want) {
		t.Fatalf("diacritics must fold: %v, want %v", got, want)
	}
	if got, want := s.Filter("lukasiewicz"), naive("łukasiewicz", ""); len(want) == 0 || !equalInts(got, want) {
		t.Fatalf("Łukasiewicz: %v, want %v", got, want)
	}
	if all := s.Filter(""); len(all) != 500 || all[499] != 499 {
		t.Fatalf("empty query: %d", len(all))
	}
	if n := len(s.Filter("us-core")); n != 0 {
		t.Fatalf("profile and extension URLs must not match: %d", n)
	}
	if n := len(s.Filter("official")); n != 0 {
		t.Fatalf("use enumerations must not match: %d", n)
	}
	if n := len(s.Filter("resourcetype")); n != 0 {
		t.Fatalf("keys must not match: %d", n)
	}
	if sum := s.Summary(0); !strings.Contains(sum, strings.ToLower(pats[0].Name[0].Family)) || strings.Contains(sum, "\n") {
		t.Fatalf("summary: %q", sum)
	}
	s.SetSummarizer(func(res []byte) string {
		if bytes.Contains(res, []byte(`"gender":"female"`)) {
			return "WOMAN"
		}
		return "other"
	})
	if got := s.Filter("woman"); len(got) == 0 || len(got) == 500 {
		t.Fatalf("custom summarizer matched %d", len(got))
	}
	_ = s.Close()
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestConcurrentReadersDuringIndexing(t *testing.T) {
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&buf, 5000, jsonscantest.Options{Seed: 4})
	s, err := FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	done := make(chan struct{})
	for r := 0; r < 3; r++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for !s.Done() {
				n := s.Len()
				if n > 0 && !json.Valid(s.Entry(n-1)) {
					t.Error("torn entry")
					return
				}
				_ = s.Filter("smith")
				_ = s.Status()
				<-s.Changed()
			}
		}()
	}
	for r := 0; r < 3; r++ {
		<-done
	}
	if got := len(s.Filter("")); got != 5000 {
		t.Fatalf("Filter(\"\") = %d", got)
	}
	// The readers' last "smith" ran on fewer entries: narrowing must still
	// cover the entries indexed since.
	if got, want := s.Filter("smith"), naiveFilter(s, "smith"); len(want) == 0 || !equalInts(got, want) {
		t.Fatalf("after growth: %d matches, want %d", len(got), len(want))
	}
}

func naiveFilter(s *Source, q string) []int {
	terms := strings.Fields(string(appendLower(nil, []byte(q))))
	var out []int
	for i := 0; i < s.Len(); i++ {
		sum, ok := s.Summary(i), true
		for _, term := range terms {
			ok = ok && strings.Contains(sum, term)
		}
		if ok {
			out = append(out, i)
		}
	}
	return out
}

func TestFilterNarrowingMatchesFreshSearch(t *testing.T) {
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&buf, 800, jsonscantest.Options{Seed: 12})
	s, _ := FromBytes(buf.Bytes())
	_ = s.Wait(context.Background())
	defer s.Close()
	for _, q := range []string{"s", "sm", "smi", "smith", "smith a", "smith au", "mith", "x", "xy", "a b", "ab b", "gar", "garcia 19", "garcia 1970", "e"} {
		if got, want := s.Filter(q), naiveFilter(s, q); !equalInts(got, want) {
			t.Fatalf("Filter(%q) = %d matches, want %d", q, len(got), len(want))
		}
	}
	got := s.Filter("smith")
	if len(got) > 0 {
		got[0] = -1 // the caller owns the slice: the cache must not change
	}
	if again := s.Filter("smith"); len(again) > 0 && again[0] == -1 {
		t.Fatal("Filter result aliases the cache")
	}
}

func TestFromEntries(t *testing.T) {
	page := [][]byte{[]byte(`{"resourceType":"Patient","name":[{"family":"Ng"}]}`), []byte(`{"resourceType":"Observation","status":"final"}`)}
	s := FromEntries(page)
	if !s.Done() || s.Len() != 2 || s.Status().Format != FormatList || s.ResourceType(1) != "Observation" || s.Line(0) != 0 {
		t.Fatalf("status %+v", s.Status())
	}
	if got := s.Filter("ng"); len(got) != 1 || got[0] != 0 {
		t.Fatalf("Filter = %v", got)
	}
	if _, err := s.WaitFor(context.Background(), 10); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil || s.Entry(0) != nil {
		t.Fatal("close")
	}
}

func TestLookupReferences(t *testing.T) {
	nd := `{"resourceType":"Patient","id":"p1","name":[{"family":"Ng"}]}
{"resourceType":"Practitioner","meta":{"versionId":"1"},"id":"dr9"}
{"id":"p2","resourceType":"Patient"}
{"resourceType":"Patient","id":"p1","note":"duplicate id: the first wins"}
{"resourceType":"Observation","id":"o1","subject":{"reference":"Patient/p2"}}
`
	s := openDone(t, writeFile(t, "mixed.ndjson", []byte(nd)))
	cases := map[string]int{
		"Patient/p1": 0, "Practitioner/dr9": 1, "Patient/p2": 2, "Observation/o1": 4,
		"https://openemr.example/apis/default/fhir/Patient/p2": 2,
		"Patient/p2/_history/3":                                2, " Patient/p1 ": 0,
	}
	for ref, want := range cases {
		if got, ok := s.Lookup(ref); !ok || got != want {
			t.Errorf("Lookup(%q) = %d, %v; want %d", ref, got, ok, want)
		}
	}
	for _, ref := range []string{"Patient/nope", "p1", "", "Patient/", "urn:uuid:1234", "patient/p1"} {
		if i, ok := s.Lookup(ref); ok {
			t.Errorf("Lookup(%q) found %d", ref, i)
		}
	}
}

// Synthea-style bundles reference entries by their urn:uuid fullUrl.
func TestLookupByFullURL(t *testing.T) {
	doc := `{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:6d1c3f0e-0000-4000-8000-000000000001","resource":{"resourceType":"Patient","id":"a"}},
 {"fullUrl":"urn:uuid:6d1c3f0e-0000-4000-8000-000000000002","resource":{"resourceType":"Encounter","subject":{"reference":"urn:uuid:6d1c3f0e-0000-4000-8000-000000000001"}}},
 {"fullUrl":"https://h/fhir/Practitioner/9","resource":{"resourceType":"Practitioner"}}]}`
	s, err := FromBytes([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	_ = s.Wait(context.Background())
	cases := map[string]int{
		"urn:uuid:6d1c3f0e-0000-4000-8000-000000000001": 0,
		"urn:uuid:6d1c3f0e-0000-4000-8000-000000000002": 1,
		"https://h/fhir/Practitioner/9":                 2,
		"Patient/a":                                     0,
	}
	for ref, want := range cases {
		if got, ok := s.Lookup(ref); !ok || got != want {
			t.Errorf("Lookup(%q) = %d, %v; want %d", ref, got, ok, want)
		}
	}
	if _, ok := s.Lookup("urn:uuid:nope"); ok {
		t.Error("unknown urn found")
	}
	if s.FullURL(2) != "https://h/fhir/Practitioner/9" || s.FullURL(3) != "" {
		t.Errorf("FullURL: %q", s.FullURL(2))
	}
}
