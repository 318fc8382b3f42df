package fhirtest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// tokenCase is one row of openemr.md's token-error table, as a request against a flavor.
type tokenCase struct {
	name   string
	flavor Flavor
	// req builds the request; c is an enabled client registered with key 0 and
	// system/Patient.read + system/Observation.read.
	req        func(t *testing.T, s *Server, c string) (contentType, body string, query string)
	status     int
	errCode    string
	hint       string
	wantScopes string // for 200 rows
}

func form(f url.Values) (string, string, string) {
	return "application/x-www-form-urlencoded", f.Encode(), ""
}

// withClaims signs key 0 claims modified by edit.
func withClaims(edit func(s *Server, c map[string]any)) func(*testing.T, *Server, string) (string, string, string) {
	return func(t *testing.T, s *Server, c string) (string, string, string) {
		rs, _ := keys(t)
		cl := goodClaims(s, c, time.Now())
		edit(s, cl)
		return form(tokenFormFor(sign(t, rs[0], jose.RS384, "k0", cl), "system/Patient.read"))
	}
}

func TestTokenErrorTable(t *testing.T) {
	rs, ec := keys(t)
	good := withClaims(func(*Server, map[string]any) {})
	cases := []tokenCase{
		{name: "success", req: good, status: 200, wantScopes: "system/Patient.read"},
		{name: "grant_type missing", status: 400, errCode: "unsupported_grant_type", req: func(t *testing.T, s *Server, c string) (string, string, string) {
			_, body, _ := good(t, s, c)
			f, _ := url.ParseQuery(body)
			f.Del("grant_type")
			return form(f)
		}},
		{name: "grant_type wrong", status: 400, errCode: "unsupported_grant_type", req: func(t *testing.T, s *Server, c string) (string, string, string) {
			_, body, _ := good(t, s, c)
			f, _ := url.ParseQuery(body)
			f.Set("grant_type", "password")
			return form(f)
		}},
		{name: "JSON body ignored", status: 400, errCode: "unsupported_grant_type", req: func(t *testing.T, s *Server, c string) (string, string, string) {
			_, body, _ := good(t, s, c)
			f, _ := url.ParseQuery(body)
			return "application/json", `{"grant_type":"client_credentials","client_assertion_type":"` + AssertionType +
				`","client_assertion":"` + f.Get("client_assertion") + `","scope":"system/Patient.read"}`, ""
		}},
		{name: "query string ignored", status: 400, errCode: "unsupported_grant_type", req: func(t *testing.T, s *Server, c string) (string, string, string) {
			_, body, _ := good(t, s, c)
			return "application/x-www-form-urlencoded", "", body
		}},
		{name: "assertion type wrong", status: 400, errCode: "invalid_request", hint: "assertion type is not supported",
			req: func(t *testing.T, s *Server, c string) (string, string, string) {
				_, body, _ := good(t, s, c)
				f, _ := url.ParseQuery(body)
				f.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
				return form(f)
			}},
		{name: "assertion type missing", status: 400, errCode: "invalid_request", req: func(t *testing.T, s *Server, c string) (string, string, string) {
			_, body, _ := good(t, s, c)
			f, _ := url.ParseQuery(body)
			f.Del("client_assertion_type")
			return form(f)
		}},
		{name: "unknown client", status: 401, errCode: "invalid_client", req: withClaims(func(s *Server, c map[string]any) {
			c["iss"], c["sub"] = "no-such-client", "no-such-client"
		})},
		{name: "disabled client", status: 401, errCode: "invalid_client", req: func(t *testing.T, s *Server, _ string) (string, string, string) {
			id, err := s.RegisterClient(ClientRegistration{Scopes: []string{"system/Patient.read"}, JWKS: jwksOf(jwk(&rs[0].PublicKey, "k0"))})
			if err != nil {
				t.Fatal(err)
			}
			return good(t, s, id)
		}},
		{name: "public (not confidential) client", status: 401, errCode: "invalid_client", req: func(t *testing.T, s *Server, _ string) (string, string, string) {
			body := `{"application_type":"public","client_name":"spa","redirect_uris":["https://a.example/cb"],"scope":"openid",` +
				`"jwks":` + string(jwksOf(jwk(&rs[0].PublicKey, "k0"))) + `}`
			req, _ := http.NewRequest(http.MethodPost, s.AuthBase()+"/registration", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			id, _ := do(t, req).json(t)["client_id"].(string)
			if err := s.Enable(id); err != nil {
				t.Fatal(err)
			}
			return form(tokenFormFor(sign(t, rs[0], jose.RS384, "k0", goodClaims(s, id, time.Now())), "openid"))
		}},
		{name: "JWKS without RSA key", status: 401, errCode: "invalid_client", req: func(t *testing.T, s *Server, _ string) (string, string, string) {
			id, _ := s.RegisterClient(ClientRegistration{Scopes: []string{"system/Patient.read"}, JWKS: jwksOf(jwk(&ec.PublicKey, "ec")), Enabled: true})
			return good(t, s, id)
		}},
		{name: "jwks_uri unreachable", status: 401, errCode: "invalid_client", req: func(t *testing.T, s *Server, _ string) (string, string, string) {
			dead := httptest.NewServer(http.NotFoundHandler())
			dead.Close()
			id, _ := s.RegisterClient(ClientRegistration{Scopes: []string{"system/Patient.read"}, JWKSURI: dead.URL + "/jwks.json", Enabled: true})
			return good(t, s, id)
		}},
		{name: "jwks_uri 404 JSON without keys", status: 401, errCode: "invalid_client", req: jwksServedAs(http.StatusNotFound, "application/json", `{"error":"not found"}`)},
		{name: "jwks_uri HTML page", status: 500, errCode: "server_error", req: jwksServedAs(http.StatusNotFound, "text/html", "<html><body>Not Found</body></html>")},
		{name: "jwks_uri 200 good", status: 200, wantScopes: "system/Patient.read",
			req: jwksServedAs(http.StatusOK, "application/json", string(jwksOf(jwk(&rs[0].PublicKey, "k0"))))},
		{name: "expired", status: 400, errCode: "invalid_client", req: withClaims(func(s *Server, c map[string]any) {
			c["iat"], c["exp"] = time.Now().Add(-4*time.Minute).Unix(), time.Now().Add(-2*time.Minute).Unix()
		})},
		{name: "expired within leeway", status: 200, wantScopes: "system/Patient.read", req: withClaims(func(s *Server, c map[string]any) {
			c["iat"], c["exp"] = time.Now().Add(-2*time.Minute).Unix(), time.Now().Add(-30*time.Second).Unix()
		})},
		{name: "nbf in the future", status: 400, errCode: "invalid_client", req: withClaims(func(s *Server, c map[string]any) {
			c["nbf"] = time.Now().Add(3 * time.Minute).Unix()
		})},
		{name: "aud mismatch", status: 400, errCode: "invalid_client", req: withClaims(func(s *Server, c map[string]any) {
			c["aud"] = s.FHIRBase()
		})},
		{name: "aud trailing slash", status: 400, errCode: "invalid_client", req: withClaims(func(s *Server, c map[string]any) {
			c["aud"] = s.TokenURL() + "/"
		})},
		{name: "aud array containing token URL", status: 200, wantScopes: "system/Patient.read", req: withClaims(func(s *Server, c map[string]any) {
			c["aud"] = []string{"https://elsewhere.example/token", s.TokenURL()}
		})},
		{name: "alg RS256", status: 400, errCode: "invalid_client", req: func(t *testing.T, s *Server, c string) (string, string, string) {
			return form(tokenFormFor(sign(t, rs[0], jose.RS256, "k0", goodClaims(s, c, time.Now())), "system/Patient.read"))
		}},
		{name: "alg ES384 (not supported by OpenEMR)", status: 400, errCode: "invalid_client", req: func(t *testing.T, s *Server, _ string) (string, string, string) {
			id, _ := s.RegisterClient(ClientRegistration{Scopes: []string{"system/Patient.read"},
				JWKS: jwksOf(jwk(&rs[0].PublicKey, "k0"), jwk(&ec.PublicKey, "ec")), Enabled: true})
			return form(tokenFormFor(sign(t, ec, jose.ES384, "ec", goodClaims(s, id, time.Now())), "system/Patient.read"))
		}},
		{name: "bad signature", status: 400, errCode: "invalid_client", req: func(t *testing.T, s *Server, c string) (string, string, string) {
			return form(tokenFormFor(sign(t, rs[1], jose.RS384, "k0", goodClaims(s, c, time.Now())), "system/Patient.read"))
		}},
		{name: "not a JWT", status: 400, errCode: "invalid_client", req: func(t *testing.T, s *Server, c string) (string, string, string) {
			return form(tokenFormFor("not.a.jwt", "system/Patient.read"))
		}},
		{name: "iss mismatch 7.0.2", flavor: Flavor702, status: 400, errCode: "invalid_client", req: withClaims(func(s *Server, c map[string]any) {
			c["iss"] = "someone-else"
		})},
		{name: "iss mismatch 7.0.4", status: 400, errCode: "invalid_request", hint: "Invalid issuer claim", req: withClaims(func(s *Server, c map[string]any) {
			c["iss"] = "someone-else"
		})},
		{name: "exp over 24h 7.0.4", status: 400, errCode: "invalid_request", hint: "Token expiration exceeds maximum allowed time",
			req: withClaims(func(s *Server, c map[string]any) { c["exp"] = time.Now().Add(25 * time.Hour).Unix() })},
		{name: "exp over 24h 7.0.2 accepted", flavor: Flavor702, status: 200, wantScopes: "system/Patient.read",
			req: withClaims(func(s *Server, c map[string]any) { c["exp"] = time.Now().Add(25 * time.Hour).Unix() })},
		{name: "iat too old 7.0.4", status: 400, errCode: "invalid_request", hint: "Token issued too far in the past",
			req: withClaims(func(s *Server, c map[string]any) { c["iat"] = time.Now().Add(-10 * time.Minute).Unix() })},
		{name: "iat old 7.0.2 accepted", flavor: Flavor702, status: 200, wantScopes: "system/Patient.read",
			req: withClaims(func(s *Server, c map[string]any) { c["iat"] = time.Now().Add(-10 * time.Minute).Unix() })},
		{name: "no jti 7.0.4", status: 400, errCode: "invalid_request", hint: "Missing jti claim",
			req: withClaims(func(s *Server, c map[string]any) { delete(c, "jti") })},
		{name: "no jti 7.0.2", flavor: Flavor702, status: 400, errCode: "invalid_client",
			req: withClaims(func(s *Server, c map[string]any) { delete(c, "jti") })},
		{name: "no exp/iat 7.0.2 accepted", flavor: Flavor702, status: 200, wantScopes: "system/Patient.read",
			req: withClaims(func(s *Server, c map[string]any) { delete(c, "exp"); delete(c, "iat") })},
		{name: "wildcard scope", status: 400, errCode: "invalid_scope", hint: "Check the `system/*.read` scope", req: scopeReq("system/Patient.read system/*.read")},
		{name: "unknown type scope", status: 400, errCode: "invalid_scope", hint: "Check the `system/Spaceship.read` scope", req: scopeReq("system/Spaceship.read")},
		{name: "v2 scope on 7.0.2", flavor: Flavor702, status: 400, errCode: "invalid_scope", hint: "Check the `system/Patient.rs` scope", req: scopeReq("system/Patient.rs")},
		{name: "v2 scope on 7.0.4 known, unregistered: dropped", status: 200, wantScopes: "", req: scopeReq("system/Patient.rs")},
		{name: "unregistered scope dropped", status: 200, wantScopes: "system/Patient.read", req: scopeReq("system/Patient.read system/Encounter.read")},
		{name: "all scopes dropped", status: 200, wantScopes: "", req: scopeReq("system/Encounter.read")},
		{name: "no scope", status: 400, errCode: "invalid_scope", req: scopeReq("")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, Options{Flavor: tc.flavor, Patients: 3})
			c := enabledClient(t, s, "system/Patient.read", "system/Observation.read")
			ct, body, query := tc.req(t, s, c)
			u := s.TokenURL()
			if query != "" {
				u += "?" + query
			}
			req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
			req.Header.Set("Content-Type", ct)
			res := do(t, req)
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d; body %s", res.Status, tc.status, res.Body)
			}
			m := res.json(t)
			if tc.status == 200 {
				if m["scope"] != tc.wantScopes || m["token_type"] != "Bearer" || m["expires_in"] != float64(300) {
					t.Fatalf("success body %s, want scope %q", res.Body, tc.wantScopes)
				}
				if res.Header.Get("Cache-Control") != "no-store" {
					t.Fatalf("cache-control %q", res.Header.Get("Cache-Control"))
				}
				return
			}
			if m["error"] != tc.errCode || m["message"] != m["error_description"] || m["error_description"] == "" {
				t.Fatalf("error body %s, want error %q with message = error_description", res.Body, tc.errCode)
			}
			if tc.errCode == "invalid_client" && m["error_description"] != "Client authentication failed" {
				t.Fatalf("invalid_client description %q", m["error_description"])
			}
			if tc.hint != "" && m["hint"] != tc.hint {
				t.Fatalf("hint %q, want %q", m["hint"], tc.hint)
			}
		})
	}
}

func scopeReq(scope string) func(*testing.T, *Server, string) (string, string, string) {
	return func(t *testing.T, s *Server, c string) (string, string, string) {
		rs, _ := keys(t)
		return form(tokenFormFor(sign(t, rs[0], jose.RS384, "k0", goodClaims(s, c, time.Now())), scope))
	}
}

// jwksServedAs registers a client whose jwks_uri answers status/contentType/body.
func jwksServedAs(status int, contentType, body string) func(*testing.T, *Server, string) (string, string, string) {
	return func(t *testing.T, s *Server, _ string) (string, string, string) {
		js := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
		}))
		t.Cleanup(js.Close)
		id, err := s.RegisterClient(ClientRegistration{Scopes: []string{"system/Patient.read"}, JWKSURI: js.URL + "/jwks.json", Enabled: true})
		if err != nil {
			t.Fatal(err)
		}
		rs, _ := keys(t)
		return form(tokenFormFor(sign(t, rs[0], jose.RS384, "k0", goodClaims(s, id, time.Now())), "system/Patient.read"))
	}
}

func TestFirstRSAKeyWinsKidIgnored(t *testing.T) {
	rs, ec := keys(t)
	s := newTestServer(t, Options{Patients: 2})
	id, err := s.RegisterClient(ClientRegistration{Scopes: []string{"system/Patient.read"}, Enabled: true,
		JWKS: jwksOf(jwk(&ec.PublicKey, "ec"), jwk(&rs[0].PublicKey, "first"), jwk(&rs[1].PublicKey, "second"))})
	if err != nil {
		t.Fatal(err)
	}
	// Signed by the second RSA key, kid pointing at it: OpenEMR still verifies with the first.
	res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[1], jose.RS384, "second", goodClaims(s, id, time.Now())), "system/Patient.read"))
	if res.Status != 400 || res.json(t)["error"] != "invalid_client" {
		t.Fatalf("second key: %d %s, want 400 invalid_client", res.Status, res.Body)
	}
	// Signed by the first RSA key with the wrong kid: accepted, kid ignored.
	res = postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "second", goodClaims(s, id, time.Now())), "system/Patient.read"))
	if res.Status != 200 {
		t.Fatalf("first key: %d %s, want 200", res.Status, res.Body)
	}
}

func TestJWKSURIFetchedEveryTimeRedirectNotFollowed(t *testing.T) {
	rs, _ := keys(t)
	var fetches, targetHits atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		targetHits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwksOf(jwk(&rs[0].PublicKey, "k0")))
	}))
	defer target.Close()
	redirect := false
	js := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if redirect {
			http.Redirect(w, r, target.URL+"/jwks.json", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwksOf(jwk(&rs[0].PublicKey, "k0")))
	}))
	defer js.Close()
	s := newTestServer(t, Options{Patients: 2})
	id, _ := s.RegisterClient(ClientRegistration{Scopes: []string{"system/Patient.read"}, JWKSURI: js.URL + "/jwks.json", Enabled: true})
	for i := range 3 {
		res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "k0", goodClaims(s, id, time.Now())), "system/Patient.read"))
		if res.Status != 200 {
			t.Fatalf("request %d: %d %s", i, res.Status, res.Body)
		}
	}
	if fetches.Load() != 3 {
		t.Fatalf("jwks fetched %d times for 3 token requests, want 3 (no cache)", fetches.Load())
	}
	redirect = true
	res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "k0", goodClaims(s, id, time.Now())), "system/Patient.read"))
	if res.Status == 200 || targetHits.Load() != 0 {
		t.Fatalf("redirect: status %d, target hits %d; the redirect must not be followed", res.Status, targetHits.Load())
	}
}

func TestJTIReplayIsGlobal(t *testing.T) {
	rs, _ := keys(t)
	s := newTestServer(t, Options{Patients: 2})
	a := enabledClient(t, s, "system/Patient.read")
	b := enabledClient(t, s, "system/Patient.read")
	ca := goodClaims(s, a, time.Now())
	if res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "k0", ca), "system/Patient.read")); res.Status != 200 {
		t.Fatalf("first use: %d %s", res.Status, res.Body)
	}
	if res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "k0", ca), "system/Patient.read")); res.Status != 400 || res.json(t)["error"] != "invalid_client" {
		t.Fatalf("replay: %d %s", res.Status, res.Body)
	}
	cb := goodClaims(s, b, time.Now())
	cb["jti"] = ca["jti"]
	if res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "k0", cb), "system/Patient.read")); res.Status != 400 {
		t.Fatalf("same jti from another client: %d %s, want 400 (jti is global)", res.Status, res.Body)
	}
}

func TestSystemScopesDisabled(t *testing.T) {
	off := false
	s := newTestServer(t, Options{Patients: 2, SystemScopes: &off})
	if _, err := s.RegisterClient(ClientRegistration{Scopes: []string{"system/Patient.read"}}); err == nil {
		t.Fatal("registration with a system scope succeeded while system scopes are disabled")
	}
	id := enabledClient(t, s, "openid")
	rs, _ := keys(t)
	res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "k0", goodClaims(s, id, time.Now())), "system/Patient.read"))
	if res.Status != 400 || res.json(t)["hint"] != "Check the `system/Patient.read` scope" {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
}

func TestServerClockSkew(t *testing.T) {
	rs, _ := keys(t)
	s := newTestServer(t, Options{Patients: 2})
	id := enabledClient(t, s, "system/Patient.read")
	s.SetNow(func() time.Time { return time.Now().Add(10 * time.Minute) }) // server clock ahead
	res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "k0", goodClaims(s, id, time.Now())), "system/Patient.read"))
	if res.Status != 400 {
		t.Fatalf("assertion made 10 minutes in the server's past: %d %s", res.Status, res.Body)
	}
}

// TestServerLogSaysWhy: the body stays opaque like OpenEMR's, the server log names the cause.
func TestServerLogSaysWhy(t *testing.T) {
	rs, _ := keys(t)
	var log []string
	var mu sync.Mutex
	s := newTestServer(t, Options{Patients: 1, Log: func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		log = append(log, fmt.Sprintf(format, args...))
	}})
	id := enabledClient(t, s, "system/Patient.read")
	cl := goodClaims(s, id, time.Now())
	cl["aud"] = s.FHIRBase()
	res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "k0", cl), "system/Patient.read"))
	if res.Status != 400 || strings.Contains(string(res.Body), "aud") {
		t.Fatalf("%d %s", res.Status, res.Body)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(log) == 0 || !strings.Contains(log[len(log)-1], "does not contain exactly the token URL") {
		t.Fatalf("log %q", log)
	}
}

// BenchmarkTokenEndpoint: one client_credentials round trip over HTTP (assertion parse, first
// RSA key from the stored JWKS, RS384 verify, claim checks, RS256 access token signing).
func BenchmarkTokenEndpoint(b *testing.B) {
	rs, _ := keys(b)
	s := NewServer(Options{Patients: 1})
	defer s.Close()
	id := enabledClient(b, s, "system/Patient.read")
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		form := tokenFormFor(sign(b, rs[0], jose.RS384, "k0", goodClaims(s, id, time.Now())), "system/Patient.read")
		b.StartTimer()
		if res := postForm(b, s.TokenURL(), form); res.Status != 200 {
			b.Fatal(res.Status)
		}
	}
}
