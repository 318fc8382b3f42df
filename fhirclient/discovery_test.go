package fhirclient_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

func TestDiscoverSmartConfiguration(t *testing.T) {
	for _, flavor := range []fhirtest.Flavor{fhirtest.Flavor704, fhirtest.Flavor702} {
		srv := fhirtest.NewServer(fhirtest.Options{Flavor: flavor})
		defer srv.Close()
		c, err := fhirclient.New(srv.FHIRBase() + "/")
		if err != nil {
			t.Fatal(err)
		}
		sc, err := c.Rediscover(ctxT(t))
		if err != nil {
			t.Fatal(err)
		}
		if sc.Source != fhirclient.SourceSmartConfiguration || sc.TokenEndpoint != srv.TokenURL() || !sc.ScopesNested ||
			!strings.Contains(strings.Join(sc.ScopesSupported, " "), "system/Patient.read") || !sc.SupportsPrivateKeyJWT() {
			t.Errorf("%s: %+v", flavor, sc)
		}
		if (flavor == fhirtest.Flavor704) != (sc.JWKSURI != "" && sc.Issuer == srv.FHIRBase()) {
			t.Errorf("%s: jwks_uri %q issuer %q", flavor, sc.JWKSURI, sc.Issuer)
		}
		// Cached for the session: neither this client nor a new one for the base asks again.
		before := srv.Counters().Requests
		c2, _ := fhirclient.New(srv.FHIRBase())
		for _, cl := range []*fhirclient.Client{c, c2} {
			if again, err := cl.Discover(ctxT(t)); err != nil || again != sc {
				t.Errorf("not cached: %v", err)
			}
		}
		if n := srv.Counters().Requests - before; n != 0 {
			t.Errorf("%d requests for cached discovery", n)
		}
	}
}

func TestDiscoverFallsBackToCapabilityThenDerived(t *testing.T) {
	srv := fhirtest.NewServer(fhirtest.Options{Flavor: fhirtest.Flavor702})
	defer srv.Close()
	smartPath := "/apis/default/fhir/.well-known/smart-configuration"
	srv.SetFaults(fhirtest.FaultConfig{Rules: []fhirtest.FaultRule{{PathPrefix: smartPath, Kind: fhirtest.FaultHTML, Status: 404}}})
	c, _ := fhirclient.New(srv.FHIRBase())
	sc, err := c.Rediscover(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Source != fhirclient.SourceCapability || sc.TokenEndpoint != srv.TokenURL() || len(sc.Notes) != 1 {
		t.Errorf("capability fallback: %+v", sc)
	}

	// 7.0.4 has no oauth-uris: with smart-configuration broken, the token URL is derived.
	srv4 := fhirtest.NewServer(fhirtest.Options{Webroot: "/openemr"})
	defer srv4.Close()
	srv4.SetFaults(fhirtest.FaultConfig{Rules: []fhirtest.FaultRule{{PathPrefix: "/openemr" + smartPath, Kind: fhirtest.FaultStatus, Status: 500}}})
	c4, _ := fhirclient.New(srv4.FHIRBase())
	sc, err = c4.Rediscover(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if sc.Source != fhirclient.SourceDerived || sc.TokenEndpoint != srv4.TokenURL() {
		t.Errorf("derived: %+v (want %s)", sc, srv4.TokenURL())
	}
	caps, err := c4.Metadata(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	p, ok := caps.Resource("Patient")
	if caps.FHIRVersion != "4.0.1" || !ok || !p.Can("search-type") || len(p.SearchParams) == 0 || len(caps.Resources) < 10 {
		t.Errorf("metadata: %s %v %+v", caps.FHIRVersion, caps.Types(), p)
	}
}

func TestDiscoverWrongBase(t *testing.T) {
	srv := fhirtest.NewServer(fhirtest.Options{})
	defer srv.Close()
	c, _ := fhirclient.New(srv.URL() + "/apis/fhir")
	_, err := c.Rediscover(ctxT(t))
	var be *fhirclient.BaseURLError
	if !errors.As(err, &be) || be.Status != 400 || be.Suggestion != srv.URL()+"/apis/default/fhir" {
		t.Fatalf("err = %v", err)
	}
	if ex, _ := fhirclient.Explain(err); !strings.Contains(ex.Fix, "/apis/default/fhir") {
		t.Errorf("%+v", ex)
	}
	// A site that has nothing of FHIR at all: HTML 404s everywhere.
	web := newRecorder(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(404)
		_, _ = w.Write([]byte("<html><body>Not here</body></html>"))
	})
	c, _ = fhirclient.New(web.URL + "/fhir")
	if _, err := c.Rediscover(ctxT(t)); !errors.As(err, &be) || !strings.Contains(be.Reason, "no token endpoint") {
		t.Fatalf("err = %v", err)
	}
	for _, bad := range []string{"ftp://h/fhir", "https:///fhir", "https://h/fhir?x=1", "::", "https://u:pw@h/fhir"} {
		if _, err := fhirclient.New(bad); !errors.As(err, &be) {
			t.Errorf("New(%q) = %v", bad, err)
		}
	}
}

func TestDiscoverWithTokenURLOverride(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 3}, patientScopes)
	// Same server, its token endpoint spelled with a (harmless) query: the override is used
	// for tokens, while Discover keeps reporting what the server advertises.
	override := srv.TokenURL() + "?via=override"
	c := newClient(t, srv, cred, patientScopes, fhirclient.WithTokenURL(override))
	sc, err := c.Rediscover(ctxT(t))
	if err != nil || sc.Source != fhirclient.SourceSmartConfiguration || sc.TokenEndpoint != srv.TokenURL() {
		t.Fatalf("%+v %v", sc, err)
	}
	if te, _ := c.TokenEndpoint(ctxT(t)); te != override {
		t.Fatalf("TokenEndpoint %s", te)
	}
	// A FHIR server with nothing to discover still works when the token URL is given.
	web := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/Patient") {
			_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset"}`))
			return
		}
		w.WriteHeader(404)
	})
	c, _ = fhirclient.New(web.URL+"/fhir", fhirclient.WithTokenURL(srv.TokenURL()),
		fhirclient.WithCredentials(cred), fhirclient.WithScopes(patientScopes))
	if _, err := c.Discover(ctxT(t)); err == nil {
		t.Error("Discover found something on an empty server")
	}
	if _, err := c.Reconnect(ctxT(t)); err != nil {
		t.Fatalf("Reconnect with a token URL: %v", err)
	}
	if _, err := c.Search(ctxT(t), "Patient", nil); err != nil {
		t.Fatal(err)
	}
}
