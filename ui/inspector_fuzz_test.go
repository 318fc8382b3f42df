package ui

import (
	"strings"
	"testing"
)

// FuzzInspectorReference: any reference string from a server is either split into a type and
// an id that can name a resource, or refused with a message; never a panic.
func FuzzInspectorReference(f *testing.F) {
	for _, seed := range []string{
		"Patient/123", "Practitioner/9", "https://x.example/fhir/Patient/1", "http://127.0.0.1:8300/apis/default/fhir/Patient/a/_history/2",
		"#contained", "urn:uuid:1234", "Patient", "/", "//", "ftp://x/Patient/1", "Patient/1/_history", "https://", "\x1b]52;c;x\a/1",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		typ, id, _, err := parseReference(ref)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%q refused without a message", ref)
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Fatalf("refusal of %q carries a raw ESC", ref)
			}
			return
		}
		if typ == "" || id == "" || strings.Contains(typ, "/") || strings.Contains(id, "/") {
			t.Fatalf("%q split into %q / %q", ref, typ, id)
		}
	})
}
