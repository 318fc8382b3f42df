package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/doctor"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// DemoOptions configure `fhirscope --demo`.
type DemoOptions struct {
	Flavor   fhirtest.Flavor // default openemr-7.0.4
	Patients int             // default fhirtest.DefaultClinicalPatients
	Seed     int64
	Log      *fhirclient.RequestLog
	Trace    io.Writer
	// Latency is added to every sandbox request (to show spinners and cancelling).
	Latency time.Duration
}

// Demo is the in-process sandbox behind --demo: it exists only in memory (an ephemeral key,
// a sandbox on 127.0.0.1 on a free port) and writes nothing to the keyring, the config or
// the disk. Its Connection's Prepare steps do the setup on the connect screen, so the user
// sees each step a real OpenEMR setup takes.
type Demo struct {
	opts DemoOptions

	mu     sync.Mutex
	srv    *fhirtest.Server
	lis    net.Listener
	http   *http.Server
	key    *session.Key
	scopes []string
	id     string
}

// NewDemo prepares a demo; nothing runs until its connection's steps do.
func NewDemo(opts DemoOptions) *Demo {
	if opts.Flavor == "" {
		opts.Flavor = fhirtest.Flavor704
	}
	if opts.Patients <= 0 {
		opts.Patients = fhirtest.DefaultClinicalPatients
	}
	return &Demo{opts: opts}
}

// Server is the running sandbox (nil before the first step ran).
func (d *Demo) Server() *fhirtest.Server {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.srv
}

// Close stops the sandbox. Safe to call at any time, more than once.
func (d *Demo) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.stopLocked()
}

// stopLocked stops the sandbox's listener and connections; d.mu is held.
func (d *Demo) stopLocked() {
	if d.http != nil {
		_ = d.http.Close()
		d.http = nil
	}
}

// Connection is the demo as the connect screen runs it.
func (d *Demo) Connection() *Connection {
	return &Connection{
		Profile: "demo",
		Prepare: []Step{
			{Title: "Start the sandbox (in memory, 127.0.0.1)", Run: d.start},
			{Title: "Generate an ephemeral RS384 key", Run: d.generateKey},
			{Title: "Register the client (POST /registration)", Run: d.register},
			{Title: "Enable the client (the admin's step)", Run: d.enable},
		},
		Notes: []string{
			"DEMO: synthetic data on an OpenEMR-compatible sandbox. Nothing is written to the keyring, the config or the disk.",
			"\"Enable the client\" stands for what an OpenEMR admin does under Admin > System > API Clients: a newly registered client is disabled until then.",
			"Try: enter, pick Patient, then o on a patient for the patient overview (vitals, conditions, medications, allergies...).",
		},
	}
}

func (d *Demo) start(ctx context.Context, _ *Connection) (string, error) {
	// Generated on demand (fhirtest.NewLazyClinical): 100,000 patients start as fast as 250.
	data := fhirtest.NewLazyClinical(fhirtest.ClinicalConfig{Seed: d.opts.Seed, Patients: d.opts.Patients})
	if err := ctx.Err(); err != nil {
		return "", err
	}
	srv := fhirtest.NewHandler(fhirtest.Options{Flavor: d.opts.Flavor, Data: data, Seed: d.opts.Seed, Latency: d.opts.Latency})
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("start the demo sandbox: %w", err)
	}
	srv.SetOrigin("http://" + lis.Addr().String())
	hs := srv.HTTPServer()
	d.mu.Lock()
	d.stopLocked() // a retried start step replaces the previous sandbox
	d.srv, d.lis, d.http = srv, lis, hs
	d.mu.Unlock()
	go func() { _ = hs.Serve(lis) }()
	return fmt.Sprintf("%s on %s · %d patients", d.opts.Flavor, lis.Addr(), d.opts.Patients), nil
}

func (d *Demo) generateKey(context.Context, *Connection) (string, error) {
	key, err := session.GenerateKey(session.AlgRS384, 2048)
	if err != nil {
		return "", err
	}
	d.mu.Lock()
	d.key = key
	d.mu.Unlock()
	return fmt.Sprintf("RSA %d bits · kid %.16s… · kept in memory only", key.Bits(), key.KeyID), nil
}

// register sends the same registration request a user would send to a real OpenEMR: the
// public JWKS (no private members) and the system read scopes for every served type.
func (d *Demo) register(ctx context.Context, _ *Connection) (string, error) {
	d.mu.Lock()
	srv, key := d.srv, d.key
	d.mu.Unlock()
	if srv == nil || key == nil {
		return "", errors.New("the sandbox or the key is missing: run the earlier steps first")
	}
	jwks, err := key.PublicJWKS()
	if err != nil {
		return "", err
	}
	scopes := srv.SystemReadScopes()
	// fhirclient.Register: discovery finds the registration endpoint, as for a real OpenEMR.
	var opts []fhirclient.Option
	if d.opts.Log != nil {
		opts = append(opts, fhirclient.WithRequestLog(d.opts.Log))
	}
	rc, err := fhirclient.New(srv.FHIRBase(), opts...)
	if err != nil {
		return "", err
	}
	reg, err := rc.Register(ctx, fhirclient.RegistrationRequest{ClientName: "fhirscope demo", Scopes: scopes, JWKS: jwks})
	if err != nil {
		return "", err
	}
	d.mu.Lock()
	d.id, d.scopes = reg.ClientID, scopes
	d.mu.Unlock()
	return fmt.Sprintf("client_id %.20s… · %d scopes · disabled until enabled", reg.ClientID, len(scopes)), nil
}

// enable performs the admin step and builds the FHIR client the rest of the connection uses.
func (d *Demo) enable(_ context.Context, conn *Connection) (string, error) {
	d.mu.Lock()
	srv, key, id, scopes := d.srv, d.key, d.id, d.scopes
	d.mu.Unlock()
	if id == "" {
		return "", errors.New("no client registered: run the earlier steps first")
	}
	if err := srv.Enable(id); err != nil {
		return "", err
	}
	cred := fhirclient.Credentials{ClientID: id, Signer: key.Signer, Alg: key.Alg, KeyID: key.KeyID}
	opts := []fhirclient.Option{fhirclient.WithCredentials(cred), fhirclient.WithScopes(scopes)}
	if d.opts.Log != nil {
		opts = append(opts, fhirclient.WithRequestLog(d.opts.Log))
	}
	if d.opts.Trace != nil {
		opts = append(opts, fhirclient.WithTrace(d.opts.Trace))
	}
	client, err := fhirclient.New(srv.FHIRBase(), opts...)
	if err != nil {
		return "", err
	}
	conn.Client, conn.Cred = client, cred
	// The palette's "Run the doctor" checks this setup like any profile's.
	conn.Doctor = &doctor.Config{Profile: "demo", BaseURL: srv.FHIRBase(), ClientID: id, Scopes: scopes,
		Key: key.Signer, Alg: key.Alg, KeyID: key.KeyID}
	return "enabled, as under Admin > System > API Clients", nil
}
