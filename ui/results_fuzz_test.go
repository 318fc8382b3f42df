package ui

import (
	"net/url"
	"reflect"
	"testing"

	"fhirscope/fhirclient"
)

// FuzzResultsSearchLine: any typed search line either parses or is refused with a message,
// never panics, and what parses survives formatting (the title) and parsing again.
func FuzzResultsSearchLine(f *testing.F) {
	for _, seed := range []string{
		"name=smith birthdate=ge1970", `name="van der berg"`, "family:exact=Li", "_count=10",
		"a=b=c", `"`, "=x", "name=", "  gender=male\t_id=1 ", "nmae=x", "_offset=5",
		"subject:Patient.name=x", "name=\xff\xfe", `name="a b" given="c	d"`,
	} {
		f.Add(seed)
	}
	caps := &fhirclient.Capabilities{Resources: []fhirclient.ResourceCapability{{
		Type: "Patient", SearchParams: []fhirclient.SearchParam{{Name: "name"}, {Name: "family"}, {Name: "given"}, {Name: "birthdate"}, {Name: "gender"}, {Name: "subject"}},
	}}}
	f.Fuzz(func(t *testing.T, line string) {
		for _, c := range []*fhirclient.Capabilities{nil, caps} {
			q, count, _, err := parseSearchLine(line, c, "Patient")
			if err != nil {
				if err.Error() == "" {
					t.Fatalf("%q refused without a message", line)
				}
				continue
			}
			if count < 0 || count > maxPageSize {
				t.Fatalf("%q: count %d", line, count)
			}
			again, _, _, err := parseSearchLine(formatSearchLine(q), c, "Patient")
			if err != nil {
				t.Fatalf("%q parsed to %v, whose text %q is refused: %v", line, q, formatSearchLine(q), err)
			}
			if len(q) == 0 && len(again) == 0 {
				continue
			}
			if !reflect.DeepEqual(url.Values(q), url.Values(again)) {
				t.Fatalf("%q: %v formats as %q which parses to %v", line, q, formatSearchLine(q), again)
			}
		}
	})
}

// FuzzResultsRender: whatever bytes a server sends as a resource, the results row and the
// inspector render them without a panic and without a raw escape reaching the terminal.
func FuzzResultsRender(f *testing.F) {
	for _, seed := range []string{
		`{"resourceType":"Patient","id":"1","name":[{"family":"Pwn\u001b]52;c;ZXZpbA==\u0007","given":["\u001b[2J"]}]}`,
		`{"resourceType":"Observation","id":"o","code":{"text":"\u202eevil"},"valueQuantity":{"value":1e999,"unit":"\u009b31m"}}`,
		`{"resourceType":"Patient","id":"x","name":[{"family":"` + "\x1b[31m" + `"}]}`,
		`[1,2,3]`, `{}`, `{"resourceType":`, "\xff\xfe", `{"a":{"b":{"c":{"d":[[[[[[]]]]]]}}}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := browseCommon(80, 12)
		c.Styles = NewStyles(true)
		for _, typ := range []string{"Patient", "Observation", "Encounter", "Bundle"} {
			s := NewResultsScreen(c, typ, nil)
			s.showPage(&fhirclient.Page{Type: typ, Entries: [][]byte{data}, Mode: fhirclient.PagingLocal, Number: 1})
			assertNoRawEscapes(t, s.View())
		}
		assertNoRawEscapes(t, NewInspectorScreen(c, data).View())
	})
}
