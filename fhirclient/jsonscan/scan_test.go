package jsonscan

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestSkipValueAgreesWithEncodingJSON(t *testing.T) {
	cases := []string{
		`{}`, `[]`, `""`, `0`, `-0`, `1.5e+10`, `true`, `false`, `null`,
		`{"a":[1,2,{"b":null}],"c":"\u00e9\n\"x\""}`, " \t\r\n[ 1 , 2 ] ",
		`{"a" : 1 , "b" : [ ] , "c" : { } }`, `"\ud83d\ude00"`,
		// invalid
		``, ` `, `{`, `[`, `{"a"}`, `{"a":}`, `{"a":1,}`, `[1,]`, `[,1]`, `01`, `1.`, `.5`, `-`, `1e`, `1e+`,
		`tru`, `nul`, `falsey`, `"abc`, `"\x"`, `"\u12g4"`, "\"a\x01b\"", `{1:2}`, `[1 2]`, `{"a":1 "b":2}`,
		`}`, `]`, `[}`, `{]`, `"\`, `<html>`, `1 2`, `[1]]`, `{"a":1}}`, `+1`, `NaN`, `'a'`,
	}
	for _, c := range cases {
		want := json.Valid([]byte(c))
		got := Valid([]byte(c)) == nil
		if got != want {
			t.Errorf("Valid(%q) = %v, encoding/json says %v (err %v)", c, got, want, Valid([]byte(c)))
		}
	}
}

func TestSkipValueSpans(t *testing.T) {
	data := []byte(`  {"a": [1, "two", {"x": true}], "b": -1.25e3}  tail`)
	end, err := SkipValue(data, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(data[:end]); got != `  {"a": [1, "two", {"x": true}], "b": -1.25e3}` {
		t.Fatalf("value ends wrong: %q", got)
	}
	if k := KindAt(data, 0); k != Object {
		t.Fatalf("KindAt = %v", k)
	}
	var keys, vals []string
	err = ObjectMembers(data, Span{2, end}, func(k, v Span) bool {
		s, _ := Unquote(data, k)
		keys = append(keys, s)
		vals = append(vals, string(data[v.Start:v.End]))
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(keys, ",") != "a,b" || vals[0] != `[1, "two", {"x": true}]` || vals[1] != "-1.25e3" {
		t.Fatalf("members: %q %q", keys, vals)
	}
	var elems []string
	var kinds []Kind
	arr := Span{8, 8 + len(vals[0])}
	err = ArrayElements(data, arr, func(i int, v Span) bool {
		elems = append(elems, string(data[v.Start:v.End]))
		kinds = append(kinds, KindAt(data, v.Start))
		return i < 1 // stop after the second element
	})
	if err != nil || len(elems) != 2 || elems[1] != `"two"` || kinds[0] != Number || kinds[1] != String {
		t.Fatalf("elements %q kinds %v err %v", elems, kinds, err)
	}
}

func TestErrorsAreTypedAndPositioned(t *testing.T) {
	cases := []struct {
		in     string
		reason error
		off    int
	}{
		{``, ErrEmpty, 0},
		{"   \n", ErrEmpty, 4},
		{`{"a": [1, 2`, ErrTruncated, 11},
		{`{"a": "abc`, ErrTruncated, 10},
		{`<html><body>502</body></html>`, ErrSyntax, 0},
		{`{"a": 1} x`, ErrTrailing, 9},
		{"\"caf\xe9\"", ErrInvalidUTF8, 4},
		{strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), ErrTooDeep, MaxDepth},
	}
	for _, c := range cases {
		err := Valid([]byte(c.in))
		var se *SyntaxError
		if !errors.Is(err, c.reason) || !errors.As(err, &se) || se.Offset != c.off {
			t.Errorf("Valid(%.20q) = %v, want %v at %d", c.in, err, c.reason, c.off)
		}
	}
	if err := Valid([]byte(strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth))); err != nil {
		t.Errorf("depth %d must be accepted: %v", MaxDepth, err)
	}
}

func TestUnquote(t *testing.T) {
	cases := map[string]string{
		`"plain"`:             "plain",
		`"a\"b\\c\/d"`:        `a"b\c/d`,
		`"\b\f\n\r\t"`:        "\b\f\n\r\t",
		`"\u00e9t\u00E9"`:     "été",
		`"\ud83d\ude00!"`:     "😀!",
		`"\ud83d x"`:          "\uFFFD x",
		`"\ude00"`:            "\uFFFD",
		"\"ok \xff bytes\"":   "ok \uFFFD bytes",
		`"Zoë Müller-Łukasz"`: "Zoë Müller-Łukasz",
	}
	for in, want := range cases {
		got, err := Unquote([]byte(in), Span{0, len(in)})
		if err != nil || got != want {
			t.Errorf("Unquote(%s) = %q, %v; want %q", in, got, err, want)
		}
		if !KeyEquals([]byte(in), Span{0, len(in)}, want) && !strings.ContainsRune(want, '\uFFFD') {
			t.Errorf("KeyEquals(%s, %q) = false", in, want)
		}
	}
	for _, bad := range []string{`"abc\"`, `abc`, `"`, "\"a\x01\"", `"\q"`} {
		if _, err := Unquote([]byte(bad), Span{0, len(bad)}); err == nil {
			t.Errorf("Unquote(%q) accepted", bad)
		}
	}
	if _, err := Unquote([]byte(`"a"`), Span{-1, 9}); !errors.Is(err, ErrRange) {
		t.Errorf("out-of-range span: %v", err)
	}
}

func TestSpanGuards(t *testing.T) {
	data := []byte(`{"a":1}`)
	for _, s := range []Span{{-1, 3}, {0, 99}, {5, 2}, {3, 3}} {
		if err := ObjectMembers(data, s, func(Span, Span) bool { return true }); err == nil {
			t.Errorf("ObjectMembers accepted span %v", s)
		}
		if err := ArrayElements(data, s, func(int, Span) bool { return true }); err == nil {
			t.Errorf("ArrayElements accepted span %v", s)
		}
	}
	if _, err := SkipValue(data, 99); !errors.Is(err, ErrRange) {
		t.Errorf("SkipValue past end: %v", err)
	}
	if KindAt(data, -5) != Invalid || KindAt(data, 7) != Invalid {
		t.Error("KindAt out of range must be Invalid")
	}
	// A span cut inside the object must not be read past.
	if err := ObjectMembers(data, Span{0, 5}, func(Span, Span) bool { return true }); !errors.Is(err, ErrTruncated) {
		t.Errorf("cut span: %v", err)
	}
}

func TestLeaves(t *testing.T) {
	data := []byte(`{"name":[{"family":"Ng","given":["Ann","Bo"]}],"n":1.5,"ok":true,"x":{},"y":[],"z":null}`)
	var got []string
	err := Leaves(data, Span{0, len(data)}, func(k, v Span) bool {
		got = append(got, string(data[k.Start:k.End])+"="+string(data[v.Start:v.End]))
		return true
	})
	want := `"family"="Ng" "given"="Ann" "given"="Bo" "n"=1.5 "ok"=true "z"=null`
	if err != nil || strings.Join(got, " ") != want {
		t.Fatalf("Leaves = %q, %v", got, err)
	}
	if err := Leaves([]byte(`{"a":[1,}`), Span{0, 9}, func(Span, Span) bool { return true }); !errors.Is(err, ErrSyntax) {
		t.Fatalf("bad input: %v", err)
	}
	deep := []byte(strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1))
	if err := Leaves(deep, Span{0, len(deep)}, func(Span, Span) bool { return true }); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("deep input: %v", err)
	}
}
