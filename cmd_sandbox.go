package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"fhirscope/fhirclient/fhirtest"
)

// lazyAbove is the patient count above which clinical data is generated on demand.
const lazyAbove = 2000

// sandboxInfo is what --write-info writes (CI and scripts read these exact keys).
type sandboxInfo struct {
	FHIRBase       string `json:"fhir_base"`
	TokenURL       string `json:"token_url"`
	ClientID       string `json:"client_id"`
	PrivateKeyFile string `json:"private_key_file"`
	Flavor         string `json:"flavor"`
	Scopes         string `json:"scopes"`
	CAFile         string `json:"ca_file,omitempty"`
}

// runSandbox serves the OpenEMR-compatible sandbox standalone with a ready demo client, until
// Ctrl-C or SIGTERM; then it stops and removes the demo client's key directory.
func runSandbox(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sandbox", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8300", "listen address (port 0 picks a free port)")
	flavor := fs.String("flavor", string(fhirtest.Flavor704), "server behaviour: openemr-7.0.4, openemr-7.0.2 or paged")
	patients := fs.Int("patients", 250, "number of synthetic patients")
	seed := fs.Int64("seed", 1, "seed of the synthetic data (same seed, same data)")
	infoFile := fs.String("write-info", "", "write fhir_base, token_url, client_id, private_key_file as JSON to `FILE`")
	lifetime := fs.Duration("token-lifetime", 300*time.Second, "access token lifetime")
	latency := fs.Duration("latency", 0, "added latency per request")
	quiet := fs.Bool("quiet", false, "do not log token failures' real reasons to stderr")
	logRequests := fs.Bool("log-requests", false, "log every request (method, path, status, time) to stderr")
	autoEnable := fs.Bool("auto-enable", false, "enable clients registered over HTTP at once (OpenEMR waits for an admin)")
	noSystem := fs.Bool("no-system-scopes", false, "act as if the admin never enabled system scopes (rest_system_scopes_api)")
	dataKind := fs.String("data", "clinical", "synthetic data: clinical (patients with histories; generated on demand above 2000 patients), lazy (always on demand) or basic (patients, practitioners, organizations only)")
	useTLS := fs.Bool("tls", false, "serve HTTPS with a fresh self-signed certificate (its CA file is written beside the key)")
	site := fs.String("site", "default", "OpenEMR site name in the URLs")
	webroot := fs.String("webroot", "", "OpenEMR webroot prefix in the URLs, e.g. /openemr")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirscope sandbox [flags]\n\nServes an OpenEMR-compatible FHIR server with synthetic data and a ready demo client.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	fl, err := fhirtest.ParseFlavor(*flavor)
	if err != nil {
		fmt.Fprintln(stderr, "fhirscope sandbox:", err)
		return 2
	}
	if *patients < 1 || *patients > 100_000 {
		fmt.Fprintln(stderr, "fhirscope sandbox: --patients must be between 1 and 100000")
		return 2
	}
	if *dataKind != "clinical" && *dataKind != "lazy" && *dataKind != "basic" {
		fmt.Fprintf(stderr, "fhirscope sandbox: --data must be clinical, lazy or basic, not %q\n", *dataKind)
		return 2
	}
	if *dataKind == "clinical" && *patients > lazyAbove {
		*dataKind = "lazy" // materialised, 100,000 patients would need ~11 GB
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once, even while a big dataset is being generated
	}()
	if err := serveSandbox(ctx, sandboxConfig{
		addr: *addr, flavor: fl, patients: *patients, seed: *seed, infoFile: *infoFile,
		lifetime: *lifetime, latency: *latency, quiet: *quiet, logRequests: *logRequests,
		autoEnable: *autoEnable, noSystemScopes: *noSystem, site: *site, webroot: *webroot, data: *dataKind,
		tls: *useTLS,
	}, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "fhirscope sandbox:", err)
		return 1
	}
	return 0
}

type sandboxConfig struct {
	addr              string
	flavor            fhirtest.Flavor
	patients          int
	seed              int64
	infoFile          string
	lifetime, latency time.Duration
	quiet             bool
	logRequests       bool
	autoEnable        bool
	noSystemScopes    bool
	site, webroot     string
	data              string // clinical, lazy or basic
	tls               bool
}

func serveSandbox(ctx context.Context, cfg sandboxConfig, stdout, stderr io.Writer) error {
	opts := fhirtest.Options{
		Flavor: cfg.flavor, Seed: cfg.seed, Patients: cfg.patients,
		TokenLifetime: cfg.lifetime, Latency: cfg.latency,
	}
	switch cfg.data {
	case "basic":
		opts.Data = fhirtest.GenerateBasic(cfg.seed, cfg.patients)
	case "lazy":
		opts.Data = fhirtest.NewLazyClinical(fhirtest.ClinicalConfig{Seed: cfg.seed, Patients: cfg.patients})
	default:
		opts.Data = fhirtest.GenerateClinical(fhirtest.ClinicalConfig{Seed: cfg.seed, Patients: cfg.patients})
	}
	if ctx.Err() != nil { // Ctrl-C while generating
		return nil
	}
	if !cfg.quiet {
		opts.Log = func(format string, args ...any) { fmt.Fprintf(stderr, "sandbox: "+format+"\n", args...) }
	}
	if cfg.noSystemScopes {
		off := false
		opts.SystemScopes = &off
	}
	opts.Site, opts.Webroot, opts.AutoEnable = cfg.site, cfg.webroot, cfg.autoEnable
	demoReady := make(chan struct{})
	opts.OnRegister = func(id, name string, enabled bool) {
		select {
		case <-demoReady: // the demo client's own registration is reported below
		default:
			return
		}
		state := "DISABLED until an admin enables it (restart with --auto-enable to skip that step)"
		if enabled {
			state = "enabled (--auto-enable)"
		}
		fmt.Fprintf(stdout, "registered client %q: %s, %s\n", name, id, state)
	}
	srv := fhirtest.NewHandler(opts)
	dir, err := os.MkdirTemp("", "fhirscope-sandbox-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	l, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	scheme, caFile := "http", ""
	var caPEM []byte
	if cfg.tls {
		var pair tls.Certificate
		pair, caPEM, err = fhirtest.SelfSignedCert()
		if err != nil {
			l.Close()
			return err
		}
		caFile = filepath.Join(dir, "ca.pem")
		if err := os.WriteFile(caFile, caPEM, 0o644); err != nil {
			l.Close()
			return err
		}
		l = tls.NewListener(l, &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12})
		scheme = "https"
	}
	srv.SetOrigin(scheme + "://" + l.Addr().String())
	hs := srv.HTTPServer()
	if cfg.logRequests {
		hs.Handler = logRequests(srv, stderr)
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(l) }()
	defer func() {
		// The key goes first: an in-flight request (a huge search) must not keep it on disk.
		os.RemoveAll(dir)
		shutCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if hs.Shutdown(shutCtx) != nil {
			hs.Close()
		}
	}()

	info, err := demoClient(ctx, srv, dir, caFile, caPEM)
	if err != nil {
		return err
	}
	kind := map[string]string{"basic": "basic", "lazy": "clinical, generated on demand", "clinical": "clinical"}[cfg.data]
	if kind == "" {
		kind = "clinical"
	}
	fmt.Fprintf(stdout, "fhirscope sandbox (%s, %d patients, %s data, seed %d): synthetic data only\n", cfg.flavor, cfg.patients, kind, cfg.seed)
	fmt.Fprintf(stdout, "  FHIR base:   %s\n  token URL:   %s\n  client ID:   %s\n  private key: %s (RS384, PKCS#8 PEM)\n",
		info.FHIRBase, info.TokenURL, info.ClientID, info.PrivateKeyFile)
	if caFile != "" {
		fmt.Fprintf(stdout, "  CA file:     %s (self-signed; e.g. REQUESTS_CA_BUNDLE=%s for Python)\n", caFile, caFile)
	}
	if cfg.noSystemScopes {
		fmt.Fprintln(stdout, "System scopes are disabled (--no-system-scopes): requests for system/... scopes answer invalid_scope.")
	}
	fmt.Fprintln(stdout, "The demo client is registered and enabled. Ctrl-C stops the server and deletes the key.")
	close(demoReady)
	if cfg.infoFile != "" {
		if err := writeInfoFile(cfg.infoFile, info); err != nil {
			return err
		}
	}
	select {
	case <-ctx.Done():
		fmt.Fprintln(stdout, "stopping")
		return nil
	case err := <-served:
		return err
	}
}

// demoClient makes a key pair, registers the client through the registration endpoint over
// HTTP (the same request a user would make to OpenEMR), enables it (the admin's step) and
// writes the private key under dir with mode 0600. caPEM (the content of caFile) is the
// certificate to trust when the sandbox serves HTTPS.
func demoClient(ctx context.Context, srv *fhirtest.Server, dir, caFile string, caPEM []byte) (sandboxInfo, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return sandboxInfo{}, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return sandboxInfo{}, err
	}
	keyFile := filepath.Join(dir, "demo-client-key.pem")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		return sandboxInfo{}, err
	}
	scopes := srv.SystemReadScopes()
	regCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	hc := &http.Client{Timeout: 10 * time.Second}
	if caPEM != nil {
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(caPEM)
		hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	id, err := srv.RegisterOverHTTP(regCtx, hc, "fhirscope sandbox demo client", scopes, &key.PublicKey)
	if err != nil {
		return sandboxInfo{}, err
	}
	if err := srv.Enable(id); err != nil {
		return sandboxInfo{}, err
	}
	return sandboxInfo{
		FHIRBase: srv.FHIRBase(), TokenURL: srv.TokenURL(), ClientID: id, PrivateKeyFile: keyFile,
		Flavor: string(srv.Flavor()), Scopes: strings.Join(scopes, " "), CAFile: caFile,
	}, nil
}

// writeInfoFile writes the info atomically (temp file + rename) so a poller never reads half.
func writeInfoFile(path string, info sandboxInfo) error {
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// logRequests logs one line per request: never headers or bodies, so tokens and assertions
// stay out of the log.
func logRequests(h http.Handler, w io.Writer) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: rw, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(w, "%s %s %s -> %d (%d bytes, %s)\n", start.Format("15:04:05.000"), r.Method, r.URL.RequestURI(),
			rec.status, rec.bytes, time.Since(start).Round(time.Microsecond))
	})
}

// statusRecorder remembers the status and size; Unwrap keeps Hijack (dropped-connection
// faults) and Flush reachable through http.ResponseController.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }
