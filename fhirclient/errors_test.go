package fhirclient_test

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

func wantAPIError(t *testing.T, err error, kind fhirclient.ErrorKind, status int, explainHas ...string) *fhirclient.APIError {
	t.Helper()
	var ae *fhirclient.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want *APIError", err, err)
	}
	if ae.Kind != kind || ae.Status != status {
		t.Fatalf("APIError kind %v status %d, want %v %d (%v)", ae.Kind, ae.Status, kind, status, ae)
	}
	ex := ae.Explain()
	for _, w := range explainHas {
		if !strings.Contains(ex.Cause+"\n"+ex.Fix, w) {
			t.Errorf("explanation lacks %q: %+v", w, ex)
		}
	}
	return ae
}

func TestScopeMissingAndForbidden(t *testing.T) {
	for _, tc := range []struct {
		flavor fhirtest.Flavor
		kind   fhirclient.ErrorKind
		status int
	}{
		{fhirtest.Flavor704, fhirclient.KindScopeMissing, 401},
		{fhirtest.Flavor702, fhirclient.KindScopeMissing, 401},
		{fhirtest.FlavorPaged, fhirclient.KindForbidden, 403},
	} {
		t.Run(string(tc.flavor), func(t *testing.T) {
			srv, cred := sandbox(t, fhirtest.Options{Flavor: tc.flavor, Patients: 5}, patientScopes)
			c := newClient(t, srv, cred, patientScopes)
			_, err := c.Search(ctxT(t), "Observation", nil)
			ae := wantAPIError(t, err, tc.kind, tc.status)
			if tc.kind == fhirclient.KindScopeMissing {
				if ae.MissingScope != "system/Observation.read" || !strings.Contains(ae.Explain().Fix, "system/Observation.read") {
					t.Errorf("missing scope %q: %+v", ae.MissingScope, ae.Explain())
				}
				// The token plainly lacks the scope: no pointless re-mint.
				if n := srv.Counters().TokenRequests; n != 1 {
					t.Errorf("%d token requests", n)
				}
			}
		})
	}
}

func TestNotFoundIsOpenEMRsEmptyList(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 5}, patientScopes)
	c := newClient(t, srv, cred, patientScopes)
	_, err := c.Read(ctxT(t), "Patient", "no-such-id")
	ae := wantAPIError(t, err, fhirclient.KindNotFound, 404, "OpenEMR")
	if ae.Excerpt != "[]" {
		t.Errorf("excerpt %q", ae.Excerpt)
	}
	id := srv.Data().All("Patient")[0].ID
	body, err := c.Read(ctxT(t), "Patient", id)
	if err != nil || !strings.Contains(string(body), id) {
		t.Fatalf("read: %v", err)
	}
	if _, err := c.Read(ctxT(t), "Patient", "../metadata"); err == nil {
		t.Error("path traversal in id accepted")
	}
}

func TestBadBodies(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 5}, patientScopes)
	c := newClient(t, srv, cred, patientScopes)
	patients := "/apis/default/fhir/Patient"
	for _, tc := range []struct {
		rule   fhirtest.FaultRule
		kind   fhirclient.ErrorKind
		status int
		says   string
	}{
		{fhirtest.FaultRule{Kind: fhirtest.FaultHTML, Status: 200}, fhirclient.KindHTML, 200, "HTML page"},
		{fhirtest.FaultRule{Kind: fhirtest.FaultEmpty, Status: 200}, fhirclient.KindEmpty, 200, "empty body"},
		{fhirtest.FaultRule{Kind: fhirtest.FaultHTML, Status: 502}, fhirclient.KindServer, 502, "HTTP 502"},
		{fhirtest.FaultRule{Kind: fhirtest.FaultStatus, Status: 500}, fhirclient.KindServer, 500, "HTTP 500"},
	} {
		tc.rule.PathPrefix = patients
		srv.SetFaults(fhirtest.FaultConfig{Rules: []fhirtest.FaultRule{tc.rule}})
		_, err := c.Search(ctxT(t), "Patient", nil)
		wantAPIError(t, err, tc.kind, tc.status, tc.says)
	}
	srv.SetFaults(fhirtest.FaultConfig{Rules: []fhirtest.FaultRule{{PathPrefix: patients, Kind: fhirtest.FaultDrop}}})
	_, err := c.Search(ctxT(t), "Patient", nil)
	var ne *fhirclient.NetworkError
	if !errors.As(err, &ne) {
		t.Errorf("dropped connection: %v (%T)", err, err)
	}
	srv.SetFaults(fhirtest.FaultConfig{})

	// Not JSON at all, from a plain server (no credentials needed).
	text := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("Fatal error: out of memory")) })
	plain, _ := fhirclient.New(text.URL + "/fhir")
	_, err = plain.Search(ctxT(t), "Patient", nil)
	wantAPIError(t, err, fhirclient.KindNotJSON, 200, "not valid JSON")
	truncated := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","entry":[{"resource":{"id":"1"`))
	})
	plain, _ = fhirclient.New(truncated.URL + "/fhir")
	_, err = plain.Search(ctxT(t), "Patient", nil)
	wantAPIError(t, err, fhirclient.KindNotJSON, 200)
}

func TestResponseSizeCap(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 50}, patientScopes)
	c := newClient(t, srv, cred, patientScopes, fhirclient.WithMaxResponseBytes(4096))
	_, err := c.Search(ctxT(t), "Patient", nil)
	ae := wantAPIError(t, err, fhirclient.KindTooLarge, 200, "4096 bytes")
	if ae.Limit != 4096 {
		t.Error(ae.Limit)
	}
	// With a known Content-Length the body is refused before it is read.
	big := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "100000")
		_, _ = w.Write(make([]byte, 100000))
	})
	plain, _ := fhirclient.New(big.URL+"/fhir", fhirclient.WithMaxResponseBytes(1000))
	_, err = plain.Get(ctxT(t), "Patient")
	wantAPIError(t, err, fhirclient.KindTooLarge, 200)
}

// TestTokenOnlyToTheBaseOrigin: a next link, an absolute URL and a redirect that lead to
// another origin are refused, and the other server never sees a request with the token.
func TestTokenOnlyToTheBaseOrigin(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Flavor: fhirtest.FlavorPaged, Patients: 30}, patientScopes)
	other := newRecorder(t, nil)
	c := newClient(t, srv, cred, patientScopes, fhirclient.WithPageSize(10))
	if _, err := c.Token(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	origin := srv.URL()
	// The sandbox now writes the other origin into its links, as a misconfigured or hostile
	// server would.
	srv.SetOrigin(other.URL)
	p, err := c.Search(ctxT(t), "Patient", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(p.Links["next"], other.URL) {
		t.Fatalf("next link %q", p.Links["next"])
	}
	_, err = c.Next(ctxT(t), p)
	var oe *fhirclient.OriginError
	if !errors.As(err, &oe) || !strings.Contains(oe.Explain().Cause, "could leak") {
		t.Fatalf("Next: %v", err)
	}
	if _, err := c.Get(ctxT(t), other.URL+"/apis/default/fhir/Patient"); !errors.As(err, &oe) {
		t.Fatalf("Get: %v", err)
	}
	for p, err := range c.SearchIter(ctxT(t), "Patient", nil) {
		if p == nil && !errors.As(err, &oe) {
			t.Fatalf("SearchIter: %v", err)
		}
	}
	// A redirect from the base's origin to the other one.
	redirector := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/steal", http.StatusFound)
	})
	srv.SetOrigin(origin)
	rc, err := fhirclient.New(redirector.URL+"/fhir", fhirclient.WithCredentials(cred), fhirclient.WithScopes(patientScopes),
		fhirclient.WithTokenURL(srv.TokenURL()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rc.Get(ctxT(t), "Patient"); !errors.As(err, &oe) {
		t.Fatalf("redirect: %v", err)
	}
	if hits, auths := other.Seen(); hits != 0 {
		t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
	}
	if _, auths := redirector.Seen(); len(auths) != 1 || !strings.HasPrefix(auths[0], "Bearer ") {
		t.Errorf("the base origin should have had the token: %q", auths)
	}
}

func TestTLSWithCAFile(t *testing.T) {
	rk, _ := testKeys(t)
	sb := fhirtest.NewHandler(fhirtest.Options{Patients: 5})
	ts := httptest.NewUnstartedServer(sb)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes below are expected
	ts.StartTLS()
	defer ts.Close()
	sb.SetOrigin(ts.URL)
	id, err := sb.RegisterClient(fhirtest.ClientRegistration{Name: "tls", Scopes: patientScopes, JWKS: jwksOf(t, rk), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	cred := fhirclient.Credentials{ClientID: id, Signer: rk}
	search := func(opts ...fhirclient.Option) error {
		opts = append(opts, fhirclient.WithCredentials(cred), fhirclient.WithScopes(patientScopes))
		c, err := fhirclient.New(sb.FHIRBase(), opts...)
		if err != nil {
			return err
		}
		_, err = c.Search(ctxT(t), "Patient", url.Values{"_count": {"2"}})
		return err
	}
	// Unknown CA: refused, and the explanation points at --ca-file.
	err = search()
	var ne *fhirclient.NetworkError
	if !errors.As(err, &ne) || !strings.Contains(ne.Explain().Fix, "--ca-file") {
		t.Fatalf("untrusted: %v", err)
	}
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := search(fhirclient.WithCAFile(caFile)); err != nil {
		t.Fatalf("with CA file: %v", err)
	}
	c, _ := fhirclient.New(sb.FHIRBase(), fhirclient.WithInsecureSkipVerify())
	if !c.Insecure() {
		t.Error("Insecure() false")
	}
	if err := search(fhirclient.WithInsecureSkipVerify()); err != nil {
		t.Fatalf("insecure: %v", err)
	}
	if _, err := fhirclient.New(sb.FHIRBase(), fhirclient.WithCAFile(filepath.Join(t.TempDir(), "missing.pem"))); err == nil {
		t.Error("missing CA file accepted")
	}
	// Plain HTTP client to a TLS port.
	httpBase := strings.Replace(sb.FHIRBase(), "https://", "http://", 1)
	pc, _ := fhirclient.New(httpBase)
	_, err = pc.Metadata(ctxT(t))
	if err == nil {
		t.Error("http to a TLS port succeeded")
	}
}

func TestCancellationAndRefusedConnection(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 5, Latency: 500 * time.Millisecond}, patientScopes)
	c := newClient(t, srv, cred, patientScopes, fhirclient.WithTokenURL(srv.TokenURL()))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Token(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > time.Second {
		t.Fatalf("err %v after %v", err, time.Since(start))
	}
	if ex, ok := fhirclient.Explain(err); !ok || !strings.Contains(ex.Cause, "in time") {
		t.Errorf("%+v", ex)
	}
	dead := newRecorder(t, nil)
	base := dead.URL + "/fhir"
	dead.Close()
	dc, _ := fhirclient.New(base)
	_, err = dc.Metadata(ctxT(t))
	if ex, ok := fhirclient.Explain(err); !ok || !strings.Contains(ex.Cause, "connection refused") {
		t.Errorf("%v: %+v", err, ex)
	}
}

func TestRelativeNextLinkResolvedOnTheBase(t *testing.T) {
	var page2 bool
	srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		if r.URL.Query().Get("page") == "2" {
			page2 = true
			_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"b"}}]}`))
			return
		}
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"Patient?page=2"}],"entry":[{"resource":{"resourceType":"Patient","id":"a"}}]}`))
	})
	c, _ := fhirclient.New(srv.URL + "/fhir")
	ids, _ := collect(t, c, "Patient", nil)
	if !page2 || strings.Join(ids, ",") != "a,b" {
		t.Fatalf("ids %v", ids)
	}
}

// TestWWWAuthenticateOnStandardServers: RFC 6750 challenges decide between a missing scope
// (no pointless re-mint) and a rejected token (one re-mint and retry).
func TestWWWAuthenticateOnStandardServers(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{}, patientScopes)
	for _, tc := range []struct {
		challenge      string
		kind           fhirclient.ErrorKind
		hits, tokenReq int
	}{
		{`Bearer error="insufficient_scope", scope="system/Patient.read"`, fhirclient.KindScopeMissing, 1, 1},
		{`Bearer error="invalid_token"`, fhirclient.KindTokenRejected, 2, 2},
	} {
		fhir := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("WWW-Authenticate", tc.challenge)
			w.WriteHeader(http.StatusUnauthorized)
		})
		before := srv.Counters().TokenRequests
		c, _ := fhirclient.New(fhir.URL+"/fhir", fhirclient.WithCredentials(cred), fhirclient.WithScopes(patientScopes),
			fhirclient.WithTokenURL(srv.TokenURL()))
		_, err := c.Search(ctxT(t), "Patient", nil)
		wantAPIError(t, err, tc.kind, 401)
		if hits, _ := fhir.Seen(); hits != tc.hits || srv.Counters().TokenRequests-before != int64(tc.tokenReq) {
			t.Errorf("%s: %d requests, %d token requests", tc.challenge, hits, srv.Counters().TokenRequests-before)
		}
	}
}

// TestEchoedOpaqueTokenNeverInErrors: a server that reflects the Authorization header in
// its error page must not get the (non-JWT) token into the error, the log or the trace.
func TestEchoedOpaqueTokenNeverInErrors(t *testing.T) {
	rk, _ := testKeys(t)
	const secret = "opaque-access-token-0123456789abcdef"
	auth := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"` + secret + `","token_type":"Bearer","expires_in":300}`))
	})
	echo := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte("<html><body>Internal error handling request with " + r.Header.Get("Authorization") + "</body></html>"))
	})
	var trace strings.Builder
	c, err := fhirclient.New(echo.URL+"/fhir", fhirclient.WithTokenURL(auth.URL+"/token"), fhirclient.WithTrace(&trace),
		fhirclient.WithCredentials(fhirclient.Credentials{ClientID: "c", Signer: rk}), fhirclient.WithScopes(patientScopes))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Search(ctxT(t), "Patient", nil)
	ae := wantAPIError(t, err, fhirclient.KindServer, 500, "HTML error page")
	if strings.Contains(ae.Excerpt+ae.Error()+trace.String(), secret[:12]) || !strings.Contains(ae.Excerpt, "[redacted token]") {
		t.Fatalf("token leaked or not redacted: %q", ae.Excerpt)
	}
}

func TestEndlessResponseIsCut(t *testing.T) {
	endless := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/fhir+json")
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","entry":[`))
		chunk := []byte(strings.Repeat(`{"resource":{"resourceType":"Patient"}},`, 1000))
		for r.Context().Err() == nil {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	c, _ := fhirclient.New(endless.URL+"/fhir", fhirclient.WithMaxResponseBytes(2<<20))
	start := time.Now()
	_, err := c.Search(ctxT(t), "Patient", nil)
	wantAPIError(t, err, fhirclient.KindTooLarge, 200, "2097152 bytes")
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("took %v", d)
	}
}

func TestNotFoundHTMLPointsAtTheBase(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 5}, patientScopes)
	// The sandbox answers paths outside /apis and /oauth2 with an HTML 404, as a web server
	// would; a Get to such a path on the same origin is allowed but fails like this.
	c := newClient(t, srv, cred, patientScopes)
	_, err := c.Get(ctxT(t), srv.URL()+"/interface/login/login.php")
	wantAPIError(t, err, fhirclient.KindNotFound, 404, "base URL")
}

func TestRateLimited(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 5}, patientScopes)
	srv.SetFaults(fhirtest.FaultConfig{Rules: []fhirtest.FaultRule{{PathPrefix: "/apis/default/fhir/Patient", Kind: fhirtest.FaultStatus, Status: 429}}})
	_, err := newClient(t, srv, cred, patientScopes).Search(ctxT(t), "Patient", nil)
	wantAPIError(t, err, fhirclient.KindRateLimited, 429, "Wait")
	slow := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c, _ := fhirclient.New(slow.URL + "/fhir")
	_, err = c.Search(ctxT(t), "Patient", nil)
	if ae := wantAPIError(t, err, fhirclient.KindRateLimited, 429, "Wait 3s"); ae.RetryAfter != 3*time.Second {
		t.Error(ae.RetryAfter)
	}
}
