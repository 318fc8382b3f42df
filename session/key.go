package session

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
)

// Signing algorithms a Key can carry. OpenEMR accepts only AlgRS384.
const (
	AlgRS384 = "RS384"
	AlgES384 = "ES384"
)

// maxRSABits bounds the work a hostile key file can cause (RSA validation is cubic in size).
const maxRSABits = 8192

// Key is a private key ready to sign client assertions.
type Key struct {
	// Signer is an *rsa.PrivateKey or an *ecdsa.PrivateKey (P-384).
	Signer crypto.Signer
	// Alg follows the key: RS384 for RSA, ES384 for EC P-384.
	Alg string
	// KeyID is the JWK "kid": the key's RFC 7638 thumbprint unless the JWK it was read from
	// carried its own kid (the one the server may already have registered).
	KeyID string
	// Format says what the key was read from, for display: "PKCS#8 PEM", "JWK Set", ...
	Format string
}

// GenerateKey makes a new key: alg "" or RS384 gives RSA of bits 2048 (the default, bits 0)
// or 3072; ES384 gives EC P-384 (bits 0 or 384).
func GenerateKey(alg string, bits int) (*Key, error) {
	switch alg {
	case "", AlgRS384:
		if bits == 0 {
			bits = 2048
		}
		if bits != 2048 && bits != 3072 {
			return nil, fmt.Errorf("RSA keys are generated with 2048 or 3072 bits, not %d", bits)
		}
		priv, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			return nil, fmt.Errorf("generate RSA key: %w", err)
		}
		return newKey(priv, "generated")
	case AlgES384:
		if bits != 0 && bits != 384 {
			return nil, fmt.Errorf("ES384 keys use the P-384 curve; --bits %d does not apply", bits)
		}
		priv, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate EC key: %w", err)
		}
		return newKey(priv, "generated")
	}
	return nil, fmt.Errorf("unknown algorithm %q: use RS384 (RSA, what OpenEMR accepts) or ES384 (EC P-384)", alg)
}

// newKey checks a parsed private key against what fhirscope can sign with and wraps it.
func newKey(priv any, format string) (*Key, error) {
	k := &Key{Format: format}
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		if n := p.N.BitLen(); n > maxRSABits {
			return nil, keyErr(ErrKeyUnsupportedType, fmt.Sprintf("the RSA key has %d bits; fhirscope accepts at most %d", n, maxRSABits))
		}
		if n := p.N.BitLen(); n < MinRSABits {
			return nil, keyErr(ErrKeyTooSmall, fmt.Sprintf(
				"the RSA key has %d bits; OpenEMR and SMART Backend Services need at least %d. "+
					"Generate a new one with `fhirscope keygen`", n, MinRSABits))
		}
		if err := p.Validate(); err != nil {
			return nil, keyErr(ErrKeyMalformed, "the RSA private key is inconsistent: "+err.Error())
		}
		k.Signer, k.Alg = p, AlgRS384
	case *ecdsa.PrivateKey:
		if p.Curve != elliptic.P384() {
			return nil, keyErr(ErrKeyUnsupportedCurve, fmt.Sprintf(
				"the EC key is on curve %s; fhirscope signs with ES384, which needs P-384 "+
					"(and OpenEMR accepts only RSA keys, RS384)", p.Curve.Params().Name))
		}
		k.Signer, k.Alg = p, AlgES384
	case ed25519.PrivateKey, *ed25519.PrivateKey:
		return nil, keyErr(ErrKeyUnsupportedType,
			"Ed25519 keys (EdDSA) cannot sign SMART client assertions: use RSA (RS384) or EC P-384 (ES384)")
	default:
		return nil, keyErr(ErrKeyUnsupportedType, fmt.Sprintf(
			"a %T key cannot sign SMART client assertions: use RSA (RS384) or EC P-384 (ES384)", priv))
	}
	k.KeyID = k.Thumbprint()
	return k, nil
}

// Public returns the public half.
func (k *Key) Public() crypto.PublicKey { return k.Signer.Public() }

// Bits is the RSA modulus size, or the curve size for EC.
func (k *Key) Bits() int {
	switch p := k.Signer.(type) {
	case *rsa.PrivateKey:
		return p.N.BitLen()
	case *ecdsa.PrivateKey:
		return p.Curve.Params().BitSize
	}
	return 0
}

// Type describes the key for people: "RSA 2048-bit" or "EC P-384".
func (k *Key) Type() string {
	switch p := k.Signer.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA %d-bit", p.N.BitLen())
	case *ecdsa.PrivateKey:
		return "EC " + p.Curve.Params().Name
	}
	return fmt.Sprintf("%T", k.Signer)
}

// Warning is a caution to show beside the key, or "" when there is nothing to say.
func (k *Key) Warning() string {
	if k.Alg == AlgES384 {
		return "ES384: OpenEMR accepts only RS384 client assertions, so this EC key will be " +
			"refused there; use an RSA key (fhirscope keygen --alg RS384) for OpenEMR. " +
			"Other SMART servers accept ES384."
	}
	return ""
}

// publicJWK is the whole of what PublicJWKS can write. Having no field for d, p, q, dp, dq or qi
// is what makes a leak of private material impossible, not a filter applied afterwards.
type publicJWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

func (k *Key) publicJWK() (publicJWK, error) {
	j, err := publicJWKOf(k.Signer.Public())
	j.Kid, j.Alg, j.Use = k.KeyID, k.Alg, "sig"
	return j, err
}

// publicJWKOf encodes the key-type members of a public key (kty, n, e or crv, x, y).
func publicJWKOf(pub crypto.PublicKey) (publicJWK, error) {
	var j publicJWK
	switch p := pub.(type) {
	case *rsa.PublicKey:
		j.Kty = "RSA"
		j.N = b64(p.N.Bytes())
		j.E = b64(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		raw, err := p.Bytes() // 0x04 || X || Y, each coordinate full length as RFC 7518 wants
		if err != nil {
			return j, fmt.Errorf("encode EC public key: %w", err)
		}
		size := (len(raw) - 1) / 2
		j.Kty, j.Crv = "EC", p.Curve.Params().Name
		j.X, j.Y = b64(raw[1:1+size]), b64(raw[1+size:])
	default:
		return j, fmt.Errorf("unsupported public key %T", p)
	}
	return j, nil
}

// PublicJWKS is the key set a server registers:
// {"keys":[{"kty","kid","alg","use":"sig","n","e" | "crv","x","y"}]}, indented, newline-ended.
func (k *Key) PublicJWKS() ([]byte, error) {
	j, err := k.publicJWK()
	if err != nil {
		return nil, err
	}
	out, err := json.MarshalIndent(struct {
		Keys []publicJWK `json:"keys"`
	}{[]publicJWK{j}}, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Thumbprint is the RFC 7638 SHA-256 thumbprint of the public key, base64url without padding.
func (k *Key) Thumbprint() string { return thumbprintOf(k.Signer.Public()) }

// thumbprintOf is the RFC 7638 thumbprint of an RSA or EC public key, "" for other keys.
func thumbprintOf(pub crypto.PublicKey) string {
	j, err := publicJWKOf(pub)
	if err != nil {
		return ""
	}
	// RFC 7638: the required members only, in lexicographic order, no whitespace. Every value
	// is base64url or a fixed name, so plain concatenation is the canonical JSON.
	var canon string
	if j.Kty == "RSA" {
		canon = `{"e":"` + j.E + `","kty":"RSA","n":"` + j.N + `"}`
	} else {
		canon = `{"crv":"` + j.Crv + `","kty":"EC","x":"` + j.X + `","y":"` + j.Y + `"}`
	}
	sum := sha256.Sum256([]byte(canon))
	return b64(sum[:])
}

// MarshalPEM encodes the private key as unencrypted PKCS#8 PEM. It is meant for the keyring and
// for an export the user asked for by name, never for logs or files written on our own.
func (k *Key) MarshalPEM() ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return nil, fmt.Errorf("encode private key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// String never includes key material, so a Key printed by mistake leaks nothing.
func (k *Key) String() string {
	return fmt.Sprintf("%s %s key, kid %s", k.Type(), k.Alg, k.KeyID)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// GoString keeps %#v from printing the private numbers too.
func (k *Key) GoString() string { return "session.Key{" + k.String() + "}" }
