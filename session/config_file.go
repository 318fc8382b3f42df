package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// configVersion is the format written; files with a higher version come from a newer
// fhirscope and are refused rather than rewritten without the settings we do not know.
const configVersion = 1

// configFile is the whole config file.
type configFile struct {
	Version  int       `json:"version"`
	Default  string    `json:"default,omitempty"`
	Profiles []Profile `json:"profiles"`
}

// ConfigError is a config file that cannot be used as it is. It names the file and the line,
// and the store refuses to write over it until the user fixes or moves it.
type ConfigError struct {
	Path         string
	Line, Column int // 1-based; 0 when the problem is not at one place
	Msg          string
	Err          error // underlying I/O or JSON error, if any
}

func (e *ConfigError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", e.Path, e.Line, e.Column)
	}
	return where + ": " + e.Msg + " (fix or move the file; fhirscope will not overwrite it)"
}

func (e *ConfigError) Unwrap() error { return e.Err }

// decodeConfig parses and checks the config file, reporting the first problem with its line.
func decodeConfig(path string, data []byte) (*configFile, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	cfg := &configFile{Version: configVersion}
	if len(bytes.TrimSpace(data)) == 0 {
		return cfg, nil // an empty file is an empty config
	}
	at := func(off int64, err error, format string, args ...any) error {
		line, col := lineCol(data, off)
		return &ConfigError{Path: path, Line: line, Column: col, Msg: fmt.Sprintf(format, args...), Err: err}
	}
	var syntaxOnly any
	if err := json.Unmarshal(data, &syntaxOnly); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return nil, at(max(syn.Offset-1, 0), err, "not valid JSON: %s", strings.TrimPrefix(syn.Error(), "json: "))
		}
		return nil, &ConfigError{Path: path, Msg: "not valid JSON: " + err.Error(), Err: err}
	}
	offsets, err := checkShape(data, at)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, cfg); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return nil, at(typ.Offset-1, err, "%q should be %s, not a JSON %s", typ.Field, kindName(typ.Type), typ.Value)
		}
		return nil, &ConfigError{Path: path, Msg: err.Error(), Err: err}
	}
	if cfg.Version > configVersion {
		return nil, at(offsets.version, nil, "written by a newer fhirscope (format version %d; this one reads %d)", cfg.Version, configVersion)
	}
	seen := map[string]bool{}
	for i := range cfg.Profiles {
		p := &cfg.Profiles[i]
		if err := p.Validate(); err != nil {
			return nil, at(offsets.profiles[i], err, "%v", err)
		}
		if seen[p.Name] {
			return nil, at(offsets.profiles[i], nil, "a second profile named %q", p.Name)
		}
		seen[p.Name] = true
	}
	if cfg.Default != "" && !seen[cfg.Default] {
		return nil, at(offsets.dflt, nil, "the default profile %q is not among the profiles", cfg.Default)
	}
	cfg.Version = configVersion
	return cfg, nil
}

type configOffsets struct {
	version, dflt int64
	profiles      []int64 // start of each profile object
}

// checkShape walks the tokens to find unknown settings (typos would otherwise vanish on the
// next save) and to remember where each profile starts, for line numbers later.
func checkShape(data []byte, at func(int64, error, string, ...any) error) (*configOffsets, error) {
	offs := &configOffsets{}
	dec := json.NewDecoder(bytes.NewReader(data))
	pos := func() int64 { return skipSep(data, dec.InputOffset()) }
	if tok, _ := dec.Token(); tok != json.Delim('{') {
		return nil, at(0, nil, "the file should hold one JSON object {\"version\":1,\"profiles\":[...]}")
	}
	for dec.More() {
		keyOff := pos()
		tok, err := dec.Token()
		if err != nil {
			return nil, at(keyOff, err, "%v", err)
		}
		key, _ := tok.(string)
		switch key {
		case "version":
			offs.version = keyOff
		case "default":
			offs.dflt = keyOff
		case "profiles":
			if err := walkProfiles(dec, data, offs, at); err != nil {
				return nil, err
			}
			continue
		default:
			return nil, at(keyOff, nil, "unknown setting %q (known: version, default, profiles)", key)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, at(keyOff, err, "%v", err)
		}
	}
	return offs, nil
}

var profileKeys = jsonFieldNames(reflect.TypeFor[Profile]())

func walkProfiles(dec *json.Decoder, data []byte, offs *configOffsets, at func(int64, error, string, ...any) error) error {
	pos := func() int64 { return skipSep(data, dec.InputOffset()) }
	start := pos()
	tok, err := dec.Token()
	if err == nil && tok == nil {
		return nil // "profiles": null, as an empty list
	}
	if err != nil || tok != json.Delim('[') {
		if tok == nil {
			return at(start, err, "\"profiles\" should be a list [...]")
		}
		return at(start, nil, "\"profiles\" should be a list [...] of profiles")
	}
	for dec.More() {
		objOff := pos()
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			return at(objOff, err, "each profile should be an object {\"name\":...}")
		}
		offs.profiles = append(offs.profiles, objOff)
		for dec.More() {
			keyOff := pos()
			tok, err := dec.Token()
			if err != nil {
				return at(keyOff, err, "%v", err)
			}
			if key, _ := tok.(string); !profileKeys[key] {
				return at(keyOff, nil, "unknown profile setting %q (known: %s)", key, strings.Join(slices.Sorted(maps.Keys(profileKeys)), ", "))
			}
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return at(keyOff, err, "%v", err)
			}
		}
		if _, err := dec.Token(); err != nil { // '}'
			return at(pos(), err, "%v", err)
		}
	}
	_, err = dec.Token() // ']'
	return err
}

// skipSep moves an InputOffset (the end of the previous token) to the start of the next one.
func skipSep(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
		off++
	}
	return off
}

func lineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

func jsonFieldNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = true
		}
	}
	return names
}

func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64:
		return "a number"
	case reflect.Slice:
		return "a list"
	case reflect.Struct:
		return "an object"
	}
	return t.String()
}

// encodeConfig writes the file in a stable, readable form.
func encodeConfig(w io.Writer, cfg *configFile) error {
	if cfg.Profiles == nil {
		cfg.Profiles = []Profile{} // "profiles": [] rather than null
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(cfg)
}
