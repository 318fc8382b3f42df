// Package fhirtest is an OpenEMR-compatible SMART Backend Services and FHIR R4 server for
// tests, benchmarks, `fhirscope sandbox` and `fhirscope --demo`, as net/http/httptest serves
// net/http. It behaves as OpenEMR 7.0.4+ by default, as 7.0.2/7.0.3 by option, or as a standard
// FHIR server with searchset paging (the "paged" flavor). The behaviour it copies is written
// down in the workspace's shared/openemr.md.
//
// Starting one:
//
//	srv := fhirtest.NewServer(fhirtest.Options{Patients: 50})  // listening on 127.0.0.1
//	defer srv.Close()
//	id, _ := srv.RegisterClient(fhirtest.ClientRegistration{Scopes: ..., JWKS: fhirtest.PublicJWKS(&key.PublicKey)})
//	srv.Enable(id) // new clients are disabled until the admin's step
//
// or, for a process that serves it (sandbox command, --demo): NewHandler, then Start(listener)
// (or SetOrigin plus any http.Server using HTTPServer for the connection counter).
//
// Test knobs: SetNow (server clock), SetFaults (500s, HTML pages, dropped connections, hostile
// bodies, endless bodies, delays; by path prefix, skip, count and rate), SetLatency,
// SetLinkOrigin (bundle links on another origin), Counters (token requests, requests, TCP
// connections, requests carrying a token), Options.TLS, Options.ExportDelay,
// Options.PatientCountPlusOne, Options.SystemScopes, Options.Log (the server log that names
// the cause of every opaque invalid_client).
//
// Data comes from a Dataset: GenerateBasic builds a deterministic one from a seed, and richer
// generators (GenerateClinical) add clinical resources with the same Resource type. The
// search index conventions are documented on Resource.
package fhirtest
