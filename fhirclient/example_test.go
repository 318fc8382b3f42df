package fhirclient_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/url"

	"github.com/go-jose/go-jose/v4"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

// A whole session against the OpenEMR-compatible sandbox: register a key, discover, search
// every page, and see how the paging was done.
func Example() {
	srv := fhirtest.NewServer(fhirtest.Options{Patients: 45})
	defer srv.Close()
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	jwks, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS384", Use: "sig"}}})
	id, _ := srv.RegisterClient(fhirtest.ClientRegistration{Name: "example", Scopes: []string{"system/Patient.read"}, JWKS: jwks, Enabled: true})

	c, err := fhirclient.New(srv.FHIRBase(),
		fhirclient.WithCredentials(fhirclient.Credentials{ClientID: id, Signer: key, KeyID: "k1"}),
		fhirclient.WithScopes([]string{"system/Patient.read", "system/Observation.read"}),
		fhirclient.WithPageSize(20))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	sc, _ := c.Discover(ctx)
	fmt.Println("token endpoint from:", sc.Source)
	tok, _ := c.Token(ctx)
	fmt.Println("dropped scopes:", tok.Dropped())
	total := 0
	for page, err := range c.SearchIter(ctx, "Patient", url.Values{}) {
		if err != nil {
			fmt.Println(err)
			return
		}
		total += len(page.Entries)
		fmt.Printf("page %d: %d entries, paging by %s\n", page.Number, len(page.Entries), page.Mode)
	}
	fmt.Println("patients:", total)
	_, err = c.Search(ctx, "Observation", nil)
	ex, _ := fhirclient.Explain(err)
	fmt.Println(ex.Cause)
	// Output:
	// token endpoint from: smart-configuration
	// dropped scopes: [system/Observation.read]
	// page 1: 20 entries, paging by offset
	// page 2: 20 entries, paging by offset
	// page 3: 5 entries, paging by offset
	// patients: 45
	// A fresh access token was refused for this request: the token lacks system/Observation.read (granted: system/Patient.read).
}
