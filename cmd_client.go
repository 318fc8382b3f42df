package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"fhirscope/fhirclient"
	"fhirscope/session"
	"fhirscope/ui/termsafe"
)

// runRegister wires `fhirscope register`: dynamic registration of the profile's client with
// its public JWKS (or jwks_uri), storing the returned client ID in the profile.
func runRegister(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("register", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf connFlags
	cf.register(fs)
	jwksURI := fs.String("jwks-uri", "", "register this public JWKS URL instead of the inline JWKS (default: the profile's jwks_uri)")
	name := fs.String("name", "", "client name shown to the server's admin (default: fhirscope (PROFILE))")
	contact := fs.String("contact", "", "contact e-mail for the server's admin")
	force := fs.Bool("force", false, "register again although the profile already has a client ID")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirscope register [--profile P] [--jwks-uri URL] [--name NAME] [--contact EMAIL]\n\nRegisters the profile's client with the server (application_type private, the profile's scopes, its\npublic JWKS) and stores the client ID it returns. An admin must then enable the client.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	pc, err := cf.openProfile(stderr)
	if err != nil {
		printError(stderr, "register", err)
		return 1
	}
	defer pc.close()
	p := pc.profile
	if p.ClientID != "" && !*force {
		fmt.Fprintf(stderr, "register: profile %s already has client ID %s; pass --force to register a new client\n", p.Name, p.ClientID)
		return 1
	}
	req := fhirclient.RegistrationRequest{ClientName: *name, Scopes: p.Scopes, JWKSURI: *jwksURI}
	if req.ClientName == "" {
		req.ClientName = "fhirscope (" + p.Name + ")"
	}
	if *contact != "" {
		req.Contacts = []string{*contact}
	}
	if req.JWKSURI == "" {
		req.JWKSURI = p.JWKSURI
	}
	if req.JWKSURI == "" {
		key, _, err := session.LoadKey(p, pc.store.Secrets())
		if err != nil {
			printError(stderr, "register", err)
			return 1
		}
		if req.JWKS, err = key.PublicJWKS(); err != nil {
			printError(stderr, "register", err)
			return 1
		}
	}
	client, err := session.NewClient(p, nil, pc.opts)
	if err != nil {
		printError(stderr, "register", err)
		return 1
	}
	ctx, cancel := commandContext()
	defer cancel()
	reg, err := client.Register(ctx, req)
	if err != nil {
		printError(stderr, "register", err)
		return 1
	}
	err = pc.store.Update(p.Name, func(q *session.Profile) error {
		q.ClientID = reg.ClientID
		if *jwksURI != "" {
			q.JWKSURI = *jwksURI
		}
		return nil
	})
	if err == nil && p.KeyLocation() == session.SourceKeyring {
		err = pc.store.Secrets().SetClientID(p.Name, reg.ClientID)
	}
	if err != nil {
		fmt.Fprintf(stderr, "register: registered client ID %s, but could not save it: %v\n", termsafe.String(reg.ClientID), err)
		return 1
	}
	fmt.Fprintf(stdout, "Registered client %s at %s.\n", termsafe.String(reg.ClientID), termsafe.String(reg.Endpoint))
	fmt.Fprintf(stdout, "Saved the client ID in profile %s.\n\n", p.Name)
	fmt.Fprintln(stdout, "Next: an OpenEMR admin must enable the client under Admin > System > API Clients (new clients")
	fmt.Fprintln(stdout, "start disabled), and make sure its scopes are ticked. Then check the setup with: fhirscope doctor --profile "+p.Name)
	return 0
}

// connectProfile opens the profile and builds a client with its credentials.
func connectProfile(cf *connFlags, cmd string, stderr io.Writer) (*fhirclient.Client, *profileContext, bool) {
	pc, err := cf.openProfile(stderr)
	if err != nil {
		printError(stderr, cmd, err)
		return nil, nil, false
	}
	creds, err := session.ResolveCredentials(pc.profile, pc.store.Secrets())
	if err == nil {
		for _, w := range creds.Warnings {
			fmt.Fprintln(stderr, "warning:", w)
		}
		var c *fhirclient.Client
		if c, err = session.NewClient(pc.profile, creds, pc.opts); err == nil {
			return c, pc, true
		}
	}
	printError(stderr, cmd, err)
	pc.close()
	return nil, nil, false
}

// runToken wires `fhirscope token`: a fresh access token on stdout, nothing else, for curl.
func runToken(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf connFlags
	cf.register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirscope token [--profile P]\n\nPrints a fresh access token (only the token, on stdout), e.g.\n  curl -H \"Authorization: Bearer $(fhirscope token)\" BASE/Patient")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	client, pc, ok := connectProfile(&cf, "token", stderr)
	if !ok {
		return 1
	}
	defer pc.close()
	ctx, cancel := commandContext()
	defer cancel()
	tok, err := client.Token(ctx)
	if err != nil {
		printError(stderr, "token", err)
		return 1
	}
	if d := tok.Dropped(); len(d) > 0 {
		fmt.Fprintf(stderr, "warning: the server dropped scopes without an error: %s\n", termsafe.String(strings.Join(d, " ")))
	}
	fmt.Fprintf(stderr, "expires in %ds; scopes: %s\n", tok.ExpiresIn, termsafe.String(strings.Join(tok.Granted, " ")))
	fmt.Fprintln(stdout, tok.AccessToken)
	return 0
}

// runGet wires `fhirscope get`: GET a FHIR path and print the JSON, optionally every page.
func runGet(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("get", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cf connFlags
	cf.register(fs)
	all := fs.Bool("all", false, "follow paging and print one Bundle holding every page's entries")
	pretty := fs.String("pretty", "auto", "indent the JSON: auto (when stdout is a terminal), always or never")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: fhirscope get [--profile P] [--all] 'Patient?name=smith'\n\nGETs a path relative to the FHIR base (or an absolute URL on its origin) and prints the JSON.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(reorderFlags(args)); err != nil {
		return flagExit(err)
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return 2
	}
	client, pc, ok := connectProfile(&cf, "get", stderr)
	if !ok {
		return 1
	}
	defer pc.close()
	ctx, cancel := commandContext()
	defer cancel()
	body, err := getBody(ctx, client, fs.Arg(0), *all)
	if err != nil {
		printError(stderr, "get", err)
		return 1
	}
	body = renderBody(body, *pretty, isTerminal(stdout))
	if _, err := stdout.Write(body); err != nil {
		return 1
	}
	if len(body) > 0 && body[len(body)-1] != '\n' {
		fmt.Fprintln(stdout)
	}
	return 0
}

// reorderFlags lets flags follow the path (`get 'Patient' --all`), as people type them.
func reorderFlags(args []string) []string {
	var flags, rest []string
	for i := 0; i < len(args); i++ {
		if strings.HasPrefix(args[i], "-") {
			flags = append(flags, args[i])
			if !strings.Contains(args[i], "=") && i+1 < len(args) && takesValue(args[i]) {
				flags = append(flags, args[i+1])
				i++
			}
			continue
		}
		rest = append(rest, args[i])
	}
	return append(flags, rest...)
}

func takesValue(flagName string) bool {
	switch strings.TrimLeft(flagName, "-") {
	case "all", "insecure":
		return false
	}
	return true
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// renderBody indents the JSON when asked (pretty "always", or "auto" on a terminal) and, for a
// terminal, makes it inert text: escapes, C1 and bidi controls are shown, not obeyed. A pipe
// or file gets the server's bytes unchanged.
func renderBody(body []byte, pretty string, tty bool) []byte {
	if pretty == "always" || (pretty == "auto" && tty) {
		var buf bytes.Buffer
		if json.Indent(&buf, body, "", "  ") == nil {
			body = buf.Bytes()
		}
	}
	if tty {
		body = []byte(termsafe.Text(string(body)))
	}
	return body
}
