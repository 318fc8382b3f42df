package session_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"

	"fhirscope/session"
)

func ExampleParseKey() {
	data, _ := os.ReadFile("testdata/keys/rsa-pkcs8.pem")
	key, err := session.ParseKey(data)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(key.Type(), key.Alg, key.Format)

	public, _ := os.ReadFile("testdata/keys/rsa-public.pem")
	_, err = session.ParseKey(public)
	fmt.Println(errors.Is(err, session.ErrKeyPublicOnly))
	// Output:
	// RSA 2048-bit RS384 PKCS#8 PEM
	// true
}

func ExampleKey_PublicJWKS() {
	key, _ := session.GenerateKey(session.AlgES384, 0)
	jwks, _ := key.PublicJWKS()
	var set struct{ Keys []map[string]string }
	_ = json.Unmarshal(jwks, &set)
	var members []string
	for m := range set.Keys[0] {
		members = append(members, m)
	}
	slices.Sort(members)
	fmt.Println(members, set.Keys[0]["kid"] == key.Thumbprint())
	fmt.Println(key.Warning() != "")
	// Output:
	// [alg crv kid kty use x y] true
	// true
}
