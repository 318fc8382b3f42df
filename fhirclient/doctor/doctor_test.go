package doctor_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/doctor"
	"fhirscope/fhirclient/fhirtest"
)

var (
	rsaA, rsaB       *rsa.PrivateKey
	ecKey            *ecdsa.PrivateKey
	registeredScopes = []string{"system/Patient.read", "system/Observation.read", "system/Practitioner.read"}
)

func TestMain(m *testing.M) {
	rsaA, _ = rsa.GenerateKey(rand.Reader, 2048)
	rsaB, _ = rsa.GenerateKey(rand.Reader, 2048)
	ecKey, _ = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	os.Exit(m.Run())
}

func jwks(t *testing.T, signers ...crypto.Signer) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for _, k := range signers {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Public(), Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// setup is a sandbox with a client registered for registeredScopes with the public key of
// registered (inline) or at jwksURI, enabled or not; cfg is a healthy doctor config for it.
type setup struct {
	srv *fhirtest.Server
	cfg doctor.Config
}

func newSetup(t *testing.T, registered crypto.Signer, jwksURI string, enabled bool) setup {
	t.Helper()
	srv := fhirtest.NewServer(fhirtest.Options{})
	t.Cleanup(srv.Close)
	reg := fhirtest.ClientRegistration{Name: "doctor test", Scopes: registeredScopes, Enabled: enabled, JWKSURI: jwksURI}
	if jwksURI == "" {
		reg.JWKS = jwks(t, registered)
	}
	id, err := srv.RegisterClient(reg)
	if err != nil {
		t.Fatal(err)
	}
	return setup{srv: srv, cfg: doctor.Config{Profile: "test", BaseURL: srv.FHIRBase(), ClientID: id,
		Scopes: registeredScopes, Key: registered, JWKSURI: jwksURI}}
}

// jwksServer serves body at /jwks.json, or redirects there from /moved.
func jwksServer(t *testing.T, body []byte) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc("/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/jwks.json", http.StatusFound)
	})
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func run(t *testing.T, cfg doctor.Config) *doctor.Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return doctor.Run(ctx, cfg, nil)
}

// expect asserts that check id has status st and that its cause+fix mention every word.
func expect(t *testing.T, r *doctor.Report, id string, st doctor.Status, words ...string) {
	t.Helper()
	c, ok := r.Find(id)
	if !ok {
		t.Fatalf("no check %s in report:\n%s", id, text(r))
	}
	if c.Status != st {
		t.Errorf("%s: status %s, want %s\n%s", id, c.Status, st, text(r))
	}
	all := strings.ToLower(c.Cause + " " + c.Fix + " " + c.Detail)
	for _, it := range c.Items {
		all += " " + strings.ToLower(it.Name+" "+it.Detail+" "+it.Fix)
	}
	for _, w := range words {
		if !strings.Contains(all, strings.ToLower(w)) {
			t.Errorf("%s: %q not mentioned in %q", id, w, all)
		}
	}
}

func text(r *doctor.Report) string {
	var b strings.Builder
	doctor.WriteText(&b, r, nil)
	return b.String()
}

func TestHealthySetupPasses(t *testing.T) {
	s := newSetup(t, rsaA, "", true)
	r := run(t, s.cfg)
	if r.Failed() {
		t.Fatalf("healthy setup failed:\n%s", text(r))
	}
	expect(t, r, "token.request", doctor.Pass)
	expect(t, r, "scopes.diff", doctor.Pass, "3 granted")
	expect(t, r, "access.matrix", doctor.Pass, "3 allowed", "system/Condition.read") // registered for 3 types only
	expect(t, r, "claims.token", doctor.Pass, "scopes")
	for _, id := range []string{"server.reachable", "server.metadata", "server.base", "discovery.config", "key.alg", "assertion.aud", "assertion.clock"} {
		expect(t, r, id, doctor.Pass)
	}
}

func TestRunLiveOnAConnectedClient(t *testing.T) {
	s := newSetup(t, rsaA, "", true)
	c, err := fhirclient.New(s.cfg.BaseURL, fhirclient.WithCredentials(fhirclient.Credentials{ClientID: s.cfg.ClientID, Signer: rsaA}),
		fhirclient.WithScopes(append([]string{"system/Encounter.read"}, registeredScopes...)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var seen []string
	r := doctor.RunLive(ctx, c, nil, func(ch doctor.Check) { seen = append(seen, ch.ID) })
	if strings.Join(seen, " ") != "scopes.diff access.matrix access.export claims.token" {
		t.Errorf("live checks streamed %v", seen)
	}
	expect(t, r, "scopes.diff", doctor.Warn, "system/Encounter.read", "dropped silently")
	expect(t, r, "access.matrix", doctor.Warn, "Encounter")
	if tokens := s.srv.Counters().TokenRequests; tokens != 1 {
		t.Errorf("the live checks minted %d tokens, want the connection's one", tokens)
	}
}
