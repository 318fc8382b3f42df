// Package doctor checks a SMART Backend Services setup against its server, step by step, and
// names the cause of each failure with a concrete fix.
//
// OpenEMR answers almost every setup mistake with the same generic invalid_client, drops
// unregistered scopes without a word and answers a missing scope with a bare 401, so the
// doctor does not stop at the server's answer: it checks what it can see from outside (the
// clock, the audience, the key, the published JWKS, the scopes) and correlates. The checks
// run in the order a person would debug: server, discovery, key, JWKS, assertion, token,
// scopes, access, token claims.
package doctor

import (
	"context"
	"crypto"
	"time"

	"fhirscope/fhirclient"
)

// Status is the outcome of one check.
type Status string

const (
	Pass Status = "pass"
	Warn Status = "warn"
	Fail Status = "fail"
	Skip Status = "skip" // not run: an earlier failure makes it meaningless, or nothing to check
)

// Check is one line of the report: what was checked, how it went, and for anything but a
// pass, why and what to do.
type Check struct {
	Step   int    `json:"step"` // 1..9, the section of the report
	ID     string `json:"id"`   // stable, e.g. "token.request"
	Title  string `json:"title"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	Cause  string `json:"cause,omitempty"`
	Fix    string `json:"fix,omitempty"`
	// Items are the rows of table-like checks (scope diff, access matrix, claims).
	Items []Item `json:"items,omitempty"`
}

// Item is one row of a table-like check.
type Item struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	Detail string `json:"detail,omitempty"`
	Fix    string `json:"fix,omitempty"`
}

// Report is the whole run.
type Report struct {
	Profile  string        `json:"profile,omitempty"`
	Base     string        `json:"fhir_base"`
	Started  time.Time     `json:"started"`
	Duration time.Duration `json:"duration_ns"`
	Checks   []Check       `json:"checks"`
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == Fail {
			return true
		}
	}
	return false
}

// Counts returns how many checks ended in each status.
func (r *Report) Counts() map[Status]int {
	m := map[Status]int{}
	for _, c := range r.Checks {
		m[c.Status]++
	}
	return m
}

// Find returns the check with the given id.
func (r *Report) Find(id string) (Check, bool) {
	for _, c := range r.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

// Config is what the doctor checks: a profile's settings with its key already loaded (or the
// error loading it gave).
type Config struct {
	Profile  string
	BaseURL  string
	TokenURL string // the profile's override; empty: the discovered token endpoint
	ClientID string
	Scopes   []string
	Key      crypto.Signer // nil when KeyErr is set
	KeyErr   error
	Alg      string // RS384 or ES384; empty: follow the key
	KeyID    string
	JWKSURI  string // the public JWKS URL registered with the server, when the profile has one
	// CAFile and Insecure are the TLS settings, also passed to the client by ClientOptions.
	CAFile   string
	Insecure bool
	// ClientOptions configure every client the doctor makes (CA file, insecure, request log).
	ClientOptions []fhirclient.Option
	// Now is the local clock (time.Now when nil); tests skew it.
	Now func() time.Time
	// AccessConcurrency bounds the parallel searches of the access matrix (default 4).
	AccessConcurrency int
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Run runs every check in order and returns the report. onCheck, when not nil, sees each
// check as soon as it is done (the TUI shows them appearing).
func Run(ctx context.Context, cfg Config, onCheck func(Check)) *Report {
	r := &run{cfg: cfg, report: &Report{Profile: cfg.Profile, Base: cfg.BaseURL, Started: time.Now()}, onCheck: onCheck}
	r.do(ctx)
	r.report.Duration = time.Since(r.report.Started)
	return r.report
}

// run carries what earlier checks learned to later ones.
type run struct {
	cfg     Config
	report  *Report
	onCheck func(Check)

	client    *fhirclient.Client // without credentials: metadata, discovery, JWKS
	caps      *fhirclient.Capabilities
	sc        *fhirclient.SmartConfig
	tokenURL  string        // where the token request goes (the assertion's aud)
	skew      time.Duration // server clock minus local clock, when known
	skewKnown bool
	alg       string
	jwksOrder string // "first", "later", "absent" or "" (not checked)
	tok       *fhirclient.Token
	authed    *fhirclient.Client // with credentials, once a token was minted
}

func (r *run) add(c Check) {
	r.report.Checks = append(r.report.Checks, c)
	if r.onCheck != nil {
		r.onCheck(c)
	}
}

func (r *run) do(ctx context.Context) {
	if !r.checkServer(ctx) {
		r.skipFrom(2, "the server did not answer as a FHIR server")
		return
	}
	if !r.checkDiscovery(ctx) {
		r.skipFrom(3, "no token endpoint was found")
		return
	}
	keyOK := r.checkKey()
	r.checkJWKS(ctx)
	if !keyOK {
		r.skipFrom(5, "no usable private key")
		return
	}
	if !r.checkAssertion() {
		r.skipFrom(6, "no client assertion could be signed")
		return
	}
	if !r.checkToken(ctx) {
		r.skipFrom(7, "no access token")
		return
	}
	r.checkScopes()
	r.checkAccess(ctx)
	r.checkTokenClaims()
}

// skipFrom records that the steps from step on were not run, and why.
func (r *run) skipFrom(step int, why string) {
	for s := step; s <= 9; s++ {
		r.add(Check{Step: s, ID: stepIDs[s] + ".skipped", Title: stepTitles[s], Status: Skip, Detail: "not run: " + why})
	}
}

var stepIDs = map[int]string{1: "server", 2: "discovery", 3: "key", 4: "jwks", 5: "assertion", 6: "token", 7: "scopes", 8: "access", 9: "claims"}

var stepTitles = map[int]string{
	1: "Server", 2: "Discovery", 3: "Private key", 4: "Published JWKS", 5: "Client assertion",
	6: "Token request", 7: "Scopes", 8: "Access matrix", 9: "Access token",
}

// StepTitle names a report section.
func StepTitle(step int) string { return stepTitles[step] }

// explanation turns any error into a cause and fix, falling back to the error text.
func explanation(err error) (cause, fix string) {
	if ex, ok := fhirclient.Explain(err); ok {
		return ex.Cause, ex.Fix
	}
	return err.Error(), ""
}
