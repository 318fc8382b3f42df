package main

import (
	"flag"
	"fmt"
	"io"

	"fhirscope/fhirclient/doctor"
	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

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
