package session

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCorruptConfigNamesFileAndLine(t *testing.T) {
	cases := []struct {
		name, body string
		line       int
		msg        string
	}{
		{"syntax", "{\n  \"version\": 1,\n  \"profiles\": [\n    {\"name\": \"a\",}\n  ]\n}\n", 4, "not valid JSON"},
		{"truncated", "{\n  \"version\": 1,\n  \"profiles\": [\n", 0, "not valid JSON"},
		{"unknown top", "{\n  \"version\": 1,\n  \"profile\": []\n}\n", 3, `unknown setting "profile"`},
		{"typo in profile", "{\"profiles\": [\n  {\"name\": \"a\",\n   \"base_ur\": \"https://h\"}\n]}", 3, `unknown profile setting "base_ur"`},
		{"wrong type", "{\"profiles\": [\n  {\"name\": \"a\", \"base_url\": \"https://h\",\n   \"scopes\": \"system/Patient.read\"}]}", 3, `"profiles.scopes" should be a list`},
		{"invalid profile", "{\"profiles\": [\n  {\"name\": \"a\", \"base_url\": \"https://h\"},\n  {\"name\": \"b\", \"base_url\": \"mailto:x\"}\n]}", 3, `profile "b": base_url`},
		{"duplicate", "{\"profiles\": [\n  {\"name\": \"a\", \"base_url\": \"https://h\"},\n  {\"name\": \"a\", \"base_url\": \"https://h\"}\n]}", 3, `a second profile named "a"`},
		{"default missing", "{\n  \"default\": \"zz\",\n  \"profiles\": []\n}", 2, `default profile "zz"`},
		{"newer", "{\n  \"version\": 7, \"profiles\": []\n}", 2, "newer fhirscope"},
		{"not an object", "[1,2]", 1, "one JSON object"},
		{"profiles not a list", "{\"profiles\": {}}", 1, "should be a list"},
		{"profile not an object", "{\"profiles\": [\n 3]}", 2, "should be an object"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, []byte(c.body), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := OpenStore(path, nil)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("got %v, want a *ConfigError", err)
			}
			if ce.Path != path || !strings.HasPrefix(err.Error(), path+":") {
				t.Errorf("error does not name the file: %v", err)
			}
			if c.line > 0 && ce.Line != c.line {
				t.Errorf("line %d, want %d: %v", ce.Line, c.line, err)
			}
			if !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), "will not overwrite") {
				t.Errorf("message %q lacks %q", err, c.msg)
			}
			if b, _ := os.ReadFile(path); string(b) != c.body {
				t.Error("the corrupt file was changed")
			}
		})
	}
}

// TestCorruptFileNeverOverwritten: a store that loaded fine refuses to write once the file on
// disk has been broken by hand.
func TestCorruptFileNeverOverwritten(t *testing.T) {
	s, path := newTestStore(t)
	if err := s.Add(Profile{Name: "a", BaseURL: "https://h/fhir"}); err != nil {
		t.Fatal(err)
	}
	broken := []byte("{\"version\": 1, \"profiles\": [ {\"name\": \"a\"\n")
	if err := os.WriteFile(path, broken, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Add":        s.Add(Profile{Name: "b", BaseURL: "https://h/fhir"}),
		"SetDefault": s.SetDefault("a"),
		"Rename":     s.Rename("a", "c"),
		"Delete":     s.Delete("a"),
	} {
		var ce *ConfigError
		if !errors.As(err, &ce) {
			t.Errorf("%s on a corrupt file: %v", name, err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != string(broken) {
		t.Error("the corrupt file was overwritten")
	}
}

func TestConfigEmptyAndBOM(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"empty": "", "spaces": " \n", "bom": "\xef\xbb\xbf{\"version\":1,\"profiles\":[{\"name\":\"a\",\"base_url\":\"https://h\"}]}",
	} {
		path := filepath.Join(dir, name+".json")
		_ = os.WriteFile(path, []byte(body), 0o600)
		s, err := OpenStore(path, nil)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if name == "bom" && len(s.List()) != 1 {
			t.Errorf("bom: %d profiles", len(s.List()))
		}
	}
}
