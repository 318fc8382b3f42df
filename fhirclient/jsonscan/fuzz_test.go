package jsonscan

import (
	"bytes"
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// maxNesting computes the container depth of valid JSON naively (ignoring
// brackets inside strings), as an independent check of the depth limit.
func maxNesting(data []byte) int {
	depth, most, inStr, esc := 0, 0, false, false
	for _, c := range data {
		switch {
		case inStr && esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == '{' || c == '['):
			depth++
			most = max(most, depth)
		case !inStr && (c == '}' || c == ']'):
			depth--
		}
	}
	return most
}

func fuzzSeeds(f *testing.F) {
	for _, s := range []string{sampleBundle, `{"a":[1,2.5e-3,"x\u00e9",true,false,null]}`, `[[[[]]]]`, `"\ud83d\ude00"`, `{"resourceType":"Patient"}`, `-0.0E+1`, "\"\xff\""} {
		f.Add([]byte(s))
	}
}

// FuzzValid: Valid accepts exactly what encoding/json accepts, minus
// invalid UTF-8 and nesting past MaxDepth.
func FuzzValid(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		mine := Valid(data) == nil
		std := json.Valid(data)
		if mine && !std {
			t.Fatalf("Valid accepted what encoding/json rejects: %q", data)
		}
		if std && utf8.Valid(data) && maxNesting(data) <= MaxDepth && !mine {
			t.Fatalf("Valid rejected valid JSON: %q: %v", data, Valid(data))
		}
	})
}

// FuzzSkipValue: SkipValue never panics, ends inside the data, and the span
// it returns is itself valid JSON whenever the input was.
func FuzzSkipValue(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		end, err := SkipValue(data, 0)
		if end < 0 || end > len(data) {
			t.Fatalf("end %d outside [0,%d]", end, len(data))
		}
		if err == nil && !json.Valid(data[:end]) {
			t.Fatalf("SkipValue accepted %q", data[:end])
		}
		if err == nil && KindAt(data, 0) == Invalid {
			t.Fatalf("KindAt says Invalid for a value")
		}
		if err == nil {
			switch KindAt(data, 0) {
			case Object:
				_ = ObjectMembers(data, Span{0, end}, func(k, v Span) bool { _, _ = Unquote(data, k); return true })
			case Array:
				_ = ArrayElements(data, Span{0, end}, func(int, Span) bool { return true })
			case String:
				s := Span{skipWS(data, 0), end}
				var want string
				if json.Unmarshal(data[:end], &want) == nil && utf8.Valid(data[s.Start:s.End]) {
					if got, err := Unquote(data, s); err != nil || got != want {
						t.Fatalf("Unquote %q = %q, %v; encoding/json %q", data[:end], got, err, want)
					}
				}
			}
		}
	})
}

// FuzzScanBundle: never panics; accepted documents are valid JSON and every
// entry span is a valid object inside the data.
func FuzzScanBundle(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		b, err := ScanBundle(data)
		if b == nil {
			t.Fatal("nil bundle")
		}
		if err != nil {
			var doc map[string]any
			if json.Valid(data) && utf8.Valid(data) && maxNesting(data) <= MaxDepth && json.Unmarshal(data, &doc) == nil {
				if rt, ok := doc["resourceType"].(string); ok && rt != "" {
					t.Fatalf("ScanBundle rejected a %q resource: %v: %q", rt, err, data)
				}
			}
			return
		}
		if !bytes.Contains(data, []byte{'\\'}) && bytes.Count(data, []byte(`"entry"`)) == 1 {
			// Maps, not structs: struct decoding matches keys case-insensitively.
			var top map[string]json.RawMessage
			var rt string
			var entries []map[string]json.RawMessage
			if json.Unmarshal(data, &top) == nil && json.Unmarshal(top["resourceType"], &rt) == nil && rt == "Bundle" {
				_ = json.Unmarshal(top["entry"], &entries)
				want := 0
				for _, e := range entries {
					if r := e["resource"]; len(r) > 0 && r[0] == '{' {
						want++
					}
				}
				if want == bytes.Count(data, []byte(`"resource"`)) && want != len(b.Entries) {
					t.Fatalf("ScanBundle found %d resources, encoding/json %d: %q", len(b.Entries), want, data)
				}
			}
		}
		if !json.Valid(data) {
			t.Fatalf("ScanBundle accepted invalid JSON %q", data)
		}
		for _, s := range b.Entries {
			if s.Start < 0 || s.End > len(data) || s.Start >= s.End || !json.Valid(data[s.Start:s.End]) || data[s.Start] != '{' {
				t.Fatalf("bad entry span %v in %q", s, data)
			}
		}
	})
}

// FuzzLeaves: Leaves never panics and agrees with SkipValue on validity
// (UTF-8 aside, which neither checks).
func FuzzLeaves(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		leafErr := Leaves(data, Span{0, len(data)}, func(k, v Span) bool {
			if v.Start < 0 || v.End > len(data) || v.Start >= v.End {
				t.Fatalf("bad leaf span %v", v)
			}
			return true
		})
		if _, skipErr := SkipValue(data, 0); (skipErr == nil) != (leafErr == nil) {
			t.Fatalf("Leaves err %v, SkipValue err %v for %q", leafErr, skipErr, data)
		}
	})
}

// FuzzSpanAPIs: every span-taking function survives arbitrary spans into
// arbitrary data, as a lazy viewer may hand it stale or hostile offsets.
func FuzzSpanAPIs(f *testing.F) {
	f.Add([]byte(sampleBundle), 0, len(sampleBundle), "resourceType")
	f.Add([]byte(`{"a":"\u00e9"}`), 5, 13, "a")
	f.Add([]byte(`[1,2]`), -3, 99, "")
	f.Fuzz(func(t *testing.T, data []byte, start, end int, key string) {
		s := Span{start, end}
		_ = KindAt(data, start)
		_, _ = SkipValue(data, start)
		_, _ = SkipValueSpan(data, start)
		_ = ObjectMembers(data, s, func(k, v Span) bool { _, _ = Unquote(data, k); return true })
		_ = ArrayElements(data, s, func(int, Span) bool { return true })
		_ = Leaves(data, s, func(Span, Span) bool { return true })
		_, _ = Unquote(data, s)
		_, _ = AppendUnquote(nil, data, s)
		_ = KeyEquals(data, s, key)
		_, _ = Member(data, s, key)
		_, _ = MemberString(data, s, key)
		_, _ = Element(data, s, len(key))
	})
}
