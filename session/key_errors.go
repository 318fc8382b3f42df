package session

import "errors"

// Kinds of key problem, for errors.Is. Every error ParseKey returns is a *KeyError wrapping one
// of these, so a caller can branch on the kind and still show the specific message.
var (
	// ErrKeyEncrypted: a passphrase-protected PEM. fhirscope never asks for passphrases.
	ErrKeyEncrypted = errors.New("encrypted private key")
	// ErrKeyPublicOnly: a public key, certificate or public JWK where a private key was needed.
	ErrKeyPublicOnly = errors.New("public key only")
	// ErrKeyTooSmall: an RSA key under MinRSABits.
	ErrKeyTooSmall = errors.New("RSA key too small")
	// ErrKeyUnsupportedCurve: an EC key on a curve other than P-384.
	ErrKeyUnsupportedCurve = errors.New("unsupported elliptic curve")
	// ErrKeyUnsupportedType: Ed25519, symmetric (oct) keys, DSA, OpenSSH format and the like.
	ErrKeyUnsupportedType = errors.New("unsupported key type")
	// ErrKeyMalformed: not a key at all, or a key whose numbers do not add up.
	ErrKeyMalformed = errors.New("malformed private key")
)

// MinRSABits is the smallest RSA modulus accepted: SMART Backend Services and OpenEMR's JWT
// library both require 2048 bits.
const MinRSABits = 2048

// KeyError is a key that cannot be used, with a message meant for the user: what was found
// and, where there is one, how to fix it.
type KeyError struct {
	Kind error  // one of the ErrKey* values
	Msg  string // full sentence(s) for the user
}

func (e *KeyError) Error() string { return e.Msg }

// Unwrap lets errors.Is(err, ErrKeyEncrypted) and friends work.
func (e *KeyError) Unwrap() error { return e.Kind }

func keyErr(kind error, msg string) error { return &KeyError{Kind: kind, Msg: msg} }

const hintFormats = "fhirscope reads a private key as PEM (-----BEGIN PRIVATE KEY-----, " +
	"-----BEGIN RSA PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----), DER, " +
	"a private JWK ({\"kty\":\"RSA\",...,\"d\":...}) or a JWK Set holding one"
