package session

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
)

// Why a key set is unusable as a whole, for errors.Is. OpenEMR answers the first with a 500
// and the second with 401 invalid_client ("Malformed jwks missing keys property" in its log).
var (
	ErrJWKSNotJSON = errors.New("JWKS is not JSON")
	ErrJWKSNoKeys  = errors.New("JWKS has no keys member")
)

// JWKSError is a key set that cannot be read at all.
type JWKSError struct {
	Kind error // ErrJWKSNotJSON or ErrJWKSNoKeys
	Msg  string
}

func (e *JWKSError) Error() string { return e.Msg }
func (e *JWKSError) Unwrap() error { return e.Kind }

// jwkPrivateMembers are the JWK members that carry private key material (RFC 7518 section 6).
var jwkPrivateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// JWKSKey is one entry of a public key set, as a server would see it.
type JWKSKey struct {
	Index      int
	Kty, Kid   string
	Alg, Use   string
	Crv        string
	Bits       int      // RSA modulus size, or the curve's
	Thumbprint string   // RFC 7638; "" when the entry does not decode to a key
	Private    []string // private members present (d, p, q, dp, dq, qi, oth, k): never acceptable
	Problem    string   // why this entry can verify nothing; "" when it can
}

// JWKS is a parsed public key set (from a jwks_uri, or a registration), for the doctor.
type JWKS struct {
	Keys []JWKSKey
}

// InspectJWKS reads a key set the way a server would, without trusting it: every entry is
// described, usable or not. Only input that is not a JSON object with a "keys" array fails.
func InspectJWKS(data []byte) (*JWKS, error) {
	if len(data) > maxKeyInput {
		return nil, &JWKSError{Kind: ErrJWKSNotJSON, Msg: fmt.Sprintf("the key set is %d bytes, far larger than any JWKS", len(data))}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		what := "not JSON"
		if t := bytes.TrimSpace(data); len(t) > 0 && t[0] == '<' {
			what = "HTML, not JSON (an error or login page?)"
		}
		return nil, &JWKSError{Kind: ErrJWKSNotJSON, Msg: "the key set is " + what + "; OpenEMR fails the token request with a 500"}
	}
	raw, ok := top["keys"]
	var entries []json.RawMessage
	if !ok || string(bytes.TrimSpace(raw)) == "null" || json.Unmarshal(raw, &entries) != nil { // PHP isset() is false for null
		return nil, &JWKSError{Kind: ErrJWKSNoKeys, Msg: "the key set has no \"keys\" array; OpenEMR logs " +
			"\"Malformed jwks missing keys property\" and answers 401 invalid_client"}
	}
	set := &JWKS{Keys: make([]JWKSKey, len(entries))}
	for i, e := range entries {
		set.Keys[i] = inspectJWK(i, e)
	}
	return set, nil
}

func inspectJWK(i int, raw json.RawMessage) JWKSKey {
	k := JWKSKey{Index: i}
	var members map[string]json.RawMessage
	var j jwkMembers
	if json.Unmarshal(raw, &members) != nil || json.Unmarshal(raw, &j) != nil {
		k.Problem = "not a JWK object"
		return k
	}
	for _, m := range jwkPrivateMembers {
		if _, ok := members[m]; ok {
			k.Private = append(k.Private, m)
		}
	}
	k.Kty, k.Kid, k.Alg, k.Use, k.Crv = j.Kty, j.Kid, j.Alg, j.Use, j.Crv
	switch j.Kty {
	case "RSA":
		n, errN := jwkInt(j.N, "n")
		e, errE := jwkInt(j.E, "e")
		switch {
		case errN != nil || errE != nil:
			k.Problem = "the RSA key's \"n\" or \"e\" is missing or not base64url"
		case !e.IsInt64() || e.Int64() < 3 || e.Int64() > 1<<31-1:
			k.Problem = "the RSA public exponent \"e\" is out of range"
		default:
			k.Bits = n.BitLen()
			k.Thumbprint = thumbprintOf(&rsa.PublicKey{N: n, E: int(e.Int64())})
			if k.Bits < MinRSABits {
				k.Problem = fmt.Sprintf("the RSA key has %d bits; at least %d are required", k.Bits, MinRSABits)
			}
		}
	case "EC":
		curve := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[j.Crv]
		x, errX := jwkBytes(j.X, "x")
		y, errY := jwkBytes(j.Y, "y")
		if curve == nil {
			k.Problem = fmt.Sprintf("unknown curve %q", j.Crv)
			break
		}
		size := (curve.Params().BitSize + 7) / 8
		if errX != nil || errY != nil || len(x) != size || len(y) != size {
			k.Problem = "the EC key's \"x\"/\"y\" are missing or of the wrong length"
			break
		}
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, slices.Concat([]byte{4}, x, y))
		if err != nil {
			k.Problem = "the EC point is not on the curve"
			break
		}
		k.Bits, k.Thumbprint = curve.Params().BitSize, thumbprintOf(pub)
	case "":
		k.Problem = "no \"kty\""
	default:
		k.Problem = fmt.Sprintf("key type %q cannot verify RS384 or ES384 assertions", j.Kty)
	}
	if k.Use != "" && k.Use != "sig" && k.Problem == "" {
		k.Problem = fmt.Sprintf("\"use\" is %q, not \"sig\"", k.Use)
	}
	return k
}

// FirstRSA is the index of the first entry with kty RSA (the only one OpenEMR verifies
// assertions with), or -1.
func (s *JWKS) FirstRSA() int {
	return slices.IndexFunc(s.Keys, func(k JWKSKey) bool { return k.Kty == "RSA" })
}

// IndexOf finds key's public half in the set by thumbprint, or -1.
func (s *JWKS) IndexOf(key *Key) int {
	tp := key.Thumbprint()
	return slices.IndexFunc(s.Keys, func(k JWKSKey) bool { return k.Thumbprint != "" && k.Thumbprint == tp })
}

// PrivateMembers lists every private member found in any entry; a published key set must
// have none (whoever can fetch it could sign as the client).
func (s *JWKS) PrivateMembers() []string {
	var out []string
	for _, k := range s.Keys {
		for _, m := range k.Private {
			if !slices.Contains(out, m) {
				out = append(out, m)
			}
		}
	}
	return out
}
