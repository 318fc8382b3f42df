package fhirclient

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// AssertionLifetime is exp - iat of every client assertion. SMART caps it at five minutes;
// staying a minute under leaves room for a client clock that runs ahead of the server's.
const AssertionLifetime = 4 * time.Minute

// ClientAssertionType is the client_assertion_type of private_key_jwt authentication.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// Assertion algorithms.
const (
	AlgRS384 = "RS384"
	AlgES384 = "ES384"
)

// assertionAlg checks that the key fits the algorithm and returns the algorithm, defaulting
// to RS384 for RSA keys and ES384 for EC keys.
func assertionAlg(cred Credentials) (jose.SignatureAlgorithm, error) {
	switch k := cred.Signer.(type) {
	case *rsa.PrivateKey:
		if cred.Alg != "" && cred.Alg != AlgRS384 {
			return "", fmt.Errorf("fhirclient: an RSA key signs RS384, not %q", cred.Alg)
		}
		if k.N.BitLen() < 2048 {
			return "", fmt.Errorf("fhirclient: the RSA key has %d bits; servers require at least 2048", k.N.BitLen())
		}
		return jose.RS384, nil
	case *ecdsa.PrivateKey:
		if cred.Alg != "" && cred.Alg != AlgES384 {
			return "", fmt.Errorf("fhirclient: an EC key signs ES384, not %q", cred.Alg)
		}
		if k.Curve != elliptic.P384() {
			return "", fmt.Errorf("fhirclient: ES384 needs a P-384 key, this one is %s", k.Curve.Params().Name)
		}
		return jose.ES384, nil
	case nil:
		return "", fmt.Errorf("fhirclient: credentials without a private key")
	default:
		return "", fmt.Errorf("fhirclient: unsupported key type %T (want RSA or P-384 EC)", k)
	}
}

// assertionClaims are the claims SMART Backend Services requires of a client assertion.
type assertionClaims struct {
	Issuer   string           `json:"iss"`
	Subject  string           `json:"sub"`
	Audience string           `json:"aud"`
	IssuedAt *jwt.NumericDate `json:"iat"`
	Expiry   *jwt.NumericDate `json:"exp"`
	ID       string           `json:"jti"`
}

// SignAssertion returns a client assertion for the token endpoint audience: header alg
// (RS384 or ES384), kid (when cred.KeyID is set) and typ JWT; claims iss = sub = client ID,
// aud = audience exactly, iat = now, exp = now + AssertionLifetime and a fresh random
// 128-bit jti (OpenEMR refuses any jti it has seen before, from any client).
func SignAssertion(cred Credentials, audience string, now time.Time) (string, error) {
	if cred.ClientID == "" {
		return "", fmt.Errorf("fhirclient: credentials without a client ID")
	}
	if audience == "" {
		return "", fmt.Errorf("fhirclient: no token endpoint to address the assertion to")
	}
	alg, err := assertionAlg(cred)
	if err != nil {
		return "", err
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if cred.KeyID != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), cred.KeyID)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: cred.Signer}, opts)
	if err != nil {
		return "", fmt.Errorf("fhirclient: assertion signer: %w", err)
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", fmt.Errorf("fhirclient: random jti: %w", err)
	}
	now = now.Truncate(time.Second)
	claims := assertionClaims{
		Issuer:   cred.ClientID,
		Subject:  cred.ClientID,
		Audience: audience,
		IssuedAt: jwt.NewNumericDate(now),
		Expiry:   jwt.NewNumericDate(now.Add(AssertionLifetime)),
		ID:       hex.EncodeToString(id[:]),
	}
	s, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		return "", fmt.Errorf("fhirclient: signing the assertion: %w", err)
	}
	return s, nil
}
