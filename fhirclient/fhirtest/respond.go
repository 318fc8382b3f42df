package fhirtest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"sync"
)

var (
	serverKeyOnce sync.Once
	serverKeyRSA  *rsa.PrivateKey
	serverKeyKID  string
)

// serverKey returns the RSA key that signs access tokens. One per process: generating 2048-bit
// keys costs ~100 ms and tests start many servers; it never leaves the process except as /jwk.
func serverKey() (*rsa.PrivateKey, string) {
	serverKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic("fhirtest: generating server key: " + err.Error())
		}
		serverKeyRSA = k
		serverKeyKID = keyID(&k.PublicKey)
	})
	return serverKeyRSA, serverKeyKID
}

// b64uInt encodes a big integer as JWK base64url.
func b64uInt(i *big.Int) string { return base64.RawURLEncoding.EncodeToString(i.Bytes()) }

// writeJSON writes v as application/json with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeRawJSON(w, status, b)
}

// writeRawJSON writes b with status, as application/json unless the caller already chose a
// JSON media type (the paged flavor's application/fhir+json).
func writeRawJSON(w http.ResponseWriter, status int, b []byte) {
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// leagueError is the body league/oauth2-server writes for an OAuthServerException.
type leagueError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	Hint             string `json:"hint,omitempty"`
	Message          string `json:"message"`
}

// writeLeague writes league's error JSON; message repeats the description as league does.
func writeLeague(w http.ResponseWriter, status int, code, description, hint string) {
	writeJSON(w, status, leagueError{Error: code, ErrorDescription: description, Hint: hint, Message: description})
}

// League's fixed descriptions, by error code.
const (
	descInvalidClient  = "Client authentication failed"
	descInvalidRequest = "The request is missing a required parameter, includes an invalid parameter value, includes a parameter more than once, or is otherwise malformed."
	descInvalidScope   = "The requested scope is invalid, unknown, or malformed"
	descUnsupported    = "The authorization grant type is not supported by the authorization server."
	descServerError    = "The authorization server encountered an unexpected condition which prevented it from fulfilling the request."
	descAccessDenied   = "The resource owner or authorization server denied the request."
)

// operationOutcome builds a one-issue OperationOutcome.
func operationOutcome(severity, code, diagnostics string) map[string]any {
	return map[string]any{
		"resourceType": "OperationOutcome",
		"issue": []map[string]any{{
			"severity": severity, "code": code, "diagnostics": diagnostics,
		}},
	}
}

// randomToken returns n random bytes, base64url: client ids, secrets, job ids.
func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// randomUUID returns a random v4 UUID (export jobs and files: unguessable, never colliding
// even under a frozen test clock).
func randomUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return formatUUIDv4(b)
}

// formatUUIDv4 stamps the RFC 4122 version 4 and variant bits on 16 random bytes and
// formats them.
func formatUUIDv4(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// keyID is the kid of an RSA public key: a hash of its modulus, so the same key always has
// the same id.
func keyID(pub *rsa.PublicKey) string {
	sum := sha256.Sum256(pub.N.Bytes())
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}
