// The flags and plumbing every subcommand shares: profile loading, client options, Ctrl-C,
// error printing and flag-parse exit codes.

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
	"time"

	"fhirscope/fhirclient"
	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

// connFlags are the flags every command that talks to a profile's server shares.
type connFlags struct {
	profile, caFile, trace string
	insecure               bool
	maxResponseMB          int64
	timeout                time.Duration
}

func (f *connFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "profile to use (default: the default profile)")
	fs.StringVar(&f.caFile, "ca-file", "", "extra PEM CA bundle to trust")
	fs.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification (DANGEROUS: anyone on the path can read the token)")
	fs.StringVar(&f.trace, "trace", "", "write every HTTP exchange (redacted) to FILE as JSON lines")
	registerLimitFlags(fs, &f.maxResponseMB, &f.timeout)
}

// registerLimitFlags adds the response size cap and the request timeout, which error
// explanations point at ("raise the response size limit (--max-response-mb)").
func registerLimitFlags(fs *flag.FlagSet, maxMB *int64, timeout *time.Duration) {
	fs.Int64Var(maxMB, "max-response-mb", fhirclient.DefaultMaxResponseBytes>>20, "refuse response bodies larger than this many MiB")
	fs.DurationVar(timeout, "timeout", fhirclient.DefaultTimeout, "give up on one HTTP exchange after this long")
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
	pc.opts = session.ClientOptions{CAFile: f.caFile, Insecure: f.insecure, MaxResponseBytes: f.maxResponseMB << 20, Timeout: f.timeout}
	if f.insecure || p.InsecureSkipVerify {
		fmt.Fprintln(stderr, "WARNING: TLS certificate verification is OFF; anyone on the network path can read the access token.")
	}
	if f.trace != "" {
		tf, err := openTrace(f.trace)
		if err != nil {
			return nil, err
		}
		pc.opts.Trace, pc.close = tf, func() { tf.Close() }
	}
	return pc, nil
}

// openTrace opens --trace FILE for appending JSON lines, private to the user (even redacted,
// the exchanges name patients' resources).
func openTrace(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("trace file: %w", err)
	}
	return f, nil
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

// flagExit maps a flag parse error to an exit code: --help is success, a bad flag is 2.
func flagExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 2
}

// flagGiven reports whether the flag name was set on the command line (not left at its default).
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}
