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
