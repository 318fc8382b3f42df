package jsonscan_test

import (
	"errors"
	"fmt"

	"fhirscope/fhirclient/jsonscan"
)

func ExampleScanBundle() {
	body := []byte(`{"resourceType":"Bundle","type":"searchset","total":2,
		"link":[{"relation":"next","url":"https://h/fhir/Patient?_offset=2"}],
		"entry":[{"resource":{"resourceType":"Patient","id":"1"}},{"resource":{"resourceType":"Patient","id":"2"}}]}`)
	b, err := jsonscan.ScanBundle(body)
	if err != nil {
		fmt.Println(err)
		return
	}
	next, _ := b.Link("next")
	fmt.Println(b.Type, b.Total, len(b.Entries), next)
	fmt.Printf("%s\n", body[b.Entries[1].Start:b.Entries[1].End])

	// OpenEMR answers a missing id with "[]": typed, never a panic.
	_, err = jsonscan.ScanBundle([]byte(`[]`))
	fmt.Println(errors.Is(err, jsonscan.ErrNotResource))
	// Output:
	// searchset 2 2 https://h/fhir/Patient?_offset=2
	// {"resourceType":"Patient","id":"2"}
	// true
}

// A lazy tree expands one node at a time: only that node's bytes are read.
func ExampleObjectMembers() {
	doc := []byte(`{"resourceType":"Patient","name":[{"family":"Ng","given":["Ann"]}],"active":true}`)
	root, _ := jsonscan.SkipValueSpan(doc, 0)
	_ = jsonscan.ObjectMembers(doc, root, func(key, val jsonscan.Span) bool {
		k, _ := jsonscan.Unquote(doc, key)
		fmt.Println(k, jsonscan.KindAt(doc, val.Start), val.Len())
		return true
	})
	names, _ := jsonscan.Member(doc, root, "name")
	first, _ := jsonscan.Element(doc, names, 0)
	family, _ := jsonscan.MemberString(doc, first, "family")
	fmt.Println(family)
	// Output:
	// resourceType string 9
	// name array 33
	// active true 4
	// Ng
}
