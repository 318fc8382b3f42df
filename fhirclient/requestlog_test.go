package fhirclient

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

func TestRedaction(t *testing.T) {
	h := http.Header{"Authorization": {"Bearer eyJhbGciOi.secret.sig"}, "Accept": {"application/fhir+json"}, "Cookie": {"OpenEMR=abc"},
		"Location": {"https://h/cb?code=SECRETCODE&state=1"}}
	r := redactHeaders(h)
	if strings.Contains(r["Location"], "SECRETCODE") || !strings.Contains(r["Location"], "state=1") {
		t.Error(r["Location"])
	}
	if strings.Contains(r["Authorization"], "secret") || !strings.HasPrefix(r["Authorization"], "Bearer [redacted") ||
		strings.Contains(r["Cookie"], "abc") || r["Accept"] != "application/fhir+json" {
		t.Errorf("%v", r)
	}
	u := redactURL("https://u:pw@h/x?access_token=SECRET&name=bob&client_assertion=AAA")
	if strings.Contains(u, "SECRET") || strings.Contains(u, "AAA") || strings.Contains(u, "pw") || !strings.Contains(u, "name=bob") {
		t.Error(u)
	}
	f := redactForm(url.Values{"client_assertion": {"eyJ.x.y"}, "scope": {"system/Patient.read"}})
	if strings.Contains(f, "eyJ") || !strings.Contains(f, "scope=system") {
		t.Error(f)
	}
	ex := excerpt([]byte(`{"access_token":"opaque-secret","note":"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"}`))
	if strings.Contains(ex, "opaque-secret") || strings.Contains(ex, "eyJzdWIi") {
		t.Error(ex)
	}
	long := excerpt(bytes.Repeat([]byte("é"), 5000))
	if len(long) > excerptLimit+len("…") || !strings.HasSuffix(long, "…") || !strings.HasPrefix(long, "é") {
		t.Errorf("excerpt of long body: %d bytes", len(long))
	}
	if ex := excerpt([]byte("ok\xff")); ex != "ok\uFFFD" {
		t.Errorf("invalid UTF-8 kept: %q", ex)
	}
}

func TestRequestLogRingAndTrace(t *testing.T) {
	var buf bytes.Buffer
	l := NewRequestLog(3)
	l.setTrace(&buf)
	var wg sync.WaitGroup
	for i := range 10 {
		wg.Add(1)
		go func() { defer wg.Done(); l.add(LogEntry{Method: "GET", URL: "u", Status: 200 + i}) }()
	}
	wg.Wait()
	if l.Len() != 3 || l.Seq() != 10 {
		t.Fatalf("len %d seq %d", l.Len(), l.Seq())
	}
	es := l.Entries()
	if es[0].Seq != 8 || es[2].Seq != 10 {
		t.Errorf("ring order %d..%d", es[0].Seq, es[2].Seq)
	}
	lines := 0
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var e LogEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		lines++
	}
	if lines != 10 {
		t.Errorf("%d trace lines", lines)
	}
}

func TestExcerptCutThroughSecret(t *testing.T) {
	secret := strings.Repeat("s3cr3t-", 40) // 280 bytes, opaque
	body := []byte(strings.Repeat("x", excerptLimit-100) + secret + strings.Repeat("y", 3000))
	ex := excerpt(body, secret)
	if strings.Contains(ex, "s3cr3t") || !strings.Contains(ex, "[redacted") {
		t.Fatalf("a prefix of the secret survived the cut: %q", ex[len(ex)-80:])
	}
	if plain := excerpt(body); !strings.Contains(plain, "s3cr3t") {
		t.Fatal("test is vacuous: the secret is not in the excerpt's range")
	}
}
