// profile add and profile set: the two subcommands that edit a profile's settings, with the
// flags they share.

package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fhirscope/session"
)

// profileEditFlags are the settings add and set share. Only flags the user gave are applied.
type profileEditFlags struct {
	base, tokenURL, clientID, scopes, jwksURI, caFile, alg, kid *string
	insecure, makeDefault                                       *bool
}

func (c *profileCmd) editFlags() *profileEditFlags {
	return &profileEditFlags{
		base:        c.fs.String("base", "", "FHIR base URL, e.g. https://emr.example.org/apis/default/fhir"),
		tokenURL:    c.fs.String("token-url", "", "token endpoint, when discovery should not be trusted"),
		clientID:    c.fs.String("client-id", "", "client id the server gave at registration"),
		scopes:      c.fs.String("scopes", "", `space-separated scopes, e.g. "system/Patient.read system/Observation.read"`),
		jwksURI:     c.fs.String("jwks-uri", "", "URL where the public JWKS is served (for the doctor to check)"),
		caFile:      c.fs.String("ca-file", "", "PEM file of extra CA certificates for TLS"),
		alg:         c.fs.String("alg", "", "RS384 or ES384 (default: follow the key)"),
		kid:         c.fs.String("kid", "", "key id to send (default: the key's own)"),
		insecure:    c.fs.Bool("insecure-skip-verify", false, "turn TLS verification off (test servers only)"),
		makeDefault: c.fs.Bool("default", false, "make this the default profile"),
	}
}

func (e *profileEditFlags) apply(fs *flag.FlagSet, p *session.Profile) error {
	var err error
	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "base":
			p.BaseURL = *e.base
		case "token-url":
			p.TokenURL = *e.tokenURL
		case "client-id":
			p.ClientID = *e.clientID
		case "scopes":
			p.Scopes = strings.Fields(*e.scopes)
		case "jwks-uri":
			p.JWKSURI = *e.jwksURI
		case "alg":
			p.Alg = *e.alg
		case "kid":
			p.KeyID = *e.kid
		case "insecure-skip-verify":
			p.InsecureSkipVerify = *e.insecure
		case "ca-file":
			p.CAFile, err = profileAbsPath(*e.caFile)
		}
	})
	return err
}

func profileAdd(c *profileCmd) int {
	ef := c.editFlags()
	keyFile := c.fs.String("key-file", "", "read the private key from FILE at each use (never copied)")
	useKeyring := c.fs.Bool("keyring", false, "keep the private key in the OS keyring (the default)")
	importKey := c.fs.String("import-key", "", "store the private key in FILE in the OS keyring (implies --keyring)")
	force := c.fs.Bool("force", false, "with --import-key, replace a key already in the keyring")
	if code, ok := c.parse("NAME --base URL [flags]", 1, 1); !ok {
		return code
	}
	p := session.Profile{Name: c.pos[0]}
	if err := ef.apply(c.fs, &p); err != nil {
		return c.fail(err)
	}
	if *keyFile != "" && (*useKeyring || *importKey != "") {
		return c.fail(errors.New("--key-file keeps the key in a file; --keyring/--import-key keep it in the OS keyring: choose one"))
	}
	var opts session.AddOptions
	if *keyFile != "" {
		var err error
		if p.KeyFile, err = profileAbsPath(*keyFile); err != nil {
			return c.fail(err)
		}
	}
	if *importKey != "" {
		data, err := os.ReadFile(*importKey)
		if err != nil {
			return c.fail(err)
		}
		if opts.ImportKey, err = session.ParseKey(data); err != nil {
			return c.fail(fmt.Errorf("%s: %w", *importKey, err))
		}
		opts.ReplaceKey = *force
	}
	if err := c.store.AddProfile(p, opts); err != nil {
		return c.fail(err)
	}
	if *ef.makeDefault {
		if err := c.store.SetDefault(p.Name); err != nil {
			return c.fail(err)
		}
	}
	saved, _ := c.store.Get(p.Name)
	fmt.Fprintf(c.stderr, "added profile %q (key: %s) to %s\n", saved.Name, profileKeyWhere(saved), c.store.Path())
	if saved.ClientID == "" {
		fmt.Fprintf(c.stderr, "note: no client id yet; register the client, then: fhirscope profile set %s --client-id ID\n", saved.Name)
	}
	return 0
}

func profileSet(c *profileCmd) int {
	ef := c.editFlags()
	keyFile := c.fs.String("key-file", "", "read the private key from FILE from now on, instead of the keyring")
	if code, ok := c.parse("NAME [--base URL] [--client-id ID] [--scopes \"a b\"] [...]", 1, 1); !ok {
		return code
	}
	name := c.pos[0]
	err := c.store.Update(name, func(p *session.Profile) error { return ef.apply(c.fs, p) })
	if err != nil {
		return c.fail(err)
	}
	if *keyFile != "" {
		path, err := profileAbsPath(*keyFile)
		if err == nil {
			err = c.store.UseKeyFile(name, path)
		}
		if err != nil {
			return c.fail(err)
		}
	}
	p, _ := c.store.Get(name)
	if flagGiven(c.fs, "client-id") && p.KeyLocation() == session.SourceKeyring {
		if err := c.store.Secrets().SetClientID(name, p.ClientID); err != nil {
			return c.fail(fmt.Errorf("saved in the config, but not in the keyring: %w", err))
		}
	}
	if *ef.makeDefault {
		if err := c.store.SetDefault(name); err != nil {
			return c.fail(err)
		}
	}
	fmt.Fprintf(c.stderr, "updated profile %q\n", name)
	return 0
}

func profileAbsPath(p string) (string, error) {
	if p == "" || strings.HasPrefix(p, "~/") {
		return p, nil
	}
	return filepath.Abs(p)
}
