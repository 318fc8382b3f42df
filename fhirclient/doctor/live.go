package doctor

import (
	"context"
	"time"

	"fhirscope/fhirclient"
)

// RunLive runs steps 7-9 (scope diff, access matrix, token claims) for a connection that is
// already up: the explorer's Scopes screen shows them for the client in use, with its
// current token (minted again if it is about to expire). now is the clock the token's time
// left is told by (time.Now when nil; the explorer passes its own).
func RunLive(ctx context.Context, client *fhirclient.Client, now func() time.Time, onCheck func(Check)) *Report {
	r := &run{cfg: Config{Now: now}, report: &Report{Base: client.BaseURL(), Started: time.Now()}, onCheck: onCheck, client: client, authed: client}
	defer func() { r.report.Duration = time.Since(r.report.Started) }()
	tok, err := client.Token(ctx)
	if err != nil {
		cause, fix := explanation(err)
		r.add(Check{Step: 6, ID: "token.request", Title: stepTitles[6], Status: Fail, Cause: cause, Fix: fix})
		r.skipFrom(7, "no access token")
		return r.report
	}
	r.tok = tok
	// Capabilities and discovery are cached by the client: no extra requests when connected.
	if caps, err := client.Metadata(ctx); err == nil {
		r.caps = caps
	}
	if sc, err := client.Discover(ctx); err == nil {
		r.sc = sc
	}
	r.checkScopes()
	r.checkAccess(ctx)
	r.checkTokenClaims()
	return r.report
}
