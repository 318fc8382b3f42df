package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/doctor"
	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

// connFlags are the flags every command that talks to a profile's server shares.
type connFlags struct {
	profile, caFile, trace string
	insecure               bool
}

func (f *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "profile to use (default: the default profile)")
	fs.StringVar(&f.caFile, "ca-file", "", "extra PEM CA bundle to trust")
	fs.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification (DANGEROUS: anyone on the path can read the token)")
	fs.StringVar(&f.trace, "trace", "", "write every HTTP exchange (redacted) to FILE as JSON lines")
}

// profileContext is a loaded profile with what commands need around it.
type profileContext struct {
	store   *session.Store
	profile session.Profile
	opts    session.ClientOptions
	close   func()
}

// openProfile loads the named (or default) profile and the client options from the flags.
func (f *connFlags) openProfile(stderr io.Writer) (*profileContext, error) {
	store, err := session.OpenDefaultStore()
	if err != nil {
		return nil, err
	}
	var p session.Profile
	if f.profile != "" {
		p, err = store.Get(f.profile)
	} else {
		p, err = store.Default()
	}
	if err != nil {
		return nil, err
	}
	pc := &profileContext{store: store, profile: p, close: func() {}}
	pc.opts = session.ClientOptions{CAFile: f.caFile, Insecure: f.insecure}
	if f.insecure || p.InsecureSkipVerify {
		fmt.Fprintln(stderr, "WARNING: TLS certificate verification is OFF; anyone on the network path can read the access token.")
	}
	if f.trace != "" {
		tf, err := os.OpenFile(f.trace, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
		if err != nil {
			return nil, fmt.Errorf("trace file: %w", err)
		}
		pc.opts.Trace, pc.close = tf, func() { tf.Close() }
	}
	return pc, nil
}

// commandContext is cancelled by Ctrl-C, so a slow server never traps the user.
func commandContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt)
}

// printError writes err with its cause and fix (sanitised: server text may be in it).
func printError(stderr io.Writer, cmd string, err error) {
	fmt.Fprintf(stderr, "%s: %s\n", cmd, termsafe.String(err.Error()))
	if ex, ok := fhirclient.Explain(err); ok {
		fmt.Fprintf(stderr, "  cause: %s\n", termsafe.String(ex.Cause))
		for i, fix := range strings.Split(ex.Fix, "\n") {
			label := "fix:"
			if i > 0 {
				label = "or: "
			}
			if fix != "" {
				fmt.Fprintf(stderr, "  %s  %s\n", label, termsafe.String(fix))
			}
		}
	}
}

func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// runDoctor wires `fhirscope doctor`: every setup check, in order, exit 1 when any fails.
func runDoctor(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("doctor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf connFlags
	cf.register(fs)
	asJSON := fs.Bool("json", false, "print a machine-readable JSON report")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirscope doctor [--profile P] [--json]\n\nChecks a profile's setup against its server step by step (server, discovery, key, published JWKS,\nassertion, token, scopes, access per type, token claims); exits 1 when any check fails.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	pc, err := cf.openProfile(stderr)
	if err != nil {
		printError(stderr, "doctor", err)
		return 1
	}
	defer pc.close()
	ctx, cancel := commandContext()
	defer cancel()
	report := doctor.Run(ctx, doctorConfig(pc), nil)
	if *asJSON {
		if err := doctor.WriteJSON(stdout, report); err != nil {
			return 1
		}
	} else {
		fmt.Fprintf(stdout, "fhirscope doctor: profile %s, %s\n", termsafe.String(pc.profile.Name), termsafe.String(pc.profile.BaseURL))
		doctor.WriteText(stdout, report, termsafe.String)
	}
	if report.Failed() {
		return 1
	}
	return 0
}

// doctorConfig gathers the profile's settings and its key (or why it did not load).
func doctorConfig(pc *profileContext) doctor.Config {
	return session.ProfileDoctorConfig(pc.profile, pc.store.Secrets(), pc.opts)
}
