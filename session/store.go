package session

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// EnvConfig names a config file to use instead of the XDG one.
const EnvConfig = "FHIRSCOPE_CONFIG"

// ConfigPath is where profiles live: $FHIRSCOPE_CONFIG, else $XDG_CONFIG_HOME/fhirscope/
// config.json, else ~/.config/fhirscope/config.json (on macOS too, where tools like this one
// are expected under ~/.config rather than ~/Library).
func ConfigPath() (string, error) {
	if p := os.Getenv(EnvConfig); p != "" {
		return p, nil
	}
	if x := os.Getenv("XDG_CONFIG_HOME"); x != "" && filepath.IsAbs(x) {
		return filepath.Join(x, "fhirscope", "config.json"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the config directory: %w (set %s or XDG_CONFIG_HOME)", err, EnvConfig)
	}
	return filepath.Join(home, ".config", "fhirscope", "config.json"), nil
}

// Store is the profile config file. Every change re-reads the file first and writes it back
// atomically, so two fhirscope processes do not undo each other's edits.
type Store struct {
	path    string
	secrets *Secrets // for Delete and Rename; nil: keyring left alone

	mu  sync.Mutex
	cfg *configFile
}

// OpenStore loads the config at path (a missing file is an empty store). secrets may be nil
// when the caller never deletes or renames profiles. A file that does not parse gives a
// *ConfigError and no Store, so nothing can overwrite it.
func OpenStore(path string, secrets *Secrets) (*Store, error) {
	s := &Store{path: path, secrets: secrets}
	if err := s.Load(); err != nil {
		return nil, err
	}
	return s, nil
}

// OpenDefaultStore opens the store at ConfigPath with the OS keyring.
func OpenDefaultStore() (*Store, error) {
	path, err := ConfigPath()
	if err != nil {
		return nil, err
	}
	return OpenStore(path, NewSecrets())
}

// Path is the config file's path.
func (s *Store) Path() string { return s.path }

// Secrets is the keyring the store removes entries from (may be nil).
func (s *Store) Secrets() *Secrets { return s.secrets }

// Load re-reads the file. On error the store keeps what it had.
func (s *Store) Load() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.loadLocked()
}

func (s *Store) loadLocked() error {
	data, err := os.ReadFile(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.cfg = &configFile{Version: configVersion}
		return nil
	}
	if err != nil {
		return &ConfigError{Path: s.path, Msg: "cannot read: " + err.Error(), Err: err}
	}
	cfg, err := decodeConfig(s.path, data)
	if err != nil {
		return err
	}
	s.cfg = cfg
	return nil
}

// Save writes the profiles atomically: a temporary file in the same directory (mode 0600),
// synced, then renamed over the config. The directory is created 0700.
func (s *Store) Save() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lockConfig()
	if err != nil {
		return err
	}
	defer unlock()
	return s.saveLocked()
}

// lockConfig takes the config file's cross-process lock (see lockFile), creating the
// directory it lives in; the caller holds s.mu.
func (s *Store) lockConfig() (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return nil, fmt.Errorf("create config directory: %w", err)
	}
	unlock, err = lockFile(s.path + ".lock")
	if err != nil {
		return nil, fmt.Errorf("lock the config: %w", err)
	}
	return unlock, nil
}

func (s *Store) saveLocked() error {
	target := s.path
	if resolved, err := filepath.EvalSymlinks(target); err == nil {
		target = resolved // keep a dotfiles symlink a symlink
	}
	dir := filepath.Dir(target)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create config directory: %w", err)
	}
	// Our own directory is kept private even if something created it looser; a directory the
	// user chose through FHIRSCOPE_CONFIG is theirs to set.
	if st, err := os.Stat(dir); err == nil && filepath.Base(dir) == "fhirscope" && st.Mode().Perm()&0o077 != 0 {
		_ = os.Chmod(dir, 0o700)
	}
	var buf bytes.Buffer
	if err := encodeConfig(&buf, s.cfg); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".config-*.tmp")
	if err != nil {
		return fmt.Errorf("write config: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("write config: %w", err)
	}
	_, err = tmp.Write(buf.Bytes())
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), target)
	}
	if err != nil {
		return fmt.Errorf("write config %s: %w", s.path, err)
	}
	if d, err := os.Open(dir); err == nil { // make the rename itself durable
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// change re-reads the file, applies fn, validates and saves.
func (s *Store) change(fn func(cfg *configFile) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lockConfig()
	if err != nil {
		return err
	}
	defer unlock()
	if err := s.loadLocked(); err != nil {
		return err
	}
	if err := fn(s.cfg); err != nil {
		_ = s.loadLocked() // drop the half-applied change
		return err
	}
	return s.saveLocked()
}

// List returns copies of all profiles, in file order.
func (s *Store) List() []Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Profile, len(s.cfg.Profiles))
	for i, p := range s.cfg.Profiles {
		out[i] = cloneProfile(p)
	}
	return out
}

// Get returns a copy of the named profile, or an error matching ErrProfileNotFound.
func (s *Store) Get(name string) (Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := s.cfg.index(name)
	if i < 0 {
		return Profile{}, s.notFound(name)
	}
	return cloneProfile(s.cfg.Profiles[i]), nil
}

func (s *Store) notFound(name string) error {
	names := make([]string, len(s.cfg.Profiles))
	for i, p := range s.cfg.Profiles {
		names[i] = p.Name
	}
	if len(names) == 0 {
		return fmt.Errorf("%w: %q (there are no profiles yet in %s)", ErrProfileNotFound, name, s.path)
	}
	return fmt.Errorf("%w: %q (profiles: %v)", ErrProfileNotFound, name, names)
}

func (c *configFile) index(name string) int {
	return slices.IndexFunc(c.Profiles, func(p Profile) bool { return p.Name == name })
}

// Add stores a new profile; the name must be free. The first profile becomes the default.
func (s *Store) Add(p Profile) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return s.change(func(cfg *configFile) error {
		if cfg.index(p.Name) >= 0 {
			return &ProfileError{Profile: p.Name, Msg: "a profile with this name already exists"}
		}
		cfg.Profiles = append(cfg.Profiles, cloneProfile(p))
		if len(cfg.Profiles) == 1 {
			cfg.Default = p.Name
		}
		return nil
	})
}

// Update edits a profile in place. edit may change anything but the name (use Rename).
func (s *Store) Update(name string, edit func(p *Profile) error) error {
	return s.change(func(cfg *configFile) error {
		i := cfg.index(name)
		if i < 0 {
			return s.notFound(name)
		}
		p := cloneProfile(cfg.Profiles[i])
		if err := edit(&p); err != nil {
			return err
		}
		if p.Name != name {
			return &ProfileError{Profile: name, Field: "name", Msg: "use Rename to change a profile's name"}
		}
		p.Normalize()
		if err := p.Validate(); err != nil {
			return err
		}
		cfg.Profiles[i] = p
		return nil
	})
}

// Rename changes a profile's name, moving its keyring entry and the default with it.
func (s *Store) Rename(from, to string) error {
	if err := ValidName(to); err != nil {
		return err
	}
	return s.change(func(cfg *configFile) error {
		i := cfg.index(from)
		if i < 0 {
			return s.notFound(from)
		}
		if cfg.index(to) >= 0 {
			return &ProfileError{Profile: to, Msg: "a profile with this name already exists"}
		}
		if s.secrets != nil && cfg.Profiles[i].KeyLocation() == SourceKeyring {
			if err := s.secrets.Rename(from, to); err != nil {
				return err
			}
		}
		cfg.Profiles[i].Name = to
		if cfg.Default == from {
			cfg.Default = to
		}
		return nil
	})
}

// Delete removes a profile and its keyring entry. When the keyring cannot be reached the
// profile is kept and the *KeyringError returned, so no secret is orphaned unnoticed; Forget
// removes the profile alone.
func (s *Store) Delete(name string) error {
	return s.remove(name, true)
}

// Forget removes a profile from the config file only, leaving any keyring entry in place.
func (s *Store) Forget(name string) error {
	return s.remove(name, false)
}

func (s *Store) remove(name string, secrets bool) error {
	return s.change(func(cfg *configFile) error {
		i := cfg.index(name)
		if i < 0 {
			return s.notFound(name)
		}
		if secrets && s.secrets != nil {
			// Also for key-file profiles: the entry may still hold a client id or an old key.
			if err := s.secrets.Delete(name); err != nil && cfg.Profiles[i].KeyLocation() == SourceKeyring {
				return err
			}
		}
		cfg.Profiles = slices.Delete(cfg.Profiles, i, i+1)
		if cfg.Default == name {
			cfg.Default = ""
			if len(cfg.Profiles) == 1 {
				cfg.Default = cfg.Profiles[0].Name
			}
		}
		return nil
	})
}

// Default returns the default profile: the one marked so, else the only one. With none it
// returns ErrNoProfiles, and with several but no mark an error listing them.
func (s *Store) Default() (Profile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case len(s.cfg.Profiles) == 0:
		return Profile{}, fmt.Errorf("%w in %s: add one with `fhirscope profile add` or the setup wizard", ErrNoProfiles, s.path)
	case s.cfg.Default != "":
		if i := s.cfg.index(s.cfg.Default); i >= 0 {
			return cloneProfile(s.cfg.Profiles[i]), nil
		}
	case len(s.cfg.Profiles) == 1:
		return cloneProfile(s.cfg.Profiles[0]), nil
	}
	return Profile{}, fmt.Errorf("%w: no default profile among %d; pick one with --profile or `fhirscope profile default NAME`",
		ErrProfileNotFound, len(s.cfg.Profiles))
}

// DefaultName is the name of the marked default profile, or "".
func (s *Store) DefaultName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg.Default
}

// SetDefault marks a profile as the default.
func (s *Store) SetDefault(name string) error {
	return s.change(func(cfg *configFile) error {
		if cfg.index(name) < 0 {
			return s.notFound(name)
		}
		cfg.Default = name
		return nil
	})
}

func cloneProfile(p Profile) Profile {
	p.Scopes = slices.Clone(p.Scopes)
	return p
}
