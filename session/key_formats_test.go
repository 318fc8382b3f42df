package session

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

const cryptoSHA256 = crypto.SHA256

// selfSigned makes a certificate for k, as key-generator sites put in x5c.
func selfSigned(t testing.TB, k crypto.Signer) *x509.Certificate {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "fhirscope test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// joseJSON encodes a private JWK (or a set) with go-jose, an encoder independent of ours.
func joseJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pemOf(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// roundTripInputs encodes the two generated keys in every format ParseKey reads.
func roundTripInputs(t testing.TB, rsaKey, ecKey *Key) map[string][]byte {
	t.Helper()
	rsaPriv := rsaKey.Signer.(*rsa.PrivateKey)
	ecPriv := ecKey.Signer.(*ecdsa.PrivateKey)
	pk8 := func(k any) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return der
	}
	sec1, err := x509.MarshalECPrivateKey(ecPriv)
	if err != nil {
		t.Fatal(err)
	}
	rsaJWK := jose.JSONWebKey{Key: rsaPriv, KeyID: "rsa-kid", Algorithm: "RS384", Use: "sig"}
	ecJWK := jose.JSONWebKey{Key: ecPriv, KeyID: "ec-kid", Algorithm: "ES384", Use: "sig"}
	rsaWithCert := rsaJWK
	rsaWithCert.Certificates = []*x509.Certificate{selfSigned(t, rsaPriv)}
	return map[string][]byte{
		"RSA PKCS#8 PEM":   pemOf("PRIVATE KEY", pk8(rsaPriv)),
		"RSA PKCS#1 PEM":   pemOf("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaPriv)),
		"RSA PKCS#8 DER":   pk8(rsaPriv),
		"RSA private JWK":  joseJSON(t, rsaJWK),
		"RSA JWK Set+x5c":  joseJSON(t, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{rsaWithCert}}),
		"EC PKCS#8 PEM":    pemOf("PRIVATE KEY", pk8(ecPriv)),
		"EC SEC1 PEM":      pemOf("EC PRIVATE KEY", sec1),
		"EC SEC1 DER":      sec1,
		"EC private JWK":   joseJSON(t, ecJWK),
		"EC JWK Set":       joseJSON(t, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{ecJWK}}),
		"RSA PEM with CRT": append(pemOf("CERTIFICATE", selfSigned(t, rsaPriv).Raw), pemOf("PRIVATE KEY", pk8(rsaPriv))...),
		// A generator's set: the private key, and its public half beside it.
		"RSA JWK Set priv+pub": joseJSON(t, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{rsaJWK.Public(), rsaJWK}}),
		"RSA PEM body only":    pemBody(pemOf("PRIVATE KEY", pk8(rsaPriv))),
		"RSA PEM CRLF+BOM":     append([]byte("\xef\xbb\xbf"), []byte(strings.ReplaceAll(string(pemOf("PRIVATE KEY", pk8(rsaPriv))), "\n", "\r\n"))...),
	}
}

func TestParseKeyRoundTripsEveryFormat(t *testing.T) {
	rsaKey, ecKey := testKeys(t)
	for name, data := range roundTripInputs(t, rsaKey, ecKey) {
		t.Run(name, func(t *testing.T) {
			k, err := ParseKey(data)
			if err != nil {
				t.Fatal(err)
			}
			want := rsaKey
			if strings.HasPrefix(name, "EC") {
				want = ecKey
			}
			if !sameKey(k, want) {
				t.Fatalf("parsed a different key (%s)", k.Type())
			}
			switch {
			case strings.Contains(name, "JWK") && strings.HasPrefix(name, "RSA"):
				if k.KeyID != "rsa-kid" {
					t.Errorf("kid %q, want the JWK's own", k.KeyID)
				}
			case strings.Contains(name, "JWK"):
				if k.KeyID != "ec-kid" {
					t.Errorf("kid %q, want the JWK's own", k.KeyID)
				}
			default:
				if k.KeyID != want.Thumbprint() {
					t.Errorf("kid %q, want the thumbprint", k.KeyID)
				}
			}
			// And back out again through our own PEM.
			pemBytes, err := k.MarshalPEM()
			if err != nil {
				t.Fatal(err)
			}
			again, err := ParseKey(pemBytes)
			if err != nil || !sameKey(again, want) {
				t.Fatalf("PEM of the parsed key does not round trip: %v", err)
			}
		})
	}
}

// TestParseKeyOpenSSLFixtures reads keys made by openssl, including the EC PARAMETERS block
// `openssl ecparam -genkey` writes before the key.
func TestParseKeyOpenSSLFixtures(t *testing.T) {
	want := map[string]string{
		"rsa-pkcs8.pem":                "PKCS#8 PEM",
		"rsa-pkcs1.pem":                "PKCS#1 PEM",
		"rsa-pkcs1.der":                "DER",
		"ec-p384-sec1-with-params.pem": "SEC1 PEM",
		"ec-p384-pkcs8.pem":            "PKCS#8 PEM",
	}
	var rsaKeys []*Key
	for name, format := range want {
		k, err := ParseKey(fixture(t, name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if k.Format != format {
			t.Errorf("%s: format %q, want %q", name, k.Format, format)
		}
		if strings.HasPrefix(name, "rsa") {
			rsaKeys = append(rsaKeys, k)
		} else if k.Alg != AlgES384 {
			t.Errorf("%s: alg %s", name, k.Alg)
		}
	}
	for _, k := range rsaKeys[1:] { // the same key in three encodings
		if !sameKey(k, rsaKeys[0]) {
			t.Errorf("rsa fixtures differ")
		}
	}
}

func TestParseKeyBadInputs(t *testing.T) {
	rsaKey, ecKey := testKeys(t)
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_, edPriv, _ := ed25519.GenerateKey(rand.Reader)
	rsaJWK := jose.JSONWebKey{Key: rsaKey.Signer, KeyID: "a", Use: "sig"}
	otherRSA := jose.JSONWebKey{Key: mustRSA(t), KeyID: "b", Use: "sig"}
	mismatched := rsaJWK
	mismatched.Certificates = []*x509.Certificate{selfSigned(t, otherRSA.Key.(crypto.Signer))}
	var jwkMap map[string]any
	_ = json.Unmarshal(joseJSON(t, rsaJWK), &jwkMap)
	jwkMap["dp"] = jwkMap["dq"]
	var ecMap map[string]any
	_ = json.Unmarshal(joseJSON(t, jose.JSONWebKey{Key: ecKey.Signer}), &ecMap)
	ecMap["x"] = ecMap["y"]
	delete(jwkMap, "kid")
	noPrimes := map[string]any{"kty": "RSA", "n": jwkMap["n"], "e": jwkMap["e"], "d": jwkMap["d"]}

	cases := []struct {
		name string
		data []byte
		kind error
		msg  string
	}{
		{"encrypted PKCS#8", fixture(t, "rsa-encrypted-pkcs8.pem"), ErrKeyEncrypted, "encrypted with a passphrase"},
		{"encrypted PKCS#1", fixture(t, "rsa-encrypted-pkcs1.pem"), ErrKeyEncrypted, "openssl pkey"},
		{"public PEM", fixture(t, "rsa-public.pem"), ErrKeyPublicOnly, `holds only "PUBLIC KEY"`},
		{"certificate PEM", fixture(t, "rsa-cert.pem"), ErrKeyPublicOnly, `"CERTIFICATE"`},
		{"public JWK", joseJSON(t, rsaJWK.Public()), ErrKeyPublicOnly, `public RSA JWK (no "d"`},
		{"public EC JWK", joseJSON(t, jose.JSONWebKey{Key: ecKey.Public()}), ErrKeyPublicOnly, "public EC JWK"},
		{"public JWK Set", joseJSON(t, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{rsaJWK.Public()}}), ErrKeyPublicOnly, "1 public key(s) and no private key"},
		{"RSA 1024", fixture(t, "rsa-1024.pem"), ErrKeyTooSmall, "1024 bits"},
		{"EC P-256 PEM", fixture(t, "ec-p256-sec1.pem"), ErrKeyUnsupportedCurve, "curve P-256"},
		{"EC P-256 JWK", joseJSON(t, jose.JSONWebKey{Key: p256}), ErrKeyUnsupportedCurve, `curve "P-256"`},
		{"EC secp256k1", fixture(t, "ec-secp256k1-sec1.pem"), ErrKeyUnsupportedCurve, "secp256k1"},
		{"Ed25519 PKCS#8", fixture(t, "ed25519-pkcs8.pem"), ErrKeyUnsupportedType, "Ed25519"},
		{"Ed25519 JWK", joseJSON(t, jose.JSONWebKey{Key: edPriv}), ErrKeyUnsupportedType, "OKP (Ed25519)"},
		{"oct JWK", []byte(`{"kty":"oct","k":"c2VjcmV0"}`), ErrKeyUnsupportedType, "symmetric"},
		{"OpenSSH private", fixture(t, "openssh-ed25519.key"), ErrKeyUnsupportedType, "ssh-keygen -p -m PKCS8"},
		{"OpenSSH public", fixture(t, "openssh-ed25519.pub.txt"), ErrKeyPublicOnly, "OpenSSH public key"},
		{"empty", []byte("  \n"), ErrKeyMalformed, "empty"},
		{"text", []byte("hello, this is not a key"), ErrKeyMalformed, "24 characters of text"},
		{"binary", []byte{0xff, 0xfe, 0x00, 0x01}, ErrKeyMalformed, "binary data"},
		{"HTML", []byte("<html><body>404</body></html>"), ErrKeyMalformed, "HTML"},
		{"truncated PEM", fixture(t, "rsa-pkcs8.pem")[:300], ErrKeyMalformed, "no complete block"},
		{"damaged DER", append([]byte{0x30, 0x82, 0x01}, make([]byte, 40)...), ErrKeyMalformed, "damaged"},
		{"bad JSON", []byte(`{"kty":"RSA",`), ErrKeyMalformed, "does not parse"},
		{"JSON not a JWK", []byte(`{"hello":"world"}`), ErrKeyMalformed, "neither a JWK"},
		{"JWK wrong member type", []byte(`{"kty":"RSA","n":5}`), ErrKeyMalformed, "wrong type"},
		{"empty JWK Set", []byte(`{"keys":[]}`), ErrKeyMalformed, "empty"},
		{"two private keys", joseJSON(t, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{rsaJWK, otherRSA}}), ErrKeyMalformed, `2 private signing keys (kid "a", "b")`},
		{"x5c of another key", joseJSON(t, mismatched), ErrKeyMalformed, "different key"},
		{"RSA dp damaged", joseJSON(t, jwkMap), ErrKeyMalformed, `"dp" does not match`},
		{"RSA without primes", joseJSON(t, noPrimes), ErrKeyMalformed, `lacks the primes`},
		{"EC x damaged", joseJSON(t, ecMap), ErrKeyMalformed, "do not belong"},
		{"bad base64", []byte(`{"kty":"EC","crv":"P-384","d":"!!!"}`), ErrKeyMalformed, "not base64url"},
		{"huge input", make([]byte, maxKeyInput+1), ErrKeyMalformed, "far larger"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := ParseKey(c.data)
			if err == nil {
				t.Fatalf("accepted as %s", k)
			}
			if !isKind(err, c.kind) {
				t.Errorf("error kind: got %v, want %v", err, c.kind)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("message %q lacks %q", err, c.msg)
			}
		})
	}
}

func mustRSA(t testing.TB) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// pemBody is a PEM without its BEGIN and END lines, as sometimes pasted.
func pemBody(p []byte) []byte {
	var body []string
	for _, line := range strings.Split(string(p), "\n") {
		if !strings.HasPrefix(line, "-----") {
			body = append(body, line)
		}
	}
	return []byte(strings.Join(body, "\n"))
}
