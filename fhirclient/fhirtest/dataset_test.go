package fhirtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// encodeAll concatenates every resource's JSON, type by type in ID order.
func encodeAll(d *Dataset) []byte {
	var b bytes.Buffer
	for _, t := range d.Types() {
		for _, r := range d.All(t) {
			b.WriteString(t + "/" + r.ID + "\n")
			b.Write(r.JSON)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func TestGenerateBasicDeterministic(t *testing.T) {
	a, b := encodeAll(GenerateBasic(7, 120)), encodeAll(GenerateBasic(7, 120))
	if !bytes.Equal(a, b) {
		t.Fatal("same seed produced different output")
	}
	if c := encodeAll(GenerateBasic(8, 120)); bytes.Equal(a, c) {
		t.Fatal("different seeds produced identical output")
	}
}

func TestGenerateBasicContentAndReferences(t *testing.T) {
	d := GenerateBasic(1, 60)
	if got := d.Types(); strings.Join(got, ",") != "Organization,Patient,Practitioner" {
		t.Fatalf("types = %v", got)
	}
	if n := len(d.All("Patient")); n != 60 {
		t.Fatalf("patients = %d, want 60", n)
	}
	prev := ""
	for _, r := range d.All("Patient") {
		if r.ID <= prev {
			t.Fatalf("not in id order: %q after %q", r.ID, prev)
		}
		prev = r.ID
		var p struct {
			ResourceType         string `json:"resourceType"`
			ID                   string `json:"id"`
			Gender               string `json:"gender"`
			BirthDate            string `json:"birthDate"`
			Identifier           []struct{ System, Value string }
			Name                 []struct{ Family string }
			Address              []struct{ City string }
			Telecom              []struct{ System, Value string }
			GeneralPractitioner  []struct{ Reference string } `json:"generalPractitioner"`
			ManagingOrganization struct{ Reference string }   `json:"managingOrganization"`
		}
		if err := json.Unmarshal(r.JSON, &p); err != nil {
			t.Fatal(err)
		}
		if p.ResourceType != "Patient" || p.ID != r.ID || p.Gender == "" || len(p.BirthDate) != 10 ||
			len(p.Identifier) == 0 || !strings.HasPrefix(p.Identifier[0].Value, "MRN-") ||
			len(p.Name) == 0 || p.Name[0].Family == "" || len(p.Address) == 0 || len(p.Telecom) < 2 {
			t.Fatalf("incomplete patient: %s", r.JSON)
		}
		for _, ref := range []string{p.GeneralPractitioner[0].Reference, p.ManagingOrganization.Reference} {
			typ, id, _ := strings.Cut(ref, "/")
			if _, ok := d.Get(typ, id); !ok {
				t.Fatalf("unresolved reference %s", ref)
			}
		}
		if r.Search["family"][0] != strings.ToLower(p.Name[0].Family) || r.Search["birthdate"][0] != p.BirthDate {
			t.Fatalf("search index does not match resource: %v", r.Search)
		}
	}
}

func TestDatasetAddReplacesAndSorts(t *testing.T) {
	d := NewDataset()
	d.Add(Resource{Type: "X", ID: "b", JSON: []byte(`1`)})
	d.Add(Resource{Type: "X", ID: "a", JSON: []byte(`2`)})
	d.Add(Resource{Type: "X", ID: "b", JSON: []byte(`3`)})
	all := d.All("X")
	if len(all) != 2 || all[0].ID != "a" || all[1].ID != "b" || string(all[1].JSON) != "3" {
		t.Fatalf("All = %+v", all)
	}
	if r, ok := d.Get("X", "b"); !ok || string(r.JSON) != "3" {
		t.Fatalf("Get = %+v %v", r, ok)
	}
	if _, ok := d.Get("Y", "a"); ok {
		t.Fatal("Get of missing type succeeded")
	}
}

// TestDatasetConcurrentAddWhileServing adds out of order while readers iterate: run with -race.
func TestDatasetConcurrentAddWhileServing(t *testing.T) {
	d := GenerateBasic(1, 50)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 200 {
			d.Add(Resource{Type: "Patient", ID: fmt.Sprintf("0-%03d", 199-i), JSON: []byte(`{}`)})
		}
	}()
	for range 200 {
		prev := ""
		for _, r := range d.All("Patient") {
			if r.ID < prev {
				t.Fatalf("All not sorted: %q after %q", r.ID, prev)
			}
			prev = r.ID
		}
	}
	<-done
	if n := d.Len("Patient"); n != 250 {
		t.Fatalf("len %d, want 250", n)
	}
}
