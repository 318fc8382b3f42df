package fhirtest

import (
	"net/url"
	"strings"
	"testing"
)

// The sandbox parses outside input in four places: registration bodies, client key sets
// (stored or fetched from jwks_uri), client assertions at the token endpoint, and search
// queries. Each fuzz target checks "never panics" plus the invariants that matter.
// Seeds live in testdata/fuzz/<Target>/.

func FuzzParseRegistration(f *testing.F) {
	f.Add("application/json", []byte(`{"application_type":"private","client_name":"x","redirect_uris":["https://a.example/cb"],"scope":"system/Patient.read","jwks":{"keys":[]}}`))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		for _, fl := range Flavors {
			req, rerr := ParseRegistration(fl, contentType, body)
			if (req == nil) == (rerr == nil) {
				t.Fatalf("exactly one of request and error expected: %v %v", req, rerr)
			}
			if rerr != nil && (rerr.Status != 400 || rerr.Code == "" || rerr.Description == "") {
				t.Fatalf("bad error %+v", rerr)
			}
			if req != nil && len(req.RedirectURIs) == 0 {
				t.Fatal("accepted without redirect_uris")
			}
		}
	})
}

func FuzzFirstRSAKey(f *testing.F) {
	f.Add([]byte(`{"keys":[{"kty":"RSA","n":"sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5pcM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTOQ5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLqHpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw","e":"AQAB"}]}`))
	f.Add([]byte(`<html>404</html>`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		key, err := FirstRSAKey(raw)
		if (key == nil) == (err == nil) {
			t.Fatalf("exactly one of key and error expected")
		}
		if key != nil && (key.E < 3 || key.N.BitLen() < 400) {
			t.Fatalf("accepted a degenerate key: e=%d bits=%d", key.E, key.N.BitLen())
		}
	})
}

func FuzzTokenRequest(f *testing.F) {
	s := NewHandler(Options{Patients: 2})
	f.Add("client_credentials", AssertionType, "eyJhbGciOiJSUzM4NCJ9.eyJzdWIiOiJ4In0.c2ln", "system/Patient.read")
	f.Add("client_credentials", AssertionType, "a.b.c", "system/*.read system/Patient.rs?category=x")
	f.Fuzz(func(t *testing.T, grant, assertionType, assertion, scope string) {
		resp, fail := s.issueToken(map[string]string{
			"grant_type": grant, "client_assertion_type": assertionType, "client_assertion": assertion, "scope": scope,
		})
		if resp != nil {
			t.Fatal("a token was issued to a client that is not registered")
		}
		if fail == nil || fail.code == "" || fail.status < 400 || fail.status > 500 {
			t.Fatalf("bad failure %+v", fail)
		}
	})
}

func FuzzSearchQuery(f *testing.F) {
	d := GenerateBasic(5, 8)
	s := NewHandler(Options{Data: d})
	def, _ := s.typeDef("Patient")
	f.Add("family=smi&birthdate=ge1970-01&gender=female,male&_count=3")
	f.Add("name:contains=an&identifier=urn:oid:2.16.840.1.113883.4.999.1|MRN-0001000&birthdate=lt2000-02-03T10:00:00Z")
	f.Add("general-practitioner=Practitioner/abc&active:missing=false&telecom:not=x")
	f.Add("gender=FEMALE,male&identifier=|MRN-0001003&_id=x,y")
	f.Fuzz(func(t *testing.T, query string) {
		q, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		conds, ok := parseConditions(def, q)
		if !ok {
			return
		}
		all := d.All("Patient")
		got := filterResources(all, conds, nil)
		if len(got) > len(all) {
			t.Fatalf("more matches than resources")
		}
		// The indexed search must agree with the full scan, resource for resource.
		indexed := s.search("Patient", conds, nil)
		if len(indexed) != len(got) {
			t.Fatalf("indexed search found %d, scan %d", len(indexed), len(got))
		}
		for i := range got {
			if got[i].ID != indexed[i].ID {
				t.Fatalf("indexed search order differs at %d", i)
			}
		}
		for _, v := range q["birthdate"] {
			_, _, _ = dateRange(v)
		}
	})
}

// FuzzFoldKey: the search index's key must agree exactly with strings.EqualFold, or an
// indexed search could miss a match the full scan finds.
func FuzzFoldKey(f *testing.F) {
	f.Add("Kelvin", "\u212aelvin")
	f.Add("straße", "STRASSE")
	f.Add("ſ", "S")
	f.Add("MRN-0001000", "mrn-0001000")
	f.Fuzz(func(t *testing.T, a, b string) {
		if (foldKey(a) == foldKey(b)) != strings.EqualFold(a, b) {
			t.Fatalf("foldKey(%q)=%q foldKey(%q)=%q, EqualFold=%v", a, foldKey(a), b, foldKey(b), strings.EqualFold(a, b))
		}
	})
}
