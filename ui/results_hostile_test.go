package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/fhirclient/fhirtest/hostile"
)

// The results screen and the inspector against a hostile server (HTML pages, empty and
// truncated bodies, invalid UTF-8, 100,000-deep nesting, endless and 50 MB bodies, a next
// link and a redirect to another origin, escapes in every field): each answer ends on screen
// as rows or as an error with cause and fix, within a bound, with no raw escape in the
// output and no token sent to the other origin.

func hostileEnv(t *testing.T) (*hostile.Server, *Common) {
	t.Helper()
	h := hostile.New(fhirtest.Options{Patients: 3})
	t.Cleanup(h.Close)
	key := browseTestKey(t)
	scopes := h.Sandbox.SystemReadScopes()
	id, err := h.Sandbox.RegisterClient(fhirtest.ClientRegistration{
		Name: "ui-browse-hostile", Scopes: scopes, JWKS: fhirtest.PublicJWKS(&key.PublicKey), Enabled: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	client, err := fhirclient.New(h.FHIRBase(),
		fhirclient.WithCredentials(fhirclient.Credentials{ClientID: id, Signer: key, Alg: "RS384"}),
		fhirclient.WithScopes(scopes), fhirclient.WithMaxResponseBytes(4<<20), fhirclient.WithTimeout(10*time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.CloseIdleConnections)
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	c := browseCommon(120, 40)
	c.Client, c.Ctx, c.Styles = client, ctx, NewStyles(true)
	return h, c
}

func TestResultsAgainstHostileServer(t *testing.T) {
	h, c := hostileEnv(t)
	for _, hc := range hostile.Cases {
		t.Run(string(hc), func(t *testing.T) {
			s := NewResultsScreen(c, string(hc), nil)
			start := time.Now()
			settle(t, s, s.Init())
			if took := time.Since(start); took > 15*time.Second {
				t.Fatalf("took %v", took)
			}
			if s.Busy() {
				t.Fatal("still busy after the answer")
			}
			out := s.View()
			assertNoRawEscapes(t, out)
			plain := plainView(s)
			switch {
			case s.err != nil:
				if !strings.Contains(plain, "Cause:") || !strings.Contains(plain, "Fix:") {
					t.Fatalf("error without cause and fix:\n%s", plain)
				}
			case s.rowCount() == 0:
				t.Fatalf("no error and no rows:\n%s", plain)
			}
			if s.rowCount() > 0 {
				// The row opens in the inspector, which shows it (or why it cannot) safely.
				_, msgs := browsePress(t, s, "enter")
				ins, ok := findPush(msgs)
				if !ok {
					t.Fatal("enter did not open the inspector")
				}
				ins.SetSize(120, 40)
				assertNoRawEscapes(t, ins.View())
			}
		})
	}
	if hits, auths := h.Other.Seen(); hits > 0 {
		t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
	}
}

func TestResultsForeignNextLinkRefused(t *testing.T) {
	h, c := hostileEnv(t)
	s := NewResultsScreen(c, string(hostile.ForeignNext), nil)
	settle(t, s, s.Init())
	if s.rowCount() != 1 || s.page.Mode != fhirclient.PagingLinks {
		t.Fatalf("first page: %d rows, mode %v, err %v", s.rowCount(), s.page.Mode, s.err)
	}
	browsePress(t, s, "n")
	v := plainView(s)
	if s.page.Number != 1 || !strings.Contains(v, "not on the FHIR base's origin") || !strings.Contains(v, "Firstpage") {
		t.Fatalf("foreign next link:\n%s", v)
	}
	if hits, _ := h.Other.Seen(); hits != 0 {
		t.Fatalf("the other origin got %d requests", hits)
	}
}

func TestInspectorReferencesToHostileAnswers(t *testing.T) {
	h, c := hostileEnv(t)
	for _, hc := range hostile.Cases {
		t.Run(string(hc), func(t *testing.T) {
			raw := `{"resourceType":"Observation","id":"o","subject":{"reference":"` + string(hc) + `/1"}}`
			ins := NewInspectorScreen(c, []byte(raw))
			cursorTo(t, ins, string(hc)+"/1")
			browsePress(t, ins, "enter")
			if ins.Busy() {
				t.Fatal("still busy")
			}
			if ins.cur.ref == "Observation/o" && ins.status == "" {
				t.Fatal("nothing happened")
			}
			assertNoRawEscapes(t, ins.View())
		})
	}
	if hits, auths := h.Other.Seen(); hits > 0 {
		t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
	}
}
