package session

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

func TestInspectJWKSOurExport(t *testing.T) {
	rsaKey, ecKey := testKeys(t)
	for _, k := range []*Key{rsaKey, ecKey} {
		jwks, _ := k.PublicJWKS()
		set, err := InspectJWKS(jwks)
		if err != nil {
			t.Fatal(err)
		}
		got := set.Keys[0]
		if set.IndexOf(k) != 0 || got.Problem != "" || len(set.PrivateMembers()) != 0 || got.Thumbprint != k.Thumbprint() ||
			got.Kid != k.KeyID || got.Alg != k.Alg || got.Bits != k.Bits() {
			t.Errorf("%s: %+v", k.Type(), got)
		}
	}
}

// TestInspectJWKSOpenEMRCases: the shapes the doctor must explain.
func TestInspectJWKSOpenEMRCases(t *testing.T) {
	rsaKey, ecKey := testKeys(t)
	other := jose.JSONWebKey{Key: mustRSA(t).Public(), KeyID: "other", Use: "sig"}
	ours := jose.JSONWebKey{Key: rsaKey.Public(), KeyID: "ours", Use: "sig"}
	ecPub := jose.JSONWebKey{Key: ecKey.Public(), KeyID: "ec"}

	// Our key second behind another RSA key: present, but not what OpenEMR verifies with.
	set, err := InspectJWKS(joseJSON(t, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{ecPub, other, ours}}))
	if err != nil {
		t.Fatal(err)
	}
	if set.IndexOf(rsaKey) != 2 || set.FirstRSA() != 1 || set.IndexOf(ecKey) != 0 {
		t.Errorf("IndexOf %d FirstRSA %d", set.IndexOf(rsaKey), set.FirstRSA())
	}

	// A private JWK published by mistake.
	set, err = InspectJWKS(joseJSON(t, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: rsaKey.Signer, KeyID: "oops"}}}))
	if err != nil {
		t.Fatal(err)
	}
	if priv := set.PrivateMembers(); !slices.Contains(priv, "d") || !slices.Contains(priv, "qi") || set.IndexOf(rsaKey) != 0 {
		t.Errorf("private members %v", priv)
	}

	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	set, err = InspectJWKS([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"},{"kty":"OKP","crv":"Ed25519","x":"AA"},` +
		`{"kty":"EC","crv":"P-384","x":"AA","y":"AA"},7,{"kty":"RSA"},` + string(joseJSON(t, jose.JSONWebKey{Key: p256.Public(), Use: "enc"})) + `]}`))
	if err != nil {
		t.Fatal(err)
	}
	wantProblems := []string{"at least 2048", `key type "OKP"`, "wrong length", "not a JWK object", "missing or not base64url", `"use" is "enc"`}
	for i, want := range wantProblems {
		if !strings.Contains(set.Keys[i].Problem, want) {
			t.Errorf("key %d: problem %q, want %q", i, set.Keys[i].Problem, want)
		}
	}

	for name, c := range map[string]struct {
		body string
		kind error
		msg  string
	}{
		"html":        {"<html><body>Not Found</body></html>", ErrJWKSNotJSON, "HTML"},
		"not json":    {"keys", ErrJWKSNotJSON, "500"},
		"no keys":     {`{"kty":"RSA"}`, ErrJWKSNoKeys, "Malformed jwks missing keys property"},
		"keys null":   {`{"keys":null}`, ErrJWKSNoKeys, "401 invalid_client"},
		"keys object": {`{"keys":{}}`, ErrJWKSNoKeys, "no \"keys\" array"},
		"array":       {`[]`, ErrJWKSNotJSON, "not JSON"},
	} {
		_, err := InspectJWKS([]byte(c.body))
		var je *JWKSError
		if !errors.As(err, &je) || !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzInspectJWKS: any bytes give a description or a *JWKSError, never a panic, and every
// entry of an accepted set is described. Seeds: testdata/fuzz/FuzzInspectJWKS.
// Run: go test -run '^$' -fuzz FuzzInspectJWKS -fuzztime 20s ./session
func FuzzInspectJWKS(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB"}]}`))
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`))
	f.Add([]byte(`{"keys":null}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := InspectJWKS(data)
		if err != nil {
			var je *JWKSError
			if !errors.As(err, &je) {
				t.Fatalf("not a *JWKSError: %v", err)
			}
			return
		}
		var top struct{ Keys []json.RawMessage }
		if json.Unmarshal(data, &top) == nil && len(top.Keys) != len(set.Keys) {
			t.Fatalf("%d entries described, %d present", len(set.Keys), len(top.Keys))
		}
		for _, k := range set.Keys {
			if k.Problem == "" && k.Thumbprint == "" {
				t.Fatalf("entry %d usable without a thumbprint", k.Index)
			}
		}
		_ = set.FirstRSA()
		_ = set.PrivateMembers()
	})
}
