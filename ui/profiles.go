package ui

import (
	"context"

	"fhirscope/session"
)

// ConnOptions are the command-line settings applied to every profile connection (--ca-file,
// --insecure, the request log, --trace): the same as every command's.
type ConnOptions = session.ClientOptions

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
	client, err := session.NewClient(p, creds, o)
	if err != nil {
		return nil, err
	}
	cred := creds.ClientCredentials(p)
	conn := &Connection{Profile: p.Name, Client: client, Cred: cred}
	conn.Doctor = profileDoctorConfig(p, creds, nil, o)
	for _, w := range creds.Warnings {
		conn.Notes = append(conn.Notes, "Warning: "+w)
	}
	return conn, nil
}
