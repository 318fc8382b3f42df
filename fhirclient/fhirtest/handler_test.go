package fhirtest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestNewHandlerServe serves a handler-form sandbox on a caller's listener, as `fhirscope
// sandbox` and --demo do, and checks URLs in bodies carry the listener's origin.
func TestNewHandlerServe(t *testing.T) {
	s := NewHandler(Options{Patients: 4})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := s.Start(l)
	defer hs.Close()
	want := "http://" + l.Addr().String()
	if s.URL() != want {
		t.Fatalf("origin %q, want %q", s.URL(), want)
	}
	conf := get(t, s.FHIRBase()+"/.well-known/smart-configuration", "").json(t)
	if conf["token_endpoint"] != want+"/oauth2/default/token" {
		t.Fatalf("token_endpoint %v", conf["token_endpoint"])
	}
	id := enabledClient(t, s, "system/Patient.read")
	if b := search(t, s, mint(t, s, id, "system/Patient.read"), "Patient", nil); b.Total != 4 {
		t.Fatalf("total %d", b.Total)
	}
	if c := s.Counters(); c.Connections == 0 {
		t.Fatal("Serve does not count connections")
	}
}

// observationData is a small dataset with Observations in two categories.
func observationData() *Dataset {
	d := GenerateBasic(2, 2)
	pid := d.All("Patient")[0].ID
	for i, cat := range []string{"vital-signs", "laboratory", "vital-signs"} {
		id := fmt.Sprintf("obs-%d", i)
		js, _ := json.Marshal(map[string]any{"resourceType": "Observation", "id": id, "status": "final",
			"category": []map[string]any{{"coding": []map[string]string{{"code": cat}}}},
			"subject":  map[string]string{"reference": "Patient/" + pid}})
		d.Add(Resource{Type: "Observation", ID: id, JSON: js, Search: map[string][]string{
			"_id": {id}, "patient": {pid}, "category": {cat, "http://terminology.hl7.org/CodeSystem/observation-category|" + cat}}})
	}
	return d
}

func TestCategoryRestrictedV2Scope(t *testing.T) {
	s := newTestServer(t, Options{Data: observationData()})
	vitals := "system/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|vital-signs"
	id := enabledClient(t, s, vitals)
	tok := mint(t, s, id, vitals)
	b := search(t, s, tok, "Observation", nil)
	if b.Total != 2 || strings.Join(b.ids(t), ",") != "obs-0,obs-2" {
		t.Fatalf("restricted search: %v", b.ids(t))
	}
	if res := get(t, s.FHIRBase()+"/Observation/obs-1", tok); res.Status != 401 {
		t.Fatalf("read outside the category: %d", res.Status)
	}
	pid := s.Data().All("Patient")[0].ID
	if b := search(t, s, tok, "Observation", url.Values{"patient": {"Patient/" + pid}, "category": {"vital-signs"}}); b.Total != 2 {
		t.Fatalf("patient+category: %d", b.Total)
	}
	// 7.0.2 does not know v2 scopes at all.
	s2 := newTestServer(t, Options{Flavor: Flavor702, Data: observationData()})
	if _, err := s2.RegisterClient(ClientRegistration{Scopes: []string{vitals}}); err == nil {
		t.Fatal("7.0.2 accepted a v2 scope")
	}
}

// BenchmarkServeSearch measures the server side of a 10,000-patient OpenEMR search (one
// collection bundle): throughput of bundle streaming, so client benchmarks know the server is
// not their bottleneck.
func BenchmarkServeSearch(b *testing.B) {
	s := NewServer(Options{Patients: 10_000})
	defer s.Close()
	id := enabledClient(b, s, "system/Patient.read")
	tok := mint(b, s, id, "system/Patient.read")
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		req, _ := http.NewRequest(http.MethodGet, s.FHIRBase()+"/Patient", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatal(err, resp)
		}
		n, _ = io.Copy(io.Discard, resp.Body) // measure the server, not a client's parsing
		resp.Body.Close()
	}
	b.SetBytes(n)
	b.ReportMetric(float64(n)/1e6, "MB/bundle")
}

func TestPagedFlavorStandardShapes(t *testing.T) {
	s, tok := allScopesServer(t, Options{Flavor: FlavorPaged, Patients: 3})
	res := get(t, s.FHIRBase()+"/Patient/missing", tok)
	if res.Status != 404 || res.Header.Get("Content-Type") != "application/fhir+json" || res.json(t)["resourceType"] != "OperationOutcome" {
		t.Fatalf("paged 404: %d %q %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	res = get(t, s.FHIRBase()+"/Patient", tok)
	if res.Header.Get("Content-Type") != "application/fhir+json" {
		t.Fatalf("paged search content type %q", res.Header.Get("Content-Type"))
	}
}

func TestPostSearch(t *testing.T) {
	s, tok := allScopesServer(t, Options{Patients: 9})
	p := s.Data().All("Patient")[4]
	req, _ := http.NewRequest(http.MethodPost, s.FHIRBase()+"/Patient/_search", strings.NewReader(url.Values{"_id": {p.ID}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+tok)
	res := do(t, req)
	var b bundle
	if err := json.Unmarshal(res.Body, &b); err != nil || res.Status != 200 || b.Total != 1 || b.ids(t)[0] != p.ID {
		t.Fatalf("POST _search: %d %s", res.Status, res.Body)
	}
}

func TestFlavor702HidesNewerTypesEvenWithData(t *testing.T) {
	d := GenerateBasic(1, 2)
	d.Add(Resource{Type: "ServiceRequest", ID: "sr1", JSON: []byte(`{"resourceType":"ServiceRequest","id":"sr1"}`),
		Search: map[string][]string{"_id": {"sr1"}}})
	d.Add(Resource{Type: "Basic", ID: "b1", JSON: []byte(`{"resourceType":"Basic","id":"b1"}`), Search: map[string][]string{"_id": {"b1"}}})
	s := newTestServer(t, Options{Flavor: Flavor702, Data: d})
	if _, err := s.RegisterClient(ClientRegistration{Scopes: []string{"system/ServiceRequest.read"}}); err == nil {
		t.Fatal("7.0.2 knows ServiceRequest")
	}
	// A type outside OpenEMR's list that the data carries is served (read and _id search).
	id := enabledClient(t, s, "system/Basic.read")
	tok := mint(t, s, id, "system/Basic.read")
	if b := search(t, s, tok, "Basic", url.Values{"_id": {"b1"}}); b.Total != 1 {
		t.Fatalf("Basic search total %d", b.Total)
	}
}

func TestAutoEnableAndOnRegister(t *testing.T) {
	rs, _ := keys(t)
	var seen []string
	s := newTestServer(t, Options{Patients: 1, AutoEnable: true, OnRegister: func(id, name string, enabled bool) {
		if enabled {
			seen = append(seen, id)
		}
	}})
	body := string(RegistrationBody(Flavor704, "auto", []string{"system/Patient.read"}, PublicJWKS(&rs[0].PublicKey)))
	id, _ := registrationPost(t, s, "application/json", body).json(t)["client_id"].(string)
	if len(seen) != 1 || seen[0] != id {
		t.Fatalf("OnRegister saw %v, want [%s]", seen, id)
	}
	mint(t, s, id, "system/Patient.read") // usable without Enable
}

func TestLinkOriginAndAuthorizedCounter(t *testing.T) {
	other := newTestServer(t, Options{Flavor: FlavorPaged, Patients: 1})
	s, tok := allScopesServer(t, Options{Flavor: FlavorPaged, Patients: 30, PageSize: 10})
	s.SetLinkOrigin(other.URL())
	b := search(t, s, tok, "Patient", nil)
	if next := b.link("next"); !strings.HasPrefix(next, other.FHIRBase()+"/Patient?") {
		t.Fatalf("next %q not on the other origin %s", next, other.URL())
	}
	if c := s.Counters(); c.AuthorizedRequests != 1 {
		t.Fatalf("authorized requests %d, want 1", c.AuthorizedRequests)
	}
	get(t, b.link("next"), "") // a careful client follows without the token
	if c := other.Counters(); c.Requests != 1 || c.AuthorizedRequests != 0 {
		t.Fatalf("other origin counters %+v", c)
	}
}

func TestTLSServerAndCAFile(t *testing.T) {
	s := newTestServer(t, Options{Patients: 1, TLS: true})
	if !strings.HasPrefix(s.FHIRBase(), "https://") {
		t.Fatalf("base %s", s.FHIRBase())
	}
	if _, err := http.Get(s.FHIRBase() + "/metadata"); err == nil {
		t.Fatal("self-signed certificate trusted by default")
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.CertificatePEM()) {
		t.Fatal("CertificatePEM is not a PEM certificate")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := c.Get(s.FHIRBase() + "/metadata")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
}

func TestIndexedSearchMatchesScan(t *testing.T) {
	d := observationData()
	s := NewHandler(Options{Data: d})
	def, _ := s.typeDef("Observation")
	pid := d.All("Patient")[0].ID
	for _, q := range []string{
		"patient=" + pid, "patient=Patient/" + pid, "patient=nobody", "patient=nobody,Patient/" + pid,
		"category=VITAL-SIGNS", "category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory",
		"patient=" + pid + "&category=laboratory", "_id=obs-2,obs-0", "category:missing=false",
	} {
		vals, _ := url.ParseQuery(q)
		conds, ok := parseConditions(def, vals)
		if !ok {
			t.Fatalf("%s: not parsed", q)
		}
		want := filterResources(d.All("Observation"), conds, nil)
		got := s.search("Observation", conds, nil)
		var w, g []string
		for _, r := range want {
			w = append(w, r.ID)
		}
		for _, r := range got {
			g = append(g, r.ID)
		}
		if strings.Join(w, ",") != strings.Join(g, ",") {
			t.Fatalf("%s: indexed %v, scan %v", q, g, w)
		}
	}
	// The index follows the data: a resource added later is found.
	d.Add(Resource{Type: "Observation", ID: "obs-9", JSON: []byte(`{}`), Search: map[string][]string{"patient": {pid}}})
	vals, _ := url.ParseQuery("patient=" + pid)
	conds, _ := parseConditions(def, vals)
	if got := s.search("Observation", conds, nil); len(got) != 4 {
		t.Fatalf("after Add: %d results, want 4", len(got))
	}
	// Replacing a resource (same count) with other values is seen too.
	d.Add(Resource{Type: "Observation", ID: "obs-9", JSON: []byte(`{}`), Search: map[string][]string{"patient": {"someone-else"}}})
	if got := s.search("Observation", conds, nil); len(got) != 3 {
		t.Fatalf("after replace: %d results, want 3", len(got))
	}
}

// BenchmarkSearchByPatient: `Observation?patient=X` over 200,000 Observations of 5,000
// patients, the patient overview's query at scale (answered from the lazy index).
func BenchmarkSearchByPatient(b *testing.B) {
	d := NewDataset()
	for i := range 200_000 {
		id := fmt.Sprintf("obs-%06d", i)
		pid := fmt.Sprintf("pat-%04d", i%5000)
		d.Add(Resource{Type: "Observation", ID: id, JSON: []byte(`{"resourceType":"Observation","id":"` + id + `"}`),
			Search: map[string][]string{"_id": {id}, "patient": {pid}, "category": {"vital-signs"}}})
	}
	s := NewHandler(Options{Data: d})
	def, _ := s.typeDef("Observation")
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		conds, _ := parseConditions(def, url.Values{"patient": {fmt.Sprintf("Patient/pat-%04d", i%5000)}, "category": {"vital-signs"}})
		if got := s.search("Observation", conds, nil); len(got) != 40 {
			b.Fatalf("%d results", len(got))
		}
		i++
	}
}

func TestPagedSummaryCount(t *testing.T) {
	s, tok := allScopesServer(t, Options{Flavor: FlavorPaged, Patients: 23})
	b := search(t, s, tok, "Patient", url.Values{"_summary": {"count"}})
	if b.Total != 23 || len(b.Entry) != 0 || b.link("next") != "" {
		t.Fatalf("_summary=count: total %d, %d entries, links %+v", b.Total, len(b.Entry), b.Link)
	}
	// OpenEMR ignores _summary: the full collection.
	o, otok := allScopesServer(t, Options{Patients: 23})
	if b := search(t, o, otok, "Patient", url.Values{"_summary": {"count"}}); len(b.Entry) != 23 {
		t.Fatalf("OpenEMR _summary=count: %d entries", len(b.Entry))
	}
}

func TestPagedFirstLastAndIntrospectInactive(t *testing.T) {
	s, tok := allScopesServer(t, Options{Flavor: FlavorPaged, Patients: 25})
	b := search(t, s, tok, "Patient", url.Values{"_count": {"10"}})
	last := getBundle(t, b.link("last"), tok)
	first := getBundle(t, last.link("first"), tok)
	if len(last.Entry) != 5 || last.link("next") != "" || first.ids(t)[0] != b.ids(t)[0] {
		t.Fatalf("last %d entries next %q; first %v", len(last.Entry), last.link("next"), first.ids(t))
	}
	for _, form := range []url.Values{{"token": {"garbage"}}, {"token": {tok}, "client_id": {"someone-else"}}} {
		if m := postForm(t, s.AuthBase()+"/introspect", form).json(t); m["active"] != false {
			t.Fatalf("introspect %v: %v", form, m)
		}
	}
	if res := get(t, s.FHIRBase()+"/OperationDefinition/docref", ""); res.Status != 200 || res.json(t)["resourceType"] != "OperationDefinition" {
		t.Fatalf("OperationDefinition without a token: %d %s", res.Status, res.Body)
	}
}
