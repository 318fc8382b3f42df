package fhirtest

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

func TestSmartConfigurationPerFlavor(t *testing.T) {
	for _, fl := range Flavors {
		s := newTestServer(t, Options{Flavor: fl, Patients: 1})
		res := get(t, s.FHIRBase()+"/.well-known/smart-configuration", "")
		m := res.json(t)
		nested, ok := m["scopes_supported"].([]any)
		if !ok || len(nested) != 1 {
			t.Fatalf("%s: scopes_supported is not [[...]]: %s", fl, res.Body)
		}
		inner, ok := nested[0].([]any)
		if !ok || len(inner) < 10 {
			t.Fatalf("%s: inner scopes %v", fl, nested[0])
		}
		if m["token_endpoint"] != s.TokenURL() {
			t.Fatalf("%s: token_endpoint %v", fl, m["token_endpoint"])
		}
		_, hasReg := m["registration_endpoint"]
		_, hasMethods := m["token_endpoint_auth_methods_supported"]
		_, hasIssuer := m["issuer"]
		caps, _ := json.Marshal(m["capabilities"])
		if fl == Flavor702 {
			if !hasReg || hasMethods || hasIssuer || strings.Contains(string(caps), "client-confidential-asymmetric") {
				t.Fatalf("7.0.2 smart-configuration: %s", res.Body)
			}
		} else if hasReg || !hasMethods || m["issuer"] != s.FHIRBase() || m["jwks_uri"] != s.AuthBase()+"/jwk" ||
			!strings.Contains(string(caps), "permission-v2") {
			t.Fatalf("%s smart-configuration: %s", fl, res.Body)
		}
		oidc := get(t, s.AuthBase()+"/.well-known/openid-configuration", "").json(t)
		if oidc["registration_endpoint"] != s.AuthBase()+"/registration" {
			t.Fatalf("%s: openid-configuration %v", fl, oidc)
		}
	}
}

func TestMetadataPerFlavor(t *testing.T) {
	for _, fl := range Flavors {
		s := newTestServer(t, Options{Flavor: fl, Patients: 1})
		res := get(t, s.FHIRBase()+"/metadata", "")
		var cs struct {
			ResourceType, FHIRVersion string
			Rest                      []struct {
				Security struct {
					Extension []struct{ URL string }
				}
				Resource []struct {
					Type        string
					Interaction []struct{ Code string }
					SearchParam []struct{ Name, Type string }
				}
			}
		}
		if err := json.Unmarshal(res.Body, &cs); err != nil || res.Status != 200 {
			t.Fatalf("%s: %d %v", fl, res.Status, err)
		}
		if cs.ResourceType != "CapabilityStatement" || cs.FHIRVersion != "4.0.1" {
			t.Fatalf("%s: %+v", fl, cs)
		}
		hasOAuthURIs := len(cs.Rest[0].Security.Extension) == 1 && strings.HasSuffix(cs.Rest[0].Security.Extension[0].URL, "oauth-uris")
		if hasOAuthURIs != (fl == Flavor702) {
			t.Fatalf("%s: oauth-uris extension present=%v", fl, hasOAuthURIs)
		}
		types := map[string][]string{}
		for _, r := range cs.Rest[0].Resource {
			for _, p := range r.SearchParam {
				types[r.Type] = append(types[r.Type], p.Name)
			}
			if len(r.Interaction) == 0 {
				t.Fatalf("%s: %s has no interactions", fl, r.Type)
			}
		}
		for _, want := range []string{"_id", "name", "family", "given", "birthdate", "gender", "identifier"} {
			if !strings.Contains(" "+strings.Join(types["Patient"], " ")+" ", " "+want+" ") {
				t.Fatalf("%s: Patient search params %v lack %s", fl, types["Patient"], want)
			}
		}
		if _, ok := types["ServiceRequest"]; ok == (fl == Flavor702) {
			t.Fatalf("%s: ServiceRequest listed=%v", fl, ok)
		}
	}
}

func TestJWKAndAccessTokenClaims(t *testing.T) {
	s := newTestServer(t, Options{Patients: 1, TokenLifetime: 120 * time.Second})
	id := enabledClient(t, s, "system/Patient.read")
	tok := mint(t, s, id, "system/Patient.read")
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(get(t, s.AuthBase()+"/jwk", "").Body, &set); err != nil || len(set.Keys) != 1 {
		t.Fatalf("jwk: %v %+v", err, set)
	}
	parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var cl struct {
		jwt.Claims
		Scopes []string `json:"scopes"`
	}
	if err := parsed.Claims(set.Keys[0].Key, &cl); err != nil {
		t.Fatal(err)
	}
	if len(cl.Audience) != 1 || cl.Audience[0] != id || cl.Subject == "" || cl.ID == "" ||
		cl.Expiry.Time().Sub(cl.IssuedAt.Time()) != 120*time.Second || strings.Join(cl.Scopes, " ") != "system/Patient.read" {
		t.Fatalf("claims %+v", cl)
	}
	intro := postForm(t, s.AuthBase()+"/introspect", map[string][]string{"token": {tok}}).json(t)
	if intro["active"] != true || intro["client_id"] != id {
		t.Fatalf("introspect %v", intro)
	}
}

func registrationPost(t *testing.T, s *Server, contentType, body string) httpResult {
	req, _ := http.NewRequest(http.MethodPost, s.AuthBase()+"/registration", strings.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	return do(t, req)
}

func TestRegistrationOverHTTP(t *testing.T) {
	rs, _ := keys(t)
	for _, fl := range []Flavor{Flavor704, Flavor702} {
		s := newTestServer(t, Options{Flavor: fl, Patients: 2})
		body := string(RegistrationBody(fl, "reg test", []string{"system/Patient.read"}, PublicJWKS(&rs[0].PublicKey)))
		res := registrationPost(t, s, "application/json", body)
		m := res.json(t)
		id, _ := m["client_id"].(string)
		if res.Status != 200 || id == "" || m["client_secret"] == "" || m["registration_access_token"] == "" ||
			m["scope"] != "system/Patient.read" {
			t.Fatalf("%s: %d %s", fl, res.Status, res.Body)
		}
		// Disabled until the admin enables it.
		claims := goodClaims(s, id, time.Now())
		if r := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "x", claims), "system/Patient.read")); r.Status != 401 {
			t.Fatalf("%s: before Enable: %d %s", fl, r.Status, r.Body)
		}
		if err := s.Enable(id); err != nil {
			t.Fatal(err)
		}
		if r := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "x", goodClaims(s, id, time.Now())), "system/Patient.read")); r.Status != 200 {
			t.Fatalf("%s: after Enable: %d %s", fl, r.Status, r.Body)
		}
	}
	// 7.0.2 rejects token_endpoint_auth_method; 7.0.4 accepts it (RegistrationBody omits it on 7.0.2).
	s := newTestServer(t, Options{Flavor: Flavor702, Patients: 1})
	body := string(RegistrationBody(Flavor704, "x", []string{"system/Patient.read"}, PublicJWKS(&rs[0].PublicKey)))
	if res := registrationPost(t, s, "application/json", body); res.Status != 400 || res.json(t)["error"] != "invalid_client_metadata" {
		t.Fatalf("7.0.2 with token_endpoint_auth_method: %d %s", res.Status, res.Body)
	}
	if err := s.Enable("nope"); err == nil {
		t.Fatal("Enable of unknown client succeeded")
	}
}

func TestRegistrationErrors(t *testing.T) {
	s := newTestServer(t, Options{Patients: 1})
	cases := []struct{ name, ct, body, code string }{
		{"content type", "text/plain", `{"redirect_uris":["https://a.example/cb"]}`, "invalid_client_metadata"},
		{"not JSON", "application/json", `{redirect`, "invalid_client_metadata"},
		{"no redirect_uris", "application/json", `{"client_name":"x","scope":"system/Patient.read"}`, "invalid_redirect_uri"},
		{"jwks invalid", "application/json", `{"redirect_uris":["https://a.example/cb"],"jwks":"abc"}`, "invalid_client_metadata"},
		{"jwks without keys", "application/json", `{"redirect_uris":["https://a.example/cb"],"jwks":{"x":1}}`, "invalid_client_metadata"},
		{"public with system scope", "application/json", `{"application_type":"public","redirect_uris":["https://a.example/cb"],"scope":"system/Patient.read"}`, "invalid_client_metadata"},
		{"unknown scope", "application/json", `{"redirect_uris":["https://a.example/cb"],"scope":"system/*.read"}`, "invalid_scope"},
	}
	for _, c := range cases {
		res := registrationPost(t, s, c.ct, c.body)
		if res.Status != 400 || res.json(t)["error"] != c.code {
			t.Fatalf("%s: %d %s, want 400 %s", c.name, res.Status, res.Body, c.code)
		}
	}
}

func TestRegisterOverHTTPHelper(t *testing.T) {
	rs, _ := keys(t)
	s := newTestServer(t, Options{Patients: 1})
	id, err := s.RegisterOverHTTP(context.Background(), nil, "helper", s.SystemReadScopes(), &rs[0].PublicKey)
	if err != nil || len(s.ClientScopes(id)) != len(s.SystemReadScopes()) {
		t.Fatalf("%v %v", id, err)
	}
	if strings.Contains(string(PublicJWKS(&rs[0].PublicKey)), `"d"`) {
		t.Fatal("public JWKS leaks a private member")
	}
	var rerr *RegistrationError
	_, err = s.RegisterClient(ClientRegistration{Scopes: []string{"system/Nope.read"}})
	if !errors.As(err, &rerr) || rerr.Code != "invalid_scope" {
		t.Fatalf("%v", err)
	}
}

func TestParseFlavor(t *testing.T) {
	for in, want := range map[string]Flavor{"": Flavor704, "openemr-7.0.4": Flavor704, "7.0.3": Flavor702,
		"OpenEMR-7.0.2": Flavor702, "8.0.0": Flavor704, "openemr-7.0.4.1": Flavor704, "paged": FlavorPaged} {
		if got, err := ParseFlavor(in); err != nil || got != want {
			t.Fatalf("ParseFlavor(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"6.1", "openemr-7.0.1", "hapi"} {
		if _, err := ParseFlavor(bad); err == nil {
			t.Fatalf("ParseFlavor(%q) accepted", bad)
		}
	}
}
