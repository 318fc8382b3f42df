// keygen and the key-export subcommands of profile: the ways key material is created or leaves
// the keyring, kept together. (Not a package comment: main.go has that.)

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"fhirscope/session"
)

const keygenUsage = `Usage: fhirscope keygen [--alg RS384|ES384] [--bits 2048|3072] [--profile P] [--jwks-out FILE] [--key-out FILE] [--force]

Generates a private key, stores it in the OS keyring for profile P and writes its public JWKS
(to stdout, or to --jwks-out FILE) ready to register with the server.

The profile need not exist yet: generate the key, register the JWKS with the server, then
'fhirscope profile add P --base URL --client-id ID' picks the key up from the keyring.
Without --profile the default profile's name is used (or "default").

Flags:
`

// runKeygen wires `fhirscope keygen`; the work is in session.
func runKeygen(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("keygen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	alg := fs.String("alg", session.AlgRS384, "signing algorithm: RS384 (RSA, what OpenEMR accepts) or ES384 (EC P-384)")
	bits := fs.Int("bits", 0, "RSA key size: 2048 (default) or 3072")
	profile := fs.String("profile", "", "store the key in the OS keyring for this profile")
	jwksOut := fs.String("jwks-out", "", "write the public JWKS to FILE instead of stdout")
	keyOut := fs.String("key-out", "", "ALSO export the private key as PEM to FILE (mode 0600, never overwritten); alone, skips the keyring")
	force := fs.Bool("force", false, "replace a key the profile already has (the server then needs the new JWKS)")
	fs.Usage = func() { fmt.Fprint(stderr, keygenUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return flagExit(err)
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "keygen: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	profileSet := flagGiven(fs, "profile")

	key, err := session.GenerateKey(strings.ToUpper(*alg), *bits)
	if err != nil {
		fmt.Fprintln(stderr, "keygen:", err)
		return 2
	}
	if *keyOut != "" {
		if err := session.WritePrivateKeyFile(*keyOut, key); err != nil {
			fmt.Fprintln(stderr, "keygen:", err)
			return 1
		}
		fmt.Fprintf(stderr, "private key: written to %s (mode 0600) as you asked; keep it safe\n", *keyOut)
	}
	if *keyOut == "" || profileSet {
		store, err := session.OpenDefaultStore()
		if err != nil {
			fmt.Fprintln(stderr, "keygen:", err)
			return 1
		}
		name := *profile
		if name == "" {
			name = store.DefaultName()
		}
		if name == "" {
			name = "default"
		}
		if err := store.InstallKey(name, key, *force); err != nil {
			fmt.Fprintln(stderr, "keygen:", err)
			if errors.Is(err, session.ErrNoKeyring) {
				fmt.Fprintln(stderr, "keygen: to keep the key in a file instead, run again with --key-out FILE")
			}
			return 1
		}
		fmt.Fprintf(stderr, "private key: stored in the OS keyring (service %q, entry %q)\n", session.KeyringService, name)
	}
	fmt.Fprintf(stderr, "key: %s, %s, kid %s\n", key.Type(), key.Alg, key.KeyID)
	if w := key.Warning(); w != "" {
		fmt.Fprintln(stderr, "warning:", w)
	}
	return sessionWriteJWKS(key, *jwksOut, stdout, stderr, "keygen")
}

func profileExportJWKS(c *profileCmd) int {
	out := c.fs.String("out", "", "write the JWKS to FILE instead of stdout")
	if code, ok := c.parse("[NAME] [--out FILE]", 0, 1); !ok {
		return code
	}
	p, err := c.profileNamed()
	if err != nil {
		return c.fail(err)
	}
	key, _, err := session.LoadKey(p, c.store.Secrets())
	if err != nil {
		return c.fail(err)
	}
	return sessionWriteJWKS(key, *out, c.stdout, c.stderr, "profile export-jwks")
}

// profileExportKey is the one way a private key leaves the keyring: asked for by name, into a
// new file only (never the terminal, where it would stay in scrollback).
func profileExportKey(c *profileCmd) int {
	out := c.fs.String("out", "", "the new file to write the private key to (required; never overwritten)")
	if code, ok := c.parse("NAME --out FILE", 1, 1); !ok {
		return code
	}
	if *out == "" {
		c.fs.Usage()
		return 2
	}
	p, err := c.store.Get(c.pos[0])
	if err != nil {
		return c.fail(err)
	}
	key, src, err := session.LoadKey(p, c.store.Secrets())
	if err != nil {
		return c.fail(err)
	}
	if err := session.WritePrivateKeyFile(*out, key); err != nil {
		return c.fail(err)
	}
	fmt.Fprintf(c.stderr, "exported the private key of profile %q (from the %s) to %s, mode 0600; keep it safe\n", p.Name, src, *out)
	return 0
}

// sessionWriteJWKS prints the public JWKS, or writes it to a file (it is public: mode 0644).
func sessionWriteJWKS(key *session.Key, out string, stdout, stderr io.Writer, cmd string) int {
	jwks, err := key.PublicJWKS()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd, err)
		return 1
	}
	if out == "" || out == "-" {
		_, _ = stdout.Write(jwks)
		return 0
	}
	if err := os.WriteFile(out, jwks, 0o644); err != nil {
		fmt.Fprintf(stderr, "%s: write JWKS: %v\n", cmd, err)
		return 1
	}
	fmt.Fprintf(stderr, "public JWKS: written to %s (register it with the server, or serve it at your jwks_uri)\n", out)
	return 0
}
