// Package fhirclient talks to a FHIR server as a SMART Backend Services system client:
// discovery, client-assertion signing, tokens, FHIR reads and searches with paging, typed
// errors and a redacted request log. It is written to OpenEMR's real behaviour (see
// ../shared/openemr.md in the workspace) and to standard FHIR servers alike.
//
// A session in four calls:
//
//	c, err := fhirclient.New("https://emr.example.org/apis/default/fhir",
//		fhirclient.WithCredentials(fhirclient.Credentials{ClientID: id, Signer: key}),
//		fhirclient.WithScopes([]string{"system/Patient.read"}))
//	sc, err := c.Discover(ctx)        // token endpoint; sc.Source says how it was found
//	tok, err := c.Token(ctx)          // tok.Dropped(): scopes the server silently left out
//	for page, err := range c.SearchIter(ctx, "Patient", nil) { ... page.Entries ... }
//
// Tokens are reused until shortly before they expire and re-minted silently (one request
// for any number of concurrent callers); a 401 gets one re-mint and retry. Searches page by
// next links, by synthesized _count/_offset (OpenEMR's Patient), or not at all (one bundle
// holding everything: the caller pages locally); Page.Mode says which.
//
// Every failure is typed: *AuthError (token endpoint), *APIError (FHIR request, with a
// Kind), *OriginError (the token was withheld from another origin), *BaseURLError and
// *NetworkError. Explain(err) turns any of them into a cause and a fix for the user. Server
// strings in errors and pages are raw: sanitise them before they reach a terminal.
package fhirclient

// Version is fhirscope's version; it goes into the User-Agent of every request.
const Version = "0.1.0"
