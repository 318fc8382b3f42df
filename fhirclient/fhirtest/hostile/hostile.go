// Package hostile is a real HTTP server on 127.0.0.1 that behaves like a broken or malicious
// FHIR server, for robustness tests of the client and the UI. It wraps the sandbox
// (fhirtest.NewHandler), so authentication, metadata and ordinary searches work as usual, and
// answers the paths named by a Case ({base}/{Case} for a search, {base}/{Case}/{id} for a
// read) with a hostile body. A second server, Other, stands for another origin and records
// every Authorization header it receives: it must receive none.
package hostile

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"

	"fhirscope/fhirclient/fhirtest"
)

// Case is a hostile answer, named like a resource type so that it can be searched and read.
type Case string

const (
	HTML200     Case = "HtmlPage"    // 200 with an HTML login page
	HTML502     Case = "HtmlGateway" // 502 with a proxy's HTML error page (holding escapes)
	Empty200    Case = "EmptyBody"   // 200 with no body at all
	PlainText   Case = "PlainText"   // 200 with a PHP fatal error as text
	BadUTF8     Case = "BadUtf"      // JSON whose strings hold invalid UTF-8
	Deep        Case = "DeepNest"    // JSON nested 100,000 deep
	Truncated   Case = "Truncated"   // JSON cut in the middle of a string
	Endless     Case = "Endless"     // a chunked body that never ends
	Huge        Case = "HugeBody"    // 50 MB with a Content-Length
	HugeChunked Case = "HugeChunked" // 50 MB without a Content-Length
	ForeignNext Case = "ForeignNext" // a searchset whose next and last links are on Other
	Redirect    Case = "Redirect"    // 302 to Other
	Escapes     Case = "Escapes"     // a Patient whose name and id hold terminal escapes
	RawEsc      Case = "RawEsc"      // a Patient with raw ESC bytes inside JSON strings
	LongLine    Case = "LongLine"    // a Patient with a 1 MB single-line string
	Outcome     Case = "OutcomeEvil" // 400 OperationOutcome whose diagnostics hold escapes
	WrongType   Case = "WrongType"   // a search answered with a Patient, not a Bundle
	BadHeader   Case = "BadHeader"   // a response header holding raw escapes (Go's client refuses it)
	NextBroken  Case = "NextBroken"  // a searchset whose next link (same origin) answers a 502 page
	Unicode     Case = "Unicode"     // names of combining marks, wide and zero-width characters, tabs
)

// Trickle is a search or read answered one byte every TrickleEvery, for up to EndlessFor: a
// client needs its timeout or a cancellation to get out. It is not in Cases, which all end
// at once.
const (
	Trickle      Case = "Trickle"
	TrickleEvery      = 50 * time.Millisecond
)

// Cases lists every case that ends at once.
var Cases = []Case{HTML200, HTML502, Empty200, PlainText, BadUTF8, Deep, Truncated, Endless,
	Huge, HugeChunked, ForeignNext, Redirect, Escapes, RawEsc, LongLine, Outcome, WrongType, BadHeader, NextBroken, Unicode}

// Hostile strings a server may put in any field.
const (
	OSC52      = "\x1b]52;c;ZXZpbA==\a" // writes the user's clipboard
	ClearEsc   = "\x1b[2J"              // clears the screen
	C1CSI      = "\u009b31m"            // an 8-bit CSI (C1 control)
	BidiRLO    = "\u202e"               // right-to-left override
	BadBytes   = "\xff\xfe\xc3"         // not UTF-8
	DeepLevels = 100_000
	HugeSize   = 50 << 20
	LongSize   = 1 << 20
	// ClientCap is the response size cap a hostile test gives its client: far under HugeSize
	// and the endless body, above LongSize (that resource must still open).
	ClientCap = 4 << 20
	// EndlessFor bounds the endless body in time, so a client that never stops reading
	// cannot hang the test: the body ends (and the test then fails on the size it got).
	EndlessFor = 20 * time.Second
)

// EvilFamily is the hostile Patient's family name as it appears in valid JSON: ESC and BEL
// as \u escapes, the C1 CSI and the bidi override as raw UTF-8 (JSON allows them raw).
const EvilFamily = `Doe\u001b]52;c;ZXZpbA==\u0007\u001b[2J` + C1CSI + BidiRLO + `Evil`

// EvilPatient is a Patient whose name, id, identifier and a display carry terminal escapes.
func EvilPatient() string {
	return `{"resourceType":"Patient","id":"evil\u001b[2J\u009b1m\u202e",` +
		`"identifier":[{"system":"urn:mrn","value":"MRN\u001b]52;c;ZXZpbA==\u0007"}],` +
		`"name":[{"family":"` + EvilFamily + `","given":["\u001b[2JJane\u202e\u009b0m"]}],` +
		`"gender":"female","birthDate":"1970-01-01",` +
		`"managingOrganization":{"reference":"HtmlPage/1","display":"\u001b]8;;http://evil/\u0007link"}}`
}

// UnicodePatient has text that is hard to measure: a letter under 300 combining marks, wide
// CJK and emoji (with zero-width joiners), zero-width spaces, tabs and newlines, soft hyphens,
// and a 5,000-character word without a space.
func UnicodePatient() string {
	zalgo := "Z" + strings.Repeat("\u0336\u0361", 150) + "algo"
	return `{"resourceType":"Patient","id":"unicode","name":[{"family":"` + zalgo + `","given":["山田太郎👩‍👩‍👧‍👦","zero\u200bwidth\u200d\ufeff","tab\there\nnewline\u00ad"]}],` +
		`"gender":"other","birthDate":"1970-01-01","identifier":[{"value":"` + strings.Repeat("W", 5000) + `"}]}`
}

// RawEscPatient writes the escapes as raw bytes inside JSON strings, which is not valid JSON
// but is what a careless or hostile server sends.
func RawEscPatient() string {
	return `{"resourceType":"Patient","id":"rawesc","name":[{"family":"Raw` + OSC52 + ClearEsc + `Esc"}],"gender":"male"}`
}

// Server is the hostile FHIR server; Sandbox is the wrapped sandbox (register clients there),
// Other the second origin.
type Server struct {
	*httptest.Server
	Sandbox *fhirtest.Server
	Other   *Recorder

	mu        sync.Mutex
	overrides map[string]http.HandlerFunc
}

// Override answers requests for path (e.g. "/apis/default/fhir/metadata") with h instead of
// the sandbox; a nil h restores the sandbox's answer.
func (s *Server) Override(path string, h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.overrides == nil {
		s.overrides = map[string]http.HandlerFunc{}
	}
	if h == nil {
		delete(s.overrides, path)
		return
	}
	s.overrides[path] = h
}

// Path is the path of u on this server (u: a URL under FHIRBase, AuthBase, ...).
func (s *Server) Path(u string) string { return strings.TrimPrefix(u, s.Server.URL) }

// Recorder is a server on another origin that records the requests it receives.
type Recorder struct {
	*httptest.Server
	mu    sync.Mutex
	hits  int
	auths []string
}

// Seen returns how many requests the recorder got and their Authorization headers.
func (r *Recorder) Seen() (hits int, auths []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits, append([]string(nil), r.auths...)
}

// NewRecorder starts a recorder answering with h, or, for a nil h, an empty searchset; the
// caller closes it.
func NewRecorder(h http.HandlerFunc) *Recorder {
	rec := &Recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.hits++
		rec.auths = append(rec.auths, r.Header.Get("Authorization"))
		rec.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/fhir+json")
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[]}`))
	}))
	return rec
}

// New starts the hostile server and the other origin; Close stops both.
func New(opts fhirtest.Options) *Server {
	s := &Server{Sandbox: fhirtest.NewHandler(opts), Other: NewRecorder(nil)}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	s.Sandbox.SetOrigin(s.Server.URL)
	return s
}

// Close stops both servers.
func (s *Server) Close() {
	s.Server.Close()
	s.Other.Close()
}

// FHIRBase is the FHIR base URL clients use.
func (s *Server) FHIRBase() string { return s.Sandbox.FHIRBase() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	h := s.overrides[r.URL.Path]
	s.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	base := strings.TrimPrefix(s.FHIRBase(), s.Server.URL)
	if rest, ok := strings.CutPrefix(r.URL.Path, base+"/"); ok {
		typ, id, _ := strings.Cut(rest, "/")
		if typ == string(Trickle) {
			s.trickle(w, r)
			return
		}
		for _, c := range Cases {
			if string(c) == typ {
				s.answer(w, r, c, id != "")
				return
			}
		}
	}
	s.Sandbox.ServeHTTP(w, r)
}

// answer writes c's hostile body; read says whether one resource was asked for.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, c Case, read bool) {
	h := w.Header()
	h.Set("Content-Type", "application/fhir+json")
	// Header values reach the request log's details: they are server strings too.
	// (Bytes >= 0x80 are legal in a header value; ESC is not: see BadHeader.)
	h.Set("X-Powered-By", "PHP"+BidiRLO+C1CSI+"7.4")
	wrap := func(resource string) string {
		if read {
			return resource
		}
		return `{"resourceType":"Bundle","type":"searchset","total":1,"entry":[{"resource":` + resource + `}]}`
	}
	switch c {
	case HTML200, HTML502:
		h.Set("Content-Type", "text/html; charset=utf-8")
		status := http.StatusOK
		if c == HTML502 {
			status = http.StatusBadGateway
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<!DOCTYPE html>\n<html><head><title>" + OSC52 + "Login</title></head><body>" + ClearEsc + "Please log in</body></html>"))
	case Empty200:
		h.Set("Content-Length", "0")
	case PlainText:
		h.Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("PHP Fatal error: Allowed memory size exhausted" + ClearEsc))
	case BadUTF8:
		_, _ = w.Write([]byte(wrap(`{"resourceType":"Patient","id":"badutf","name":[{"family":"Bad` + BadBytes + `Name","given":["` + BadBytes + `"]}],"gender":"other"}`)))
	case Deep:
		var b bytes.Buffer
		b.WriteString(`{"resourceType":"Patient","id":"deep","extension":`)
		b.Write(bytes.Repeat([]byte("["), DeepLevels))
		b.Write(bytes.Repeat([]byte("]"), DeepLevels))
		b.WriteString(`}`)
		_, _ = w.Write([]byte(wrap(b.String())))
	case Truncated:
		full := wrap(`{"resourceType":"Patient","id":"cut","name":[{"family":"Truncated"}]}`)
		_, _ = w.Write([]byte(full[:len(full)-12]))
	case Endless:
		s.endless(w, r)
	case Huge, HugeChunked:
		if c == Huge {
			h.Set("Content-Length", strconv.Itoa(HugeSize))
		}
		chunk := bytes.Repeat([]byte(" "), 64<<10)
		for n := 0; n < HugeSize; n += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	case ForeignNext:
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","total":40,` +
			`"link":[{"relation":"self","url":"` + s.FHIRBase() + `/ForeignNext"},{"relation":"next","url":"` + s.Other.URL + `/fhir/ForeignNext?page=2"},` +
			`{"relation":"last","url":"` + s.Other.URL + `/fhir/ForeignNext?page=40"}],` +
			`"entry":[{"resource":{"resourceType":"Patient","id":"p1","name":[{"family":"Firstpage"}]}}]}`))
	case Unicode:
		_, _ = w.Write([]byte(wrap(UnicodePatient())))
	case NextBroken:
		_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","total":40,` +
			`"link":[{"relation":"next","url":"` + s.FHIRBase() + `/HtmlGateway?page=2"}],` +
			`"entry":[{"resource":{"resourceType":"Patient","id":"p1","name":[{"family":"Firstpage"}]}}]}`))
	case Redirect:
		http.Redirect(w, r, s.Other.URL+"/fhir/Patient", http.StatusFound)
	case Escapes:
		_, _ = w.Write([]byte(wrap(EvilPatient())))
	case RawEsc:
		_, _ = w.Write([]byte(wrap(RawEscPatient())))
	case LongLine:
		_, _ = w.Write([]byte(wrap(`{"resourceType":"Patient","id":"long","name":[{"family":"Long"}],"text":{"status":"generated","div":"` +
			strings.Repeat("x", LongSize) + `"}}`)))
	case Outcome:
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","code":"invalid","diagnostics":"bad parameter\u001b]52;c;ZXZpbA==\u0007\u001b[2J` + BidiRLO + `"}]}`))
	case BadHeader:
		h.Set("X-Debug", "trace"+OSC52+ClearEsc)
		_, _ = w.Write([]byte(wrap(`{"resourceType":"Patient","id":"header"}`)))
	case WrongType:
		_, _ = w.Write([]byte(`{"resourceType":"Patient","id":"notabundle"}`))
	}
}

// endless writes bundle entries until the client goes away or EndlessFor has passed.
func (s *Server) endless(w http.ResponseWriter, r *http.Request) {
	_, _ = w.Write([]byte(`{"resourceType":"Bundle","type":"searchset","entry":[`))
	chunk := []byte(strings.Repeat(`{"resource":{"resourceType":"Patient","id":"again"}},`, 1000))
	stop := time.Now().Add(EndlessFor)
	for r.Context().Err() == nil && time.Now().Before(stop) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// trickle writes a bundle one byte at a time until the client goes away or EndlessFor passes.
func (s *Server) trickle(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/fhir+json")
	body := `{"resourceType":"Bundle","type":"searchset","entry":[` + strings.Repeat(` `, 1<<20)
	rc := http.NewResponseController(w)
	t := time.NewTicker(TrickleEvery)
	defer t.Stop()
	stop := time.After(EndlessFor)
	for i := 0; i < len(body); i++ {
		if _, err := w.Write([]byte{body[i]}); err != nil || rc.Flush() != nil {
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-stop:
			return
		case <-t.C:
		}
	}
}
