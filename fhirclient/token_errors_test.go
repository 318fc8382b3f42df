package fhirclient_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

// wantAuthError checks err is an *AuthError with status and code whose explanation
// mentions every word in want (in Cause or Fix).
func wantAuthError(t *testing.T, err error, status int, code string, want ...string) {
	t.Helper()
	var ae *fhirclient.AuthError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v (%T), want *AuthError", err, err)
	}
	if ae.Status != status || ae.Code != code {
		t.Fatalf("AuthError %d %q (%s), want %d %q", ae.Status, ae.Code, ae.Hint, status, code)
	}
	ex := ae.Explain()
	text := ex.Cause + "\n" + ex.Fix
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("explanation lacks %q:\n%s", w, text)
		}
	}
	if strings.Contains(ae.Excerpt, "eyJ") {
		t.Errorf("excerpt keeps a token: %s", ae.Excerpt)
	}
}

// TestTokenErrorTableThroughClient drives every row of the token-error table a real client
// can run into through Client.Token against the sandbox.
func TestTokenErrorTableThroughClient(t *testing.T) {
	rk, ek := testKeys(t)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	for _, flavor := range []fhirtest.Flavor{fhirtest.Flavor704, fhirtest.Flavor702} {
		t.Run(string(flavor), func(t *testing.T) {
			srv, cred := sandbox(t, fhirtest.Options{Flavor: flavor}, patientScopes)
			mint := func(cred fhirclient.Credentials, scopes []string, opts ...fhirclient.Option) error {
				_, err := newClient(t, srv, cred, scopes, opts...).Token(ctxT(t))
				return err
			}
			register := func(reg fhirtest.ClientRegistration) string {
				reg.Name, reg.Scopes = "row", patientScopes
				id, err := srv.RegisterClient(reg)
				if err != nil {
					t.Fatal(err)
				}
				return id
			}

			t.Run("disabled client", func(t *testing.T) {
				id := register(fhirtest.ClientRegistration{JWKS: jwksOf(t, rk)})
				err := mint(fhirclient.Credentials{ClientID: id, Signer: rk}, patientScopes)
				wantAuthError(t, err, 401, "invalid_client", "Admin > System > API Clients", "Enable")
				if err := srv.Enable(id); err != nil {
					t.Fatal(err)
				}
				if err := mint(fhirclient.Credentials{ClientID: id, Signer: rk}, patientScopes); err != nil {
					t.Fatalf("after enabling: %v", err)
				}
			})
			t.Run("unknown client id", func(t *testing.T) {
				err := mint(fhirclient.Credentials{ClientID: "no-such-client", Signer: rk}, patientScopes)
				wantAuthError(t, err, 401, "invalid_client", `"no-such-client"`, "client ID")
			})
			t.Run("jwks_uri unreachable", func(t *testing.T) {
				dead := newRecorder(t, nil)
				deadURL := dead.URL + "/jwks.json"
				dead.Close()
				id := register(fhirtest.ClientRegistration{JWKSURI: deadURL, Enabled: true})
				err := mint(fhirclient.Credentials{ClientID: id, Signer: rk}, patientScopes)
				wantAuthError(t, err, 401, "invalid_client", "jwks_uri", "reachable")
			})
			t.Run("jwks_uri malformed", func(t *testing.T) {
				bad := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"nokeys":[]}`)) })
				id := register(fhirtest.ClientRegistration{JWKSURI: bad.URL + "/jwks.json", Enabled: true})
				err := mint(fhirclient.Credentials{ClientID: id, Signer: rk}, patientScopes)
				wantAuthError(t, err, 401, "invalid_client", `{"keys":[...]}`)
			})
			t.Run("jwks_uri not JSON", func(t *testing.T) {
				html := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>moved</html>")) })
				id := register(fhirtest.ClientRegistration{JWKSURI: html.URL + "/jwks.json", Enabled: true})
				err := mint(fhirclient.Credentials{ClientID: id, Signer: rk}, patientScopes)
				wantAuthError(t, err, 500, "server_error", "jwks_uri", "not JSON")
			})
			t.Run("no RSA key in the JWKS", func(t *testing.T) {
				id := register(fhirtest.ClientRegistration{JWKS: jwksOf(t, ek), Enabled: true})
				err := mint(fhirclient.Credentials{ClientID: id, Signer: ek}, patientScopes)
				wantAuthError(t, err, 401, "invalid_client", "RSA public key")
			})
			t.Run("ES384 assertion", func(t *testing.T) {
				id := register(fhirtest.ClientRegistration{JWKS: jwksOf(t, rk, ek), Enabled: true})
				err := mint(fhirclient.Credentials{ClientID: id, Signer: ek}, patientScopes)
				wantAuthError(t, err, 400, "invalid_client", "ES384", "only RS384")
			})
			t.Run("signature by another key", func(t *testing.T) {
				err := mint(fhirclient.Credentials{ClientID: cred.ClientID, Signer: other}, patientScopes)
				wantAuthError(t, err, 400, "invalid_client", "FIRST RSA key")
			})
			t.Run("rotated key second in the JWKS", func(t *testing.T) {
				id := register(fhirtest.ClientRegistration{JWKS: jwksOf(t, other, rk), Enabled: true})
				err := mint(fhirclient.Credentials{ClientID: id, Signer: rk}, patientScopes)
				wantAuthError(t, err, 400, "invalid_client", "FIRST RSA key")
			})
			t.Run("audience mismatch", func(t *testing.T) {
				// Same server, other spelling of its host: the aud no longer matches.
				alias := strings.Replace(srv.TokenURL(), "127.0.0.1", "localhost", 1)
				err := mint(cred, patientScopes, fhirclient.WithTokenURL(alias))
				wantAuthError(t, err, 400, "invalid_client", "aud was "+alias, "exactly")
			})
			t.Run("unknown scope", func(t *testing.T) {
				err := mint(cred, []string{"system/Patient.read", "system/*.read"})
				wantAuthError(t, err, 400, "invalid_scope", `"system/*.read"`, "wildcard")
			})
			if flavor == fhirtest.Flavor702 {
				t.Run("v2 scope on 7.0.2", func(t *testing.T) {
					err := mint(cred, []string{"system/Patient.rs"})
					wantAuthError(t, err, 400, "invalid_scope", `"system/Patient.rs"`, "7.0.4")
				})
				t.Run("clock behind (assertion expired)", func(t *testing.T) {
					err := mint(cred, patientScopes, fhirclient.WithClock(func() time.Time { return time.Now().Add(-10 * time.Minute) }))
					wantAuthError(t, err, 400, "invalid_client", "Clock", "NTP")
				})
			} else {
				t.Run("clock behind (iat too old)", func(t *testing.T) {
					err := mint(cred, patientScopes, fhirclient.WithClock(func() time.Time { return time.Now().Add(-10 * time.Minute) }))
					wantAuthError(t, err, 400, "invalid_request", "behind", "NTP")
				})
				t.Run("clock a day ahead (exp beyond 24 h)", func(t *testing.T) {
					err := mint(cred, patientScopes, fhirclient.WithClock(func() time.Time { return time.Now().Add(25 * time.Hour) }))
					wantAuthError(t, err, 400, "invalid_request", "ahead", "NTP")
				})
			}
			t.Run("unregistered scopes dropped silently", func(t *testing.T) {
				tok, err := newClient(t, srv, cred, []string{"system/Patient.read", "system/Observation.read"}).Token(ctxT(t))
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(tok.Dropped(), []string{"system/Observation.read"}) || !slices.Equal(tok.Granted, []string{"system/Patient.read"}) {
					t.Fatalf("granted %v dropped %v", tok.Granted, tok.Dropped())
				}
				if ex := fhirclient.ExplainDroppedScopes(tok.Dropped()); !strings.Contains(ex.Cause, "system/Observation.read") {
					t.Error(ex.Cause)
				}
			})
		})
	}
}

// TestTokenErrorTableHandMade covers the rows only a broken client produces, with requests
// built by hand and answers interpreted by ParseTokenResponse.
func TestTokenErrorTableHandMade(t *testing.T) {
	rk, _ := testKeys(t)
	srv, cred := sandbox(t, fhirtest.Options{}, patientScopes)
	good := func() string {
		s, err := fhirclient.SignAssertion(cred, srv.TokenURL(), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	form := func(grant, atype, assertion string) url.Values {
		return url.Values{"grant_type": {grant}, "client_assertion_type": {atype}, "client_assertion": {assertion}, "scope": {"system/Patient.read"}}
	}
	reused := good()
	now := time.Now().Unix()
	cases := []struct {
		name         string
		form         url.Values
		status       int
		code         string
		want         []string
		beforeAction func()
	}{
		{"grant_type missing", form("", fhirclient.ClientAssertionType, good()), 400, "unsupported_grant_type", []string{"grant_type=client_credentials", "redirect"}, nil},
		{"grant_type wrong", form("authorization_code", fhirclient.ClientAssertionType, good()), 400, "unsupported_grant_type", []string{"grant_type=client_credentials"}, nil},
		{"assertion type wrong", form("client_credentials", "urn:other", good()), 400, "invalid_request", []string{"client_assertion_type"}, nil},
		{"assertion missing", form("client_credentials", fhirclient.ClientAssertionType, ""), 400, "invalid_request", []string{"without a client_assertion"}, nil},
		{"jti reused", form("client_credentials", fhirclient.ClientAssertionType, reused), 400, "invalid_client", []string{"Audience", "Signature", "Clock", "jti"},
			func() {
				postToken(t, srv.TokenURL(), form("client_credentials", fhirclient.ClientAssertionType, reused))
			}},
		{"iss is not the client id", form("client_credentials", fhirclient.ClientAssertionType, handAssertion(t, rk, map[string]any{
			"iss": "someone-else", "sub": cred.ClientID, "aud": srv.TokenURL(), "iat": now, "exp": now + 240, "jti": "j-iss"})),
			400, "invalid_request", []string{"issuer", "client_id registration returned"}, nil},
		{"jti missing", form("client_credentials", fhirclient.ClientAssertionType, handAssertion(t, rk, map[string]any{
			"iss": cred.ClientID, "sub": cred.ClientID, "aud": srv.TokenURL(), "iat": now, "exp": now + 240})),
			400, "invalid_request", []string{"jti"}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.beforeAction != nil {
				tc.beforeAction()
			}
			status, body := postToken(t, srv.TokenURL(), tc.form)
			_, err := fhirclient.ParseTokenResponse(status, body, []string{"system/Patient.read"}, time.Now())
			wantAuthError(t, err, tc.status, tc.code, tc.want...)
		})
	}
}

func TestSystemScopesDisabledByAdmin(t *testing.T) {
	off := false
	srv, cred := sandbox(t, fhirtest.Options{SystemScopes: &off}, nil)
	_, err := newClient(t, srv, cred, patientScopes).Token(ctxT(t))
	wantAuthError(t, err, 400, "invalid_scope", `"system/Patient.read"`, "rest_system_scopes_api")
}
