// Package fhirtest is an OpenEMR-compatible SMART Backend Services and FHIR R4 server for
// tests, benchmarks, `fhirscope sandbox` and `fhirscope --demo`, as net/http/httptest serves
// net/http. It behaves as OpenEMR 7.0.4+ by default, as 7.0.2/7.0.3 by option, or as a standard
// FHIR server with searchset paging (the "paged" flavor). The behaviour it copies is written
// down in the workspace's shared/openemr.md.
//
// Data comes from a Dataset: GenerateBasic builds a deterministic one from a seed, and richer
// generators add clinical resources with the same Resource type.
package fhirtest
