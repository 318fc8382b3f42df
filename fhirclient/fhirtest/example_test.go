package fhirtest_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"fhirscope/fhirclient/fhirtest"
)

// A backend client's whole flow against the sandbox: register (disabled), enable (the
// admin's step), sign an RS384 assertion, get a token, search.
func ExampleNewServer() {
	srv := fhirtest.NewServer(fhirtest.Options{Patients: 5, Seed: 42})
	defer srv.Close()

	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	id, err := srv.RegisterClient(fhirtest.ClientRegistration{
		Name: "example", Scopes: []string{"system/Patient.read"}, JWKS: fhirtest.PublicJWKS(&key.PublicKey),
	})
	if err != nil {
		panic(err)
	}
	_ = srv.Enable(id)

	signer, _ := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS384, Key: key}, (&jose.SignerOptions{}).WithType("JWT"))
	now := time.Now()
	assertion, _ := jwt.Signed(signer).Claims(jwt.Claims{
		Issuer: id, Subject: id, Audience: jwt.Audience{srv.TokenURL()}, ID: "example-jti-1",
		IssuedAt: jwt.NewNumericDate(now), Expiry: jwt.NewNumericDate(now.Add(5 * time.Minute)),
	}).Serialize()
	resp, err := http.PostForm(srv.TokenURL(), url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {fhirtest.AssertionType},
		"client_assertion":      {assertion},
		"scope":                 {"system/Patient.read system/Observation.read"},
	})
	if err != nil {
		panic(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
		ExpiresIn   int    `json:"expires_in"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	fmt.Printf("granted %q for %d s\n", tok.Scope, tok.ExpiresIn) // Observation.read was dropped silently

	req, _ := http.NewRequest(http.MethodGet, srv.FHIRBase()+"/Patient?_count=2", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	var bundle struct {
		Type  string `json:"type"`
		Total int    `json:"total"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&bundle)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, bundle.Type, bundle.Total)
	// Output:
	// granted "system/Patient.read" for 300 s
	// 200 collection 2
}
