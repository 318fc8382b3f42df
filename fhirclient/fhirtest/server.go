package fhirtest

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Server is an OpenEMR-compatible sandbox. It implements http.Handler.
type Server struct {
	opts    Options
	data    *Dataset
	key     *rsa.PrivateKey
	keyID   string
	sysUser string // the "system user" uuid OpenEMR puts in access tokens' sub

	origin     atomic.Pointer[string]
	originSet  atomic.Bool
	linkOrigin atomic.Pointer[string]
	now        atomic.Pointer[func() time.Time]
	faults     faultState

	tokenRequests, requests, connections, authorized atomic.Int64
	latency                                          atomic.Int64 // time.Duration

	mu      sync.Mutex
	clients map[string]*client
	jtis    map[string]time.Time // used assertion jti values (global, like OpenEMR)
	exports map[string]*exportJob

	defMu    sync.Mutex
	defCache map[string]cachedDef
	idxMu    sync.Mutex
	idx      map[string]*paramIndex

	jwksHTTP *http.Client
	ts       *httptest.Server
	mux      *http.ServeMux
}

// NewHandler returns a sandbox that is not listening. Serve it with Start or Serve, or with
// any http.Server after calling SetOrigin (and wiring ConnState to count connections). The
// flavor may also be a version alias (see ParseFlavor); an unknown one panics.
func NewHandler(opts Options) *Server {
	fl, err := ParseFlavor(string(opts.Flavor))
	if err != nil {
		panic("fhirtest: " + err.Error()) // a programming error, like httptest's bad flags
	}
	opts.Flavor = fl
	if opts.Site == "" {
		opts.Site = "default"
	}
	opts.Webroot = strings.TrimRight(opts.Webroot, "/")
	if opts.Webroot != "" && !strings.HasPrefix(opts.Webroot, "/") {
		opts.Webroot = "/" + opts.Webroot
	}
	if opts.Patients == 0 {
		opts.Patients = 50
	}
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = 300 * time.Second
	}
	if opts.PageSize <= 0 {
		opts.PageSize = 20
	}
	data := opts.Data
	if data == nil {
		data = GenerateBasic(opts.Seed, opts.Patients)
	}
	key, kid := serverKey()
	s := &Server{
		opts:    opts,
		data:    data,
		key:     key,
		keyID:   kid,
		sysUser: NewRand(opts.Seed, 99).UUID(),
		clients: map[string]*client{},
		jtis:    map[string]time.Time{},
		exports: map[string]*exportJob{},
	}
	fallback := "http://127.0.0.1"
	s.origin.Store(&fallback) // until SetOrigin or Serve says where clients reach it
	s.SetNow(opts.Now)
	s.SetFaults(opts.Faults)
	s.SetLatency(opts.Latency)
	s.jwksHTTP = &http.Client{
		Timeout: 5 * time.Second,
		// OpenEMR's guzzle call does not follow redirects: the 3xx response itself is the set.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	s.routes()
	return s
}

// NewServer starts a sandbox on 127.0.0.1 on a free port, like httptest.NewServer.
func NewServer(opts Options) *Server {
	s := NewHandler(opts)
	ts := httptest.NewUnstartedServer(s)
	ts.Config.ConnState = s.ConnState
	if opts.TLS {
		ts.StartTLS()
	} else {
		ts.Start()
	}
	s.ts = ts
	s.SetOrigin(ts.URL)
	return s
}

// Serve accepts connections on l until it is closed, telling the server its origin from the
// listener's address unless SetOrigin was called.
func (s *Server) Serve(l net.Listener) error {
	if !s.originSet.Load() {
		s.SetOrigin("http://" + l.Addr().String())
	}
	return s.HTTPServer().Serve(l)
}

// Start sets the origin from l (unless SetOrigin was called), serves on l in the background
// and returns the http.Server, whose Shutdown stops it. Unlike `go s.Serve(l)`, URLs are
// right as soon as Start returns.
func (s *Server) Start(l net.Listener) *http.Server {
	if !s.originSet.Load() {
		s.SetOrigin("http://" + l.Addr().String())
	}
	hs := s.HTTPServer()
	go func() { _ = hs.Serve(l) }()
	return hs
}

// HTTPServer returns an http.Server for s with connection counting wired, for callers that
// want graceful Shutdown.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{Handler: s, ConnState: s.ConnState, ReadHeaderTimeout: 10 * time.Second}
}

// ConnState counts accepted connections; set it as http.Server.ConnState.
func (s *Server) ConnState(_ net.Conn, st http.ConnState) {
	if st == http.StateNew {
		s.connections.Add(1)
	}
}

// Certificate returns the TLS certificate of a server started by NewServer with TLS (nil
// otherwise).
func (s *Server) Certificate() *x509.Certificate {
	if s.ts == nil || s.ts.TLS == nil {
		return nil
	}
	return s.ts.Certificate()
}

// CertificatePEM returns Certificate as PEM, the content of a CA file that trusts the server.
func (s *Server) CertificatePEM() []byte {
	c := s.Certificate()
	if c == nil {
		return nil
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
}

// Close shuts a server started by NewServer down.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// SetOrigin tells the server the origin (scheme://host:port) clients reach it at; every URL in
// its bodies is built from it.
func (s *Server) SetOrigin(origin string) {
	o := strings.TrimRight(origin, "/")
	s.origin.Store(&o)
	s.originSet.Store(true)
}

// SetLatency changes the latency added to every request.
func (s *Server) SetLatency(d time.Duration) { s.latency.Store(int64(d)) }

// SetNow replaces the server clock (nil restores time.Now).
func (s *Server) SetNow(now func() time.Time) {
	if now == nil {
		now = time.Now
	}
	s.now.Store(&now)
}

func (s *Server) clock() time.Time { return (*s.now.Load())() }

// Flavor returns the flavor the server behaves as.
func (s *Server) Flavor() Flavor { return s.opts.Flavor }

// Data returns the served dataset.
func (s *Server) Data() *Dataset { return s.data }

// URL returns the origin, e.g. http://127.0.0.1:PORT.
func (s *Server) URL() string { return *s.origin.Load() }

// FHIRBase returns {origin}{webroot}/apis/{site}/fhir.
func (s *Server) FHIRBase() string {
	return s.URL() + s.opts.Webroot + "/apis/" + s.opts.Site + "/fhir"
}

// AuthBase returns {origin}{webroot}/oauth2/{site}.
func (s *Server) AuthBase() string { return s.URL() + s.opts.Webroot + "/oauth2/" + s.opts.Site }

// TokenURL returns the token endpoint, the only audience assertions may carry.
func (s *Server) TokenURL() string { return s.AuthBase() + "/token" }

// Counters returns a snapshot of the request counters.
func (s *Server) Counters() Counters {
	return Counters{
		TokenRequests: s.tokenRequests.Load(),
		Requests:      s.requests.Load(),
		Connections:   s.connections.Load(),

		AuthorizedRequests: s.authorized.Load(),
	}
}

// ResetCounters zeroes the counters (e.g. after a benchmark's warm-up).
func (s *Server) ResetCounters() {
	s.tokenRequests.Store(0)
	s.requests.Store(0)
	s.connections.Store(0)
	s.authorized.Store(0)
}

func (s *Server) systemScopesEnabled() bool {
	return s.opts.SystemScopes == nil || *s.opts.SystemScopes
}

// ServeHTTP counts, delays and maybe faults the request, then routes it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	// The Date header tells the server's clock, as a real server's does: clients (the doctor)
	// compare it with their own to find clock skew, so it follows SetNow.
	w.Header().Set("Date", s.clock().UTC().Format(http.TimeFormat))
	if r.Header.Get("Authorization") != "" {
		s.authorized.Add(1)
	}
	if d := time.Duration(s.latency.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if s.injectFault(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) routes() {
	m := http.NewServeMux()
	wr := s.opts.Webroot
	m.HandleFunc(wr+"/oauth2/{site}/{rest...}", s.siteGuard(s.serveOAuth))
	m.HandleFunc(wr+"/apis/{site}/fhir", s.siteGuard(s.serveFHIR))
	m.HandleFunc(wr+"/apis/{site}/fhir/{rest...}", s.siteGuard(s.serveFHIR))
	m.HandleFunc(wr+"/apis/{site}/{rest...}", s.siteGuard(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
	}))
	m.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte("<!DOCTYPE html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1></body></html>\n"))
	})
	s.mux = m
}

// siteGuard answers OpenEMR's empty 400 when the site segment is not the configured site
// (a base URL missing /{site} lands here with "fhir" as the site).
func (s *Server) siteGuard(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("site") != s.opts.Site {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		h(w, r)
	}
}

func (s *Server) serveOAuth(w http.ResponseWriter, r *http.Request) {
	switch rest := r.PathValue("rest"); {
	case rest == "token":
		s.handleToken(w, r)
	case rest == "registration":
		s.handleRegistration(w, r)
	case rest == "jwk":
		s.handleJWK(w, r)
	case rest == "introspect":
		s.handleIntrospect(w, r)
	case rest == ".well-known/openid-configuration":
		s.handleOpenIDConfig(w, r)
	case rest == "authorize":
		writeLeague(w, http.StatusBadRequest, "unsupported_response_type",
			"The authorization server does not support obtaining an authorization code using this method.",
			"Backend services use the client_credentials grant at the token endpoint")
	default:
		writeLeague(w, http.StatusNotFound, "invalid_request", "Not found", "")
	}
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
