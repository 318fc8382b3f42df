package fhirtest

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
)

// maxJWKSBody bounds what the server reads from a client's jwks_uri.
const maxJWKSBody = 1 << 20

// Errors from resolving a client's key, by the token endpoint status they map to.
var (
	// errJWKSUnusable: unreachable, no keys member, no RSA key, bad RSA key -> 401 invalid_client.
	errJWKSUnusable = errors.New("jwks unusable")
	// errJWKSNotJSON: the set is not JSON at all -> 500 (OpenEMR's json_decode throws).
	errJWKSNotJSON = errors.New("jwks not JSON")
)

// clientKey returns the key OpenEMR would verify c's assertion with: the jwks_uri set (fetched
// now, never cached, redirects not followed, any status's body parsed as the set), else the
// stored jwks; then the FIRST key whose kty is RSA, whatever its kid.
func (s *Server) clientKey(c client) (*rsa.PublicKey, error) {
	raw := c.JWKS
	if c.JWKSURI != "" {
		resp, err := s.jwksHTTP.Get(c.JWKSURI)
		if err != nil {
			return nil, fmt.Errorf("%w: jwks_uri %q unreachable: %v", errJWKSUnusable, c.JWKSURI, err)
		}
		raw, err = io.ReadAll(io.LimitReader(resp.Body, maxJWKSBody))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("%w: reading jwks_uri %q: %v", errJWKSUnusable, c.JWKSURI, err)
		}
		s.logf("jwks_uri %q answered HTTP %d (%d bytes); parsed as the key set whatever the status", c.JWKSURI, resp.StatusCode, len(raw))
	}
	if raw == nil {
		return nil, fmt.Errorf("%w: client has neither jwks nor jwks_uri", errJWKSUnusable)
	}
	return FirstRSAKey(raw)
}

// FirstRSAKey parses a JWK Set the way OpenEMR does and returns its first RSA key. It parses
// outside input (a client's key set) and is fuzzed.
func FirstRSAKey(raw []byte) (*rsa.PublicKey, error) {
	var doc any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", errJWKSNotJSON, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: Malformed jwks missing keys property (not an object)", errJWKSUnusable)
	}
	keys, ok := obj["keys"].([]any)
	if !ok {
		return nil, fmt.Errorf("%w: Malformed jwks missing keys property", errJWKSUnusable)
	}
	for _, k := range keys {
		jwk, ok := k.(map[string]any)
		if !ok || jwk["kty"] != "RSA" {
			continue
		}
		n, _ := jwk["n"].(string)
		e, _ := jwk["e"].(string)
		return rsaFromJWK(n, e)
	}
	return nil, fmt.Errorf("%w: no key with kty RSA among %d keys", errJWKSUnusable, len(keys))
}

func rsaFromJWK(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil || len(nb) < 64 {
		return nil, fmt.Errorf("%w: first RSA key has a bad modulus n", errJWKSUnusable)
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil || len(eb) == 0 || len(eb) > 4 {
		return nil, fmt.Errorf("%w: first RSA key has a bad exponent e", errJWKSUnusable)
	}
	exp := int(new(big.Int).SetBytes(eb).Int64())
	if exp < 3 || exp%2 == 0 {
		return nil, fmt.Errorf("%w: first RSA key has a bad exponent e", errJWKSUnusable)
	}
	mod := new(big.Int).SetBytes(nb)
	if mod.BitLen() < 512 || mod.Bit(0) == 0 { // leading zero bytes or an even modulus: not a key
		return nil, fmt.Errorf("%w: first RSA key has a bad modulus n", errJWKSUnusable)
	}
	return &rsa.PublicKey{N: mod, E: exp}, nil
}
