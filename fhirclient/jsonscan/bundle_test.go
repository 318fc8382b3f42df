package jsonscan

import (
	"errors"
	"testing"
)

const sampleBundle = `{
  "resourceType": "Bundle",
  "type": "searchset",
  "total": 3,
  "link": [{"relation": "self", "url": "https://h/fhir/Patient"}, {"relation": "next", "url": "https://h/fhir/Patient?_offset=2"}],
  "entry": [
    {"fullUrl": "https://h/fhir/Patient/1", "resource": {"resourceType": "Patient", "id": "1"}},
    {"fullUrl": "https://h/fhir/Patient/2", "search": {"mode": "match"}, "resource": {"resourceType": "Patient", "id": "2", "name": [{"family": "Ng"}]}},
    {"fullUrl": "https://h/fhir/x", "response": {"status": "200"}}
  ]
}`

func TestScanBundle(t *testing.T) {
	data := []byte(sampleBundle)
	b, err := ScanBundle(data)
	if err != nil {
		t.Fatal(err)
	}
	if b.ResourceType != "Bundle" || b.Type != "searchset" || !b.HasTotal || b.Total != 3 {
		t.Fatalf("metadata: %+v", b)
	}
	if next, ok := b.Link("next"); !ok || next != "https://h/fhir/Patient?_offset=2" || len(b.Links) != 2 {
		t.Fatalf("links: %+v", b.Links)
	}
	if len(b.Entries) != 2 || b.Count != 2 || b.NoResource != 1 {
		t.Fatalf("entries: %+v", b)
	}
	if got := string(data[b.Entries[1].Start:b.Entries[1].End]); got != `{"resourceType": "Patient", "id": "2", "name": [{"family": "Ng"}]}` {
		t.Fatalf("entry 1 = %s", got)
	}
}

func TestScanBundleSingleResourceAndOrder(t *testing.T) {
	res := `{"resourceType":"Patient","id":"9","name":[{"family":"Doe"}]}`
	b, err := ScanBundle([]byte(" " + res + "\n"))
	if err != nil || b.ResourceType != "Patient" || len(b.Entries) != 1 || b.Entries[0] != (Span{1, 1 + len(res)}) {
		t.Fatalf("single resource: %+v %v", b, err)
	}
	dev := `{"resourceType":"Device","type":"not-bundle-metadata","total":3}`
	if b, err := ScanBundle([]byte(dev)); err != nil || b.Type != "" || b.HasTotal || len(b.Entries) != 1 {
		t.Fatalf("a resource's own type/total leaked into Bundle metadata: %+v %v", b, err)
	}
	// resourceType after entry: entries are held back until the type is known.
	late := `{"entry":[{"resource":{"resourceType":"Patient","id":"a"}}],"resourceType":"Bundle","type":"collection"}`
	b, err = ScanBundle([]byte(late))
	if err != nil || len(b.Entries) != 1 || b.Type != "collection" {
		t.Fatalf("late resourceType: %+v %v", b, err)
	}
	// Something with an entry member that is not a Bundle is a single resource.
	other := `{"entry":[{"resource":{"id":"a"}}],"resourceType":"Basic"}`
	b, err = ScanBundle([]byte(other))
	if err != nil || len(b.Entries) != 1 || b.Entries[0].Len() != len(other) {
		t.Fatalf("non-bundle with entry: %+v %v", b, err)
	}
}

func TestScanBundleErrors(t *testing.T) {
	cases := []struct {
		in   string
		want error
	}{
		{``, ErrEmpty},
		{`[]`, ErrNotResource}, // OpenEMR's 404 body
		{`{"id":"x"}`, ErrNotResource},
		{`<!DOCTYPE html><html>`, ErrSyntax},
		{sampleBundle[:len(sampleBundle)/2], ErrTruncated},
		{sampleBundle + `{}`, ErrTrailing},
		{`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient","id":"` + "\xc3\x28" + `"}}]}`, ErrInvalidUTF8},
	}
	for _, c := range cases {
		if _, err := ScanBundle([]byte(c.in)); !errors.Is(err, c.want) {
			t.Errorf("ScanBundle(%.30q) = %v, want %v", c.in, err, c.want)
		}
	}
}

func TestScanBundleFuncStreamsAndStops(t *testing.T) {
	data := []byte(sampleBundle)
	// A truncated file still reports the entries before the cut.
	cut := data[:len(data)-60]
	var seen []Span
	b, err := ScanBundleFunc(cut, func(s Span) bool { seen = append(seen, s); return true })
	if !errors.Is(err, ErrTruncated) || len(seen) != 2 || b.Count != 2 {
		t.Fatalf("truncated: seen %d, %+v, %v", len(seen), b, err)
	}
	seen = nil
	_, err = ScanBundleFunc(data, func(s Span) bool { seen = append(seen, s); return false })
	if err != nil || len(seen) != 1 {
		t.Fatalf("stop: seen %d, %v", len(seen), err)
	}
}

func TestScanBundleEntriesReportsFullURL(t *testing.T) {
	data := []byte(sampleBundle)
	var got []BundleEntry
	b, err := ScanBundleEntries(data, func(e BundleEntry) bool { got = append(got, e); return true })
	if err != nil || len(got) != 2 || b.Count != 2 {
		t.Fatalf("%d entries, %v", len(got), err)
	}
	url, _ := Unquote(data, got[1].FullURL)
	entry := string(data[got[1].Entry.Start:got[1].Entry.End])
	if url != "https://h/fhir/Patient/2" || entry[0] != '{' || entry[len(entry)-1] != '}' ||
		got[1].Resource.Start < got[1].Entry.Start || got[1].Resource.End > got[1].Entry.End {
		t.Fatalf("entry %q url %q", entry, url)
	}
	single := []byte(`{"resourceType":"Patient","id":"x"}`)
	_, err = ScanBundleEntries(single, func(e BundleEntry) bool { got = []BundleEntry{e}; return true })
	if err != nil || got[0].Resource != (Span{0, len(single)}) || got[0].FullURL != (Span{}) {
		t.Fatalf("single: %+v %v", got[0], err)
	}
}
