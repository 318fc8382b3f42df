package fhirclient_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"fhirscope/fhirclient/fhirtest"
)

func TestExchangeRegistersWithoutToken(t *testing.T) {
	rk, _ := testKeys(t)
	srv, cred := sandbox(t, fhirtest.Options{}, patientScopes)
	c := newClient(t, srv, cred, patientScopes)
	if _, err := c.Token(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{
		"application_type": "private", "client_name": "exchange test", "redirect_uris": []string{"https://localhost/cb"},
		"scope": "system/Patient.read", "jwks": json.RawMessage(jwksOf(t, rk)),
	})
	resp, err := c.Exchange(ctxT(t), http.MethodPost, srv.AuthBase()+"/registration", nil, body)
	if err != nil {
		t.Fatal(err)
	}
	var reg struct {
		ClientID string `json:"client_id"`
	}
	if resp.Status != 200 || json.Unmarshal(resp.Body, &reg) != nil || reg.ClientID == "" {
		t.Fatalf("%d %s", resp.Status, resp.Body)
	}
	last := c.Log().Entries()[c.Log().Len()-1]
	if last.Method != "POST" || last.ReqHeaders["Authorization"] != "" {
		t.Errorf("registration carried a token or was not logged: %+v", last)
	}
	// Redirects come back as they are.
	redir := newRecorder(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/elsewhere", http.StatusMovedPermanently)
	})
	resp, err = c.Exchange(ctxT(t), http.MethodGet, redir.URL+"/jwks.json", nil, nil)
	if err != nil || resp.Status != 301 {
		t.Fatalf("%v %v", resp, err)
	}
	if hits, _ := redir.Seen(); hits != 1 {
		t.Errorf("redirect followed (%d hits)", hits)
	}
}

func TestReconnectAndParseSearchPath(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 5}, patientScopes)
	c := newClient(t, srv, cred, patientScopes)
	t1, err := c.Token(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	t2, err := c.Reconnect(ctxT(t))
	if err != nil || t2 == t1 || t2.AccessToken == t1.AccessToken || c.CurrentToken() != t2 {
		t.Fatalf("Reconnect: %v", err)
	}
	typ, params, err := c.ParseSearchPath("Patient?name=smith&_count=5")
	if err != nil || typ != "Patient" || params.Get("name") != "smith" || params.Get("_count") != "5" {
		t.Fatalf("%s %v %v", typ, params, err)
	}
	typ, _, err = c.ParseSearchPath(srv.FHIRBase() + "/Observation?code=x")
	if err != nil || typ != "Observation" {
		t.Fatalf("%s %v", typ, err)
	}
	for _, bad := range []string{"Patient/1", "metadata", "https://other.example/fhir/Patient"} {
		if _, _, err := c.ParseSearchPath(bad); err == nil {
			t.Errorf("%s parsed as a search", bad)
		}
	}
	if _, _, err := c.ParseSearchPath("https://other.example/fhir/Patient"); !strings.Contains(err.Error(), "refusing") {
		t.Errorf("other origin: %v", err)
	}
}
