package fhirclient_test

import (
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
