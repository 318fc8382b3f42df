package fhirclient_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/fhirclient/fhirtest/hostile"
)

// hostileClient starts the hostile server and an authenticated client for it.
func hostileClient(t *testing.T) (*hostile.Server, *fhirclient.Client) {
	t.Helper()
	h := hostile.New(fhirtest.Options{Patients: 3})
	t.Cleanup(h.Close)
	rk, _ := testKeys(t)
	id, err := h.Sandbox.RegisterClient(fhirtest.ClientRegistration{Name: "hostile", Scopes: patientScopes, JWKS: jwksOf(t, rk), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := fhirclient.New(h.FHIRBase(), fhirclient.WithCredentials(fhirclient.Credentials{ClientID: id, Signer: rk, KeyID: "k1"}),
		fhirclient.WithScopes(patientScopes), fhirclient.WithMaxResponseBytes(hostile.ClientCap))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	return h, c
}

// want is what one hostile answer must become: an *APIError of kind and status whose
// explanation and detail mention the words, an *OriginError, or success.
type want struct {
	ok      bool
	origin  bool
	network bool // *NetworkError: the answer was refused by Go's HTTP client itself
	kind    fhirclient.ErrorKind
	status  int
	says    []string
}

func apiErr(kind fhirclient.ErrorKind, status int, says ...string) want {
	return want{kind: kind, status: status, says: says}
}

var (
	wantOK     = want{ok: true}
	wantOrigin = want{origin: true}
	badHeader  = want{network: true, says: []string{"not valid HTTP", "malformed MIME header"}}
	tooLarge   = apiErr(fhirclient.KindTooLarge, 200, fmt.Sprintf("larger than the limit of %d bytes", hostile.ClientCap), "raise the response size limit")
)

// The same hostile answers for a search and for a read of one resource.
var hostileWants = map[hostile.Case][2]want{ // [search, read]
	hostile.HTML200:     {apiErr(fhirclient.KindHTML, 200, "HTML page", "base URL"), apiErr(fhirclient.KindHTML, 200, "HTML page")},
	hostile.HTML502:     {apiErr(fhirclient.KindServer, 502, "HTTP 502", "HTML error page", "Retry"), apiErr(fhirclient.KindServer, 502, "HTML error page")},
	hostile.Empty200:    {apiErr(fhirclient.KindEmpty, 200, "empty body", "base URL"), apiErr(fhirclient.KindEmpty, 200, "empty body")},
	hostile.PlainText:   {apiErr(fhirclient.KindNotJSON, 200, "not valid JSON"), apiErr(fhirclient.KindNotJSON, 200, "not valid JSON")},
	hostile.BadUTF8:     {apiErr(fhirclient.KindNotJSON, 200, "invalid UTF-8"), apiErr(fhirclient.KindNotJSON, 200, "invalid UTF-8")},
	hostile.Deep:        {apiErr(fhirclient.KindNotJSON, 200, "nested deeper than 512"), apiErr(fhirclient.KindNotJSON, 200, "nested deeper than 512")},
	hostile.Truncated:   {apiErr(fhirclient.KindNotJSON, 200, "not valid JSON"), apiErr(fhirclient.KindNotJSON, 200, "not valid JSON")},
	hostile.RawEsc:      {apiErr(fhirclient.KindNotJSON, 200, "not valid JSON"), apiErr(fhirclient.KindNotJSON, 200, "not valid JSON")},
	hostile.Endless:     {tooLarge, tooLarge},
	hostile.Huge:        {tooLarge, tooLarge},
	hostile.HugeChunked: {tooLarge, tooLarge},
	hostile.Redirect:    {wantOrigin, wantOrigin},
	hostile.Outcome:     {apiErr(fhirclient.KindBadRequest, 400, "The server said:", "bad parameter"), apiErr(fhirclient.KindBadRequest, 400, "bad parameter")},
	hostile.WrongType:   {apiErr(fhirclient.KindNotBundle, 200, "other than a Bundle", `"Patient"`), wantOK},
	hostile.BadHeader:   {badHeader, badHeader},
	hostile.NextBroken:  {wantOK, wantOK},
	hostile.Unicode:     {wantOK, wantOK},
	hostile.ForeignNext: {wantOK, wantOK},
	hostile.Escapes:     {wantOK, wantOK},
	hostile.LongLine:    {wantOK, wantOK},
}

func checkHostile(t *testing.T, what string, w want, err error) {
	t.Helper()
	switch {
	case w.ok:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return
	case w.origin:
		var oe *fhirclient.OriginError
		if !errors.As(err, &oe) {
			t.Fatalf("%s: %v (%T), want *OriginError", what, err, err)
		}
	case w.network:
		var ne *fhirclient.NetworkError
		if !errors.As(err, &ne) {
			t.Fatalf("%s: %v (%T), want *NetworkError", what, err, err)
		}
		ex := ne.Explain()
		for _, s := range w.says {
			if !strings.Contains(ex.Cause+" "+ex.Fix, s) {
				t.Errorf("%s: explanation lacks %q: %+v", what, s, ex)
			}
		}
	default:
		var ae *fhirclient.APIError
		if !errors.As(err, &ae) || ae.Kind != w.kind || ae.Status != w.status {
			t.Fatalf("%s: %v (%T), want *APIError %v %d", what, err, err, w.kind, w.status)
		}
		ex := ae.Explain()
		for _, s := range w.says {
			if !strings.Contains(ex.Cause+" "+ex.Fix, s) {
				t.Errorf("%s: explanation lacks %q: %+v", what, s, ex)
			}
		}
	}
	if ex, ok := fhirclient.Explain(err); !ok || ex.Cause == "" || ex.Fix == "" {
		t.Errorf("%s: no cause and fix: %+v", what, ex)
	}
}

// Every hostile answer to a search and to a read is a typed error with a cause and a fix (or
// a success for odd but valid data), never a panic; the client keeps working afterwards, and
// no token ever reaches the other origin.
func TestHostileServerAnswers(t *testing.T) {
	h, c := hostileClient(t)
	if len(hostileWants) != len(hostile.Cases) {
		t.Fatalf("%d expectations for %d cases", len(hostileWants), len(hostile.Cases))
	}
	for _, cs := range hostile.Cases {
		t.Run(string(cs), func(t *testing.T) {
			w := hostileWants[cs]
			start := time.Now()
			_, err := c.Search(ctxT(t), string(cs), nil)
			checkHostile(t, "search", w[0], err)
			_, err = c.Read(ctxT(t), string(cs), "1")
			checkHostile(t, "read", w[1], err)
			if d := time.Since(start); d > hostile.EndlessFor/2 {
				t.Errorf("took %v: a body was read past the cap", d)
			}
			// The connection a hostile answer spoiled is not reused: the next search works.
			if p, err := c.Search(ctxT(t), "Patient", nil); err != nil || len(p.Entries) != 3 {
				t.Fatalf("the client is broken after %s: %v", cs, err)
			}
		})
	}
	if hits, auths := h.Other.Seen(); hits != 0 {
		t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
	}
}

// The client hands odd but valid data back unchanged (sanitising is the terminal's job) and
// refuses a next link to another origin without sending anything there.
func TestHostileDataAndForeignNextLink(t *testing.T) {
	h, c := hostileClient(t)
	body, err := c.Read(ctxT(t), string(hostile.Escapes), "1")
	if err != nil || string(body) != hostile.EvilPatient() {
		t.Fatalf("escapes read: %v\n%q", err, body)
	}
	p, err := c.Search(ctxT(t), string(hostile.LongLine), nil)
	if err != nil || len(p.Entries) != 1 || len(p.Entries[0]) < hostile.LongSize {
		t.Fatalf("long line: %v", err)
	}
	p, err = c.Search(ctxT(t), string(hostile.ForeignNext), nil)
	if err != nil || p.Mode != fhirclient.PagingLinks || !p.HasNext() || !strings.HasPrefix(p.Links["next"], h.Other.URL) {
		t.Fatalf("first page: %v %+v", err, p)
	}
	_, err = c.Next(ctxT(t), p)
	checkHostile(t, "next", wantOrigin, err)
	var oe *fhirclient.OriginError
	if errors.As(err, &oe); !strings.Contains(oe.Explain().Cause, strings.TrimPrefix(h.Other.URL, "http://")) ||
		!strings.Contains(oe.Explain().Cause, "nothing was sent") {
		t.Errorf("the refusal should name the other origin: %+v", oe.Explain())
	}
	pages := 0
	for p, err := range c.SearchIter(ctxT(t), string(hostile.ForeignNext), nil) {
		if p != nil {
			pages++
			continue
		}
		checkHostile(t, "iter", wantOrigin, err)
	}
	if pages != 1 {
		t.Errorf("SearchIter gave %d pages before the refusal", pages)
	}
	if hits, auths := h.Other.Seen(); hits != 0 {
		t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
	}
	// A redirect to the other origin is refused too; the log says so, and nowhere in the log
	// is the token.
	_, err = c.Get(ctxT(t), string(hostile.Redirect))
	checkHostile(t, "redirect", wantOrigin, err)
	tok, err := c.Token(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	refused := false
	for _, e := range c.Log().Entries() {
		refused = refused || strings.Contains(e.Err, "refusing to send the access token")
		if strings.Contains(fmt.Sprintf("%+v", e), tok.AccessToken[:16]) {
			t.Errorf("the token is in the request log: %+v", e)
		}
	}
	if !refused {
		t.Error("the refused redirect is not in the request log")
	}
	if hits, auths := h.Other.Seen(); hits != 0 {
		t.Fatalf("the other origin got %d requests (Authorization %q)", hits, auths)
	}
}

// A server trickling its answer a byte at a time is cut by the client's timeout, and by a
// cancelled context, with a NetworkError that says so; the client works afterwards.
func TestHostileTrickleEndsByTimeoutOrCancel(t *testing.T) {
	h, _ := hostileClient(t)
	rk, _ := testKeys(t)
	id, err := h.Sandbox.RegisterClient(fhirtest.ClientRegistration{Name: "trickle", Scopes: patientScopes, JWKS: jwksOf(t, rk), Enabled: true})
	if err != nil {
		t.Fatal(err)
	}
	c, err := fhirclient.New(h.FHIRBase(), fhirclient.WithCredentials(fhirclient.Credentials{ClientID: id, Signer: rk, KeyID: "k1"}),
		fhirclient.WithScopes(patientScopes), fhirclient.WithTimeout(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.CloseIdleConnections)
	if _, err := c.Token(ctxT(t)); err != nil { // the token is not what is timed here
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Search(ctxT(t), string(hostile.Trickle), nil)
	var ne *fhirclient.NetworkError
	if !errors.As(err, &ne) || !strings.Contains(ne.Explain().Cause, "did not answer in time") {
		t.Fatalf("timeout: %v (%T)", err, err)
	}
	if d := time.Since(start); d > hostile.EndlessFor/2 {
		t.Fatalf("the timeout took %v", d)
	}
	ctx, cancel := context.WithTimeout(ctxT(t), 300*time.Millisecond)
	defer cancel()
	_, err = c.Read(ctx, string(hostile.Trickle), "1")
	if !errors.As(err, &ne) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v (%T)", err, err)
	}
	if p, err := c.Search(ctxT(t), "Patient", nil); err != nil || len(p.Entries) != 3 {
		t.Fatalf("the client is broken after the trickle: %v", err)
	}
}
