package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"fhirscope/session"
)

const profileUsage = `Usage: fhirscope profile COMMAND [flags]

Commands:
  list                 list profiles (* marks the default)
  show [NAME]          show a profile's settings and where its key is
  add NAME --base URL [--client-id ID] [--key-file FILE | --keyring [--import-key FILE]]
                       [--scopes "a b"] [--jwks-uri URL] [--token-url URL] [--ca-file FILE] [--default]
  set NAME [flags]     change settings (flags as for add; --key-file FILE switches to a key file)
  rename OLD NEW       rename a profile (its keyring entry moves with it)
  default NAME         make NAME the default profile
  rm NAME [--force]    remove a profile and its keyring entry
  export-jwks [NAME] [--out FILE]
                       print the public JWKS of a profile's key
  export-key NAME --out FILE
                       export the PRIVATE key as PEM to a new file (mode 0600), e.g. to move it

Profiles live in %s
Run 'fhirscope profile COMMAND --help' for a command's flags.
`

// runProfile wires `fhirscope profile ...`; the work is in session.
func runProfile(args []string, stdout, stderr io.Writer) int {
	path, _ := session.ConfigPath()
	if len(args) == 0 { // a mistake: usage to stderr
		fmt.Fprintf(stderr, profileUsage, path)
		return 2
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stdout, profileUsage, path)
		return 0
	}
	sub, rest := args[0], args[1:]
	run := map[string]func(*profileCmd) int{
		"list": profileList, "ls": profileList, "show": profileShow, "add": profileAdd, "set": profileSet,
		"rename": profileRename, "default": profileDefault, "rm": profileRemove, "remove": profileRemove,
		"export-jwks": profileExportJWKS, "export-key": profileExportKey,
	}[sub]
	if run == nil {
		fmt.Fprintf(stderr, "profile: unknown command %q (run 'fhirscope profile --help')\n", sub)
		return 2
	}
	c := &profileCmd{name: sub, stdout: stdout, stderr: stderr, fs: flag.NewFlagSet("profile "+sub, flag.ContinueOnError)}
	c.fs.SetOutput(stderr)
	c.args = rest
	return run(c)
}

// profileCmd is one profile subcommand's flags, arguments and output.
type profileCmd struct {
	name           string
	fs             *flag.FlagSet
	args, pos      []string
	stdout, stderr io.Writer
	store          *session.Store
}

// parse parses flags anywhere among the arguments ("add NAME --base URL" as well as
// "add --base URL NAME"), and wants between min and max positional arguments.
func (c *profileCmd) parse(usage string, min, max int) (int, bool) {
	c.fs.Usage = func() { fmt.Fprintf(c.stderr, "Usage: fhirscope profile %s %s\n", c.name, usage); c.fs.PrintDefaults() }
	args := c.args
	for {
		if err := c.fs.Parse(args); err != nil {
			return flagExit(err), false
		}
		if c.fs.NArg() == 0 {
			break
		}
		c.pos = append(c.pos, c.fs.Arg(0))
		args = c.fs.Args()[1:]
	}
	if len(c.pos) < min || len(c.pos) > max {
		c.fs.Usage()
		return 2, false
	}
	store, err := session.OpenDefaultStore()
	if err != nil {
		return c.fail(err), false
	}
	c.store = store
	return 0, true
}

func (c *profileCmd) fail(err error) int {
	fmt.Fprintf(c.stderr, "profile %s: %v\n", c.name, err)
	return 1
}

// profileNamed returns the named profile, or the default when no name was given.
func (c *profileCmd) profileNamed() (session.Profile, error) {
	if len(c.pos) > 0 {
		return c.store.Get(c.pos[0])
	}
	return c.store.Default()
}

func profileList(c *profileCmd) int {
	asJSON := c.fs.Bool("json", false, "print the profiles as JSON")
	if code, ok := c.parse("[--json]", 0, 0); !ok {
		return code
	}
	profiles := c.store.List()
	if *asJSON {
		return c.printJSON(profiles)
	}
	if len(profiles) == 0 {
		fmt.Fprintf(c.stderr, "no profiles yet in %s; add one with 'fhirscope profile add NAME --base URL ...'\n", c.store.Path())
		return 0
	}
	def, _ := c.store.Default()
	tw := tabwriter.NewWriter(c.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\tNAME\tBASE URL\tCLIENT ID\tKEY")
	for _, p := range profiles {
		mark := ""
		if p.Name == def.Name {
			mark = "*"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", mark, p.Name, p.BaseURL, profileOrDash(p.ClientID), profileKeyWhere(p))
	}
	_ = tw.Flush()
	return 0
}

func profileShow(c *profileCmd) int {
	asJSON := c.fs.Bool("json", false, "print the profile as JSON")
	if code, ok := c.parse("[NAME] [--json]", 0, 1); !ok {
		return code
	}
	p, err := c.profileNamed()
	if err != nil {
		return c.fail(err)
	}
	if *asJSON {
		return c.printJSON(p)
	}
	def, _ := c.store.Default()
	name := p.Name
	if p.Name == def.Name {
		name += " (default)"
	}
	// The key line reads the key (from the keyring or the file) to say what it is.
	keyLine := profileKeyWhere(p)
	if k, _, err := session.LoadKey(p, c.store.Secrets()); err != nil {
		keyLine += " - NOT USABLE: " + err.Error()
	} else {
		keyLine += fmt.Sprintf(" - %s, %s, kid %s", k.Type(), k.Alg, k.KeyID)
		if w := k.Warning(); w != "" {
			keyLine += "\n              warning: " + w
		}
	}
	tls := "verified"
	if p.InsecureSkipVerify {
		tls = "NOT VERIFIED (insecure_skip_verify)"
	}
	rows := [][2]string{{"profile", name}, {"base url", p.BaseURL}, {"token url", profileOrText(p.TokenURL, "(discovered)")},
		{"client id", profileOrDash(p.ClientID)}, {"scopes", profileOrDash(strings.Join(p.Scopes, " "))}, {"key", keyLine},
		{"alg", profileOrText(p.Alg, "(from the key)")}, {"kid", profileOrText(p.KeyID, "(from the key)")},
		{"jwks uri", profileOrDash(p.JWKSURI)}, {"ca file", profileOrDash(p.CAFile)}, {"tls", tls}, {"config", c.store.Path()}}
	for _, r := range rows {
		fmt.Fprintf(c.stdout, "%-12s  %s\n", r[0]+":", r[1])
	}
	return 0
}

func profileRename(c *profileCmd) int {
	if code, ok := c.parse("OLD NEW", 2, 2); !ok {
		return code
	}
	if err := c.store.Rename(c.pos[0], c.pos[1]); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stderr, "renamed profile %q to %q\n", c.pos[0], c.pos[1])
	return 0
}

func profileDefault(c *profileCmd) int {
	if code, ok := c.parse("NAME", 1, 1); !ok {
		return code
	}
	if err := c.store.SetDefault(c.pos[0]); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stderr, "default profile: %s\n", c.pos[0])
	return 0
}

func profileRemove(c *profileCmd) int {
	force := c.fs.Bool("force", false, "remove the profile even when its keyring entry cannot be removed")
	if code, ok := c.parse("NAME [--force]", 1, 1); !ok {
		return code
	}
	name := c.pos[0]
	p, err := c.store.Get(name)
	if err != nil {
		return c.fail(err)
	}
	err = c.store.Delete(name)
	if errors.Is(err, session.ErrNoKeyring) && *force {
		if err := c.store.Forget(name); err != nil {
			return c.fail(err)
		}
		fmt.Fprintf(c.stderr, "removed profile %q; its keyring entry %q/%q may remain (remove it with your keyring manager)\n",
			name, session.KeyringService, name)
		return 0
	} else if errors.Is(err, session.ErrNoKeyring) {
		return c.fail(fmt.Errorf("%w\n(the profile is kept so its key is not orphaned; --force removes the profile anyway)", err))
	}
	if err != nil {
		return c.fail(err)
	}
	if p.KeyFile != "" {
		fmt.Fprintf(c.stderr, "removed profile %q (its key file %s is left in place)\n", name, p.KeyFile)
	} else {
		fmt.Fprintf(c.stderr, "removed profile %q and its keyring entry\n", name)
	}
	return 0
}

func (c *profileCmd) printJSON(v any) int {
	enc := json.NewEncoder(c.stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return c.fail(err)
	}
	return 0
}

func profileKeyWhere(p session.Profile) string {
	if p.KeyFile != "" {
		return "file " + p.KeyFile
	}
	return "OS keyring"
}

func profileOrDash(s string) string { return profileOrText(s, "-") }

func profileOrText(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}
