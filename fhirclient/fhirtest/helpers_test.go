package fhirtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// Test keys are generated once per test binary: RSA generation is the slow part of setup.
var (
	testKeysOnce sync.Once
	testRSA      [3]*rsa.PrivateKey
	testEC       *ecdsa.PrivateKey
)

func keys(t testing.TB) ([3]*rsa.PrivateKey, *ecdsa.PrivateKey) {
	t.Helper()
	testKeysOnce.Do(func() {
		for i := range testRSA {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			testRSA[i] = k
		}
		k, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			panic(err)
		}
		testEC = k
	})
	return testRSA, testEC
}

// jwk returns a public JWK map for key, with kid.
func jwk(key crypto.PublicKey, kid string) map[string]any {
	b, err := json.Marshal(jose.JSONWebKey{Key: key, KeyID: kid, Use: "sig"})
	if err != nil {
		panic(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

func jwksOf(ks ...map[string]any) []byte {
	b, _ := json.Marshal(map[string]any{"keys": ks})
	return b
}

// sign builds a client assertion with go-jose directly (independent of fhirclient).
func sign(t testing.TB, key crypto.Signer, alg jose.SignatureAlgorithm, kid string, claims map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// freshJTI is a random 128-bit jti, as a good client sends.
func freshJTI() string { return randomToken(16) }

// goodClaims are the claims a well-behaved client sends at now.
func goodClaims(s *Server, clientID string, now time.Time) map[string]any {
	return map[string]any{
		"iss": clientID, "sub": clientID, "aud": s.TokenURL(),
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "jti": freshJTI(),
	}
}

// tokenForm is the form of a client_credentials request with assertion.
func tokenFormFor(assertion, scope string) url.Values {
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {AssertionType},
		"client_assertion":      {assertion},
		"scope":                 {scope},
	}
}

type httpResult struct {
	Status int
	Header http.Header
	Body   []byte
}

func (h httpResult) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(h.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v: %q", err, h.Body)
	}
	return m
}

func do(t testing.TB, req *http.Request) httpResult {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpResult{resp.StatusCode, resp.Header, b}
}

func postForm(t testing.TB, u string, form url.Values) httpResult {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, req)
}

func get(t testing.TB, u, token string) httpResult {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return do(t, req)
}

// enabledClient registers an enabled client with key 0's JWKS and the given scopes.
func enabledClient(t testing.TB, s *Server, scopes ...string) string {
	t.Helper()
	rs, _ := keys(t)
	id, err := s.RegisterClient(ClientRegistration{Name: "test", Scopes: scopes,
		JWKS: jwksOf(jwk(&rs[0].PublicKey, "k0")), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// mint gets an access token for clientID (key 0) or fails the test.
func mint(t testing.TB, s *Server, clientID, scope string) string {
	t.Helper()
	rs, _ := keys(t)
	res := postForm(t, s.TokenURL(), tokenFormFor(sign(t, rs[0], jose.RS384, "k0", goodClaims(s, clientID, s.clock())), scope))
	if res.Status != 200 {
		t.Fatalf("token: %d %s", res.Status, res.Body)
	}
	return res.json(t)["access_token"].(string)
}

func newTestServer(t testing.TB, opts Options) *Server {
	t.Helper()
	s := NewServer(opts)
	t.Cleanup(s.Close)
	return s
}
