package session

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"unicode/utf8"
)

// maxKeyInput bounds what ParseKey reads: the largest sensible input (a JWK Set with a 4096-bit
// key and a certificate chain) is a few tens of kilobytes.
const maxKeyInput = 1 << 20

// ParseKey reads a private key from PEM (PKCS#8, PKCS#1 RSA, SEC1 EC; certificates and EC
// PARAMETERS blocks beside it are skipped), DER, a private JWK, or a JWK Set holding one private
// key (x5c certificates beside it are checked against the key). Every failure is a *KeyError.
func ParseKey(data []byte) (*Key, error) {
	if len(data) > maxKeyInput {
		return nil, keyErr(ErrKeyMalformed, fmt.Sprintf(
			"the input is %d bytes, far larger than any private key; is this the right file?", len(data)))
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))) // BOM from some editors
	switch {
	case len(trimmed) == 0:
		return nil, keyErr(ErrKeyMalformed, "the key is empty. "+hintFormats)
	case bytes.Contains(trimmed, []byte("-----BEGIN")):
		return parsePEM(trimmed)
	case trimmed[0] == '{':
		return parseJWKJSON(trimmed)
	case trimmed[0] == 0x30: // ASN.1 SEQUENCE: DER
		return parseDER(data, "DER")
	}
	if bytes.HasPrefix(trimmed, []byte("ssh-")) || bytes.HasPrefix(trimmed, []byte("ecdsa-sha2-")) {
		return nil, keyErr(ErrKeyPublicOnly, "this is an OpenSSH public key; fhirscope needs a private key. "+hintFormats)
	}
	// The base64 body of a PEM pasted without its BEGIN/END lines.
	if der, err := base64.StdEncoding.DecodeString(string(bytes.Join(bytes.Fields(trimmed), nil))); err == nil && len(der) > 0 && der[0] == 0x30 {
		return parseDER(der, "base64 DER")
	}
	return nil, keyErr(ErrKeyMalformed, "this is not a private key ("+describeGarbage(trimmed)+"). "+hintFormats)
}

// parsePEM walks every block: files often hold a certificate or EC PARAMETERS next to the key.
func parsePEM(data []byte) (*Key, error) {
	var seen []string
	rest := data
	for {
		block, next := pem.Decode(rest)
		if block == nil {
			break
		}
		rest = next
		seen = append(seen, block.Type)
		if block.Headers["Proc-Type"] == "4,ENCRYPTED" || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, keyErr(ErrKeyEncrypted,
				"the PEM private key is encrypted with a passphrase, and fhirscope does not ask for "+
					"passphrases. Decrypt a copy first, e.g. `openssl pkey -in KEY.pem -out plain.pem`, "+
					"then import plain.pem into the keyring and delete it")
		}
		switch block.Type {
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY":
			return parseDER(block.Bytes, pemFormat(block.Type))
		case "OPENSSH PRIVATE KEY":
			return nil, keyErr(ErrKeyUnsupportedType,
				"this is an OpenSSH-format private key; convert a copy to PKCS#8 first: "+
					"`ssh-keygen -p -m PKCS8 -f COPY` (or generate a key with `fhirscope keygen`)")
		case "DSA PRIVATE KEY":
			return nil, keyErr(ErrKeyUnsupportedType, "DSA keys cannot sign SMART client assertions: use RSA (RS384) or EC P-384 (ES384)")
		}
	}
	if len(seen) == 0 {
		return nil, keyErr(ErrKeyMalformed, "the PEM text is damaged: a -----BEGIN line was found but no complete "+
			"block (check for a missing -----END line or pasted line breaks). "+hintFormats)
	}
	for _, t := range seen {
		if strings.Contains(t, "PUBLIC KEY") || t == "CERTIFICATE" {
			return nil, keyErr(ErrKeyPublicOnly, fmt.Sprintf(
				"this PEM holds only %s, not the private key; fhirscope needs the private key "+
					"(-----BEGIN PRIVATE KEY-----) that goes with it", strings.Join(quoteAll(seen), ", ")))
		}
	}
	return nil, keyErr(ErrKeyMalformed, fmt.Sprintf("this PEM holds %s, not a private key. %s",
		strings.Join(quoteAll(seen), ", "), hintFormats))
}

func pemFormat(blockType string) string {
	switch blockType {
	case "RSA PRIVATE KEY":
		return "PKCS#1 PEM"
	case "EC PRIVATE KEY":
		return "SEC1 PEM"
	}
	return "PKCS#8 PEM"
}

// parseDER tries each DER encoding in turn, whatever the PEM label claimed: mislabelled blocks
// are common, and the encodings cannot be confused with one another.
func parseDER(der []byte, format string) (*Key, error) {
	k8, err8 := x509.ParsePKCS8PrivateKey(der)
	if err8 == nil {
		return newKey(k8, format)
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return newKey(k, format)
	}
	kEC, errEC := x509.ParseECPrivateKey(der)
	if errEC == nil {
		return newKey(kEC, format)
	}
	// What went wrong is only in the error texts of the x509 parsers.
	if strings.Contains(err8.Error(), "elliptic curve") || strings.Contains(errEC.Error(), "elliptic curve") {
		return nil, keyErr(ErrKeyUnsupportedCurve, "the EC key is on a curve Go does not support (secp256k1 or "+
			"brainpool?); fhirscope signs with ES384 on P-384, and OpenEMR accepts only RSA (RS384)")
	}
	if strings.Contains(err8.Error(), "unknown private key type") || strings.Contains(err8.Error(), "unsupported") {
		return nil, keyErr(ErrKeyUnsupportedType, "the "+format+" holds a kind of private key fhirscope cannot "+
			"sign with: use RSA (RS384) or EC P-384 (ES384)")
	}
	if _, err := x509.ParsePKIXPublicKey(der); err == nil {
		return nil, keyErr(ErrKeyPublicOnly, "this is a public key, not the private key; fhirscope needs the private key that goes with it")
	}
	if _, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return nil, keyErr(ErrKeyPublicOnly, "this is an RSA public key, not the private key; fhirscope needs the private key that goes with it")
	}
	if _, err := x509.ParseCertificate(der); err == nil {
		return nil, keyErr(ErrKeyPublicOnly, "this is a certificate, not a private key; fhirscope needs the private key that goes with it")
	}
	return nil, keyErr(ErrKeyMalformed, "the "+format+" private key is damaged and cannot be decoded")
}

// describeGarbage says briefly what the input looked like, without echoing it (it could be
// something secret pasted into the wrong box).
func describeGarbage(b []byte) string {
	switch {
	case !utf8.Valid(b):
		return fmt.Sprintf("%d bytes of binary data", len(b))
	case b[0] == '[':
		return "a JSON array"
	case b[0] == '<':
		return "it looks like HTML or XML"
	}
	return fmt.Sprintf("%d characters of text", utf8.RuneCount(b))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}
