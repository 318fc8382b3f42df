package ui

import (
	"context"
	"io"

	"fhirscope/fhirclient"
	"fhirscope/session"
)

// ConnOptions are the command-line settings applied to every profile connection.
type ConnOptions struct {
	CAFile   string // --ca-file: extra CA bundle, used when the profile names none
	Insecure bool   // --insecure
	Log      *fhirclient.RequestLog
	Trace    io.Writer
}

// ProfileConnection loads a stored profile and its credentials (client id and private key
// from the environment, the key file or the OS keyring) and builds the client to connect
// with. It does I/O (config, keyring, key file): call it from a tea.Cmd, never from Update.
func ProfileConnection(ctx context.Context, store *session.Store, name string, o ConnOptions) (*Connection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p, err := store.Get(name)
	if err != nil {
		return nil, err
	}
	return connectionFor(p, store.Secrets(), o)
}

// connectionFor builds the Connection for profile p.
func connectionFor(p session.Profile, secrets *session.Secrets, o ConnOptions) (*Connection, error) {
	creds, err := session.ResolveCredentials(p, secrets)
	if err != nil {
		return nil, err
	}
	cred := fhirclient.Credentials{ClientID: creds.ClientID, Signer: creds.Key.Signer, Alg: creds.Key.Alg, KeyID: creds.Key.KeyID}
	if p.Alg != "" {
		cred.Alg = p.Alg
	}
	if p.KeyID != "" {
		cred.KeyID = p.KeyID
	}
	opts := []fhirclient.Option{fhirclient.WithCredentials(cred), fhirclient.WithScopes(p.Scopes)}
	if p.TokenURL != "" {
		opts = append(opts, fhirclient.WithTokenURL(p.TokenURL))
	}
	ca := p.CAFile
	if ca == "" {
		ca = o.CAFile
	}
	if ca != "" {
		opts = append(opts, fhirclient.WithCAFile(ca))
	}
	if o.Insecure || p.InsecureSkipVerify {
		opts = append(opts, fhirclient.WithInsecureSkipVerify())
	}
	if o.Log != nil {
		opts = append(opts, fhirclient.WithRequestLog(o.Log))
	}
	if o.Trace != nil {
		opts = append(opts, fhirclient.WithTrace(o.Trace))
	}
	client, err := fhirclient.New(p.BaseURL, opts...)
	if err != nil {
		return nil, err
	}
	conn := &Connection{Profile: p.Name, Client: client, Cred: cred}
	conn.Doctor = profileDoctorConfig(p, creds, nil, o)
	for _, w := range creds.Warnings {
		conn.Notes = append(conn.Notes, "Warning: "+w)
	}
	return conn, nil
}
