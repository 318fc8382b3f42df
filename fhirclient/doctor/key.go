package doctor

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"time"

	"fhirscope/fhirclient"
)

// checkKey is step 3: the key loads, fits the server, is big enough.
func (r *run) checkKey() bool {
	if r.cfg.KeyErr != nil || r.cfg.Key == nil {
		msg := "no private key configured"
		if r.cfg.KeyErr != nil {
			msg = r.cfg.KeyErr.Error()
		}
		r.add(Check{Step: 3, ID: "key.load", Title: "Private key loads", Status: Fail, Cause: msg,
			Fix: "load or generate a key for this profile (fhirscope keygen --profile NAME), or point key_file / FHIRSCOPE_PRIVATE_KEY_FILE at a PEM or JWK private key"})
		return false
	}
	alg := r.cfg.Alg
	detail := ""
	switch k := r.cfg.Key.(type) {
	case *rsa.PrivateKey:
		if alg == "" {
			alg = fhirclient.AlgRS384
		}
		detail = fmt.Sprintf("RSA %d bits", k.N.BitLen())
	case *ecdsa.PrivateKey:
		if alg == "" {
			alg = fhirclient.AlgES384
		}
		detail = "EC " + k.Curve.Params().Name
	default:
		r.add(Check{Step: 3, ID: "key.load", Title: "Private key loads", Status: Fail,
			Cause: fmt.Sprintf("unsupported key type %T", r.cfg.Key), Fix: "use an RSA (2048 bits or more) or EC P-384 key"})
		return false
	}
	r.alg = alg
	if r.cfg.KeyID != "" {
		detail += ", kid " + r.cfg.KeyID
	}
	r.add(Check{Step: 3, ID: "key.load", Title: "Private key loads", Status: Pass, Detail: detail})

	fit := Check{Step: 3, ID: "key.alg", Title: "Algorithm fits the server", Status: Pass, Detail: alg}
	if alg != fhirclient.AlgRS384 && r.isOpenEMR() {
		fit.Status = Fail
		fit.Cause = "OpenEMR accepts only RS384 client assertions; this key signs " + alg
		fit.Fix = "generate an RSA key (fhirscope keygen --alg RS384 --profile NAME), register its public JWKS and enable the client again"
	}
	r.add(fit)

	size := Check{Step: 3, ID: "key.size", Title: "Key size", Status: Pass, Detail: detail}
	if k, ok := r.cfg.Key.(*rsa.PrivateKey); ok && k.N.BitLen() < 2048 {
		size.Status, size.Cause = Fail, fmt.Sprintf("RSA keys under 2048 bits are refused (this one has %d)", k.N.BitLen())
		size.Fix = "generate a 2048- or 3072-bit RSA key"
	}
	r.add(size)
	// A mismatched alg still goes on to the token step, which shows the server's own answer.
	return true
}

// jwk is the part of a published JWK the doctor looks at.
type jwk map[string]any

func (k jwk) str(name string) string { s, _ := k[name].(string); return s }

// privateMembers are the JWK members that carry private key material (RFC 7518 section 6),
// the same list as session's jwkPrivateMembers: session imports this package (DoctorConfig),
// so the doctor cannot call session.InspectJWKS and reads the published set itself.
var privateMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// checkJWKS is step 4: fetch the profile's jwks_uri exactly as OpenEMR does (no redirects,
// no cache) and find our public key, which must be the first RSA key.
func (r *run) checkJWKS(ctx context.Context) {
	if r.cfg.JWKSURI == "" {
		r.add(Check{Step: 4, ID: "jwks.fetch", Title: "Published JWKS", Status: Skip,
			Detail: "the profile has no jwks_uri (the public key was registered inline, or set jwks_uri to have it checked)"})
		return
	}
	check := Check{Step: 4, ID: "jwks.fetch", Title: "Published JWKS", Detail: r.cfg.JWKSURI}
	resp, err := r.client.Exchange(ctx, http.MethodGet, r.cfg.JWKSURI, nil, nil)
	switch {
	case err != nil:
		check.Status = Fail
		check.Cause, check.Fix = explanation(err)
		check.Cause = "the JWKS URL does not answer: " + check.Cause
		check.Fix += "\nOpenEMR fetches it on every token request and answers 401 invalid_client while it is unreachable"
	case resp.Status/100 == 3:
		check.Status = Fail
		check.Cause = fmt.Sprintf("the JWKS URL answers a redirect (HTTP %d to %s); OpenEMR does NOT follow redirects", resp.Status, resp.Header.Get("Location"))
		check.Fix = "register the final URL (after the redirect) as jwks_uri, or serve the JWKS without a redirect"
	case resp.Status != http.StatusOK:
		check.Status = Fail
		check.Cause = fmt.Sprintf("the JWKS URL answers HTTP %d; OpenEMR parses that body as the key set and fails", resp.Status)
		check.Fix = "publish the public JWKS at that URL (fhirscope profile export-jwks)"
	}
	if check.Status == Fail {
		r.add(check)
		return
	}
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(resp.Body, &set); err != nil {
		check.Status, check.Cause = Fail, "the JWKS URL does not answer JSON (OpenEMR fails the token request with a 500)"
		check.Fix = "serve the output of fhirscope profile export-jwks as application/json"
		r.add(check)
		return
	}
	if set.Keys == nil {
		check.Status, check.Cause = Fail, `the JSON has no "keys" member (OpenEMR logs "Malformed jwks missing keys property" and answers 401 invalid_client)`
		check.Fix = `publish a JWK Set: {"keys":[ ...your public key... ]} (fhirscope profile export-jwks)`
		r.add(check)
		return
	}
	check.Status, check.Detail = Pass, fmt.Sprintf("%s: %d keys", r.cfg.JWKSURI, len(set.Keys))
	r.add(check)

	priv := Check{Step: 4, ID: "jwks.private", Title: "No private key material published", Status: Pass}
	for i, k := range set.Keys {
		for _, m := range privateMembers {
			if _, ok := k[m]; ok {
				priv.Status = Fail
				priv.Cause = fmt.Sprintf("key %d of the published set has the private member %q: the private key is public", i, m)
				priv.Fix = "take the JWKS down now, generate a new key, publish only its public JWKS (fhirscope profile export-jwks) and register it"
			}
		}
	}
	r.add(priv)
	r.add(r.ourKeyPosition(set.Keys))
}

// ourKeyPosition finds our public key in the set: OpenEMR verifies with the FIRST RSA key only.
func (r *run) ourKeyPosition(keys []jwk) Check {
	check := Check{Step: 4, ID: "jwks.order", Title: "Our key is the first RSA key"}
	pub, ok := r.cfg.Key.(*rsa.PrivateKey)
	if r.cfg.Key == nil || !ok {
		check.Status, check.Detail = Skip, "no RSA key to look for"
		return check
	}
	firstRSA, ours := -1, -1
	for i, k := range keys {
		if k.str("kty") != "RSA" {
			continue
		}
		if firstRSA < 0 {
			firstRSA = i
		}
		if ours < 0 && sameRSA(k, &pub.PublicKey) {
			ours = i
		}
	}
	switch {
	case ours < 0:
		r.jwksOrder = "absent"
		check.Status = Fail
		check.Cause = "the published set does not hold this profile's public key"
		check.Fix = "publish this key's public JWKS (fhirscope profile export-jwks) at the jwks_uri"
	case ours != firstRSA:
		r.jwksOrder = "later"
		check.Status = Fail
		check.Cause = fmt.Sprintf("our key is key %d, but OpenEMR verifies with the first RSA key (key %d) and ignores kid", ours, firstRSA)
		check.Fix = "put this key first in the published set (during a rotation, the new key can only work once it is first)"
	default:
		r.jwksOrder = "first"
		check.Status, check.Detail = Pass, fmt.Sprintf("key %d", ours)
	}
	return check
}

func sameRSA(k jwk, pub *rsa.PublicKey) bool {
	n, err1 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.str("n"), "="))
	e, err2 := base64.RawURLEncoding.DecodeString(strings.TrimRight(k.str("e"), "="))
	if err1 != nil || err2 != nil {
		return false
	}
	return new(big.Int).SetBytes(n).Cmp(pub.N) == 0 && new(big.Int).SetBytes(e).Int64() == int64(pub.E)
}

// checkAssertion is step 5: sign one assertion and show what the server will see (never the
// signature), with the audience and the clocks checked.
func (r *run) checkAssertion() bool {
	if r.cfg.ClientID == "" {
		r.add(Check{Step: 5, ID: "assertion.sign", Title: "Sign a client assertion", Status: Fail,
			Cause: "the profile has no client ID yet, so the assertion has no iss and sub",
			Fix:   "register the client (fhirscope register, or the wizard), or set the client ID the server's admin gave you (fhirscope profile set NAME --client-id ID)"})
		return false
	}
	now := r.cfg.now()
	cred := fhirclient.Credentials{ClientID: r.cfg.ClientID, Signer: r.cfg.Key, Alg: r.alg, KeyID: r.cfg.KeyID}
	jws, err := fhirclient.SignAssertion(cred, r.tokenURL, now)
	if err != nil {
		r.add(Check{Step: 5, ID: "assertion.sign", Title: "Sign a client assertion", Status: Fail, Cause: err.Error(),
			Fix: "check the client ID and the key"})
		return false
	}
	header, claims := decodeJWT(jws)
	sign := Check{Step: 5, ID: "assertion.sign", Title: "Sign a client assertion", Status: Pass,
		Detail: fmt.Sprintf("%d-byte JWT (signature not shown)", len(jws))}
	for _, name := range []string{"alg", "kid", "typ"} {
		if v, ok := header[name]; ok {
			sign.Items = append(sign.Items, Item{Name: "header." + name, Status: Pass, Detail: fmt.Sprint(v)})
		}
	}
	for _, name := range []string{"iss", "sub", "aud", "iat", "exp", "jti"} {
		if v, ok := claims[name]; ok {
			sign.Items = append(sign.Items, Item{Name: "claim." + name, Status: Pass, Detail: claimString(name, v)})
		}
	}
	r.add(sign)

	aud := Check{Step: 5, ID: "assertion.aud", Title: "aud is the token endpoint exactly", Status: Pass, Detail: r.tokenURL}
	if r.sc != nil && r.tokenURL != r.sc.TokenEndpoint {
		aud.Status = Fail
		aud.Cause = fmt.Sprintf("aud is %s but the server's token endpoint is %s; OpenEMR compares them byte for byte and answers 400 invalid_client", r.tokenURL, r.sc.TokenEndpoint)
		aud.Fix = "remove the profile's token URL override (or set it to " + r.sc.TokenEndpoint + ")"
	}
	r.add(aud)

	life := Check{Step: 5, ID: "assertion.exp", Title: "exp within 5 minutes of iat", Status: Pass,
		Detail: fmt.Sprintf("exp - iat = %s", fhirclient.AssertionLifetime)}
	if fhirclient.AssertionLifetime > 5*time.Minute {
		life.Status, life.Cause, life.Fix = Fail, "SMART caps assertion lifetimes at 5 minutes", "report this as a fhirscope bug"
	}
	r.add(life)

	clock := Check{Step: 5, ID: "assertion.clock", Title: "Clock agrees with the server's"}
	switch {
	case !r.skewKnown:
		clock.Status, clock.Detail = Skip, "the server sent no Date header"
	case r.skew > 60*time.Second || r.skew < -60*time.Second:
		clock.Status = Fail
		clock.Detail = fmt.Sprintf("server clock minus this machine's: %s", r.skew.Round(time.Second))
		clock.Cause = "the clocks differ by more than OpenEMR's 60 s leeway, so iat/nbf/exp look wrong to the server (400 invalid_client)"
		clock.Fix = "synchronise this machine's clock (timedatectl set-ntp true, or the OS's time settings)"
	case r.skew > 10*time.Second || r.skew < -10*time.Second:
		clock.Status = Warn
		clock.Detail = fmt.Sprintf("server clock minus this machine's: %s", r.skew.Round(time.Second))
		clock.Cause = "within OpenEMR's 60 s leeway, but drifting"
		clock.Fix = "enable NTP on this machine"
	default:
		clock.Status, clock.Detail = Pass, fmt.Sprintf("skew %s (the Date header has 1 s resolution)", r.skew.Round(time.Second))
	}
	r.add(clock)
	return true
}
