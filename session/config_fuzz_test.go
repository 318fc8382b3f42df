package session

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// FuzzDecodeConfig: a hand-edited config file of any content gives a config or a *ConfigError
// with a position inside the file, never a panic; an accepted config survives encode/decode.
// Seeds: testdata/fuzz/FuzzDecodeConfig. Run: go test -run '^$' -fuzz FuzzDecodeConfig -fuzztime 20s ./session
func FuzzDecodeConfig(f *testing.F) {
	f.Add([]byte(`{"version":1,"default":"a","profiles":[{"name":"a","base_url":"https://h/fhir","scopes":["x"]}]}`))
	f.Add([]byte("{\n\"profiles\": [ {\"name\": \"a\",}\n]}"))
	f.Add([]byte(`{"profiles":[{"name":"a","base_url":"https://h","key_file":"~/k.pem","insecure_skip_verify":true}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := decodeConfig("config.json", data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Path != "config.json" || ce.Line < 0 || ce.Line > bytes.Count(data, []byte("\n"))+1 {
				t.Fatalf("bad error %#v", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := encodeConfig(&buf, cfg); err != nil {
			t.Fatal(err)
		}
		again, err := decodeConfig("config.json", buf.Bytes())
		if err != nil {
			t.Fatalf("our own output does not load: %v\n%s", err, buf.Bytes())
		}
		if !reflect.DeepEqual(normalizedProfiles(cfg), normalizedProfiles(again)) || cfg.Default != again.Default {
			t.Fatalf("round trip changed the config")
		}
	})
}

// normalizedProfiles treats nil and empty scope lists alike (omitempty drops both).
func normalizedProfiles(c *configFile) []Profile {
	out := make([]Profile, len(c.Profiles))
	for i, p := range c.Profiles {
		if len(p.Scopes) == 0 {
			p.Scopes = nil
		}
		out[i] = p
	}
	return out
}
