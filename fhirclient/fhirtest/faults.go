package fhirtest

import (
	"bytes"
	"net/http"
	"strings"
	"sync"
	"time"
)

// FaultKind is a kind of injected failure.
type FaultKind int

const (
	// FaultStatus answers Status (default 500) with a league-style JSON error body.
	FaultStatus FaultKind = iota
	// FaultHTML answers Status (default 502) with an HTML error page, as a proxy in front of
	// OpenEMR (or PHP's fatal error page) would.
	FaultHTML
	// FaultDrop closes the TCP connection without answering.
	FaultDrop
	// FaultEmpty answers Status (default 500) with an empty body.
	FaultEmpty
	// FaultDelay waits Delay and then serves the request normally.
	FaultDelay
	// FaultBody answers Status (default 200) with Body as ContentType (default
	// application/json): hostile payloads such as invalid UTF-8, deep nesting or terminal
	// escapes in an OperationOutcome.
	FaultBody
	// FaultEndless answers 200 with a bundle that never ends, until the client hangs up: for
	// response size caps and cancellation.
	FaultEndless
)

// FaultRule injects one kind of failure into requests whose URL path starts with PathPrefix
// (relative to the origin, e.g. "/oauth2/default/token" or "/apis/default/fhir/Patient";
// empty matches everything) and, if Method is set, use that method.
type FaultRule struct {
	PathPrefix string
	Method     string
	Kind       FaultKind
	Status     int
	Delay      time.Duration
	Skip       int // let this many matching requests through first
	Count      int // then fault this many (0: every later matching request)
	Every      int // fault only every Nth matching request after Skip (0 or 1: each one); a rate

	Body        []byte // FaultBody's body
	ContentType string // FaultBody's content type
}

// FaultConfig is the set of rules; the first rule that fires wins.
type FaultConfig struct {
	Rules []FaultRule
}

type faultState struct {
	mu    sync.Mutex
	rules []FaultRule
	seen  []int // matching requests seen per rule
}

// SetFaults replaces the fault rules and resets their counts.
func (s *Server) SetFaults(fc FaultConfig) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.rules = append([]FaultRule(nil), fc.Rules...)
	s.faults.seen = make([]int, len(fc.Rules))
}

// pickFault returns the rule to apply to r, if any, counting r against every matching rule.
func (s *Server) pickFault(r *http.Request) (FaultRule, bool) {
	f := &s.faults
	f.mu.Lock()
	defer f.mu.Unlock()
	var fired FaultRule
	found := false
	for i, rule := range f.rules {
		if !strings.HasPrefix(r.URL.Path, rule.PathPrefix) || (rule.Method != "" && rule.Method != r.Method) {
			continue
		}
		n := f.seen[i]
		f.seen[i]++
		if found || n < rule.Skip {
			continue
		}
		k := n - rule.Skip // index among the requests eligible for this rule
		if rule.Every > 1 {
			if k%rule.Every != rule.Every-1 {
				continue
			}
			k /= rule.Every // Count counts faults, not requests
		}
		if rule.Count > 0 && k >= rule.Count {
			continue
		}
		fired, found = rule, true
	}
	return fired, found
}

// injectFault applies a fault to the request and reports whether the response is done.
func (s *Server) injectFault(w http.ResponseWriter, r *http.Request) bool {
	rule, ok := s.pickFault(r)
	if !ok {
		return false
	}
	status := rule.Status
	switch rule.Kind {
	case FaultDelay:
		sleepCtx(r.Context(), rule.Delay)
		return false
	case FaultDrop:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		// HTTP/2 or a wrapped writer: abort the handler, which resets the stream.
		panic(http.ErrAbortHandler)
	case FaultHTML:
		if status == 0 {
			status = http.StatusBadGateway
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html>\r\n<head><title>" + http.StatusText(status) + "</title></head>\r\n" +
			"<body>\r\n<center><h1>" + http.StatusText(status) + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"))
	case FaultBody:
		ct := rule.ContentType
		if ct == "" {
			ct = "application/json"
		}
		if status == 0 {
			status = http.StatusOK
		}
		w.Header().Set("Content-Type", ct)
		w.WriteHeader(status)
		_, _ = w.Write(rule.Body)
	case FaultEndless:
		writeEndless(w, r)
	case FaultEmpty:
		if status == 0 {
			status = http.StatusInternalServerError
		}
		w.WriteHeader(status)
	default:
		if status == 0 {
			status = http.StatusInternalServerError
		}
		writeLeague(w, status, "server_error",
			"The authorization server encountered an unexpected condition which prevented it from fulfilling the request.",
			"injected fault")
	}
	return true
}

// writeEndless streams a Bundle whose entries never stop, until the client goes away.
func writeEndless(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(`{"resourceType":"Bundle","type":"collection","entry":[`)); err != nil {
		return
	}
	entry := []byte(`{"resource":{"resourceType":"Patient","id":"endless","name":[{"family":"Endless","given":["Stream"]}]}},`)
	chunk := bytes.Repeat(entry, 256)
	for r.Context().Err() == nil {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}
