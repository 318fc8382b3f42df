package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
	"fhirscope/ui"
)

// tuiFlags are the explorer's flags (`fhirscope --help-tui` lists them with the keys).
type tuiFlags struct {
	profile    string
	demo       bool
	demoFlavor string
	patients   int
	caFile     string
	// maxResponseMB and timeout bound every exchange (see registerLimitFlags).
	maxResponseMB int64
	timeout       time.Duration
	insecure      bool
	noMouse       bool
	trace         string
	helpTUI       bool
}

func newTUIFlagSet(f *tuiFlags, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("fhirscope", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.profile, "profile", "", "profile to open (default: the default profile)")
	fs.BoolVar(&f.demo, "demo", false, "run against an in-memory OpenEMR-compatible sandbox with synthetic data")
	fs.StringVar(&f.demoFlavor, "demo-flavor", string(fhirtest.Flavor704), "sandbox flavor for --demo: "+flavorList())
	fs.IntVar(&f.patients, "patients", fhirtest.DefaultClinicalPatients, "synthetic patients for --demo (up to 100000)")
	fs.StringVar(&f.caFile, "ca-file", "", "extra PEM CA bundle to trust for TLS")
	registerLimitFlags(fs, &f.maxResponseMB, &f.timeout)
	fs.BoolVar(&f.insecure, "insecure", false, "skip TLS certificate verification (shows a warning banner)")
	fs.BoolVar(&f.noMouse, "no-mouse", false, "leave the mouse to the terminal (text selection works; no wheel scrolling)")
	fs.StringVar(&f.trace, "trace", "", "append every HTTP exchange (redacted) to `FILE` as JSON lines")
	fs.BoolVar(&f.helpTUI, "help-tui", false, "show the explorer's flags and keys")
	return fs
}

func flavorList() string {
	var s []string
	for _, f := range fhirtest.Flavors {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}

// runTUI starts the explorer: `fhirscope [--profile P | --demo] [flags]`.
func runTUI(args []string, stdout, stderr io.Writer) int {
	var f tuiFlags
	fs := newTUIFlagSet(&f, stderr)
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fhirscope: unknown command %q (see fhirscope help)\n", fs.Arg(0))
		return 2
	}
	if f.helpTUI {
		printTUIHelp(stdout, fs)
		return 0
	}
	if f.demo && f.profile != "" {
		fmt.Fprintln(stderr, "fhirscope: --demo and --profile do not go together: the demo has its own server and client")
		return 2
	}
	if !validFlavor(f.demoFlavor) {
		fmt.Fprintf(stderr, "fhirscope: --demo-flavor %q: want one of %s\n", f.demoFlavor, flavorList())
		return 2
	}
	if f.patients < 1 || f.patients > fhirtest.MaxClinicalPatients {
		fmt.Fprintf(stderr, "fhirscope: --patients must be between 1 and %d\n", fhirtest.MaxClinicalPatients)
		return 2
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := fhirclient.NewRequestLog(0)
	var trace io.Writer
	if f.trace != "" {
		tf, err := openTrace(f.trace)
		if err != nil {
			fmt.Fprintln(stderr, "fhirscope:", err)
			return 1
		}
		defer tf.Close()
		trace = tf
	}

	opts := ui.Options{Insecure: f.insecure, NoMouse: f.noMouse, Log: log}
	connOpts := ui.ConnOptions{CAFile: f.caFile, Insecure: f.insecure, Log: log, Trace: trace,
		MaxResponseBytes: f.maxResponseMB << 20, Timeout: f.timeout}
	if f.demo {
		demo := ui.NewDemo(ui.DemoOptions{Flavor: fhirtest.Flavor(f.demoFlavor), Patients: f.patients, Log: log, Trace: trace})
		defer demo.Close()
		opts.Demo, opts.Profile = true, "demo"
		opts.Conn = demo.Connection()
	} else {
		setupProfiles(ctx, &opts, f.profile, connOpts)
	}

	app := ui.NewApp(ctx, opts)
	p := tea.NewProgram(app, tea.WithContext(ctx))
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintln(stderr, "fhirscope:", err)
		return 1
	}
	return 0
}

// setupProfiles decides the first screen from the profile store: the named or default
// profile (loaded in a tea.Cmd, since the keyring may be slow or locked), or the first-run
// notice. A config that does not parse is shown on screen, never overwritten.
func setupProfiles(ctx context.Context, opts *ui.Options, name string, co ui.ConnOptions) {
	store, err := session.OpenDefaultStore()
	if err != nil {
		opts.Start = func(c *ui.Common) ui.Screen {
			return ui.NewNoticeScreen(c, "The profile store cannot be read", []string{err.Error(), "",
				"Fix the file (fhirscope never overwrites a file it cannot read), or try `fhirscope --demo`."}, nil)
		}
		return
	}
	opts.Profiles = func() ([]string, error) {
		if err := store.Load(); err != nil {
			return nil, err
		}
		var names []string
		for _, p := range store.List() {
			names = append(names, p.Name)
		}
		return names, nil
	}
	opts.OpenProfile = func(ctx context.Context, name string) (*ui.Connection, error) {
		return ui.ProfileConnection(ctx, store, name, co)
	}
	opts.Setup = &ui.Setup{Store: store, Conn: co}
	if name == "" {
		p, err := store.Default()
		switch {
		case errors.Is(err, session.ErrNoProfiles):
			opts.Start = func(c *ui.Common) ui.Screen { return ui.NewWizardScreen(c, true) }
			return
		case err != nil: // several profiles, none the default
			opts.Start = func(c *ui.Common) ui.Screen { return ui.NewPickerScreen(c) }
			return
		}
		name = p.Name
	}
	opts.Profile = name
	opts.Start = func(c *ui.Common) ui.Screen { return ui.NewOpeningProfileScreen(c, name) }
}

func validFlavor(s string) bool {
	for _, f := range fhirtest.Flavors {
		if string(f) == s {
			return true
		}
	}
	return false
}

// printTUIHelp lists the explorer's flags and, from the one KeyMap, its keys.
func printTUIHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintln(w, "Usage: fhirscope [--profile P | --demo] [flags]\n\nFlags:")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fmt.Fprintln(w, "\nKeys (press ? in the explorer for the keys of the screen you are on):")
	for _, group := range ui.KeyGroups(ui.DefaultKeyMap()) {
		fmt.Fprintf(w, "  %s\n", group.Name)
		for _, b := range group.Bindings {
			if !b.Enabled() {
				continue
			}
			h := b.Help()
			fmt.Fprintf(w, "    %-12s %s\n", h.Key, h.Desc)
		}
	}
}

// runOpen is `fhirscope open FILE`: the explorer on a local JSON file (a Bundle or one
// resource) or an NDJSON file (bulk export output), offline.
func runOpen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("fhirscope open", flag.ContinueOnError)
	fs.SetOutput(stderr)
	noMouse := fs.Bool("no-mouse", false, "leave the mouse to the terminal (text selection works; no wheel scrolling)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirscope open [--no-mouse] FILE\n\nOpens a JSON Bundle, a single resource or an NDJSON file offline, without a server or a profile.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	opts, closeFile, err := ui.OfflineOptions(fs.Arg(0), *noMouse)
	if err != nil {
		printError(stderr, "fhirscope open", err) // the message quotes the file's path and content
		return 1
	}
	defer closeFile()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := tea.NewProgram(ui.NewApp(ctx, opts), tea.WithContext(ctx)).Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		fmt.Fprintln(stderr, "fhirscope:", err)
		return 1
	}
	return 0
}
