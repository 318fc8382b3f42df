package fhirclient_test

import (
	"errors"
	"strings"
	"testing"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

// TestRegisterThenEnable walks the real setup path on both OpenEMR families: register over
// HTTP with the public JWKS, fail to get a token while the client is disabled, succeed once
// the admin enabled it.
func TestRegisterThenEnable(t *testing.T) {
	for _, flavor := range []fhirtest.Flavor{fhirtest.Flavor704, fhirtest.Flavor702} {
		t.Run(string(flavor), func(t *testing.T) {
			rk, _ := testKeys(t)
			srv := fhirtest.NewServer(fhirtest.Options{Flavor: flavor})
			t.Cleanup(srv.Close)
			anon, err := fhirclient.New(srv.FHIRBase())
			if err != nil {
				t.Fatal(err)
			}
			reg, err := anon.Register(ctxT(t), fhirclient.RegistrationRequest{
				ClientName: "fhirscope test", Scopes: patientScopes, JWKS: jwksOf(t, rk)})
			if err != nil {
				t.Fatalf("Register: %v", err)
			}
			// 7.0.2/7.0.3 reject token_endpoint_auth_method, and advertise no auth methods.
			if want := flavor == fhirtest.Flavor704; reg.AuthMethodSent != want {
				t.Errorf("AuthMethodSent = %v on %s, want %v", reg.AuthMethodSent, flavor, want)
			}
			if flavor == fhirtest.Flavor704 && reg.Source != "openid-configuration" {
				t.Errorf("7.0.4 advertises registration only in openid-configuration; Source = %q", reg.Source)
			}
			c := newClient(t, srv, fhirclient.Credentials{ClientID: reg.ClientID, Signer: rk}, patientScopes)
			_, err = c.Token(ctxT(t))
			var ae *fhirclient.AuthError
			if !errors.As(err, &ae) || ae.Status != 401 || ae.Code != "invalid_client" {
				t.Fatalf("token of a disabled client: %v, want 401 invalid_client", err)
			}
			if ex := ae.Explain(); !strings.Contains(ex.Cause+ex.Fix, "API Clients") {
				t.Errorf("explanation does not point at the admin's enable step: %+v", ex)
			}
			if err := srv.Enable(reg.ClientID); err != nil {
				t.Fatal(err)
			}
			tok, err := c.MintToken(ctxT(t))
			if err != nil {
				t.Fatalf("token after enable: %v", err)
			}
			if len(tok.Granted) != len(patientScopes) {
				t.Errorf("granted %v, want %v", tok.Granted, patientScopes)
			}
		})
	}
}

func TestRegisterRefusals(t *testing.T) {
	rk, _ := testKeys(t)
	srv := fhirtest.NewServer(fhirtest.Options{Flavor: fhirtest.Flavor702})
	t.Cleanup(srv.Close)
	c, err := fhirclient.New(srv.FHIRBase())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		req    fhirclient.RegistrationRequest
		code   string
		inText string
	}{
		{"v2 scope on 7.0.2", fhirclient.RegistrationRequest{ClientName: "x", Scopes: []string{"system/Patient.rs"}, JWKS: jwksOf(t, rk)},
			"invalid_scope", "v1 forms"},
		{"wildcard scope", fhirclient.RegistrationRequest{ClientName: "x", Scopes: []string{"system/*.read"}, JWKS: jwksOf(t, rk)},
			"invalid_scope", "no wildcards"},
		{"jwks without keys", fhirclient.RegistrationRequest{ClientName: "x", Scopes: patientScopes, JWKS: []byte(`{"kty":"RSA"}`)},
			"invalid_client_metadata", "export-jwks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.Register(ctxT(t), tc.req)
			var re *fhirclient.RegistrationError
			if !errors.As(err, &re) {
				t.Fatalf("err = %v, want *RegistrationError", err)
			}
			if re.Code != tc.code || re.Status != 400 {
				t.Errorf("got %d %s (%s), want 400 %s", re.Status, re.Code, re.Description, tc.code)
			}
			ex, ok := fhirclient.Explain(err)
			if !ok || ex.Cause == "" || ex.Fix == "" || !strings.Contains(ex.Fix, tc.inText) {
				t.Errorf("Explain = %+v, %v; want a cause and a fix mentioning %q", ex, ok, tc.inText)
			}
		})
	}
}
