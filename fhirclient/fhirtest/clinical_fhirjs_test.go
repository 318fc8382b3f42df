package fhirtest

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// TestClinicalValidatesWithFHIRJS checks the generated resources with an independent
// validator: FHIR.js (npm package "fhir", 4.12.0) validating against the R4
// StructureDefinitions, unexpected elements being errors. It needs Node and the package:
//
//	npm install --prefix /tmp/fhirjs fhir@4.12.0
//	FHIRJS_NODE_PATH=/tmp/fhirjs/node_modules go test -run FHIRJS ./fhirclient/fhirtest/
//
// and is skipped when FHIRJS_NODE_PATH is unset.
func TestClinicalValidatesWithFHIRJS(t *testing.T) {
	modules := os.Getenv("FHIRJS_NODE_PATH")
	if modules == "" {
		t.Skip("FHIRJS_NODE_PATH unset: no FHIR.js to validate with")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("FHIRJS_NODE_PATH set but no node: %v", err)
	}
	var ndjson bytes.Buffer
	GenerateClinicalEach(ClinicalConfig{Seed: 3, Patients: 150}, func(r Resource) {
		ndjson.Write(r.JSON)
		ndjson.WriteByte('\n')
	})
	cmd := exec.Command(node, "testdata/clinical/validate_fhirjs.js")
	cmd.Env = append(os.Environ(), "NODE_PATH="+modules)
	cmd.Stdin = &ndjson
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("validator: %v\n%s", err, stderr.Bytes())
	}
	var summary struct {
		Resources, Invalid int
		Problems           map[string]int
	}
	if err := json.Unmarshal(out, &summary); err != nil {
		t.Fatalf("validator output %q: %v", out, err)
	}
	if summary.Resources < 1000 || summary.Invalid != 0 || len(summary.Problems) != 0 {
		t.Fatalf("%d resources validated, %d invalid; problems: %v", summary.Resources, summary.Invalid, summary.Problems)
	}
}
