package session

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
)

// jwkMembers are the members of a JWK that fhirscope reads. Unknown members are ignored, as
// RFC 7517 requires.
type jwkMembers struct {
	Kty string   `json:"kty"`
	Kid string   `json:"kid"`
	Alg string   `json:"alg"`
	Use string   `json:"use"`
	Crv string   `json:"crv"`
	N   string   `json:"n"`
	E   string   `json:"e"`
	D   string   `json:"d"`
	P   string   `json:"p"`
	Q   string   `json:"q"`
	DP  string   `json:"dp"`
	DQ  string   `json:"dq"`
	QI  string   `json:"qi"`
	X   string   `json:"x"`
	Y   string   `json:"y"`
	K   string   `json:"k"`
	X5c []string `json:"x5c"`
}

func (j *jwkMembers) private() bool { return j.D != "" || j.K != "" }

// parseJWKJSON reads a single JWK or a JWK Set.
func parseJWKJSON(data []byte) (*Key, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, keyErr(ErrKeyMalformed, "the key looks like JSON but does not parse ("+err.Error()+"). "+hintFormats)
	}
	if raw, ok := top["keys"]; ok {
		var set []json.RawMessage
		if err := json.Unmarshal(raw, &set); err != nil {
			return nil, keyErr(ErrKeyMalformed, "the JWK Set's \"keys\" member is not an array of keys")
		}
		return parseJWKSet(set)
	}
	if _, ok := top["kty"]; !ok {
		return nil, keyErr(ErrKeyMalformed, "this JSON is neither a JWK (no \"kty\") nor a JWK Set (no \"keys\"). "+hintFormats)
	}
	var j jwkMembers
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, keyErr(ErrKeyMalformed, "the JWK has a member of the wrong type ("+err.Error()+")")
	}
	return jwkToKey(&j, "JWK")
}

// parseJWKSet picks the one private signing key out of a set. Key-generator sites emit a set
// with the private key alone, or with its certificate chain in x5c.
func parseJWKSet(set []json.RawMessage) (*Key, error) {
	if len(set) == 0 {
		return nil, keyErr(ErrKeyMalformed, "the JWK Set is empty: its \"keys\" array holds no key")
	}
	var private []*jwkMembers
	for i, raw := range set {
		var j jwkMembers
		if err := json.Unmarshal(raw, &j); err != nil {
			return nil, keyErr(ErrKeyMalformed, fmt.Sprintf("key %d of the JWK Set is not a JWK object", i+1))
		}
		if j.private() {
			private = append(private, &j)
		}
	}
	if len(private) > 1 { // prefer keys meant for signing
		var sig []*jwkMembers
		for _, j := range private {
			if j.Use == "" || j.Use == "sig" {
				sig = append(sig, j)
			}
		}
		if len(sig) > 0 {
			private = sig
		}
	}
	switch len(private) {
	case 0:
		return nil, keyErr(ErrKeyPublicOnly, fmt.Sprintf("this JWK Set holds %d public key(s) and no private key "+
			"(no \"d\" member); fhirscope needs the private key. Key generators usually offer it as "+
			"\"Public and Private Keypair (Set)\"", len(set)))
	case 1:
		return jwkToKey(private[0], "JWK Set")
	}
	kids := make([]string, len(private))
	for i, j := range private {
		kids[i] = fmt.Sprintf("%q", j.Kid)
	}
	return nil, keyErr(ErrKeyMalformed, fmt.Sprintf("this JWK Set holds %d private signing keys (kid %s); "+
		"keep only the one to use", len(private), strings.Join(kids, ", ")))
}

func jwkToKey(j *jwkMembers, format string) (*Key, error) {
	var k *Key
	var err error
	switch j.Kty {
	case "RSA":
		k, err = rsaFromJWK(j, format)
	case "EC":
		k, err = ecFromJWK(j, format)
	case "OKP":
		return nil, keyErr(ErrKeyUnsupportedType, fmt.Sprintf("this is an OKP (%s) key; SMART client "+
			"assertions need RSA (RS384) or EC P-384 (ES384)", j.Crv))
	case "oct":
		return nil, keyErr(ErrKeyUnsupportedType, "this is a symmetric (oct) key; SMART Backend Services "+
			"needs an asymmetric key: RSA (RS384) or EC P-384 (ES384)")
	case "":
		return nil, keyErr(ErrKeyMalformed, "the JWK has an empty \"kty\"")
	default:
		return nil, keyErr(ErrKeyUnsupportedType, fmt.Sprintf("JWK key type %q is not supported: use RSA or EC P-384", j.Kty))
	}
	if err != nil {
		return nil, err
	}
	if err := checkX5c(j.X5c, k); err != nil {
		return nil, err
	}
	if j.Kid != "" {
		k.KeyID = j.Kid // the kid the server may already know this key by
	}
	return k, nil
}

func rsaFromJWK(j *jwkMembers, format string) (*Key, error) {
	if j.D == "" {
		return nil, keyErr(ErrKeyPublicOnly, "this is a public RSA JWK (no \"d\" member); fhirscope needs the private key")
	}
	n, err := jwkInt(j.N, "n")
	if err != nil {
		return nil, err
	}
	if n.BitLen() > maxRSABits {
		return nil, keyErr(ErrKeyUnsupportedType, fmt.Sprintf("the RSA key has %d bits; fhirscope accepts at most %d", n.BitLen(), maxRSABits))
	}
	e, err := jwkInt(j.E, "e")
	if err != nil {
		return nil, err
	}
	if !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1 {
		return nil, keyErr(ErrKeyMalformed, "the RSA JWK's public exponent \"e\" is out of range")
	}
	d, err := jwkInt(j.D, "d")
	if err != nil {
		return nil, err
	}
	if j.P == "" || j.Q == "" {
		return nil, keyErr(ErrKeyMalformed, "the RSA JWK lacks the primes \"p\" and \"q\"; export it again with all its private members")
	}
	p, err := jwkInt(j.P, "p")
	if err != nil {
		return nil, err
	}
	q, err := jwkInt(j.Q, "q")
	if err != nil {
		return nil, err
	}
	priv := &rsa.PrivateKey{PublicKey: rsa.PublicKey{N: n, E: int(e.Int64())}, D: d, Primes: []*big.Int{p, q}}
	if n.BitLen() < MinRSABits {
		return newKey(priv, format) // reports the size before any arithmetic on the numbers
	}
	if err := priv.Validate(); err != nil {
		return nil, keyErr(ErrKeyMalformed, "the RSA JWK's numbers do not form a valid key: "+err.Error())
	}
	priv.Precompute()
	for _, c := range []struct {
		name, val string
		want      *big.Int
	}{{"dp", j.DP, priv.Precomputed.Dp}, {"dq", j.DQ, priv.Precomputed.Dq}, {"qi", j.QI, priv.Precomputed.Qinv}} {
		if c.val == "" {
			continue
		}
		got, err := jwkInt(c.val, c.name)
		if err != nil {
			return nil, err
		}
		if c.want != nil && got.Cmp(c.want) != 0 {
			return nil, keyErr(ErrKeyMalformed, fmt.Sprintf("the RSA JWK's %q does not match its primes: the key is damaged", c.name))
		}
	}
	return newKey(priv, format)
}

func ecFromJWK(j *jwkMembers, format string) (*Key, error) {
	if j.Crv != "P-384" {
		return nil, keyErr(ErrKeyUnsupportedCurve, fmt.Sprintf("the EC JWK is on curve %q; fhirscope signs "+
			"with ES384, which needs P-384 (and OpenEMR accepts only RSA keys, RS384)", j.Crv))
	}
	if j.D == "" {
		return nil, keyErr(ErrKeyPublicOnly, "this is a public EC JWK (no \"d\" member); fhirscope needs the private key")
	}
	d, err := jwkBytes(j.D, "d")
	if err != nil {
		return nil, err
	}
	priv, err := ecdsa.ParseRawPrivateKey(elliptic.P384(), d)
	if err != nil {
		return nil, keyErr(ErrKeyMalformed, "the EC JWK's \"d\" is not a valid P-384 private key")
	}
	k, err := newKey(priv, format)
	if err != nil {
		return nil, err
	}
	pub, _ := k.publicJWK()
	if (j.X != "" && strings.TrimRight(j.X, "=") != pub.X) || (j.Y != "" && strings.TrimRight(j.Y, "=") != pub.Y) {
		return nil, keyErr(ErrKeyMalformed, "the EC JWK's \"x\"/\"y\" do not belong to its \"d\": the key is damaged")
	}
	return k, nil
}

// checkX5c makes sure a certificate shipped beside the key certifies that key: a mismatch means
// the set was assembled from two different keys, and the server would see the wrong one.
func checkX5c(chain []string, k *Key) error {
	if len(chain) == 0 {
		return nil
	}
	der, err := base64.StdEncoding.DecodeString(chain[0])
	if err != nil {
		return keyErr(ErrKeyMalformed, "the JWK's first \"x5c\" certificate is not valid base64")
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return keyErr(ErrKeyMalformed, "the JWK's first \"x5c\" certificate does not parse: "+err.Error())
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if pub, ok := k.Public().(equaler); !ok || !pub.Equal(cert.PublicKey) {
		return keyErr(ErrKeyMalformed, "the JWK's \"x5c\" certificate is for a different key than the JWK itself")
	}
	return nil
}

func jwkBytes(s, member string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) == 0 {
		return nil, keyErr(ErrKeyMalformed, fmt.Sprintf("the JWK member %q is not base64url", member))
	}
	return b, nil
}

func jwkInt(s, member string) (*big.Int, error) {
	if s == "" {
		return nil, keyErr(ErrKeyMalformed, fmt.Sprintf("the JWK lacks the member %q", member))
	}
	b, err := jwkBytes(s, member)
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}
