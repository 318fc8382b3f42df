package doctor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"fhirscope/fhirclient"
)

// tokenClient is a client that mints tokens for scopes with the profile's credentials.
func (r *run) tokenClient(scopes []string) (*fhirclient.Client, error) {
	cred := fhirclient.Credentials{ClientID: r.cfg.ClientID, Signer: r.cfg.Key, Alg: r.alg, KeyID: r.cfg.KeyID}
	opts := append([]fhirclient.Option{fhirclient.WithCredentials(cred), fhirclient.WithScopes(scopes),
		fhirclient.WithTokenURL(r.tokenURL)}, r.cfg.ClientOptions...)
	if r.cfg.Now != nil {
		opts = append(opts, fhirclient.WithClock(r.cfg.Now))
	}
	return fhirclient.New(r.cfg.BaseURL, opts...)
}

// checkToken is step 6: the token request, with OpenEMR's generic answers narrowed down by
// what the earlier steps saw.
func (r *run) checkToken(ctx context.Context) bool {
	check := Check{Step: 6, ID: "token.request", Title: "Token request (client_credentials)"}
	c, err := r.tokenClient(r.cfg.Scopes)
	if err != nil {
		check.Status, check.Cause = Fail, err.Error()
		r.add(check)
		return false
	}
	tok, err := c.MintToken(ctx)
	if err == nil {
		r.tok, r.authed = tok, c
		check.Status = Pass
		check.Detail = fmt.Sprintf("%s token, expires in %ds, %d of %d scopes granted", tok.TokenType, tok.ExpiresIn, len(tok.Granted), len(tok.Requested))
		r.add(check)
		return true
	}
	check.Status = Fail
	var ae *fhirclient.AuthError
	if !errors.As(err, &ae) {
		check.Cause, check.Fix = explanation(err)
		r.add(check)
		return false
	}
	check.Detail = fmt.Sprintf("HTTP %d %s", ae.Status, ae.Code)
	if ae.Hint != "" {
		check.Detail += " (" + ae.Hint + ")"
	}
	check.Cause, check.Fix = r.diagnose(ae)
	r.add(check)
	if ae.Code == "invalid_scope" {
		r.add(r.bisectScopes(ctx))
	}
	return false
}

// diagnose narrows OpenEMR's invalid_client down using what steps 1-5 saw; the generic
// explanation (every possible cause) is the fallback.
func (r *run) diagnose(ae *fhirclient.AuthError) (cause, fix string) {
	ex := ae.Explain()
	// Findings of steps 3-5 that explain any failure of the token request, whatever the
	// status: OpenEMR answers them with 401 invalid_client, 400 invalid_client or even a 500.
	if r.alg != fhirclient.AlgRS384 && r.isOpenEMR() {
		return "the key is " + r.alg + ", but OpenEMR verifies RS384 only (an EC key set has no RSA key for it to use)",
			"use an RSA key (fhirscope keygen --alg RS384), register its public JWKS and enable the client"
	}
	if c, ok := r.report.Find("jwks.fetch"); ok && c.Status == Fail {
		return "the server could not use the client's JWKS: " + c.Cause, c.Fix
	}
	if r.jwksOrder == "absent" {
		return "the JWKS at the jwks_uri does not hold this profile's key (step 4)", "publish this key's public JWKS at the jwks_uri"
	}
	if ae.Code != "invalid_client" {
		return ex.Cause, ex.Fix
	}
	if ae.Status == 401 {
		return "the client is unknown, not enabled, or its key set unusable. Most likely: a newly registered client stays DISABLED until an admin enables it",
			"in OpenEMR: Admin > System > API Clients, open the client and enable it\n" +
				"check that the client ID (" + r.cfg.ClientID + ") is the one the server issued\n" + ex.Fix
	}
	// 400 invalid_client: a claim or the signature.
	switch {
	case r.tokenURL != "" && r.sc != nil && r.tokenURL != r.sc.TokenEndpoint:
		return "the assertion's aud (" + r.tokenURL + ") is not the server's token URL (" + r.sc.TokenEndpoint + ")",
			"remove the profile's token URL override"
	case r.skewKnown && (r.skew > 60*time.Second || r.skew < -60*time.Second):
		return fmt.Sprintf("the clocks differ by %s, beyond the server's 60 s leeway: iat/exp look wrong to it", r.skew.Round(time.Second)),
			"synchronise this machine's clock (NTP)"
	case r.jwksOrder == "later":
		return "the server verifies with the first RSA key of the JWKS, which is not this key", "put this key first in the published JWKS"
	}
	return "the signature does not verify: the private key is most likely not the one whose public JWKS was registered (aud, alg and clock look right)",
		"export this key's public JWKS (fhirscope profile export-jwks) and update the client's JWKS on the server, or load the key that was registered"
}

// bisectScopes finds which requested scopes the server does not know, by asking for halves
// of the set until single scopes remain: OpenEMR names only the first bad one.
func (r *run) bisectScopes(ctx context.Context) Check {
	check := Check{Step: 6, ID: "token.unknown_scopes", Title: "Which scopes the server does not know"}
	tries := 0
	var bad []string
	var walk func(scopes []string) error
	walk = func(scopes []string) error {
		if len(scopes) == 0 {
			return nil
		}
		tries++
		c, err := r.tokenClient(scopes)
		if err != nil {
			return err
		}
		_, err = c.MintToken(ctx)
		var ae *fhirclient.AuthError
		switch {
		case err == nil:
			return nil
		case !errors.As(err, &ae) || ae.Code != "invalid_scope":
			return err
		case len(scopes) == 1:
			bad = append(bad, scopes[0])
			return nil
		}
		mid := len(scopes) / 2
		if err := walk(scopes[:mid]); err != nil {
			return err
		}
		return walk(scopes[mid:])
	}
	if err := walk(r.cfg.Scopes); err != nil {
		check.Status, check.Cause = Fail, "bisection stopped: "+err.Error()
		return check
	}
	if len(bad) == 0 {
		check.Status, check.Detail = Warn, "every half of the scope set is accepted on its own; the server refuses only the combination"
		return check
	}
	check.Status = Fail
	check.Detail = fmt.Sprintf("found by bisection in %d token requests", tries)
	check.Cause = "the server does not know: " + strings.Join(bad, " ")
	check.Fix = "remove them from the profile's scopes"
	if r.isOldOpenEMR() {
		check.Fix += "; OpenEMR 7.0.2/7.0.3 know only v1 forms (system/Patient.read), no .rs and no wildcards"
	} else if r.isOpenEMR() {
		check.Fix += "; OpenEMR knows no wildcards (system/*.read): name each type"
	}
	for _, s := range bad {
		check.Items = append(check.Items, Item{Name: s, Status: Fail, Detail: "unknown to the server"})
	}
	return check
}

// checkScopes is step 7: requested vs granted vs supported.
func (r *run) checkScopes() {
	check := Check{Step: 7, ID: "scopes.diff", Title: "Requested vs granted scopes", Status: Pass}
	supported := map[string]bool{}
	if r.sc != nil {
		for _, s := range r.sc.ScopesSupported {
			supported[s] = true
		}
	}
	granted := map[string]bool{}
	for _, s := range r.tok.Granted {
		granted[s] = true
	}
	dropped := r.tok.Dropped()
	for _, s := range r.tok.Requested {
		item := Item{Name: s, Status: Pass, Detail: "granted"}
		switch {
		case !granted[s]:
			item.Status, item.Detail = Warn, "dropped silently: the client is not registered for it"
			item.Fix = "add it to the client's registered scopes (Admin > System > API Clients) or remove it from the profile"
		case len(supported) > 0 && !supported[s]:
			item.Detail = "granted, though not in scopes_supported"
		}
		if r.isOldOpenEMR() && isV2Scope(s) {
			item.Status, item.Detail = Fail, "a SMART v2 form, which OpenEMR "+r.caps.SoftwareVersion+" does not accept"
			item.Fix = "use the v1 form " + v1Form(s)
		}
		check.Items = append(check.Items, item)
	}
	for _, s := range r.tok.Granted {
		if !slices.Contains(r.tok.Requested, s) {
			check.Items = append(check.Items, Item{Name: s, Status: Pass, Detail: "granted without being asked for"})
		}
	}
	check.Detail = fmt.Sprintf("%d requested, %d granted, %d dropped", len(r.tok.Requested), len(r.tok.Granted), len(dropped))
	if len(dropped) > 0 {
		ex := fhirclient.ExplainDroppedScopes(dropped)
		check.Status, check.Cause, check.Fix = Warn, ex.Cause, ex.Fix
	}
	for _, it := range check.Items {
		if it.Status == Fail {
			check.Status, check.Cause, check.Fix = Fail, "some scopes are in a form this server version does not accept", it.Fix
		}
	}
	if r.tok.ScopeOmitted {
		check.Detail += " (the server sent no scope: OAuth then means as requested)"
	}
	r.add(check)
}

func isV2Scope(s string) bool {
	_, perm, ok := strings.Cut(s, ".")
	perm, _, _ = strings.Cut(perm, "?")
	return ok && perm != "" && perm != "read" && perm != "write" && perm != "*" && strings.Trim(perm, "cruds") == "" && !strings.HasPrefix(perm, "$")
}

func v1Form(s string) string {
	res, _, _ := strings.Cut(s, ".")
	return res + ".read"
}

// checkTokenClaims is step 9: what the access token says about itself, when it is a JWT.
func (r *run) checkTokenClaims() {
	check := Check{Step: 9, ID: "claims.token", Title: "Access token", Status: Pass}
	left := r.tok.ExpiresAt.Sub(r.cfg.now()).Round(time.Second)
	check.Detail = fmt.Sprintf("expires %s (in %s)", r.tok.ExpiresAt.Format(time.TimeOnly), left)
	_, claims := decodeJWT(r.tok.AccessToken)
	if claims == nil {
		check.Detail += "; opaque (not a JWT), so no claims to show"
		r.add(check)
		return
	}
	for _, name := range []string{"sub", "aud", "scopes", "scope", "iat", "nbf", "exp", "jti"} {
		if v, ok := claims[name]; ok {
			detail := claimString(name, v)
			if name == "jti" {
				detail = fmt.Sprintf("%d characters", len(detail))
			}
			check.Items = append(check.Items, Item{Name: name, Status: Pass, Detail: detail})
		}
	}
	if ttl := r.tok.ExpiresAt.Sub(r.tok.IssuedAt); ttl > 0 && ttl < 2*time.Minute {
		check.Status, check.Cause = Warn, "tokens live only "+ttl.String()
		check.Fix = "nothing to do: fhirscope re-mints before expiry; scripts using `fhirscope token` must fetch a fresh one often"
	}
	r.add(check)
}

// decodeJWT decodes a compact JWS's header and claims WITHOUT verifying it: the doctor only
// shows them. Anything that is not a JWT gives nils.
func decodeJWT(s string) (header, claims map[string]any) {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return nil, nil
	}
	dec := func(p string) map[string]any {
		b, err := base64.RawURLEncoding.DecodeString(p)
		if err != nil {
			return nil
		}
		var m map[string]any
		if json.Unmarshal(b, &m) != nil {
			return nil
		}
		return m
	}
	return dec(parts[0]), dec(parts[1])
}

// claimString renders a claim; NumericDate claims also as a time.
func claimString(name string, v any) string {
	switch x := v.(type) {
	case float64:
		if name == "iat" || name == "exp" || name == "nbf" {
			return fmt.Sprintf("%.0f (%s)", x, time.Unix(int64(x), 0).UTC().Format(time.RFC3339))
		}
		return fmt.Sprint(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = fmt.Sprint(e)
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}
