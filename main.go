// Command fhirscope is a terminal explorer for OpenEMR's FHIR API.
//
// main.go only parses flags and dispatches to subcommands; each subcommand's wiring lives in
// a cmd_*.go file beside it, and the work itself in the fhirclient, session and ui packages.
package main

import (
	"fmt"
	"io"
	"os"
	"sort"
)

// command is one subcommand: its one-line summary for `fhirscope help` and its entry point,
// which gets the arguments after the subcommand's name.
type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

// commands lists every subcommand. The TUI itself is the default when none is named.
var commands = map[string]command{
	"sandbox":  {"serve the OpenEMR-compatible sandbox server", runSandbox},
	"keygen":   {"generate a private key and print its public JWKS", runKeygen},
	"profile":  {"list, show, add, remove profiles; export a profile's public JWKS", runProfile},
	"open":     {"open a local JSON or NDJSON file in the explorer, offline", runOpen},
	"doctor":   {"check a profile's setup against its server, step by step", runDoctor},
	"register": {"register a profile's client with the server", runRegister},
	"token":    {"print a fresh access token for a profile", runToken},
	"get":      {"GET a FHIR path and print the JSON", runGet},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "help", "-h", "--help", "-help":
			usage(stdout)
			return 0
		case "version", "--version", "-version":
			fmt.Fprintln(stdout, "fhirscope", version)
			return 0
		}
		if c, ok := commands[args[0]]; ok {
			return c.run(args[1:], stdout, stderr)
		}
	}
	return runTUI(args, stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "fhirscope %s: a terminal explorer for OpenEMR's FHIR API\n\n", version)
	fmt.Fprintln(w, "Usage:\n  fhirscope [--profile P] [--demo] [flags]   start the explorer")
	fmt.Fprintln(w, "  fhirscope COMMAND [flags]                  run one command\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'fhirscope COMMAND --help' for a command's flags, 'fhirscope --help-tui' for the explorer's.")
}
