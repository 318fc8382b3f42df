package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/zalando/go-keyring"
)

// KeyringService is the service name of every fhirscope keyring entry; the entry's user name is
// the profile name.
const KeyringService = "fhirscope"

// Environment variables that stand in for the keyring (CI, headless hosts).
const (
	EnvPrivateKeyFile = "FHIRSCOPE_PRIVATE_KEY_FILE"
	EnvClientID       = "FHIRSCOPE_CLIENT_ID"
)

// ErrNoKeyring matches (errors.Is) every failure to reach an OS keyring.
var ErrNoKeyring = errors.New("no OS keyring available")

// ErrNoSecret matches (errors.Is) a keyring that answered but has no entry for the profile.
var ErrNoSecret = errors.New("no keyring entry")

// KeyringError is an OS keyring that could not be used. Its message says so plainly and lists
// what to do instead; fhirscope never falls back to writing the key to a file on its own.
type KeyringError struct {
	Op      string // "read", "store", "delete", "check"
	Profile string
	Err     error // what go-keyring or the platform said
}

func (e *KeyringError) Error() string {
	what := "no OS keyring is available"
	if e.Op != "check" {
		what += fmt.Sprintf(" to %s the secrets of profile %q", e.Op, e.Profile)
	}
	cause := e.Err.Error()
	if strings.Contains(cause, "unlock") {
		cause += "; the keyring is locked, or its unlock prompt was dismissed"
	}
	return what + " (" + cause + "). " +
		"fhirscope keeps private keys only in the OS keyring and will not write them to disk on its own. " +
		"Instead you can: keep the key in a file and point the profile at it " +
		"(fhirscope profile add NAME --base URL --client-id ID --key-file FILE), or set " +
		EnvPrivateKeyFile + "=FILE and " + EnvClientID + "=ID in the environment (for CI). " +
		"On Linux the keyring is a Secret Service (gnome-keyring, KeePassXC) on the session D-Bus"
}

func (e *KeyringError) Unwrap() []error { return []error{ErrNoKeyring, e.Err} }

// SecretError is a keyring entry that exists but cannot be used (written by something else, or
// holding a damaged key), or one too big for the platform's keyring.
type SecretError struct {
	Profile string
	Msg     string
	Err     error
}

func (e *SecretError) Error() string {
	return fmt.Sprintf("keyring entry %q/%q: %s", KeyringService, e.Profile, e.Msg)
}
func (e *SecretError) Unwrap() error { return e.Err }

// SecretEntry is what one keyring entry holds.
type SecretEntry struct {
	ClientID string
	Key      *Key // nil when only a client id is stored
}

// secretPayload is the entry's JSON form. The key is PKCS#8 PEM; kid is kept because a key read
// from a JWK may be registered under a kid that is not its thumbprint.
type secretPayload struct {
	Format     string `json:"fhirscope_secret"` // "v1"
	ClientID   string `json:"client_id,omitempty"`
	KeyID      string `json:"kid,omitempty"`
	PrivateKey string `json:"private_key,omitempty"`
}

// Secrets reads and writes profile secrets in the OS keyring through go-keyring (so
// keyring.MockInit in tests replaces the backend).
type Secrets struct {
	// Service defaults to KeyringService.
	Service string
	// Timeout bounds each keyring call: a Secret Service waiting on an unlock prompt nobody
	// sees would otherwise hang the caller. Default 20 s.
	Timeout time.Duration
}

// NewSecrets returns Secrets for the "fhirscope" service.
func NewSecrets() *Secrets { return &Secrets{Service: KeyringService, Timeout: 20 * time.Second} }

func (s *Secrets) service() string {
	if s.Service == "" {
		return KeyringService
	}
	return s.Service
}

// call runs one keyring operation with the timeout, and turns "no keyring" failures into a
// *KeyringError. keyring.ErrNotFound passes through unchanged.
func (s *Secrets) call(op, profile string, fn func() (string, error)) (string, error) {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 20 * time.Second
	}
	type result struct {
		val string
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := fn()
		done <- result{v, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-time.After(timeout):
		r.err = fmt.Errorf("the keyring did not answer within %s; is it locked and waiting for a password prompt?", timeout)
	}
	switch {
	case r.err == nil, errors.Is(r.err, keyring.ErrNotFound):
		return r.val, r.err
	case errors.Is(r.err, keyring.ErrSetDataTooBig):
		return "", &SecretError{Profile: profile, Err: r.err, Msg: "the key is too big for this platform's keyring " +
			"(macOS and Windows limit entries to about 2.5 KB): use an RSA 2048 or EC P-384 key, or a key file"}
	}
	return "", &KeyringError{Op: op, Profile: profile, Err: r.err}
}

// Check reports whether a keyring answers, by reading an entry that need not exist. It is nil
// when the keyring is usable, and a *KeyringError (errors.Is ErrNoKeyring) otherwise.
func (s *Secrets) Check() error {
	_, err := s.call("check", "(probe)", func() (string, error) {
		return keyring.Get(s.service(), "(availability probe)") // never a valid profile name
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// Get reads a profile's entry. A missing entry is an error matching ErrNoSecret.
func (s *Secrets) Get(profile string) (*SecretEntry, error) {
	raw, err := s.call("read", profile, func() (string, error) { return keyring.Get(s.service(), profile) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, &SecretError{Profile: profile, Err: ErrNoSecret,
			Msg: "not found: no key or client id is stored in the keyring for this profile " +
				"(generate one with `fhirscope keygen --profile " + profile + "`)"}
	}
	if err != nil {
		return nil, err
	}
	var p secretPayload
	if json.Unmarshal([]byte(raw), &p) != nil || p.Format != "v1" {
		return nil, &SecretError{Profile: profile, Msg: "was not written by fhirscope (or by a newer version); " +
			"remove it with `fhirscope profile rm` or your keyring manager"}
	}
	e := &SecretEntry{ClientID: p.ClientID}
	if p.PrivateKey != "" {
		k, err := ParseKey([]byte(p.PrivateKey))
		if err != nil {
			return nil, &SecretError{Profile: profile, Msg: "holds a key that no longer parses: " + err.Error(), Err: err}
		}
		if p.KeyID != "" {
			k.KeyID = p.KeyID
		}
		k.Format = "OS keyring"
		e.Key = k
	}
	return e, nil
}

// Set writes a profile's entry, replacing any previous one.
func (s *Secrets) Set(profile string, e SecretEntry) error {
	p := secretPayload{Format: "v1", ClientID: e.ClientID}
	if e.Key != nil {
		pemBytes, err := e.Key.MarshalPEM()
		if err != nil {
			return err
		}
		p.PrivateKey = string(pemBytes)
		if e.Key.KeyID != e.Key.Thumbprint() {
			p.KeyID = e.Key.KeyID // only a kid that cannot be recomputed: Windows caps entries at 2560 bytes
		}
	}
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	_, err = s.call("store", profile, func() (string, error) {
		return "", keyring.Set(s.service(), profile, string(raw))
	})
	return err
}

// Delete removes a profile's entry; an entry that is not there is not an error.
func (s *Secrets) Delete(profile string) error {
	_, err := s.call("delete", profile, func() (string, error) { return "", keyring.Delete(s.service(), profile) })
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// Rename moves a profile's entry to a new name: written under the new name first, so a failure
// part way leaves the secret reachable under one of them.
func (s *Secrets) Rename(from, to string) error {
	e, err := s.Get(from)
	if errors.Is(err, ErrNoSecret) {
		return nil
	}
	if err != nil {
		return err
	}
	// An entry already under the new name (say, from `keygen --profile NEW`) is never replaced.
	if _, err := s.Get(to); !errors.Is(err, ErrNoSecret) {
		if err != nil {
			return err
		}
		return fmt.Errorf("%w: the keyring already has an entry for %q (from keygen?); remove it "+
			"(fhirscope profile rm, or your keyring manager) or choose another name", ErrKeyExists, to)
	}
	if err := s.Set(to, *e); err != nil {
		return err
	}
	return s.Delete(from)
}

// SetKey stores key for profile and keeps the client id already in the entry.
func (s *Secrets) SetKey(profile string, key *Key) error {
	return s.update(profile, func(e *SecretEntry) { e.Key = key })
}

// SetClientID stores the client id for profile and keeps the key already in the entry.
func (s *Secrets) SetClientID(profile, clientID string) error {
	return s.update(profile, func(e *SecretEntry) { e.ClientID = clientID })
}

// update is read-modify-write. An entry that exists but cannot be read is not overwritten.
func (s *Secrets) update(profile string, change func(*SecretEntry)) error {
	e, err := s.Get(profile)
	if errors.Is(err, ErrNoSecret) {
		e, err = &SecretEntry{}, nil
	}
	if err != nil {
		return err
	}
	change(e)
	return s.Set(profile, *e)
}
