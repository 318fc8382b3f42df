package fhirclient_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"fhirscope/fhirclient"
)

var (
	keysOnce sync.Once
	rsaKey   *rsa.PrivateKey
	ecKey    *ecdsa.PrivateKey
)

// testKeys are generated once per test binary: RSA generation is slow.
func testKeys(t testing.TB) (*rsa.PrivateKey, *ecdsa.PrivateKey) {
	t.Helper()
	keysOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			panic(err)
		}
		if ecKey, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader); err != nil {
			panic(err)
		}
	})
	return rsaKey, ecKey
}

// TestAssertionVerifiedByGolangJWT checks the assertion with an independent JOSE
// implementation: alg, kid, typ, every claim, aud as a plain string, the 300 s cap.
func TestAssertionVerifiedByGolangJWT(t *testing.T) {
	rk, ek := testKeys(t)
	const aud = "https://emr.example.org/oauth2/default/token"
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	cases := []struct {
		name string
		cred fhirclient.Credentials
		alg  string
		pub  any
	}{
		{"rsa default", fhirclient.Credentials{ClientID: "client-1", Signer: rk, KeyID: "k1"}, "RS384", &rk.PublicKey},
		{"rsa explicit", fhirclient.Credentials{ClientID: "client-1", Signer: rk, Alg: "RS384", KeyID: "k1"}, "RS384", &rk.PublicKey},
		{"ec", fhirclient.Credentials{ClientID: "client-1", Signer: ek, Alg: "ES384", KeyID: "k1"}, "ES384", &ek.PublicKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := fhirclient.SignAssertion(tc.cred, aud, now)
			if err != nil {
				t.Fatal(err)
			}
			parser := jwt.NewParser(jwt.WithValidMethods([]string{tc.alg}), jwt.WithTimeFunc(func() time.Time { return now.Add(time.Second) }),
				jwt.WithAudience(aud), jwt.WithIssuer("client-1"), jwt.WithSubject("client-1"), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
			claims := jwt.MapClaims{}
			tok, err := parser.ParseWithClaims(s, claims, func(*jwt.Token) (any, error) { return tc.pub, nil })
			if err != nil {
				t.Fatalf("golang-jwt rejects the assertion: %v", err)
			}
			if tok.Header["kid"] != "k1" || tok.Header["typ"] != "JWT" || tok.Header["alg"] != tc.alg {
				t.Errorf("header = %v", tok.Header)
			}
			iat, _ := claims.GetIssuedAt()
			exp, _ := claims.GetExpirationTime()
			if !iat.Time.Equal(now) || exp.Sub(iat.Time) > 300*time.Second || !exp.After(iat.Time) {
				t.Errorf("iat %v exp %v", iat, exp)
			}
			if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(claims["jti"].(string)) {
				t.Errorf("jti %q is not 128 random bits in hex", claims["jti"])
			}
			// aud must be the token URL as a JSON string, exactly.
			payload, _ := base64.RawURLEncoding.DecodeString(strings.Split(s, ".")[1])
			var raw map[string]json.RawMessage
			if err := json.Unmarshal(payload, &raw); err != nil || string(raw["aud"]) != `"`+aud+`"` {
				t.Errorf("aud = %s (%v)", raw["aud"], err)
			}
			// A different key must not verify (the test can fail).
			other, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
			if _, err := parser.Parse(s, func(*jwt.Token) (any, error) {
				if tc.alg == "RS384" {
					k, _ := rsa.GenerateKey(rand.Reader, 1024)
					return &k.PublicKey, nil
				}
				return &other.PublicKey, nil
			}); err == nil {
				t.Error("assertion verified with the wrong key")
			}
		})
	}
}

func TestAssertionJTIFreshEveryTime(t *testing.T) {
	rk, _ := testKeys(t)
	seen := map[string]bool{}
	now := time.Now()
	for range 200 {
		s, err := fhirclient.SignAssertion(fhirclient.Credentials{ClientID: "c", Signer: rk}, "https://x/token", now)
		if err != nil {
			t.Fatal(err)
		}
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(s, claims); err != nil {
			t.Fatal(err)
		}
		jti := claims["jti"].(string)
		if seen[jti] {
			t.Fatalf("jti %s repeated", jti)
		}
		seen[jti] = true
	}
}

func TestAssertionRejectsMismatchedKeys(t *testing.T) {
	rk, ek := testKeys(t)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	small, _ := rsa.GenerateKey(rand.Reader, 1024)
	for name, cred := range map[string]fhirclient.Credentials{
		"rsa as ES384":  {ClientID: "c", Signer: rk, Alg: "ES384"},
		"ec as RS384":   {ClientID: "c", Signer: ek, Alg: "RS384"},
		"P-256 key":     {ClientID: "c", Signer: p256},
		"1024-bit RSA":  {ClientID: "c", Signer: small},
		"no key":        {ClientID: "c"},
		"no client id":  {Signer: rk},
		"unknown alg":   {ClientID: "c", Signer: rk, Alg: "HS256"},
		"RS256 not 384": {ClientID: "c", Signer: rk, Alg: "RS256"},
	} {
		if _, err := fhirclient.SignAssertion(cred, "https://x/token", time.Now()); err == nil {
			t.Errorf("%s: signed without error", name)
		}
	}
	if _, err := fhirclient.SignAssertion(fhirclient.Credentials{ClientID: "c", Signer: rk}, "", time.Now()); err == nil {
		t.Error("signed without an audience")
	}
}

func BenchmarkSignAssertion(b *testing.B) {
	rk, ek := testKeys(b)
	for _, bc := range []struct {
		name string
		cred fhirclient.Credentials
	}{
		{"RS384", fhirclient.Credentials{ClientID: "client", Signer: rk, KeyID: "k"}},
		{"ES384", fhirclient.Credentials{ClientID: "client", Signer: ek, KeyID: "k"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			now := time.Now()
			for b.Loop() {
				if _, err := fhirclient.SignAssertion(bc.cred, "https://emr.example.org/oauth2/default/token", now); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/assertion")
		})
	}
}
