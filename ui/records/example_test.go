package records_test

import (
	"fmt"
	"os"
	"path/filepath"

	"fhirscope/ui/records"
)

// A screen opens the file in a tea.Cmd, shows the first rows as soon as
// they exist, and re-arms a wait on Changed() until Done:
//
//	func waitIndex(src *records.Source) tea.Cmd {
//		return func() tea.Msg { <-src.Changed(); return indexProgressMsg{src.Status()} }
//	}
//
// (in Update: on indexProgressMsg, redraw and, unless Done, return waitIndex(src) again).
func Example() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "export.ndjson")
	_ = os.WriteFile(path, []byte(`{"resourceType":"Patient","id":"1","name":[{"family":"Ng"}]}
{"resourceType":"Patient","id":"2","name":[{"family":"Okafor"}]}
{"resourceType":"Patient","id":
`), 0o600)

	src, err := records.OpenFile(path)
	if err != nil {
		fmt.Println(err) // *records.Error: empty, not JSON, unreadable...
		return
	}
	defer src.Close()
	for st := src.Status(); !st.Done; st = src.Status() {
		<-src.Changed() // a Bubble Tea screen waits on this inside a tea.Cmd
	}
	fmt.Println(src.Status().Format, src.Len(), "entries")
	fmt.Printf("%s\n", src.Entry(1))
	fmt.Println(src.Filter("OKA"))
	for _, le := range src.LineErrors() {
		fmt.Println("skipped line", le.Line)
	}
	// Output:
	// ndjson 2 entries
	// {"resourceType":"Patient","id":"2","name":[{"family":"Okafor"}]}
	// [1]
	// skipped line 3
}
