package session

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Profile is one server's non-secret settings. The private key lives in the OS keyring unless
// KeyFile names a file, which is then read on every use and never copied.
type Profile struct {
	Name     string   `json:"name"`
	BaseURL  string   `json:"base_url"`            // FHIR base, e.g. https://host/apis/default/fhir
	TokenURL string   `json:"token_url,omitempty"` // overrides the discovered token endpoint
	ClientID string   `json:"client_id,omitempty"` // also kept in the keyring entry when the key is there
	Scopes   []string `json:"scopes,omitempty"`
	Alg      string   `json:"alg,omitempty"`      // RS384 or ES384; empty: follow the key
	KeyID    string   `json:"kid,omitempty"`      // empty: the key's own kid
	JWKSURI  string   `json:"jwks_uri,omitempty"` // public JWKS URL registered with the server, for the doctor
	KeyFile  string   `json:"key_file,omitempty"` // absolute path (or ~/...); empty: key in the keyring
	CAFile   string   `json:"ca_file,omitempty"`  // extra PEM CA bundle for TLS
	// InsecureSkipVerify turns TLS verification off for this profile; callers show a warning.
	InsecureSkipVerify bool `json:"insecure_skip_verify,omitempty"`
}

// KeySource says where a credential came from.
type KeySource string

// Where credentials can come from, in the order ResolveCredentials tries them.
const (
	SourceEnv     KeySource = "environment"
	SourceProfile KeySource = "profile"
	SourceFile    KeySource = "key file"
	SourceKeyring KeySource = "OS keyring"
	SourceNone    KeySource = ""
)

// KeyLocation says where the profile keeps its private key: SourceFile or SourceKeyring.
func (p Profile) KeyLocation() KeySource {
	if p.KeyFile != "" {
		return SourceFile
	}
	return SourceKeyring
}

// ErrProfileNotFound matches (errors.Is) a profile name the store does not have.
var ErrProfileNotFound = errors.New("profile not found")

// ErrNoProfiles matches (errors.Is) a store with no profile at all (first run).
var ErrNoProfiles = errors.New("no profiles configured")

// ProfileError is a profile that is not valid; Field names the offending setting.
type ProfileError struct {
	Profile, Field, Msg string
}

func (e *ProfileError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("profile %q: %s", e.Profile, e.Msg)
	}
	return fmt.Sprintf("profile %q: %s: %s", e.Profile, e.Field, e.Msg)
}

var profileNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidName reports whether name can be a profile name: letters, digits, '.', '_', '-', up to
// 64 characters, starting with a letter or digit (it is also the keyring entry's user name).
func ValidName(name string) error {
	if !profileNameRE.MatchString(name) {
		return &ProfileError{Profile: name, Field: "name", Msg: "use 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"}
	}
	return nil
}

// ValidBaseURL checks a FHIR base URL as typed (for validation as the user types in the
// wizard); surrounding spaces and a trailing slash are allowed, as Normalize removes them.
func ValidBaseURL(s string) error {
	p := Profile{Name: "new", BaseURL: s}
	p.Normalize()
	return fieldError(p.Validate())
}

// ValidClientID checks a client id as typed or pasted; empty is allowed (not registered yet).
func ValidClientID(s string) error {
	p := Profile{Name: "new", BaseURL: "https://h", ClientID: s}
	p.Normalize()
	return fieldError(p.Validate())
}

// fieldError drops the profile and field names, which a form shows beside the field anyway.
func fieldError(err error) error {
	var pe *ProfileError
	if errors.As(err, &pe) {
		return errors.New(pe.Msg)
	}
	return err
}

// Normalize tidies what users commonly type: surrounding spaces, a trailing slash on URLs,
// duplicate scopes. It does not judge validity; Validate does.
func (p *Profile) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.BaseURL = strings.TrimRight(strings.TrimSpace(p.BaseURL), "/")
	p.TokenURL = strings.TrimSpace(p.TokenURL)
	p.JWKSURI = strings.TrimSpace(p.JWKSURI)
	p.ClientID = strings.TrimSpace(p.ClientID)
	p.KeyID = strings.TrimSpace(p.KeyID)
	p.Alg = strings.ToUpper(strings.TrimSpace(p.Alg))
	seen := map[string]bool{}
	scopes := p.Scopes[:0:0]
	for _, s := range p.Scopes {
		for _, f := range strings.Fields(s) {
			if !seen[f] {
				seen[f] = true
				scopes = append(scopes, f)
			}
		}
	}
	p.Scopes = scopes
}

// Validate checks every field and returns the first problem as a *ProfileError.
func (p Profile) Validate() error {
	if err := ValidName(p.Name); err != nil {
		return err
	}
	bad := func(field, msg string) error { return &ProfileError{Profile: p.Name, Field: field, Msg: msg} }
	if p.BaseURL == "" {
		return bad("base_url", "the FHIR base URL is required (e.g. https://emr.example.org/apis/default/fhir)")
	}
	for _, u := range []struct{ field, val string }{{"base_url", p.BaseURL}, {"token_url", p.TokenURL}, {"jwks_uri", p.JWKSURI}} {
		if u.val == "" {
			continue
		}
		if hasUnsafeRune(u.val) {
			return bad(u.field, "contains control or bidirectional-override characters")
		}
		if msg := checkHTTPURL(u.val); msg != "" {
			return bad(u.field, msg)
		}
	}
	switch p.Alg {
	case "", AlgRS384, AlgES384:
	default:
		return bad("alg", fmt.Sprintf("%q is not supported: use RS384 (OpenEMR) or ES384", p.Alg))
	}
	for _, s := range p.Scopes {
		if s == "" || strings.ContainsAny(s, " \t\r\n\"") {
			return bad("scopes", fmt.Sprintf("%q is not a single scope", s))
		}
	}
	for _, f := range []struct{ field, val string }{{"key_file", p.KeyFile}, {"ca_file", p.CAFile}} {
		if f.val != "" && !filepath.IsAbs(f.val) && !strings.HasPrefix(f.val, "~/") {
			return bad(f.field, fmt.Sprintf("%q must be an absolute path (or start with ~/)", f.val))
		}
	}
	for _, f := range []struct{ field, val string }{{"client_id", p.ClientID}, {"kid", p.KeyID},
		{"key_file", p.KeyFile}, {"ca_file", p.CAFile}, {"scopes", strings.Join(p.Scopes, "")}} {
		if hasUnsafeRune(f.val) {
			return bad(f.field, "contains control or bidirectional-override characters")
		}
	}
	if strings.ContainsAny(p.ClientID, " \t\r\n") {
		return bad("client_id", "the client id contains spaces or line breaks (pasted with extra text?)")
	}
	return nil
}

// hasUnsafeRune finds what must never reach a terminal from a config file: control characters
// (escape sequences) and bidi overrides or isolates (text that reads differently than it is).
func hasUnsafeRune(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) || (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') ||
			r == '\u200e' || r == '\u200f' || r == utf8.RuneError {
			return true
		}
	}
	return false
}

func checkHTTPURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Sprintf("%q is not a URL", s)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Sprintf("%q must start with https:// (or http:// for a local test server)", s)
	}
	if u.Host == "" {
		return fmt.Sprintf("%q has no host", s)
	}
	if u.User != nil {
		return fmt.Sprintf("%q carries a user name or password; remove it", s)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return fmt.Sprintf("%q must not have a query or fragment", s)
	}
	return ""
}

// ExpandPath resolves a leading "~/" to the home directory, as profiles may store paths so.
func ExpandPath(p string) (string, error) {
	if !strings.HasPrefix(p, "~/") {
		return p, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expand %q: %w", p, err)
	}
	return filepath.Join(home, p[2:]), nil
}
