package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseKey: whatever the bytes, ParseKey returns a key or a *KeyError, never panics, and a
// key it accepts exports a JWKS without private members and survives a PEM round trip.
//
// Seeds live in testdata/fuzz/FuzzParseKey (PEMs, DER, JWKs, JWK Sets, damaged and garbage
// inputs); regenerate them with FHIRSCOPE_WRITE_FUZZ_SEEDS=1 go test -run TestWriteFuzzSeeds.
// Run: go test -run '^$' -fuzz FuzzParseKey -fuzztime 20s ./session
func FuzzParseKey(f *testing.F) {
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"))
	f.Add([]byte(`{"kty":"EC","crv":"P-384","d":"AAAA"}`))
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB","d":"AQAB","p":"Aw","q":"BQ"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := ParseKey(data)
		if err != nil {
			var ke *KeyError
			if !errors.As(err, &ke) || ke.Kind == nil || ke.Msg == "" {
				t.Fatalf("error is not a *KeyError with a kind: %#v", err)
			}
			return
		}
		if (k.Alg != AlgRS384 || k.Bits() < MinRSABits) && (k.Alg != AlgES384 || k.Type() != "EC P-384") {
			t.Fatalf("accepted an unusable key: %s %s", k.Alg, k.Type())
		}
		jwks, err := k.PublicJWKS()
		if err != nil {
			t.Fatal(err)
		}
		var set struct{ Keys []map[string]any }
		if err := json.Unmarshal(jwks, &set); err != nil || len(set.Keys) != 1 {
			t.Fatalf("JWKS: %v %s", err, jwks)
		}
		for _, m := range privateMembers {
			if _, ok := set.Keys[0][m]; ok {
				t.Fatalf("private member %q exported", m)
			}
		}
		pemBytes, err := k.MarshalPEM()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseKey(pemBytes)
		if err != nil || !sameKey(again, k) {
			t.Fatalf("PEM round trip: %v", err)
		}
	})
}

// TestWriteFuzzSeeds writes the seed corpus from the fixtures and freshly encoded keys.
func TestWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("FHIRSCOPE_WRITE_FUZZ_SEEDS") != "1" {
		t.Skip("set FHIRSCOPE_WRITE_FUZZ_SEEDS=1 to rewrite testdata/fuzz/FuzzParseKey")
	}
	dir := filepath.Join("testdata", "fuzz", "FuzzParseKey")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seeds := map[string][]byte{
		"garbage-text":   []byte("not a key at all"),
		"garbage-binary": {0x00, 0xff, 0x30, 0x82, 0xff, 0xff},
		"html":           []byte("<!DOCTYPE html><html><body>Not Found</body></html>"),
		"json-array":     []byte(`[{"kty":"RSA"}]`),
		"jwk-oct":        []byte(`{"kty":"oct","k":"AAAA"}`),
		"jwks-empty":     []byte(`{"keys":[]}`),
		"jwks-nested":    []byte(`{"keys":[{"keys":[{"kty":"EC"}]}]}`),
		"pem-no-end":     []byte("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n"),
	}
	entries, err := os.ReadDir(filepath.Join("testdata", "keys"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "README.md" {
			seeds["file-"+e.Name()] = fixture(t, e.Name())
		}
	}
	rsaKey, ecKey := testKeys(t)
	for name, data := range roundTripInputs(t, rsaKey, ecKey) {
		seeds["gen-"+name] = data
	}
	for name, data := range seeds {
		file := filepath.Join(dir, sanitizeSeedName(name))
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(file, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func sanitizeSeedName(s string) string {
	out := []byte(s)
	for i, c := range out {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			out[i] = '_'
		}
	}
	return string(out)
}
