package fhirtest

import (
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// bundle is the part of a Bundle the tests read.
type bundle struct {
	ResourceType string `json:"resourceType"`
	Type         string `json:"type"`
	Total        int    `json:"total"`
	Link         []struct{ Relation, URL string }
	Entry        []struct {
		FullURL  string          `json:"fullUrl"`
		Resource json.RawMessage `json:"resource"`
	}
}

func (b bundle) ids(t testing.TB) []string {
	var out []string
	for _, e := range b.Entry {
		var r struct{ ID string }
		if err := json.Unmarshal(e.Resource, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r.ID)
	}
	return out
}

func (b bundle) link(rel string) string {
	for _, l := range b.Link {
		if l.Relation == rel {
			return l.URL
		}
	}
	return ""
}

func search(t testing.TB, s *Server, token, typ string, q url.Values) bundle {
	t.Helper()
	u := s.FHIRBase() + "/" + typ
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return getBundle(t, u, token)
}

func getBundle(t testing.TB, u, token string) bundle {
	t.Helper()
	res := get(t, u, token)
	if res.Status != 200 {
		t.Fatalf("GET %s: %d %s", u, res.Status, res.Body)
	}
	var b bundle
	if err := json.Unmarshal(res.Body, &b); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return b
}

func allScopesServer(t testing.TB, opts Options) (*Server, string) {
	s := newTestServer(t, opts)
	id := enabledClient(t, s, "system/Patient.read", "system/Practitioner.read", "system/Organization.read")
	return s, mint(t, s, id, "system/Patient.read system/Practitioner.read system/Organization.read")
}

func TestOpenEMRSearchCollection(t *testing.T) {
	for _, fl := range []Flavor{Flavor704, Flavor702} {
		t.Run(string(fl), func(t *testing.T) { testOpenEMRSearchCollection(t, fl) })
	}
}

func testOpenEMRSearchCollection(t *testing.T, fl Flavor) {
	s, tok := allScopesServer(t, Options{Flavor: fl, Patients: 40, Seed: 3})
	b := search(t, s, tok, "Patient", nil)
	if b.Type != "collection" || b.Total != 40 || len(b.Entry) != 40 || len(b.Link) != 1 ||
		b.link("self") != s.FHIRBase()+"/Patient" {
		t.Fatalf("bundle: type %q total %d entries %d links %+v", b.Type, b.Total, len(b.Entry), b.Link)
	}
	// Patient honours _count/_offset; total is what was returned; still one self link, no query.
	b1 := search(t, s, tok, "Patient", url.Values{"_count": {"15"}, "_offset": {"0"}})
	b2 := search(t, s, tok, "Patient", url.Values{"_count": {"15"}, "_offset": {"15"}})
	b3 := search(t, s, tok, "Patient", url.Values{"_count": {"15"}, "_offset": {"30"}})
	if b1.Total != 15 || b2.Total != 15 || b3.Total != 10 || b1.link("next") != "" || b2.link("self") != s.FHIRBase()+"/Patient" {
		t.Fatalf("paged totals %d %d %d, links %+v", b1.Total, b2.Total, b3.Total, b2.Link)
	}
	got := append(append(b1.ids(t), b2.ids(t)...), b3.ids(t)...)
	if strings.Join(got, ",") != strings.Join(b.ids(t), ",") {
		t.Fatal("offset pages do not concatenate to the full result")
	}
	// Other types ignore _count: all matches in one bundle.
	nPract, _ := BasicCounts(40)
	if p := search(t, s, tok, "Practitioner", url.Values{"_count": {"1"}}); p.Total != nPract || len(p.Entry) != nPract {
		t.Fatalf("Practitioner with _count=1: total %d entries %d, want all %d", p.Total, len(p.Entry), nPract)
	}
	// Unknown parameter: empty 200 bundle.
	if e := search(t, s, tok, "Patient", url.Values{"shoe-size": {"42"}}); e.Total != 0 || len(e.Entry) != 0 || e.ResourceType != "Bundle" {
		t.Fatalf("unknown param: %+v", e)
	}
}

func TestPatientCountPlusOneQuirk(t *testing.T) {
	s, tok := allScopesServer(t, Options{Patients: 20, PatientCountPlusOne: true})
	if b := search(t, s, tok, "Patient", url.Values{"_count": {"5"}}); len(b.Entry) != 6 {
		t.Fatalf("entries %d, want 6 (_count+1)", len(b.Entry))
	}
}

func TestPagedFlavorFollowsLinks(t *testing.T) {
	s, tok := allScopesServer(t, Options{Flavor: FlavorPaged, Patients: 45, PageSize: 10})
	for _, typ := range []string{"Patient", "Practitioner"} {
		want := s.Data().Len(typ)
		var ids []string
		u := s.FHIRBase() + "/" + typ + "?_count=3"
		pages := 0
		var second bundle
		for u != "" {
			b := getBundle(t, u, tok)
			if b.Type != "searchset" || b.Total != want {
				t.Fatalf("%s: type %q total %d, want searchset %d", typ, b.Type, b.Total, want)
			}
			pages++
			if pages == 2 {
				second = b
			}
			ids = append(ids, b.ids(t)...)
			u = b.link("next")
		}
		if len(ids) != want || pages != (want+2)/3 {
			t.Fatalf("%s: %d ids over %d pages, want %d", typ, len(ids), pages, want)
		}
		sorted := sort.StringsAreSorted(ids)
		if !sorted {
			t.Fatalf("%s: ids not in order across pages", typ)
		}
		prev := getBundle(t, second.link("previous"), tok)
		if prev.ids(t)[0] != ids[0] {
			t.Fatalf("%s: previous of page 2 is not page 1", typ)
		}
	}
	// Default page size and a search filter carried through the links.
	b := search(t, s, tok, "Patient", url.Values{"gender": {"female,male,other,unknown"}})
	if len(b.Entry) != 10 || !strings.Contains(b.link("next"), "gender=") {
		t.Fatalf("default page: %d entries, next %q", len(b.Entry), b.link("next"))
	}
}

func TestSearchParameters(t *testing.T) {
	s, tok := allScopesServer(t, Options{Patients: 80, Seed: 11})
	pats := s.Data().All("Patient")
	var p struct {
		ID        string
		Gender    string
		BirthDate string
		Name      []struct {
			Family string
			Given  []string
		}
		Identifier []struct{ System, Value string }
	}
	if err := json.Unmarshal(pats[7].JSON, &p); err != nil {
		t.Fatal(err)
	}
	count := func(q url.Values) int { return len(search(t, s, tok, "Patient", q).Entry) }
	expect := func(q url.Values, pred func(Resource) bool) {
		t.Helper()
		want := 0
		for _, r := range pats {
			if pred(r) {
				want++
			}
		}
		if got := count(q); got != want || want == 0 {
			t.Fatalf("%v: %d results, want %d (>0)", q, got, want)
		}
	}
	has := func(k, v string) func(Resource) bool {
		return func(r Resource) bool {
			for _, x := range r.Search[k] {
				if x == v {
					return true
				}
			}
			return false
		}
	}
	expect(url.Values{"_id": {p.ID}}, has("_id", p.ID))
	expect(url.Values{"gender": {p.Gender}}, has("gender", p.Gender))
	expect(url.Values{"identifier": {p.Identifier[0].Value}}, has("identifier", p.Identifier[0].Value))
	expect(url.Values{"identifier": {p.Identifier[0].System + "|" + p.Identifier[0].Value}}, has("identifier", p.Identifier[0].Value))
	expect(url.Values{"family": {strings.ToUpper(p.Name[0].Family[:3])}}, func(r Resource) bool {
		return strings.HasPrefix(r.Search["family"][0], strings.ToLower(p.Name[0].Family[:3]))
	})
	expect(url.Values{"birthdate": {p.BirthDate}}, has("birthdate", p.BirthDate))
	expect(url.Values{"birthdate": {"ge" + p.BirthDate}}, func(r Resource) bool { return r.Search["birthdate"][0] >= p.BirthDate })
	expect(url.Values{"birthdate": {"lt" + p.BirthDate}}, func(r Resource) bool { return r.Search["birthdate"][0] < p.BirthDate })
	expect(url.Values{"birthdate": {"le" + p.BirthDate[:4]}}, func(r Resource) bool { return r.Search["birthdate"][0][:4] <= p.BirthDate[:4] })
	expect(url.Values{"birthdate": {"gt" + p.BirthDate[:4]}}, func(r Resource) bool { return r.Search["birthdate"][0][:4] > p.BirthDate[:4] })
	// AND across parameters.
	expect(url.Values{"given": {p.Name[0].Given[0]}, "gender": {p.Gender}}, func(r Resource) bool {
		given := strings.ToLower(p.Name[0].Given[0])
		return has("gender", p.Gender)(r) && slices.ContainsFunc(r.Search["given"], func(g string) bool { return strings.HasPrefix(g, given) })
	})
	if n := count(url.Values{"name": {"zzzzqq"}}); n != 0 {
		t.Fatalf("nonsense name matched %d", n)
	}
}

func TestReadAnd404(t *testing.T) {
	s, tok := allScopesServer(t, Options{Patients: 5})
	want := s.Data().All("Patient")[2]
	res := get(t, s.FHIRBase()+"/Patient/"+want.ID, tok)
	if res.Status != 200 || string(res.Body) != string(want.JSON) || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("read: %d %q %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	res = get(t, s.FHIRBase()+"/Patient/does-not-exist", tok)
	if res.Status != 404 || string(res.Body) != "[]" || res.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("missing: %d %q %q", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
}

func TestUnauthorizedShapes(t *testing.T) {
	for _, fl := range Flavors {
		t.Run(string(fl), func(t *testing.T) {
			s := newTestServer(t, Options{Flavor: fl, Patients: 3})
			id := enabledClient(t, s, "system/Patient.read", "system/Practitioner.read")
			tok := mint(t, s, id, "system/Practitioner.read")
			// No token / garbage token: league access_denied on every flavor.
			for _, bad := range []string{"", "garbage.token.value"} {
				res := get(t, s.FHIRBase()+"/Patient", bad)
				if m := res.json(t); res.Status != 401 || m["error"] != "access_denied" {
					t.Fatalf("token %q: %d %s", bad, res.Status, res.Body)
				}
			}
			// Valid token without the scope: the flavor's shape.
			res := get(t, s.FHIRBase()+"/Patient", tok)
			switch fl {
			case Flavor702:
				if res.Status != 401 || len(res.Body) != 0 {
					t.Fatalf("7.0.2 scope missing: %d %q", res.Status, res.Body)
				}
			case Flavor704:
				m := res.json(t)
				if res.Status != 401 || m["error"] != "An error occurred" || m["message"] != "Unauthorized" || m["code"] != float64(0) {
					t.Fatalf("7.0.4 scope missing: %d %s", res.Status, res.Body)
				}
			case FlavorPaged:
				if m := res.json(t); res.Status != 403 || m["resourceType"] != "OperationOutcome" {
					t.Fatalf("paged scope missing: %d %s", res.Status, res.Body)
				}
			}
			// The scope it has works; after expiry the same token is access_denied.
			if res := get(t, s.FHIRBase()+"/Practitioner", tok); res.Status != 200 {
				t.Fatalf("with scope: %d %s", res.Status, res.Body)
			}
			s.SetNow(func() time.Time { return time.Now().Add(301 * time.Second) })
			res = get(t, s.FHIRBase()+"/Practitioner", tok)
			if m := res.json(t); res.Status != 401 || m["error"] != "access_denied" || m["hint"] != "Access token could not be verified" {
				t.Fatalf("expired: %d %s", res.Status, res.Body)
			}
		})
	}
}

func TestV2ScopesOn704(t *testing.T) {
	s := newTestServer(t, Options{Patients: 3})
	id := enabledClient(t, s, "system/Patient.rs")
	tok := mint(t, s, id, "system/Patient.rs")
	if res := get(t, s.FHIRBase()+"/Patient", tok); res.Status != 200 {
		t.Fatalf("v2 .rs search: %d %s", res.Status, res.Body)
	}
	// .r reads but does not search, .s searches but does not read, $export does neither.
	pid := s.Data().All("Patient")[0].ID
	for _, c := range []struct {
		scope        string
		search, read int
	}{{"system/Patient.r", 401, 200}, {"system/Patient.s", 200, 401}, {"system/Patient.$export", 401, 401}} {
		tok := mint(t, s, enabledClient(t, s, c.scope), c.scope)
		if got := get(t, s.FHIRBase()+"/Patient", tok).Status; got != c.search {
			t.Fatalf("%s search: %d, want %d", c.scope, got, c.search)
		}
		if got := get(t, s.FHIRBase()+"/Patient/"+pid, tok).Status; got != c.read {
			t.Fatalf("%s read: %d, want %d", c.scope, got, c.read)
		}
	}
}

func TestBaseWithoutSiteIsEmpty400(t *testing.T) {
	s := newTestServer(t, Options{Patients: 1})
	for _, p := range []string{"/apis/fhir/metadata", "/apis/fhir/Patient", "/oauth2/token"} {
		res := get(t, s.URL()+p, "")
		if res.Status != 400 || len(res.Body) != 0 {
			t.Fatalf("%s: %d %q", p, res.Status, res.Body)
		}
	}
}

func TestWebroot(t *testing.T) {
	s := newTestServer(t, Options{Patients: 2, Webroot: "/openemr", Site: "clinic"})
	if !strings.HasSuffix(s.FHIRBase(), "/openemr/apis/clinic/fhir") || !strings.HasSuffix(s.TokenURL(), "/openemr/oauth2/clinic/token") {
		t.Fatalf("bases %s %s", s.FHIRBase(), s.TokenURL())
	}
	id := enabledClient(t, s, "system/Patient.read")
	tok := mint(t, s, id, "system/Patient.read")
	if b := search(t, s, tok, "Patient", nil); b.Total != 2 {
		t.Fatalf("total %d", b.Total)
	}
}

func TestCountersOneConnection(t *testing.T) {
	s, tok := allScopesServer(t, Options{Patients: 5})
	before := s.Counters()
	for range 20 {
		search(t, s, tok, "Patient", nil)
	}
	after := s.Counters()
	if after.Requests-before.Requests != 20 || after.TokenRequests != 1 {
		t.Fatalf("counters %+v -> %+v", before, after)
	}
	if after.Connections < 1 || after.Connections > 2 {
		t.Fatalf("connections %d, want keep-alive reuse (1 or 2)", after.Connections)
	}
	s.ResetCounters()
	if c := s.Counters(); c != (Counters{}) {
		t.Fatalf("after reset %+v", c)
	}
}

// A _count or _offset near the largest int must not overflow the page arithmetic (it did:
// offset+count wrapped negative and the slice expression panicked).
func TestHugeCountAndOffsetDoNotOverflow(t *testing.T) {
	const huge = "9223372036854775807"
	s, tok := allScopesServer(t, Options{Patients: 20, PatientCountPlusOne: true})
	if b := search(t, s, tok, "Patient", url.Values{"_count": {huge}}); len(b.Entry) != 20 {
		t.Fatalf("_count=%s: %d entries, want all 20", huge, len(b.Entry))
	}
	if b := search(t, s, tok, "Patient", url.Values{"_count": {huge}, "_offset": {"5"}}); len(b.Entry) != 15 {
		t.Fatalf("_count=%s&_offset=5: %d entries, want 15", huge, len(b.Entry))
	}
	p, ptok := allScopesServer(t, Options{Flavor: FlavorPaged, Patients: 20, PageSize: 10})
	b := search(t, p, ptok, "Patient", url.Values{"_count": {"10"}, "_offset": {huge}})
	if len(b.Entry) != 0 || b.link("next") != "" {
		t.Fatalf("_offset=%s: %d entries, next %q; want none", huge, len(b.Entry), b.link("next"))
	}
}
