package fhirclient_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

// TestThousandSearchesOneTokenFewConnections: token reuse and keep-alive, read from the
// sandbox's own counters.
func TestThousandSearchesOneTokenFewConnections(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 20}, patientScopes)
	c := newClient(t, srv, cred, patientScopes)
	if _, err := c.Discover(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	before := srv.Counters()
	q := url.Values{"_count": {"5"}}
	for i := range 1000 {
		if _, err := c.Search(ctxT(t), "Patient", q); err != nil {
			t.Fatalf("search %d: %v", i, err)
		}
	}
	n := srv.Counters()
	// Counted from the start: discovery, one token request, 1000 searches.
	if n.TokenRequests != 1 || n.Connections < 1 || n.Connections > 2 || n.Requests-before.Requests != 1001 {
		t.Fatalf("counters %+v (before %+v), want 1 token request, 1-2 connections, 1001 requests", n, before)
	}
}

// TestTokenExpiringMidRunServerSide: the server's clock runs past the token's expiry while the
// client still thinks it fresh; the 401 costs exactly one re-mint and one retry.
func TestTokenExpiringMidRunServerSide(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 10, TokenLifetime: 60 * time.Second}, patientScopes)
	c := newClient(t, srv, cred, patientScopes)
	for i := range 20 {
		if i == 10 {
			srv.SetNow(func() time.Time { return time.Now().Add(70 * time.Second) })
		}
		if _, err := c.Search(ctxT(t), "Patient", nil); err != nil {
			t.Fatalf("search %d: %v", i, err)
		}
	}
	if n := srv.Counters(); n.TokenRequests != 2 {
		t.Fatalf("%d token requests, want 2", n.TokenRequests)
	}
	retries, fours := 0, 0
	for _, e := range c.Log().Entries() {
		if strings.Contains(e.Note, "retry") {
			retries++
		}
		if e.Status == 401 {
			fours++
		}
	}
	if retries != 1 || fours != 1 {
		t.Errorf("%d retries, %d 401s in the log", retries, fours)
	}
}

// TestTokenReMintedBeforeExpiry: with the client's clock past expiry-margin, the next request
// mints first and never meets a 401.
func TestTokenReMintedBeforeExpiry(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 10}, patientScopes)
	var skew atomic.Int64
	c := newClient(t, srv, cred, patientScopes, fhirclient.WithClock(func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }))
	for i := range 10 {
		if i == 5 {
			skew.Store(int64(290 * time.Second)) // within the margin of the 300 s token
			srv.SetNow(func() time.Time { return time.Now().Add(290 * time.Second) })
		}
		if _, err := c.Search(ctxT(t), "Patient", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Counters(); n.TokenRequests != 2 {
		t.Fatalf("%d token requests", n.TokenRequests)
	}
	for _, e := range c.Log().Entries() {
		if e.Status == 401 {
			t.Fatal("a 401 although the token was renewed early")
		}
	}
}

func TestConcurrentCallersShareOneMint(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 10, Latency: 20 * time.Millisecond}, patientScopes)
	c := newClient(t, srv, cred, patientScopes)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Search(ctxT(t), "Patient", nil)
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Counters(); n.TokenRequests != 1 {
		t.Fatalf("%d token requests for 16 concurrent searches", n.TokenRequests)
	}
	// A cancelled caller does not poison the others.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.MintToken(ctx); err == nil {
		t.Error("MintToken with a cancelled context succeeded")
	}
	if _, err := c.Token(ctxT(t)); err != nil {
		t.Fatal(err)
	}
}

func TestRequestLogRedactsTokensAndAssertions(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 5}, patientScopes)
	var trace strings.Builder
	var mu sync.Mutex
	c := newClient(t, srv, cred, patientScopes, fhirclient.WithTrace(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return trace.Write(p)
	})))
	if _, err := c.Search(ctxT(t), "Patient", nil); err != nil {
		t.Fatal(err)
	}
	tok := c.CurrentToken().AccessToken
	entries := c.Log().Entries()
	if len(entries) != 3 { // smart-configuration, token, search
		t.Fatalf("%d log entries", len(entries))
	}
	mu.Lock()
	all := trace.String()
	mu.Unlock()
	for _, e := range entries {
		all += e.URL + e.ReqBody + e.Note + e.Err
		for _, v := range e.ReqHeaders {
			all += v
		}
		for _, v := range e.RespHeaders {
			all += v
		}
	}
	if strings.Contains(all, tok) || strings.Contains(all, tok[:40]) || strings.Contains(all, "eyJ") {
		t.Fatal("the log or trace holds the access token or an assertion")
	}
	tokEntry, search := entries[1], entries[2]
	if tokEntry.Method != "POST" || tokEntry.Status != 200 || !strings.Contains(tokEntry.ReqBody, "client_assertion=%5Bredacted") ||
		search.Status != 200 || search.BytesIn == 0 || search.Duration <= 0 || !strings.HasPrefix(search.ReqHeaders["Authorization"], "Bearer [redacted") ||
		search.ReqHeaders["User-Agent"] != "fhirscope/"+fhirclient.Version || search.ReqHeaders["Accept"] != "application/fhir+json" {
		t.Errorf("entries:\n%+v\n%+v", tokEntry, search)
	}
	if strings.Count(all, "\n") < 3 {
		t.Errorf("trace has no JSON lines: %q", all)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func TestNoCredentialsAndMarginCap(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 5, TokenLifetime: 60 * time.Second}, patientScopes)
	anon, _ := fhirclient.New(srv.FHIRBase())
	if _, err := anon.Token(ctxT(t)); err != fhirclient.ErrNoCredentials {
		t.Fatalf("Token without credentials: %v", err)
	}
	if ex, ok := fhirclient.Explain(fhirclient.ErrNoCredentials); !ok || ex.Fix == "" {
		t.Error("no explanation for missing credentials")
	}
	_, err := anon.Search(ctxT(t), "Patient", nil)
	wantAPIError(t, err, fhirclient.KindAuthRequired, 401)
	// A margin longer than the token's life must not turn every request into a mint.
	c := newClient(t, srv, cred, patientScopes, fhirclient.WithTokenMargin(10*time.Minute))
	for range 5 {
		if _, err := c.Search(ctxT(t), "Patient", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n := srv.Counters().TokenRequests; n != 1 {
		t.Fatalf("%d token requests", n)
	}
}
