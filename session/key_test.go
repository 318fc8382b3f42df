package session

// The PEM fixtures in testdata/keys were made with:
//   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa-pkcs8.pem
//   openssl rsa -in rsa-pkcs8.pem -traditional -out rsa-pkcs1.pem
//   openssl rsa -in rsa-pkcs8.pem -outform DER -out rsa-pkcs1.der
//   openssl ecparam -name secp384r1 -genkey -out ec-p384-sec1-with-params.pem
//   openssl pkcs8 -topk8 -nocrypt -in ec-p384-sec1-with-params.pem -out ec-p384-pkcs8.pem
//   openssl pkcs8 -topk8 -in rsa-pkcs8.pem -passout pass:secret -out rsa-encrypted-pkcs8.pem
//   openssl rsa -in rsa-pkcs8.pem -traditional -aes256 -passout pass:secret -out rsa-encrypted-pkcs1.pem
//   openssl pkey -in rsa-pkcs8.pem -pubout -out rsa-public.pem
//   openssl req -new -x509 -key rsa-pkcs8.pem -subj /CN=fhirscope-test -days 3650 -out rsa-cert.pem
//   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out rsa-1024.pem
//   openssl ecparam -name prime256v1 -genkey -noout -out ec-p256-sec1.pem
//   openssl ecparam -name secp256k1 -genkey -noout -out ec-secp256k1-sec1.pem
//   openssl genpkey -algorithm ed25519 -out ed25519-pkcs8.pem
//   ssh-keygen -q -t ed25519 -N "" -f openssh-ed25519 (renamed .key / .pub.txt)

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Generated keys are shared: RSA generation is the slowest thing in these tests.
var (
	genOnce          sync.Once
	genRSA, genEC    *Key
	genRSA3072       *Key
	errGen, errGen3k error
)

func testKeys(t testing.TB) (rsaKey, ecKey *Key) {
	t.Helper()
	genOnce.Do(func() {
		genRSA, errGen = GenerateKey(AlgRS384, 2048)
		if errGen == nil {
			genEC, errGen = GenerateKey(AlgES384, 0)
		}
	})
	if errGen != nil {
		t.Fatal(errGen)
	}
	return genRSA, genEC
}

func TestGenerateKey(t *testing.T) {
	rsaKey, ecKey := testKeys(t)
	if rsaKey.Alg != AlgRS384 || rsaKey.Bits() != 2048 || rsaKey.Type() != "RSA 2048-bit" {
		t.Errorf("RSA default: alg %s bits %d type %s", rsaKey.Alg, rsaKey.Bits(), rsaKey.Type())
	}
	if ecKey.Alg != AlgES384 || ecKey.Type() != "EC P-384" || ecKey.Warning() == "" {
		t.Errorf("EC: alg %s type %s warning %q", ecKey.Alg, ecKey.Type(), ecKey.Warning())
	}
	if !strings.Contains(ecKey.Warning(), "RS384") || rsaKey.Warning() != "" {
		t.Errorf("warnings: EC %q RSA %q", ecKey.Warning(), rsaKey.Warning())
	}
	genRSA3072, errGen3k = GenerateKey("", 3072)
	if errGen3k != nil || genRSA3072.Bits() != 3072 {
		t.Fatalf("3072: %v", errGen3k)
	}
	for _, bad := range []struct {
		alg  string
		bits int
	}{{AlgRS384, 1024}, {AlgRS384, 4000}, {AlgES384, 256}, {"HS256", 0}, {"rs384", 0}} {
		if _, err := GenerateKey(bad.alg, bad.bits); err == nil {
			t.Errorf("GenerateKey(%q, %d) succeeded", bad.alg, bad.bits)
		}
	}
}

// TestThumbprintMatchesGoJose checks our RFC 7638 thumbprint against an independent one.
func TestThumbprintMatchesGoJose(t *testing.T) {
	rsaKey, ecKey := testKeys(t)
	for _, k := range []*Key{rsaKey, ecKey} {
		jwk := jose.JSONWebKey{Key: k.Public()}
		want, err := jwk.Thumbprint(cryptoSHA256)
		if err != nil {
			t.Fatal(err)
		}
		if got := k.Thumbprint(); got != b64(want) || k.KeyID != got {
			t.Errorf("%s: thumbprint %s kid %s, go-jose says %s", k.Type(), got, k.KeyID, b64(want))
		}
	}
}

// privateMembers are the JWK members that would disclose a private key.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// assertPublicJWKS checks the exact OpenEMR shape and that no private member is present.
func assertPublicJWKS(t *testing.T, k *Key, jwks []byte) {
	t.Helper()
	var set map[string][]map[string]any
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatalf("JWKS does not parse: %v\n%s", err, jwks)
	}
	if len(set) != 1 || len(set["keys"]) != 1 {
		t.Fatalf("JWKS should be {\"keys\":[one key]}: %s", jwks)
	}
	jwk := set["keys"][0]
	var want []string
	switch k.Alg {
	case AlgRS384:
		want = []string{"alg", "e", "kid", "kty", "n", "use"}
	case AlgES384:
		want = []string{"alg", "crv", "kid", "kty", "use", "x", "y"}
	}
	var got []string
	for m := range jwk {
		got = append(got, m)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("JWK members %v, want exactly %v", got, want)
	}
	for _, m := range privateMembers {
		if _, ok := jwk[m]; ok {
			t.Errorf("private member %q in public JWKS", m)
		}
	}
	if jwk["use"] != "sig" || jwk["alg"] != k.Alg || jwk["kid"] != k.KeyID {
		t.Errorf("use/alg/kid = %v/%v/%v", jwk["use"], jwk["alg"], jwk["kid"])
	}
	// An independent parser must see a public key equal to ours.
	var joseSet jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &joseSet); err != nil {
		t.Fatalf("go-jose rejects the JWKS: %v", err)
	}
	if !joseSet.Keys[0].IsPublic() || !reflect.DeepEqual(joseSet.Keys[0].Key, k.Public()) {
		t.Errorf("go-jose reads a different or non-public key: %T", joseSet.Keys[0].Key)
	}
}

// TestPublicJWKSHasNoPrivateMembers covers every key type and every input format, including a
// private JWK whose d, p, q, dp, dq, qi must not survive into the export.
func TestPublicJWKSHasNoPrivateMembers(t *testing.T) {
	rsaKey, ecKey := testKeys(t)
	inputs := map[string]*Key{"generated RSA": rsaKey, "generated EC": ecKey}
	for name, data := range roundTripInputs(t, rsaKey, ecKey) {
		k, err := ParseKey(data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		inputs[name] = k
	}
	for name, k := range inputs {
		t.Run(name, func(t *testing.T) {
			jwks, err := k.PublicJWKS()
			if err != nil {
				t.Fatal(err)
			}
			assertPublicJWKS(t, k, jwks)
		})
	}
	// Structural proof: the only type PublicJWKS encodes has no field that could carry a
	// private member, whatever the key.
	typ := reflect.TypeFor[publicJWK]()
	for f := range typ.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if slices.Contains(privateMembers, name) {
			t.Errorf("publicJWK has a field for private member %q", name)
		}
	}
}

func TestSignedAssertionVerifiesWithExportedJWKS(t *testing.T) {
	rsaKey, ecKey := testKeys(t)
	for _, k := range []*Key{rsaKey, ecKey} {
		t.Run(k.Alg, func(t *testing.T) {
			jwks, err := k.PublicJWKS()
			if err != nil {
				t.Fatal(err)
			}
			verifyJWS(t, k, jwks)
		})
	}
}

// verifyJWS signs a client-assertion-like JWS with k and verifies it with the JWKS alone.
func verifyJWS(t *testing.T, k *Key, jwks []byte) {
	t.Helper()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Alg), Key: k.Signer},
		(&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", k.KeyID))
	if err != nil {
		t.Fatal(err)
	}
	payload := []byte(`{"iss":"client","sub":"client","aud":"https://emr/oauth2/default/token","jti":"x"}`)
	obj, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	compact, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(jwks, &set); err != nil {
		t.Fatal(err)
	}
	keys := set.Key(k.KeyID)
	if len(keys) != 1 {
		t.Fatalf("kid %q not in JWKS", k.KeyID)
	}
	parsed, err := jose.ParseSignedCompact(compact, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(k.Alg)})
	if err != nil {
		t.Fatal(err)
	}
	if parsed.Signatures[0].Header.Algorithm != k.Alg {
		t.Errorf("header alg %s", parsed.Signatures[0].Header.Algorithm)
	}
	got, err := parsed.Verify(keys[0])
	if err != nil {
		t.Fatalf("signature does not verify with the exported JWKS: %v", err)
	}
	if string(got) != string(payload) {
		t.Errorf("payload changed")
	}
}

func TestMarshalPEMRoundTrip(t *testing.T) {
	rsaKey, ecKey := testKeys(t)
	for _, k := range []*Key{rsaKey, ecKey} {
		pemBytes, err := k.MarshalPEM()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(string(pemBytes), "-----BEGIN PRIVATE KEY-----\n") {
			t.Errorf("not PKCS#8 PEM: %.40s", pemBytes)
		}
		back, err := ParseKey(pemBytes)
		if err != nil {
			t.Fatal(err)
		}
		if !sameKey(back, k) || back.Format != "PKCS#8 PEM" {
			t.Errorf("%s: PEM round trip changed the key (format %s)", k.Type(), back.Format)
		}
	}
}

func TestKeyStringHidesMaterial(t *testing.T) {
	rsaKey, _ := testKeys(t)
	s := rsaKey.String()
	if !strings.Contains(s, rsaKey.KeyID) || strings.Contains(s, rsaKey.Signer.(*rsa.PrivateKey).D.String()[:20]) {
		t.Errorf("String() = %q", s)
	}
}

func sameKey(a, b *Key) bool {
	switch p := a.Signer.(type) {
	case *rsa.PrivateKey:
		q, ok := b.Signer.(*rsa.PrivateKey)
		return ok && p.Equal(q) && a.Alg == b.Alg
	case *ecdsa.PrivateKey:
		q, ok := b.Signer.(*ecdsa.PrivateKey)
		return ok && p.Equal(q) && a.Alg == b.Alg
	}
	return false
}

func isKind(err, kind error) bool {
	var ke *KeyError
	return errors.As(err, &ke) && errors.Is(err, kind)
}
