package termsafe

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"plain", "Smith, John", "Smith, John"},
		{"empty", "", ""},
		{"osc52", "Eve\x1b]52;c;ZWNobyBoaQ==\a", "Eve␛]52;c;ZWNobyBoaQ==␇"},
		{"osc with ST", "\x1b]8;;http://x\x1b\\link", "␛]8;;http://x␛\\link"},
		{"clear screen", "\x1b[2JBob", "␛[2JBob"},
		{"dcs", "\x1bP1$r0m\x1b\\", "␛P1$r0m␛\\"},
		{"apc", "\x1b_Gf=100;AAAA\x1b\\", "␛_Gf=100;AAAA␛\\"},
		{"pm and sos", "\x1b^priv\x1b\\\x1bXstr\x1b\\", "␛^priv␛\\␛Xstr␛\\"},
		{"8-bit csi as bytes", "a\xc2\x9b2J", `a\u009B2J`},
		{"newline and tab", "a\nb\tc\r", "a␊b␉c␍"},
		{"nul", "a\x00b", "a␀b"},
		{"del", "a\x7fb", "a␡b"},
		{"c1 csi", "a\u009b31mb", `a\u009B31mb`},
		{"c1 osc", "\u009d52;c;x\u009c", `\u009D52;c;x\u009C`},
		{"rlo", "moc.\u202eevil", `moc.\u202Eevil`},
		{"isolates", "\u2066x\u2069", `\u2066x\u2069`},
		{"marks", "\u200e\u200f\u061c", `\u200E\u200F\u061C`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"bom", "\ufeffid", `\uFEFFid`},
		{"tag char", "x\U000E0041", `x\U000E0041`},
		{"invalid utf8", "a\xffb\xc3", "a\uFFFDb\uFFFD"},
		{"unicode kept", "José Müller 李 👨‍👩‍👧", "José Müller 李 👨‍👩‍👧"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := String(c.in); got != c.want {
				t.Errorf("String(%q) = %q, want %q", c.in, got, c.want)
			}
			if got := Bytes([]byte(c.in)); got != c.want {
				t.Errorf("Bytes(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

// A Patient name crafted to write the clipboard and clear the screen must
// come out without a single ESC byte.
func TestPatientNameHasNoEscape(t *testing.T) {
	name := "Mallory\x1b]52;c;cm0gLXJmIH4=\a\x1b[2J\x1b[H\u009b2J"
	for _, out := range []string{String(name), Text(name), Bytes([]byte(name))} {
		if strings.ContainsRune(out, 0x1b) || strings.ContainsRune(out, 0x07) || strings.ContainsRune(out, 0x9b) {
			t.Fatalf("unsafe output %q", out)
		}
		if !strings.Contains(out, "␛]52;c;") || !strings.Contains(out, "␛[2J") {
			t.Fatalf("sequence not shown visibly: %q", out)
		}
	}
}

func TestText(t *testing.T) {
	cases := []struct{ in, want string }{
		{"line1\nline2", "line1\nline2"},
		{"crlf\r\nnext", "crlf\nnext"},
		{"lone\rcr", "lone␍cr"},
		{"a\tb", "a   b"},
		{"abcd\te", "abcd    e"},
		{"x\n\ty", "x\n    y"},
		{"\x1b[31mred\x1b[0m\n", "␛[31mred␛[0m\n"},
	}
	for _, c := range cases {
		if got := Text(c.in); got != c.want {
			t.Errorf("Text(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPlainDoesNotAllocate(t *testing.T) {
	s := "Observation/123 final 2024-01-02"
	if n := testing.AllocsPerRun(100, func() { _ = String(s) }); n != 0 {
		t.Fatalf("String on plain text allocated %v times", n)
	}
}

func TestIsSafe(t *testing.T) {
	if !IsSafe("ok é") || IsSafe("\x1b") || IsSafe("\u202e") {
		t.Fatal("IsSafe wrong")
	}
}

// checkSafe fails if out holds anything a terminal could act on.
func checkSafe(t *testing.T, in, out string, allowNewline bool) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Fatalf("output of %q is not valid UTF-8: %q", in, out)
	}
	for _, r := range out {
		switch {
		case r == '\n' && allowNewline:
		case r < 0x20, r == 0x7f:
			t.Fatalf("control %U in output of %q: %q", r, in, out)
		case isHidden(r):
			t.Fatalf("hidden rune %U in output of %q: %q", r, in, out)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]52;c;abc\a", "\x1b[2J", "\u202e\u2066", "\xff\xfe", "a\r\n\tb", "\u009b1m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkSafe(t, s, String(s), false)
		checkSafe(t, s, Bytes([]byte(s)), false)
		checkSafe(t, s, Text(s), true)
		if utf8.ValidString(s) && IsSafe(s) && String(s) != s {
			t.Fatal("IsSafe disagrees with String")
		}
		// Idempotence: safe text stays as it is.
		if once := String(s); String(once) != once {
			t.Fatalf("String not idempotent on %q", s)
		}
	})
}

func BenchmarkStringPlain(b *testing.B) {
	s := strings.Repeat("Observation final ", 8)
	for b.Loop() {
		_ = String(s)
	}
}

func BenchmarkStringHostile(b *testing.B) {
	s := strings.Repeat("x\x1b]52;c;abc\a\u202eé", 8)
	for b.Loop() {
		_ = String(s)
	}
}
