package session

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Credentials are what a profile signs in with, and where each part came from (for the doctor
// and the connect screen to say so).
type Credentials struct {
	ClientID       string
	ClientIDSource KeySource // SourceEnv, SourceProfile or SourceKeyring
	Key            *Key
	KeySource      KeySource // SourceEnv, SourceFile or SourceKeyring
	KeyPath        string    // the file read, for SourceEnv and SourceFile
	Warnings       []string  // e.g. a key file others can read, an ES384 key
}

// ErrNoClientID matches (errors.Is) credentials lacking a client id.
var ErrNoClientID = errors.New("no client id")

// LoadCredentials returns the client id and key a profile signs in with. See ResolveCredentials.
func LoadCredentials(p Profile, s *Secrets) (clientID string, key *Key, err error) {
	c, err := ResolveCredentials(p, s)
	if err != nil {
		return "", nil, err
	}
	return c.ClientID, c.Key, nil
}

// ResolveCredentials finds the profile's client id and private key, first match wins:
//
//	client id:  $FHIRSCOPE_CLIENT_ID, the profile's client_id, the keyring entry
//	key:        $FHIRSCOPE_PRIVATE_KEY_FILE, the profile's key_file, the keyring entry
//
// Key files are read on every call and never copied anywhere. The keyring is asked only when
// something is still missing; s may be nil when the caller has no keyring (then that step
// fails with a *KeyringError). The profile's kid and alg, when set, override the key's.
func ResolveCredentials(p Profile, s *Secrets) (*Credentials, error) {
	c := &Credentials{}
	if id := strings.TrimSpace(os.Getenv(EnvClientID)); id != "" {
		c.ClientID, c.ClientIDSource = id, SourceEnv
	} else if p.ClientID != "" {
		c.ClientID, c.ClientIDSource = p.ClientID, SourceProfile
	}
	if f := os.Getenv(EnvPrivateKeyFile); f != "" {
		if err := c.readKeyFile(f, SourceEnv, EnvPrivateKeyFile); err != nil {
			return nil, err
		}
	} else if p.KeyFile != "" {
		if err := c.readKeyFile(p.KeyFile, SourceFile, "key_file of profile "+p.Name); err != nil {
			return nil, err
		}
	}
	var keyringErr error // why the keyring could not fill in the client id, if it was asked
	if c.Key == nil || c.ClientID == "" {
		var e *SecretEntry
		var err error
		if s == nil {
			err = &KeyringError{Op: "read", Profile: p.Name, Err: errors.New("no keyring configured")}
		} else {
			e, err = s.Get(p.Name)
		}
		switch {
		case err != nil && c.Key != nil:
			keyringErr = err // only the client id is missing; reported below
		case err != nil:
			return nil, err
		default:
			if c.Key == nil {
				c.Key, c.KeySource = e.Key, SourceKeyring
			}
			if c.ClientID == "" && e.ClientID != "" {
				c.ClientID, c.ClientIDSource = e.ClientID, SourceKeyring
			}
		}
	}
	if c.Key == nil {
		return nil, &SecretError{Profile: p.Name, Err: ErrNoSecret, Msg: "holds a client id but no private key " +
			"(generate one with `fhirscope keygen --profile " + p.Name + "`)"}
	}
	if c.ClientID == "" {
		err := fmt.Errorf("%w for profile %q: register the client with the server, then set it "+
			"(fhirscope profile set %s --client-id ID, or %s=ID)", ErrNoClientID, p.Name, p.Name, EnvClientID)
		if keyringErr != nil && !errors.Is(keyringErr, ErrNoSecret) {
			err = fmt.Errorf("%w; the keyring was not available to look it up either", err)
		}
		return nil, err
	}
	if err := applyProfileKeySettings(p, c.Key); err != nil {
		return nil, err
	}
	if w := c.Key.Warning(); w != "" {
		c.Warnings = append(c.Warnings, w)
	}
	return c, nil
}

// readKeyFile reads and parses a key file, noting loose permissions the way ssh does.
func (c *Credentials) readKeyFile(path string, src KeySource, what string) error {
	full, err := ExpandPath(path)
	if err != nil {
		return err
	}
	f, err := os.Open(full)
	if err != nil {
		return fmt.Errorf("read the private key file from %s: %w", what, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKeyInput+1))
	if err != nil {
		return fmt.Errorf("read the private key file %s: %w", full, err)
	}
	k, err := ParseKey(data)
	if err != nil {
		return fmt.Errorf("private key file %s: %w", full, err)
	}
	if st, err := f.Stat(); err == nil && st.Mode().Perm()&0o077 != 0 {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the private key file %s can be read by other users "+
			"(mode %04o); restrict it with: chmod 600 %s", full, st.Mode().Perm(), full))
	}
	c.Key, c.KeySource, c.KeyPath = k, src, full
	return nil
}

// applyProfileKeySettings lets a profile pin the kid (as registered) and refuses an alg the key
// cannot sign with.
func applyProfileKeySettings(p Profile, k *Key) error {
	if p.Alg != "" && p.Alg != k.Alg {
		return &ProfileError{Profile: p.Name, Field: "alg", Msg: fmt.Sprintf(
			"the profile says %s but its key is %s, which signs %s; fix the profile or the key", p.Alg, k.Type(), k.Alg)}
	}
	if p.KeyID != "" {
		k.KeyID = p.KeyID
	}
	return nil
}
