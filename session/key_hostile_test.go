package session

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// Key and JWKS input is outside input too (a file from anywhere, a paste, a jwks_uri body):
// the errors quote parts of it and end up on screen, so whatever the input holds they must
// be typed, and free of escapes, controls, bidi overrides and invalid UTF-8. The formats
// themselves are covered by TestParseKeyBadInputs; these are the hostile variants.
func TestHostileKeyInputsGiveInertTypedErrors(t *testing.T) {
	const esc = "\x1b]52;c;ZXZpbA==\a\x1b[2J\u202e\u009b31m"
	deep := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	inputs := map[string]string{
		"PEM type with escapes":    "-----BEGIN " + esc + " KEY-----\nMIIB\n-----END " + esc + " KEY-----\n",
		"PEM body with escapes":    "-----BEGIN PRIVATE KEY-----\n" + esc + "\n-----END PRIVATE KEY-----\n",
		"kty with escapes":         `{"kty":"` + esc + `","d":"AAAA"}`,
		"kty escaped in JSON":      `{"kty":"\u001b[2J\u202eRSA","d":"AAAA"}`,
		"crv with escapes":         `{"kty":"EC","crv":"\u001b]52;c;eA==\u0007","d":"AAAA"}`,
		"kid with escapes":         `{"keys":[{"kty":"RSA","kid":"\u001b[2J","n":"AQAB","e":"AQAB"}]}`,
		"invalid UTF-8 in JSON":    "{\"kty\":\"RSA\xff\xfe\",\"d\":\"AAAA\"}",
		"invalid UTF-8 as text":    "\xff\xfe\xfd not a key \xc3",
		"JWK nested 100,000 deep":  `{"kty":"RSA","d":` + deep + `}`,
		"JWKS nested 100,000 deep": `{"keys":` + deep + `}`,
		"unclosed objects":         strings.Repeat(`{"a":`, 100_000),
		"text with escapes":        esc + "hello",
		"HTML error page":          "<html><title>" + esc + "</title></html>",
	}
	for name, in := range inputs {
		_, err := ParseKey([]byte(in))
		var ke *KeyError
		if !errors.As(err, &ke) || ke.Kind == nil {
			t.Errorf("%s: ParseKey error %v (%T), want a *KeyError with a kind", name, err, err)
		} else {
			assertInertMessage(t, name+": ParseKey", err.Error())
		}
		if _, err := InspectJWKS([]byte(in)); err != nil {
			assertInertMessage(t, name+": InspectJWKS", err.Error())
		}
	}
}

func assertInertMessage(t *testing.T, where, msg string) {
	t.Helper()
	if !utf8.ValidString(msg) {
		t.Errorf("%s: message is not UTF-8: %q", where, msg)
		return
	}
	for _, r := range msg {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Errorf("%s: raw control %U in %q", where, r, msg)
			return
		}
	}
}
