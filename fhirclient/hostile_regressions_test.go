package fhirclient_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"fhirscope/fhirclient"
)

// Read used to return any body of more than 64 KB that began with "{" (shapeOf validates only
// small ones), so a truncated, non-UTF-8 or absurdly nested resource reached the inspector as
// if it were fine. It is now a KindNotJSON error saying what is wrong.
func TestReadRejectsInvalidLargeJSON(t *testing.T) {
	pad := strings.Repeat("x", 70<<10)
	for name, body := range map[string]string{
		"truncated": `{"resourceType":"Patient","id":"1","text":{"div":"` + pad,
		"bad utf-8": `{"resourceType":"Patient","id":"1","name":[{"family":"\xff\xfe"}],"text":{"div":"` + pad + `"}}`,
		"deep":      `{"resourceType":"Patient","id":"1","x":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`,
	} {
		srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) })
		c, _ := fhirclient.New(srv.URL + "/fhir")
		_, err := c.Read(ctxT(t), "Patient", "1")
		if ae := wantAPIError(t, err, fhirclient.KindNotJSON, 200, "not valid JSON"); ae.Detail == "" {
			t.Errorf("%s: no detail says what is wrong: %v", name, ae)
		}
	}
}

// A search answered by valid JSON that is not a Bundle used to be explained as "not valid
// JSON"; it is KindNotBundle, whose explanation points at the search instead.
func TestSearchAnsweredByAResourceIsNotABundle(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"resourceType":"Patient","id":"1"}`))
	})
	c, _ := fhirclient.New(srv.URL + "/fhir")
	_, err := c.Search(ctxT(t), "Patient", nil)
	ae := wantAPIError(t, err, fhirclient.KindNotBundle, 200, "other than a Bundle", `"Patient"`)
	if strings.Contains(ae.Explain().Cause, "not valid JSON") {
		t.Errorf("explained as invalid JSON: %+v", ae.Explain())
	}
}

// A response Go's HTTP client refuses (a header with raw escapes) was explained as "The request
// got no answer ... check the network path"; an answer did come, and it is not valid HTTP.
func TestMalformedResponseIsExplainedAsSuch(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-Debug", "trace\x1b]52;c;ZXZpbA==\a")
		_, _ = w.Write([]byte(`{"resourceType":"Patient","id":"1"}`))
	})
	c, _ := fhirclient.New(srv.URL + "/fhir")
	_, err := c.Read(ctxT(t), "Patient", "1")
	ex, ok := fhirclient.Explain(err)
	if !ok || !strings.Contains(ex.Cause, "not valid HTTP") || !strings.Contains(ex.Fix, "malformed response") {
		t.Fatalf("%v: %+v", err, ex)
	}
	if strings.ContainsAny(ex.Cause, "\x1b\a") {
		t.Errorf("raw escape in the cause: %q", ex.Cause)
	}
}

// A discovered token endpoint that is no http(s) URL was a *BaseURLError: "<token URL> does not
// work as a FHIR base ... A FHIR base looks like ...", blaming a base that is fine. It is a
// *TokenURLError saying where the URL came from, quoted (it may hold escapes).
func TestUnusableTokenEndpointIsExplainedAsSuch(t *testing.T) {
	rk, _ := testKeys(t)
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte(`{"token_endpoint":"http://127.0.0.1:1/to\u001b]52;c;eA==\u0007ken","grant_types_supported":["client_credentials"]}`))
	})
	c, _ := fhirclient.New(srv.URL+"/fhir", fhirclient.WithCredentials(fhirclient.Credentials{ClientID: "c", Signer: rk}),
		fhirclient.WithScopes(patientScopes))
	_, err := c.Token(ctxT(t))
	var te *fhirclient.TokenURLError
	if !errors.As(err, &te) || te.Configured {
		t.Fatalf("%v (%T), want a discovered *TokenURLError", err, err)
	}
	ex, _ := fhirclient.Explain(err)
	if !strings.Contains(ex.Cause, "discovery") || !strings.Contains(ex.Fix, "token URL") || strings.Contains(ex.Cause+ex.Fix, "FHIR base") ||
		strings.ContainsAny(ex.Cause, "\x1b\a") {
		t.Errorf("%+v", ex)
	}
}

// /metadata answering 200 with JSON that is no CapabilityStatement (here nested beyond
// encoding/json's limit) was a plain error, explained only by its own text; it is a typed
// *BaseURLError with a fix.
func TestMetadataThatIsNoCapabilityStatementIsTyped(t *testing.T) {
	for _, body := range []string{
		`{"resourceType":"CapabilityStatement","rest":` + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + `}`,
		`{"resourceType":"CapabilityStatement","rest":"not a list"}`,
	} {
		srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(body)) })
		c, _ := fhirclient.New(srv.URL + "/fhir")
		_, err := c.Metadata(ctxT(t))
		var be *fhirclient.BaseURLError
		if !errors.As(err, &be) || !strings.Contains(be.Explain().Cause, "not a CapabilityStatement") || be.Explain().Fix == "" {
			t.Errorf("%v (%T)", err, err)
		}
	}
}

// An endless token answer was told to "narrow the search (filters, a smaller _count)".
func TestTooLargeTokenAnswerIsNotASearch(t *testing.T) {
	rk, _ := testKeys(t)
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(make([]byte, 8192)) })
	c, _ := fhirclient.New(srv.URL+"/fhir", fhirclient.WithCredentials(fhirclient.Credentials{ClientID: "c", Signer: rk}),
		fhirclient.WithScopes(patientScopes), fhirclient.WithTokenURL(srv.URL+"/token"), fhirclient.WithMaxResponseBytes(4096))
	_, err := c.Token(ctxT(t))
	ex, _ := fhirclient.Explain(err)
	if !strings.Contains(ex.Cause, "larger than the limit") || strings.Contains(ex.Fix, "_count") || !strings.Contains(ex.Fix, "right endpoint") {
		t.Fatalf("%v: %+v", err, ex)
	}
}

// A next link that is no URL at all was an untyped error (explained only by its own text); a
// next link without an origin (javascript:, file:) was refused with "The server pointed to ,
// which ...". Both now say what the link was, quoted.
func TestBrokenAndOriginlessNextLinksAreExplained(t *testing.T) {
	for link, want := range map[string]string{
		`http://127.0.0.1:1/\u001b[2J`: "not a usable URL",
		`javascript:alert(1)`:          `pointed to "javascript:alert(1)"`,
		`file:///etc/passwd`:           `pointed to "file:///etc/passwd"`,
	} {
		srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
			_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","link":[{"relation":"next","url":"` + link +
				`"}],"entry":[{"resource":{"resourceType":"Patient","id":"a"}}]}`))
		})
		c, _ := fhirclient.New(srv.URL + "/fhir")
		p, err := c.Search(ctxT(t), "Patient", nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Next(ctxT(t), p)
		ex, ok := fhirclient.Explain(err)
		if !ok || !strings.Contains(ex.Cause, want) || ex.Fix == "" || strings.ContainsAny(ex.Cause, "\x1b") {
			t.Errorf("%s: %v: %+v", link, err, ex)
		}
	}
}
