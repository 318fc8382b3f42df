package fhirclient

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestFlattenScopesFlatAndNested(t *testing.T) {
	cases := []struct {
		in     string
		want   []string
		nested bool
	}{
		{`["system/Patient.read","openid"]`, []string{"system/Patient.read", "openid"}, false},
		{`[["system/Patient.read","openid"]]`, []string{"system/Patient.read", "openid"}, true},
		{`[["a"],"b",[["c"]],7,null]`, []string{"a", "b", "c"}, true},
		{`"a b"`, []string{"a", "b"}, false},
		{`{}`, nil, false},
		{``, nil, false},
	}
	for _, c := range cases {
		got, nested := flattenScopes([]byte(c.in))
		if !reflect.DeepEqual(got, c.want) || nested != c.nested {
			t.Errorf("flattenScopes(%s) = %v %v, want %v %v", c.in, got, nested, c.want, c.nested)
		}
	}
}

func TestParseTokenResponse(t *testing.T) {
	issued := time.Unix(1_700_000_000, 0)
	req := []string{"system/Patient.read", "system/Observation.read"}
	tok, err := parseTokenResponse(200, []byte(`{"scope":"system/Patient.read","token_type":"Bearer","expires_in":300,"access_token":"abc"}`), req, issued, AuthError{})
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresAt != issued.Add(300*time.Second) || !reflect.DeepEqual(tok.Dropped(), []string{"system/Observation.read"}) {
		t.Errorf("token %+v dropped %v", tok, tok.Dropped())
	}
	if strings.Contains(tok.String(), "abc") {
		t.Error("Token.String shows the token")
	}
	// Empty scope: everything dropped. No scope member: as requested. String expires_in.
	tok, _ = parseTokenResponse(200, []byte(`{"scope":"","access_token":"a","expires_in":"60"}`), req, issued, AuthError{})
	if len(tok.Granted) != 0 || len(tok.Dropped()) != 2 || tok.ExpiresIn != 60 {
		t.Errorf("empty scope: %+v", tok)
	}
	tok, _ = parseTokenResponse(200, []byte(`{"access_token":"a"}`), req, issued, AuthError{})
	if !tok.ScopeOmitted || len(tok.Dropped()) != 0 || tok.ExpiresAt != issued.Add(unknownLifetime) {
		t.Errorf("omitted scope: %+v", tok)
	}
	for _, body := range []string{`{"token_type":"Bearer"}`, `<html>`, ``, `{"access_token":"a","token_type":"mac"}`} {
		_, err := parseTokenResponse(200, []byte(body), req, issued, AuthError{})
		if ae, ok := err.(*AuthError); !ok || ae.Status != 200 {
			t.Errorf("body %q: err %v", body, err)
		}
	}
	_, err = parseTokenResponse(400, []byte(`{"error":"invalid_scope","error_description":"The requested scope is invalid, unknown, or malformed","hint":"Check the `+"`system/*.read`"+` scope","message":"x"}`), req, issued, AuthError{})
	ae := err.(*AuthError)
	if ae.Code != "invalid_scope" || !strings.Contains(ae.Explain().Cause, `"system/*.read"`) {
		t.Errorf("invalid_scope: %+v %+v", ae, ae.Explain())
	}
}

func TestParseOAuthErrorShapes(t *testing.T) {
	for body, want := range map[string]string{
		`{"error":"access_denied","error_description":"d","hint":"Access token could not be verified","message":"d"}`: "access_denied",
		`{"error":"An error occurred","message":"Unauthorized","code":0}`:                                             "An error occurred",
	} {
		oe, ok := ParseOAuthError([]byte(body))
		if !ok || oe.Error != want {
			t.Errorf("%s: %+v %v", body, oe, ok)
		}
	}
	for _, body := range []string{`[]`, `{"error":5}`, `{"resourceType":"OperationOutcome"}`, `nope`, ``} {
		if _, ok := ParseOAuthError([]byte(body)); ok {
			t.Errorf("%s parsed as an OAuth error", body)
		}
	}
	if !tokenRejectedBody([]byte(`{"error":"access_denied","hint":"Access token could not be verified"}`)) ||
		tokenRejectedBody([]byte(`{"error":"An error occurred","message":"Unauthorized","code":0}`)) {
		t.Error("tokenRejectedBody misreads league / OpenEMR 7.0.4 bodies")
	}
}

func TestParseOperationOutcome(t *testing.T) {
	oo, ok := ParseOperationOutcome([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","details":{"coding":[{"display":"Bad param"}]}},{"severity":"warning","code":"x","diagnostics":"d"}]}`))
	if !ok || oo.Summary() != "error: invalid: Bad param; warning: x: d" {
		t.Errorf("%+v %q", oo, oo.Summary())
	}
	if _, ok := ParseOperationOutcome([]byte(`{"resourceType":"Patient"}`)); ok {
		t.Error("Patient parsed as OperationOutcome")
	}
}

func TestShapeOf(t *testing.T) {
	for body, want := range map[string]bodyShape{
		"":                   shapeEmpty,
		" \n":                shapeEmpty,
		"[]":                 shapeJSON,
		`{"a":1}`:            shapeJSON,
		"<!DOCTYPE html><p>": shapeHTML,
		"<html><body>x":      shapeHTML,
		"Fatal error: x":     shapeText,
		`{"a":`:              shapeText,
		"\xef\xbb\xbf{}":     shapeJSON,
	} {
		if got := shapeOf([]byte(body)); got != want {
			t.Errorf("shapeOf(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestScopeCovers(t *testing.T) {
	for _, c := range []struct {
		granted []string
		typ     string
		want    bool
	}{
		{[]string{"system/Patient.read"}, "Patient", true},
		{[]string{"system/Patient.rs"}, "Patient", true},
		{[]string{"system/Observation.rs?category=laboratory"}, "Observation", true},
		{[]string{"system/*.read"}, "Encounter", true},
		{[]string{"system/Patient.c"}, "Patient", false},
		{[]string{"system/Patient.read"}, "Observation", false},
		{[]string{"openid", "system/Patient.$export"}, "Patient", false},
		{nil, "Patient", false},
	} {
		if got := ScopeCovers(c.granted, c.typ); got != c.want {
			t.Errorf("ScopeCovers(%v, %s) = %v", c.granted, c.typ, got)
		}
	}
}

func TestParseCapabilityStatement(t *testing.T) {
	body := []byte(`{"resourceType":"CapabilityStatement","fhirVersion":"4.0.1","software":{"name":"OpenEMR","version":"7.0.2"},
	"rest":[{"mode":"server","security":{"extension":[{"url":"http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
	"extension":[{"url":"token","valueUri":"https://h/oauth2/default/token"},{"url":"authorize","valueUri":"https://h/oauth2/default/authorize"}]}]},
	"operation":[{"name":"export"}],
	"resource":[{"type":"Patient","interaction":[{"code":"read"},{"code":"search-type"}],"searchParam":[{"name":"name","type":"string"}],"operation":[{"name":"export"}]},
	{"type":"Encounter","interaction":[{"code":"read"}]}]}]}`)
	c, err := ParseCapabilityStatement(body)
	if err != nil {
		t.Fatal(err)
	}
	if c.Software != "OpenEMR" || c.SoftwareVersion != "7.0.2" || c.FHIRVersion != "4.0.1" || c.OAuth.Token != "https://h/oauth2/default/token" {
		t.Errorf("%+v", c)
	}
	if !reflect.DeepEqual(c.Types(), []string{"Encounter", "Patient"}) {
		t.Errorf("types %v", c.Types())
	}
	p, ok := c.Resource("Patient")
	if !ok || !p.Can("search-type") || p.SearchParams[0].Name != "name" || p.Operations[0] != "export" {
		t.Errorf("Patient %+v", p)
	}
	if _, ok := c.Resource("Nope"); ok {
		t.Error("found Nope")
	}
	if _, err := ParseCapabilityStatement([]byte(`{"resourceType":"Bundle"}`)); err == nil {
		t.Error("Bundle accepted as CapabilityStatement")
	}
}

func TestDeriveAndSuggestOpenEMRURLs(t *testing.T) {
	if got := deriveOpenEMRTokenURL("https://h", "/openemr/apis/site2/fhir"); got != "https://h/openemr/oauth2/site2/token" {
		t.Error(got)
	}
	if got := deriveOpenEMRTokenURL("https://h", "/fhir"); got != "" {
		t.Error(got)
	}
	if got := suggestOpenEMRBase("https://h", "/apis/fhir"); got != "https://h/apis/default/fhir" {
		t.Error(got)
	}
}

func TestParseBundleEntriesAreSubslices(t *testing.T) {
	body := []byte(`{"resourceType":"Bundle","type":"searchset","total":2,"link":[{"relation":"next","url":"https://h/next"}],
	"entry":[{"resource":{"resourceType":"Patient","id":"1"}},{"fullUrl":"x","resource":{"resourceType":"Patient","id":"2"}}]}`)
	p, err := ParseBundle(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Entries) != 2 || string(p.Entries[1]) != `{"resourceType":"Patient","id":"2"}` || p.Links["next"] != "https://h/next" || !p.HasTotal || p.Total != 2 {
		t.Fatalf("%+v", p)
	}
	if &p.Entries[0][0] != &body[strings.Index(string(body), `{"resourceType":"Patient"`)] {
		t.Error("entries are copies, not subslices of the body")
	}
	for _, bad := range []string{`{"resourceType":"Patient","id":"1"}`, `[]`, `{"resourceType":"Bundle","entry":[`, ``} {
		if _, err := ParseBundle([]byte(bad)); err == nil {
			t.Errorf("ParseBundle(%s) accepted", bad)
		}
	}
}

func TestResolveKeepsTokenOnBaseAndEscapesTypedQueries(t *testing.T) {
	c, err := New("https://EMR.example.org:443/apis/default/fhir/")
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		"Patient":                          "https://EMR.example.org:443/apis/default/fhir/Patient",
		"/Patient/1":                       "https://EMR.example.org:443/apis/default/fhir/Patient/1",
		"/apis/default/fhir/Patient?x=1":   "https://EMR.example.org:443/apis/default/fhir/Patient?x=1",
		"Patient?name=van der berg&g=é":    "https://EMR.example.org:443/apis/default/fhir/Patient?name=van%20der%20berg&g=%C3%A9",
		"Patient?name=a%20b&_count=5":      "https://EMR.example.org:443/apis/default/fhir/Patient?name=a%20b&_count=5",
		"https://emr.example.org/x?y=1":    "https://emr.example.org/x?y=1",
		"https://emr.example.org:443/Path": "https://emr.example.org:443/Path",
	} {
		u, err := c.resolve(in)
		if err != nil || u.String() != want {
			t.Errorf("resolve(%q) = %v, %v; want %s", in, u, err, want)
		}
	}
	for _, other := range []string{"http://emr.example.org/apis/default/fhir/Patient", "https://emr.example.org:8443/x", "https://evil.example/x", "//evil.example/x"} {
		if _, err := c.resolve(other); err == nil {
			t.Errorf("resolve(%q) accepted another origin", other)
		}
	}
}

func TestAbsolutizeRelativeEndpoints(t *testing.T) {
	c, _ := New("https://h:8443/openemr/apis/default/fhir")
	sc := c.absolutize(&SmartConfig{TokenEndpoint: "/openemr/oauth2/default/token", JWKSURI: "https://k/jwk"})
	if sc.TokenEndpoint != "https://h:8443/openemr/oauth2/default/token" || sc.JWKSURI != "https://k/jwk" {
		t.Errorf("%+v", sc)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"-1":                            0,
		"Thu, 01 Jan 2026 00:02:00 GMT": 2 * time.Minute,
		"Wed, 31 Dec 2025 00:00:00 GMT": 0,
		"soon":                          0,
	} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", v, got, want)
		}
	}
	e := classify("GET", "https://h/x", &incoming{status: 429, header: http.Header{"Retry-After": {"7"}}}, nil, "")
	if e.Kind != KindRateLimited || e.RetryAfter != 7*time.Second || !strings.Contains(e.Explain().Fix, "7s") {
		t.Errorf("%+v %+v", e, e.Explain())
	}
}
