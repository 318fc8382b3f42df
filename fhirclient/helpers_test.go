package fhirclient_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/fhirclient/fhirtest/hostile"
)

// jwksOf is the public JWK Set of keys, as a registration would carry it.
func jwksOf(t testing.TB, keys ...crypto.Signer) []byte {
	t.Helper()
	var set jose.JSONWebKeySet
	for i, k := range keys {
		alg := "RS384"
		if _, ok := k.(*ecdsa.PrivateKey); ok {
			alg = "ES384"
		}
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.Public(), KeyID: "k" + string(rune('1'+i)), Algorithm: alg, Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var patientScopes = []string{"system/Patient.read", "system/Practitioner.read", "system/Organization.read"}

// sandbox starts a sandbox and registers an enabled client for rsaKey with scopes.
func sandbox(t testing.TB, opts fhirtest.Options, scopes []string) (*fhirtest.Server, fhirclient.Credentials) {
	t.Helper()
	rk, _ := testKeys(t)
	srv := fhirtest.NewServer(opts)
	t.Cleanup(srv.Close)
	id, err := srv.RegisterClient(fhirtest.ClientRegistration{Name: "fhirclient test", Scopes: scopes, JWKS: jwksOf(t, rk), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return srv, fhirclient.Credentials{ClientID: id, Signer: rk, KeyID: "k1"}
}

// newClient is a client for srv's FHIR base with cred and scopes.
func newClient(t testing.TB, srv *fhirtest.Server, cred fhirclient.Credentials, scopes []string, opts ...fhirclient.Option) *fhirclient.Client {
	t.Helper()
	opts = append([]fhirclient.Option{fhirclient.WithCredentials(cred), fhirclient.WithScopes(scopes)}, opts...)
	c, err := fhirclient.New(srv.FHIRBase(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func ctxT(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newRecorder is a real HTTP server standing for "another origin" (hostile.NewRecorder): it
// records every request's Authorization header so tests can prove no token reached it.
func newRecorder(t testing.TB, h http.HandlerFunc) *hostile.Recorder {
	r := hostile.NewRecorder(h)
	t.Cleanup(r.Close)
	return r
}

// idsOf returns the "id" of each entry.
func idsOf(t testing.TB, entries [][]byte) []string {
	t.Helper()
	out := make([]string, len(entries))
	for i, e := range entries {
		var r struct{ ID string }
		if err := json.Unmarshal(e, &r); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
		out[i] = r.ID
	}
	return out
}

// postToken sends a hand-made token request (for rows of the error table a correct client
// never produces) and returns status and body.
func postToken(t testing.TB, tokenURL string, form url.Values) (int, []byte) {
	t.Helper()
	resp, err := http.Post(tokenURL, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// handAssertion signs arbitrary claims RS384 with key, for assertions fhirclient would
// never produce (wrong iss, no jti).
func handAssertion(t testing.TB, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS384, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	s, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}
