package session

import (
	"errors"
	"fmt"
	"os"
)

// ErrKeyExists matches (errors.Is) an attempt to replace a profile's key without saying so:
// a replaced key locks the client out until the server gets the new public JWKS.
var ErrKeyExists = errors.New("profile already has a key")

// InstallKey stores key in the keyring as the profile's key, keeping the client id there. The
// profile need not exist yet (keygen comes before registration, which yields the client id);
// when it does, its alg and kid are set from the key and it is switched to the keyring.
// Without replace, an existing keyring key or a key file in the profile is an ErrKeyExists.
func (s *Store) InstallKey(profile string, key *Key, replace bool) error {
	if err := ValidName(profile); err != nil {
		return err
	}
	if s.secrets == nil {
		return &KeyringError{Op: "store", Profile: profile, Err: errors.New("no keyring configured")}
	}
	p, err := s.Get(profile)
	exists := err == nil
	if exists && p.KeyFile != "" && !replace {
		return fmt.Errorf("%w: profile %q reads its key from %s; replace it with the new key in the keyring "+
			"only if you mean to (--force)", ErrKeyExists, profile, p.KeyFile)
	}
	old, err := s.secrets.Get(profile)
	switch {
	case errors.Is(err, ErrNoSecret):
	case err != nil:
		return err
	case old.Key != nil && !replace:
		return fmt.Errorf("%w: profile %q already has a %s key in the keyring (kid %s); replacing it locks the "+
			"client out until the server has the new public JWKS. Pass --force to replace it",
			ErrKeyExists, profile, old.Key.Type(), old.Key.KeyID)
	}
	if err := s.secrets.SetKey(profile, key); err != nil {
		return err
	}
	if !exists {
		return nil
	}
	return s.Update(profile, func(p *Profile) error {
		p.KeyFile, p.Alg, p.KeyID = "", key.Alg, key.KeyID
		return nil
	})
}

// AddOptions are the choices AddProfile makes about the key.
type AddOptions struct {
	// ImportKey, when set, is stored in the keyring as the new profile's key (the profile must
	// then have no KeyFile).
	ImportKey *Key
	// ReplaceKey allows ImportKey to replace a key already in the keyring under this name.
	ReplaceKey bool
}

// AddProfile adds a profile with its key settled, the way the setup wizard and
// `profile add` need it:
//   - KeyFile set: the file must hold a usable private key now (it is read again at each use).
//   - otherwise the key lives in the keyring: ImportKey is stored there, or a key must already
//     be there (from `fhirscope keygen --profile NAME`).
//
// For keyring profiles the client id is written to the keyring entry as well as the config.
func (s *Store) AddProfile(p Profile, opts AddOptions) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	if _, err := s.Get(p.Name); err == nil {
		return &ProfileError{Profile: p.Name, Msg: "a profile with this name already exists"}
	}
	if p.KeyFile != "" {
		if opts.ImportKey != nil {
			return &ProfileError{Profile: p.Name, Field: "key_file", Msg: "choose a key file or a key in the keyring, not both"}
		}
		var c Credentials
		if err := c.readKeyFile(p.KeyFile, SourceFile, "key_file of profile "+p.Name); err != nil {
			return err
		}
		if err := applyProfileKeySettings(p, c.Key); err != nil {
			return err
		}
		return s.Add(p)
	}
	if s.secrets == nil {
		return &KeyringError{Op: "store", Profile: p.Name, Err: errors.New("no keyring configured")}
	}
	key := opts.ImportKey
	if key != nil {
		if err := applyProfileKeySettings(p, key); err != nil {
			return err
		}
		if err := s.InstallKey(p.Name, key, opts.ReplaceKey); err != nil {
			return err
		}
	} else {
		e, err := s.secrets.Get(p.Name)
		if errors.Is(err, ErrNoSecret) || err == nil && e.Key == nil {
			return &ProfileError{Profile: p.Name, Msg: "no private key in the keyring for this profile: generate one with " +
				"`fhirscope keygen --profile " + p.Name + "`, import one (--import-key FILE), or use --key-file FILE"}
		}
		if err != nil {
			return err
		}
		key = e.Key
		if err := applyProfileKeySettings(p, key); err != nil {
			return err
		}
	}
	if p.ClientID != "" {
		if err := s.secrets.SetClientID(p.Name, p.ClientID); err != nil {
			return err
		}
	}
	if p.Alg == "" {
		p.Alg = key.Alg
	}
	if p.KeyID == "" {
		p.KeyID = key.KeyID
	}
	return s.Add(p)
}

// UseKeyFile points a profile at a key file (read at each use, never copied) instead of the
// keyring. The file must hold a usable key now; the profile's pinned alg and kid are cleared
// so they follow the file. A keyring entry the profile had is left for Delete to remove.
func (s *Store) UseKeyFile(name, path string) error {
	var c Credentials
	if err := c.readKeyFile(path, SourceFile, "the key file for profile "+name); err != nil {
		return err
	}
	return s.Update(name, func(p *Profile) error {
		p.KeyFile, p.Alg, p.KeyID = path, "", ""
		return nil
	})
}

// LoadKey finds the private key a profile signs with, as ResolveCredentials does, without
// needing a client id (a JWKS is exported before the client is registered).
func LoadKey(p Profile, s *Secrets) (*Key, KeySource, error) {
	var c Credentials
	switch {
	case os.Getenv(EnvPrivateKeyFile) != "":
		if err := c.readKeyFile(os.Getenv(EnvPrivateKeyFile), SourceEnv, EnvPrivateKeyFile); err != nil {
			return nil, SourceNone, err
		}
	case p.KeyFile != "":
		if err := c.readKeyFile(p.KeyFile, SourceFile, "key_file of profile "+p.Name); err != nil {
			return nil, SourceNone, err
		}
	default:
		if s == nil {
			return nil, SourceNone, &KeyringError{Op: "read", Profile: p.Name, Err: errors.New("no keyring configured")}
		}
		e, err := s.Get(p.Name)
		if err != nil {
			return nil, SourceNone, err
		}
		if e.Key == nil {
			return nil, SourceNone, &SecretError{Profile: p.Name, Err: ErrNoSecret, Msg: "holds a client id but no private key"}
		}
		c.Key, c.KeySource = e.Key, SourceKeyring
	}
	if err := applyProfileKeySettings(p, c.Key); err != nil {
		return nil, SourceNone, err
	}
	return c.Key, c.KeySource, nil
}

// WritePrivateKeyFile exports the private key as PKCS#8 PEM to a new file of mode 0600. It is
// only for an export the user asked for by name, and never replaces an existing file.
func WritePrivateKeyFile(path string, k *Key) error {
	pemBytes, err := k.MarshalPEM()
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("export private key: %w (fhirscope never overwrites a key file)", err)
	}
	_, err = f.Write(pemBytes)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
		return fmt.Errorf("export private key: %w", err)
	}
	return nil
}
