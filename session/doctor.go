package session

import (
	"errors"

	"fhirscope/fhirclient/doctor"
)

// DoctorConfig gathers what the doctor checks for profile p: its settings, its key and client
// ID from creds or, when they could not be resolved, credErr (the doctor reports that first,
// as the cause), and the transport options every client it makes must share.
func DoctorConfig(p Profile, creds *Credentials, credErr error, o ClientOptions) doctor.Config {
	cfg := doctor.Config{Profile: p.Name, BaseURL: p.BaseURL, TokenURL: p.TokenURL, Scopes: p.Scopes,
		Alg: p.Alg, KeyID: p.KeyID, JWKSURI: p.JWKSURI, CAFile: p.CAFile, Insecure: o.Insecure || p.InsecureSkipVerify,
		ClientID: p.ClientID, ClientOptions: TransportOptions(p, o)}
	if cfg.CAFile == "" {
		cfg.CAFile = o.CAFile
	}
	switch {
	case creds != nil && creds.Key != nil:
		cred := creds.ClientCredentials(p)
		cfg.ClientID, cfg.Key, cfg.Alg, cfg.KeyID = cred.ClientID, cred.Signer, cred.Alg, cred.KeyID
	case credErr != nil:
		cfg.KeyErr = credErr
	}
	return cfg
}

// ProfileDoctorConfig resolves profile p's credentials and gathers the doctor's settings. A
// profile with a key but no client ID yet (not registered) still gets its key checked: the
// missing client ID then shows at the assertion step, where it matters.
func ProfileDoctorConfig(p Profile, s *Secrets, o ClientOptions) doctor.Config {
	creds, err := ResolveCredentials(p, s)
	if errors.Is(err, ErrNoClientID) {
		if key, _, kerr := LoadKey(p, s); kerr == nil {
			creds, err = &Credentials{Key: key}, nil
		}
	}
	return DoctorConfig(p, creds, err, o)
}
