// Package fhirclient talks to a FHIR server as a SMART Backend Services system client:
// discovery, client-assertion signing, tokens, FHIR reads and searches with paging, typed
// errors and a redacted request log. It is written to OpenEMR's real behaviour (see
// ../shared/openemr.md in the workspace) and to standard FHIR servers alike.
package fhirclient

// Version is fhirscope's version; it goes into the User-Agent of every request.
const Version = "0.1.0"
