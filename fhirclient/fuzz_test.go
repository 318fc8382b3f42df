package fhirclient

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Every parser of server output is fuzzed for panics and for its own invariants. Seeds are
// in testdata/fuzz/<FuzzName>/ (OpenEMR's real bodies and their broken variants).

func FuzzParseBundle(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Bundle","type":"collection","total":1,"link":[{"relation":"self","url":"u"}],"entry":[{"resource":{"resourceType":"Patient","id":"1"}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := ParseBundle(body)
		if err != nil {
			return
		}
		for _, e := range p.Entries {
			if !json.Valid(e) || len(e) == 0 || e[0] != '{' {
				t.Fatalf("entry %q is not a JSON object", e)
			}
		}
	})
}

func FuzzParseOperationOutcome(f *testing.F) {
	f.Add([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"x"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		oo, ok := ParseOperationOutcome(body)
		if ok {
			_ = oo.Summary()
		}
		e := classify("GET", "https://h/x", &incoming{status: 400, body: body}, nil, "")
		ex := e.Explain()
		if ex.Cause == "" || ex.Fix == "" {
			t.Fatal("empty explanation")
		}
		checkExcerpt(t, e.Excerpt)
	})
}

func FuzzParseOAuthError(f *testing.F) {
	f.Add(401, []byte(`{"error":"invalid_client","error_description":"Client authentication failed","message":"Client authentication failed"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		_, _ = ParseOAuthError(body)
		_ = tokenRejectedBody(body)
		tok, err := parseTokenResponse(status, body, []string{"system/Patient.read"}, time.Unix(0, 0), AuthError{TokenURL: "https://h/token"})
		if err == nil {
			if tok.AccessToken == "" || !tok.ExpiresAt.After(tok.IssuedAt) {
				t.Fatalf("bad token %+v", tok)
			}
			return
		}
		ae := err.(*AuthError)
		ex := ae.Explain()
		if ex.Cause == "" || ex.Fix == "" {
			t.Fatal("empty explanation")
		}
		checkExcerpt(t, ae.Excerpt)
	})
}

func FuzzParseDiscovery(f *testing.F) {
	f.Add([]byte(`{"token_endpoint":"https://h/oauth2/default/token","scopes_supported":[["openid","system/Patient.read"]]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		if sc, err := parseSmartConfig(body); err == nil && sc.TokenEndpoint == "" {
			t.Fatal("config without token endpoint accepted")
		}
		if c, err := ParseCapabilityStatement(body); err == nil {
			for _, r := range c.Resources {
				_, _ = c.Resource(r.Type)
			}
		}
	})
}

func checkExcerpt(t *testing.T, ex string) {
	t.Helper()
	if !utf8.ValidString(ex) || len(ex) > excerptLimit+len("…") {
		t.Fatalf("excerpt invalid or too long: %d bytes", len(ex))
	}
	if strings.Contains(ex, "eyJ") && jwtLike.MatchString(ex) {
		t.Fatalf("excerpt keeps a JWT: %q", ex)
	}
}
