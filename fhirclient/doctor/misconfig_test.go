package doctor_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient/doctor"
	"fhirscope/fhirclient/fhirtest"
)

// One test per misconfiguration an integrator really meets, each asserting that the doctor
// names the right cause (OpenEMR itself answers most of them with the same invalid_client).

func TestClientNotEnabled(t *testing.T) {
	s := newSetup(t, rsaA, "", false)
	r := run(t, s.cfg)
	expect(t, r, "token.request", doctor.Fail, "401", "disabled", "Admin > System > API Clients")
	if !r.Failed() {
		t.Error("report does not fail")
	}
}

func TestWrongKeySignature(t *testing.T) {
	s := newSetup(t, rsaA, "", true)
	s.cfg.Key = rsaB // not the key whose JWKS was registered
	r := run(t, s.cfg)
	expect(t, r, "token.request", doctor.Fail, "400", "signature", "not the one whose public JWKS was registered")
	expect(t, r, "assertion.aud", doctor.Pass)
	expect(t, r, "assertion.clock", doctor.Pass)
}

func TestJWKSWithoutKeys(t *testing.T) {
	js := jwksServer(t, []byte(`{"kty":"RSA"}`))
	s := newSetup(t, rsaA, js.URL+"/jwks.json", true)
	r := run(t, s.cfg)
	expect(t, r, "jwks.fetch", doctor.Fail, `"keys"`, "Malformed jwks")
	expect(t, r, "token.request", doctor.Fail, "401", "keys")
}

func TestJWKSBehindRedirect(t *testing.T) {
	js := jwksServer(t, jwks(t, rsaA))
	s := newSetup(t, rsaA, js.URL+"/moved", true)
	r := run(t, s.cfg)
	expect(t, r, "jwks.fetch", doctor.Fail, "redirect", "does not follow")
	// The redirect's HTML body is parsed as the key set: a 500 from OpenEMR.
	expect(t, r, "token.request", doctor.Fail, "redirect")
}

func TestOurKeySecondInJWKS(t *testing.T) {
	js := jwksServer(t, jwks(t, rsaB, rsaA))
	s := newSetup(t, rsaA, js.URL+"/jwks.json", true)
	r := run(t, s.cfg)
	expect(t, r, "jwks.fetch", doctor.Pass, "2 keys")
	expect(t, r, "jwks.private", doctor.Pass)
	expect(t, r, "jwks.order", doctor.Fail, "key 1", "first RSA key")
	expect(t, r, "token.request", doctor.Fail, "400", "first RSA key")
}

func TestUnknownScopeFoundByBisection(t *testing.T) {
	s := newSetup(t, rsaA, "", true)
	s.cfg.Scopes = []string{"system/Patient.read", "system/Observation.read", "system/Bogus.read",
		"system/Practitioner.read", "system/*.read"}
	r := run(t, s.cfg)
	expect(t, r, "token.request", doctor.Fail, "invalid_scope")
	expect(t, r, "token.unknown_scopes", doctor.Fail, "system/Bogus.read", "system/*.read", "bisection")
	c, _ := r.Find("token.unknown_scopes")
	if len(c.Items) != 2 {
		t.Errorf("bisection named %d scopes, want exactly the 2 unknown ones: %+v", len(c.Items), c.Items)
	}
}

func TestUnregisteredScopeDropped(t *testing.T) {
	s := newSetup(t, rsaA, "", true)
	s.cfg.Scopes = append(append([]string{}, registeredScopes...), "system/Condition.read")
	r := run(t, s.cfg)
	expect(t, r, "token.request", doctor.Pass)
	expect(t, r, "scopes.diff", doctor.Warn, "system/Condition.read", "dropped silently")
	expect(t, r, "access.matrix", doctor.Warn, "Condition", "system/Condition.read")
}

func TestWrongAudienceViaTokenURLOverride(t *testing.T) {
	s := newSetup(t, rsaA, "", true)
	// The same server under another name: the POST arrives, the aud does not match.
	s.cfg.TokenURL = strings.Replace(s.srv.TokenURL(), "127.0.0.1", "localhost", 1)
	r := run(t, s.cfg)
	expect(t, r, "discovery.token_endpoint", doctor.Warn, "override")
	expect(t, r, "assertion.aud", doctor.Fail, "byte for byte")
	expect(t, r, "token.request", doctor.Fail, "400", "aud")
}

func TestClockSkew(t *testing.T) {
	s := newSetup(t, rsaA, "", true)
	s.cfg.Now = func() time.Time { return time.Now().Add(-10 * time.Minute) } // this machine runs 10 min late
	r := run(t, s.cfg)
	expect(t, r, "assertion.clock", doctor.Fail, "60 s leeway", "NTP")
	if c, _ := r.Find("assertion.clock"); !strings.Contains(c.Detail, "9m5") && !strings.Contains(c.Detail, "10m0") {
		t.Errorf("skew not measured as ~10 minutes: %q", c.Detail)
	}
	// 7.0.4+ names this one itself (invalid_request, "Token issued too far in the past").
	expect(t, r, "token.request", doctor.Fail, "400", "clock")
}

func TestES384KeyAgainstOpenEMR(t *testing.T) {
	s := newSetup(t, ecKey, "", true)
	r := run(t, s.cfg)
	expect(t, r, "key.alg", doctor.Fail, "only RS384", "keygen --alg RS384")
	// The registered set holds no RSA key, so OpenEMR answers 401 invalid_client.
	expect(t, r, "token.request", doctor.Fail, "401", "RS384")
}

func TestBaseURLMissingSiteSegment(t *testing.T) {
	s := newSetup(t, rsaA, "", true)
	s.cfg.BaseURL = s.srv.URL() + "/apis/fhir"
	r := run(t, s.cfg)
	expect(t, r, "server.base", doctor.Fail, "/apis/default/fhir")
	if c, _ := r.Find("token.skipped"); c.Status != doctor.Skip {
		t.Errorf("later steps should be skipped after a wrong base:\n%s", text(r))
	}
}

func TestV2ScopeOnOpenEMR702(t *testing.T) {
	srv := fhirtest.NewServer(fhirtest.Options{Flavor: fhirtest.Flavor702})
	t.Cleanup(srv.Close)
	id, err := srv.RegisterClient(fhirtest.ClientRegistration{Name: "old", Scopes: []string{"system/Patient.read"}, JWKS: jwks(t, rsaA), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, doctor.Config{BaseURL: srv.FHIRBase(), ClientID: id, Key: rsaA, Scopes: []string{"system/Patient.read", "system/Observation.rs"}})
	expect(t, r, "discovery.auth_method", doctor.Pass, "not advertised")
	expect(t, r, "token.unknown_scopes", doctor.Fail, "system/Observation.rs", "v1 forms")
}

func TestJSONReport(t *testing.T) {
	s := newSetup(t, rsaA, "", false)
	r := run(t, s.cfg)
	var b bytes.Buffer
	if err := doctor.WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var back doctor.Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatalf("report JSON does not parse back: %v", err)
	}
	if len(back.Checks) != len(r.Checks) || !back.Failed() {
		t.Errorf("round trip lost checks or the failure: %d vs %d", len(back.Checks), len(r.Checks))
	}
	// The assertion's signature and the access token never appear in the report.
	if strings.Count(b.String(), "eyJ") > 0 {
		t.Errorf("the report holds something that looks like a JWT:\n%s", b.String())
	}
}
