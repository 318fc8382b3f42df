package ui

import (
	"errors"

	"fhirscope/fhirclient"
	"fhirscope/session"
)

// explainSession gives the cause and fix for the profile store's and the keyring's errors,
// which (unlike fhirclient's) carry no Explain: their messages are full sentences, so the
// cause stays short and the panel shows the message itself below it. ok is false for other
// errors.
func explainSession(err error) (ex fhirclient.Explanation, ok bool) {
	var kr *session.KeyringError
	var keyErr *session.KeyError
	var cfg *session.ConfigError
	switch {
	case errors.As(err, &kr):
		return fhirclient.Explanation{
			Cause: "The OS keyring could not be used for profile " + quoteName(kr.Profile) + ".",
			Fix: "Unlock or start the keyring (on Linux a Secret Service such as gnome-keyring or KeePassXC), " +
				"or keep the key in a file: fhirscope profile set NAME --key-file FILE " +
				"(in CI: " + session.EnvPrivateKeyFile + " and " + session.EnvClientID + ").",
		}, true
	case errors.Is(err, session.ErrNoSecret):
		return fhirclient.Explanation{
			Cause: "The keyring has no private key for this profile.",
			Fix: "Generate one with fhirscope keygen --profile NAME (then register its JWKS), " +
				"or import yours with fhirscope profile set NAME --import-key FILE.",
		}, true
	case errors.Is(err, session.ErrNoClientID):
		return fhirclient.Explanation{
			Cause: "The profile has no client ID yet.",
			Fix:   "Register the client (fhirscope register --profile NAME), or set the ID the server gave: fhirscope profile set NAME --client-id ID.",
		}, true
	case errors.Is(err, session.ErrProfileNotFound):
		return fhirclient.Explanation{
			Cause: "There is no such profile.",
			Fix:   "Press : and choose \"Switch profile\" (fhirscope profile list shows the names), or add it with fhirscope profile add.",
		}, true
	case errors.As(err, &keyErr):
		return fhirclient.Explanation{
			Cause: "The profile's private key cannot be used.",
			Fix:   "Use an unencrypted RSA (2048 bits or more) or EC P-384 private key, as PEM or JWK; the message below says what is wrong with this one.",
		}, true
	case errors.As(err, &cfg):
		return fhirclient.Explanation{
			Cause: "The profile configuration file cannot be read.",
			Fix:   "Correct the file where the message below points (fhirscope never overwrites a file it cannot read).",
		}, true
	}
	return fhirclient.Explanation{}, false
}

func quoteName(s string) string {
	if s == "" {
		return "(unnamed)"
	}
	return "\"" + s + "\""
}
