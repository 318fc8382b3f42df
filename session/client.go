package session

import (
	"io"
	"time"

	"fhirscope/fhirclient"
)

// ClientOptions are the command-line settings applied to every connection made from a
// profile, by the explorer and by the doctor, token, get and register commands alike.
type ClientOptions struct {
	CAFile   string // --ca-file: an extra CA bundle, used when the profile names none
	Insecure bool   // --insecure: TLS verification off (callers must show a warning)
	Log      *fhirclient.RequestLog
	Trace    io.Writer
	// MaxResponseBytes and Timeout override the client's defaults when positive
	// (--max-response-mb, --timeout).
	MaxResponseBytes int64
	Timeout          time.Duration
	Extra            []fhirclient.Option
}

// ClientCredentials turns resolved credentials into what fhirclient signs with; the profile's
// alg and kid, when set, win over the key's own.
func (c *Credentials) ClientCredentials(p Profile) fhirclient.Credentials {
	cred := fhirclient.Credentials{ClientID: c.ClientID}
	if c.Key != nil {
		cred.Signer, cred.Alg, cred.KeyID = c.Key.Signer, c.Key.Alg, c.Key.KeyID
	}
	if p.Alg != "" {
		cred.Alg = p.Alg
	}
	if p.KeyID != "" {
		cred.KeyID = p.KeyID
	}
	return cred
}

// NewClient builds the FHIR client for profile p: its base, token URL override, scopes, TLS
// settings and, when creds is not nil, its client credentials.
func NewClient(p Profile, creds *Credentials, o ClientOptions) (*fhirclient.Client, error) {
	opts := []fhirclient.Option{fhirclient.WithScopes(p.Scopes)}
	if creds != nil {
		opts = append(opts, fhirclient.WithCredentials(creds.ClientCredentials(p)))
	}
	if p.TokenURL != "" {
		opts = append(opts, fhirclient.WithTokenURL(p.TokenURL))
	}
	return fhirclient.New(p.BaseURL, append(opts, TransportOptions(p, o)...)...)
}

// TransportOptions are the options of a profile's clients that do not depend on who signs
// in: TLS (the profile's CA file, else --ca-file; insecure from either), the request log and
// the trace. The doctor builds its own clients with them.
func TransportOptions(p Profile, o ClientOptions) []fhirclient.Option {
	var opts []fhirclient.Option
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
	if o.MaxResponseBytes > 0 {
		opts = append(opts, fhirclient.WithMaxResponseBytes(o.MaxResponseBytes))
	}
	if o.Timeout > 0 {
		opts = append(opts, fhirclient.WithTimeout(o.Timeout))
	}
	return append(opts, o.Extra...)
}
