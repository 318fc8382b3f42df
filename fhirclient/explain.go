package fhirclient

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"regexp"
	"strings"
	"syscall"
)

// Explanation says in words a person can act on why something failed and what to do.
// Fix may hold several alternatives, one per line, most likely first.
type Explanation struct {
	Cause, Fix string
}

// Explain returns the explanation of any error that explains itself (this package's typed
// errors, wrapped or not); ok is false for errors it knows nothing about.
func Explain(err error) (ex Explanation, ok bool) {
	var explainer interface{ Explain() Explanation }
	if errors.As(err, &explainer) {
		return explainer.Explain(), true
	}
	if errors.Is(err, ErrNoCredentials) {
		return Explanation{"No client ID and private key are configured for this server.",
			"Set up a profile with a client ID and key (fhirscope profile add), or run fhirscope keygen first."}, true
	}
	return Explanation{}, false
}

var backquoted = regexp.MustCompile("`([^`]+)`")

// Explain maps the token endpoint's answer to a cause and a fix, following what OpenEMR
// really does (its invalid_client hides the real reason in the server log, so several
// causes are listed, most likely first).
func (e *AuthError) Explain() Explanation {
	hint := strings.ToLower(e.Hint)
	switch {
	case e.Status == 401 && e.Code == "invalid_client":
		return Explanation{
			Cause: fmt.Sprintf("The server could not authenticate client %q: it does not know that client ID, or the client is not enabled yet, or it could not load the client's public key.", e.ClientID),
			Fix: "Enable the client: in OpenEMR, Admin > System > API Clients, open it and tick Enable (new clients start disabled).\n" +
				"Check the client ID is exactly the one registration returned.\n" +
				"If the client was registered with a jwks_uri: it must be reachable from the server, answer directly (no redirect) with {\"keys\":[...]} holding your RSA public key.",
		}
	case e.Status == 400 && e.Code == "invalid_client":
		if e.Alg != "" && e.Alg != AlgRS384 {
			return Explanation{
				Cause: fmt.Sprintf("The client assertion was signed %s; OpenEMR accepts only RS384.", e.Alg),
				Fix:   "Use an RSA key (2048 bits or more) for this server; fhirscope signs RS384 with RSA keys.",
			}
		}
		return Explanation{
			Cause: "The server knows the client but rejected the signed assertion (OpenEMR writes the exact reason only to its log): the audience, the signature or the clock.",
			Fix: fmt.Sprintf("Audience: the assertion's aud was %s; it must equal the server's own token URL exactly (scheme, host, port, webroot and site). Use the base URL the server knows itself by.\n", e.Audience) +
				"Signature: the server checks against the FIRST RSA key of the registered JWKS; if you rotated keys, the key you sign with must be first (or re-register).\n" +
				"Clock: the assertion must be current (60 s leeway); make sure this computer's clock is synchronised (NTP).\n" +
				"Replay: the server refuses a jti it has already seen; fhirscope makes a fresh one every time, so only a proxy re-sending the same request causes this.",
		}
	case e.Code == "invalid_request" && strings.Contains(hint, "assertion type"):
		return Explanation{"The token request's client_assertion_type was missing or wrong.",
			"This is a client defect or a proxy rewriting the request body; the value must be " + ClientAssertionType + "."}
	case e.Code == "invalid_request" && strings.Contains(hint, "client_assertion"):
		return Explanation{"The token request reached the server without a client_assertion.",
			"A proxy may be altering form posts, or the token URL redirects (a redirect turns the POST into a GET and drops the body); use the final token URL directly."}
	case e.Code == "invalid_request" && strings.Contains(hint, "issuer"):
		return Explanation{fmt.Sprintf("The assertion's issuer (the client ID %q) is not the client the server found.", e.ClientID),
			"Check the client ID: it must be exactly the client_id registration returned."}
	case e.Code == "invalid_request" && strings.Contains(hint, "jti"):
		return Explanation{"The assertion had no jti (unique id).", "This is a client defect: every assertion needs a fresh jti."}
	case e.Code == "invalid_request" && strings.Contains(hint, "expiration exceeds"):
		return Explanation{"The assertion expires more than 24 hours after the server's current time: this computer's clock is far ahead of the server's.",
			"Synchronise this computer's clock (NTP), or ask the server's administrator to fix the server's clock."}
	case e.Code == "invalid_request" && strings.Contains(hint, "too far in the past"):
		return Explanation{"The assertion was issued more than 5 minutes before the server's current time: this computer's clock is behind the server's.",
			"Synchronise this computer's clock (NTP), or ask the server's administrator to fix the server's clock."}
	case e.Code == "invalid_scope":
		if m := backquoted.FindStringSubmatch(e.Hint); m != nil {
			return Explanation{
				Cause: fmt.Sprintf("The server does not know the scope %q.", m[1]),
				Fix: "Remove it from the profile's scopes. OpenEMR has no wildcard scopes (system/*.read); SMART v2 scopes (system/Patient.rs) need OpenEMR 7.0.4 or later, otherwise use system/Patient.read.\n" +
					"If every system/ scope is refused, the administrator has not enabled system scopes (the global setting rest_system_scopes_api, under Admin > Config > Connectors).",
			}
		}
		return Explanation{"The token request asked for no scope the server accepts.", "Add at least one scope to the profile, e.g. system/Patient.read."}
	case e.Code == "unsupported_grant_type":
		return Explanation{"The token endpoint did not receive grant_type=client_credentials.",
			"Check the token URL is the token endpoint itself, and that it does not redirect (e.g. http to https): a redirect turns the POST into a GET and loses the form."}
	case e.Status >= 500:
		return Explanation{fmt.Sprintf("The token endpoint failed with HTTP %d.", e.Status),
			"If the client was registered with a jwks_uri: OpenEMR fails this way when that URL answers something that is not JSON; make it serve the JWKS.\nOtherwise the server is failing: retry later or check its logs."}
	case e.Status == 404:
		return Explanation{fmt.Sprintf("There is no token endpoint at %s.", e.TokenURL),
			"Check the base URL (e.g. https://host/apis/default/fhir) or set the token URL explicitly (for OpenEMR: https://host/oauth2/default/token)."}
	case e.Status >= 200 && e.Status < 300:
		return Explanation{"The token endpoint answered without a usable Bearer access token (" + firstNonEmpty(e.Description, "unexpected body") + ").",
			"Check that the token URL really is the server's OAuth token endpoint."}
	case e.Code == "":
		return Explanation{fmt.Sprintf("The token endpoint answered HTTP %d without an OAuth error (%s).", e.Status, firstNonEmpty(e.ContentType, "no content type")),
			"Check the token URL; a proxy or a login page may be in front of the server."}
	}
	return Explanation{fmt.Sprintf("The server refused the token request: %s %s.", e.Code, firstNonEmpty(e.Hint, e.Description)),
		"Check the client's registration and the requested scopes."}
}

// ExplainDroppedScopes explains scopes a token response silently left out.
func ExplainDroppedScopes(dropped []string) Explanation {
	return Explanation{
		Cause: "The server granted fewer scopes than requested; missing: " + strings.Join(dropped, " ") + ". OpenEMR drops scopes the client was not registered with, without an error.",
		Fix:   "Register the client with these scopes (or edit it under Admin > System > API Clients), or remove them from the profile.",
	}
}

// Explain maps the failed request to a cause and a fix.
func (e *APIError) Explain() Explanation {
	detail := ""
	if s := e.Outcome.Summary(); s != "" {
		detail = " The server said: " + s + "."
	} else if e.OAuthError != "" {
		detail = " The server said: " + strings.TrimSpace(e.OAuthError+" "+e.OAuthDescription) + "."
	}
	switch e.Kind {
	case KindScopeMissing:
		granted := "none"
		if len(e.Granted) > 0 {
			granted = strings.Join(e.Granted, " ")
		}
		scope := firstNonEmpty(e.MissingScope, "the scope for this resource type")
		return Explanation{
			Cause: "A fresh access token was refused for this request: the token lacks " + scope + " (granted: " + granted + ").",
			Fix:   "Add " + scope + " to the profile's scopes and to the client's registration in OpenEMR (Admin > System > API Clients); unregistered scopes are dropped silently. Then reconnect.",
		}
	case KindTokenRejected:
		return Explanation{"The server rejected the access token even after a new one was minted." + detail,
			"The server may have been reconfigured (new keys, client disabled) or its clock is far off; reconnect, and check the client is still enabled."}
	case KindAuthRequired:
		return Explanation{"The server requires an access token and no credentials are configured." + detail,
			"Configure a client ID and private key for this server."}
	case KindForbidden:
		return Explanation{"The server refused access (HTTP 403)." + detail,
			"The token lacks a scope (standard servers answer 403 for that) or the server's access rules forbid it; check the granted scopes."}
	case KindNotFound:
		if looksHTML(e.Excerpt) {
			return Explanation{"Not found (HTTP 404), with an HTML page rather than a FHIR answer: this URL is not served by the FHIR API.",
				"Check the base URL (for OpenEMR: https://host/apis/default/fhir) and the resource type."}
		}
		if strings.TrimSpace(e.Excerpt) == "[]" {
			return Explanation{"Not found: OpenEMR answers a missing resource with 404 and an empty list.",
				"Check the resource type and id."}
		}
		return Explanation{"Not found (HTTP " + fmt.Sprint(e.Status) + ")." + detail,
			"Check the resource type and id, and that the server supports this type (see its metadata)."}
	case KindHTML:
		return Explanation{fmt.Sprintf("The server answered HTTP %d with an HTML page instead of FHIR JSON: a login page, a proxy error or a wrong URL.", e.Status),
			"Check the base URL, and open it in a browser to see the page."}
	case KindEmpty:
		return Explanation{fmt.Sprintf("The server answered HTTP %d with an empty body where FHIR JSON was expected.", e.Status),
			"Check the base URL (OpenEMR answers an empty 400 when the site segment, e.g. /apis/default/fhir, is missing)."}
	case KindNotJSON:
		return Explanation{fmt.Sprintf("The server answered HTTP %d with a body that is not valid JSON%s.", e.Status, parenthesised(e.Detail)),
			"Check the base URL; a proxy or a server error may be producing this body."}
	case KindTooLarge:
		fix := "Narrow the search (filters, a smaller _count) or raise the response size limit (--max-response-mb)."
		if e.Method != http.MethodGet {
			// A token or registration answer is a few KB: no search to narrow.
			fix = "Check the URL is the right endpoint (its answer should be small), or raise the response size limit (--max-response-mb)."
		}
		return Explanation{fmt.Sprintf("The answer was larger than the limit of %d bytes and was not read.", e.Limit), fix}
	case KindRateLimited:
		wait := "a while"
		if e.RetryAfter > 0 {
			wait = e.RetryAfter.String()
		}
		return Explanation{"The server is limiting how fast it is asked (HTTP 429)." + detail,
			"Wait " + wait + " before trying again; page with a larger _count to make fewer requests."}
	case KindServer:
		if e.RetryAfter > 0 {
			detail += fmt.Sprintf(" It asks to retry after %s.", e.RetryAfter)
		}
		if looksHTML(e.Excerpt) {
			detail = " It sent an HTML error page (from the server or a proxy in front of it)."
		}
		return Explanation{fmt.Sprintf("The server failed with HTTP %d.%s", e.Status, detail),
			"Retry later; if it persists, the server's logs say why."}
	case KindBadRequest:
		return Explanation{"The server refused the request as invalid." + detail,
			"Check the search parameters against the server's metadata."}
	case KindNotBundle:
		return Explanation{"The search answered with something other than a Bundle" + parenthesised(e.Detail) + "." + detail,
			"Check the search URL and parameters."}
	}
	return Explanation{fmt.Sprintf("The server answered HTTP %d.%s", e.Status, detail), "Check the request and the server's logs."}
}

func parenthesised(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}

// Explain says why the server's paging link was not followed.
func (e *LinkError) Explain() Explanation {
	return Explanation{fmt.Sprintf("The server's paging link %q is not a usable URL (%v), so the page was not fetched.", truncate(e.Link, 200), e.Err),
		"The server sends broken paging links: reload from the first page, use a larger page size, or have the server fixed."}
}

// Explain says why the token was withheld.
func (e *OriginError) Explain() Explanation {
	where := originOf(e.URL)
	if where == "" { // javascript:, file:///..., mailto: have no origin: say what it was
		where = fmt.Sprintf("%q", truncate(redactURL(e.URL), 200))
	}
	return Explanation{
		Cause: fmt.Sprintf("The server pointed to %s, which is not on the FHIR base's origin %s; sending the access token there could leak it, so nothing was sent.", where, originOf(e.Base)),
		Fix:   "If the server is known under several names, use as base URL the one it uses in its own links (in OpenEMR, the site address setting).",
	}
}

// Explain says where the unusable token URL came from and how to get a good one.
func (e *TokenURLError) Explain() Explanation {
	q := fmt.Sprintf("%q", truncate(e.URL, 200)) // quoted: the URL may hold anything
	if e.Configured {
		return Explanation{"The configured token URL " + q + " is not an http(s) URL.",
			"Fix the profile's token URL (for OpenEMR: https://host/oauth2/default/token), or remove it so that discovery finds it."}
	}
	return Explanation{"The server's discovery (.well-known/smart-configuration, or the CapabilityStatement's oauth-uris) names a token endpoint that is not an http(s) URL: " + q + ".",
		"Set the token URL in the profile explicitly (for OpenEMR: https://host/oauth2/default/token), or have the server's configuration fixed."}
}

// Explain says what is wrong with the base URL.
func (e *BaseURLError) Explain() Explanation {
	fix := "A FHIR base looks like https://host/apis/default/fhir for OpenEMR ({webroot}/apis/{site}/fhir)."
	if e.Suggestion != "" {
		fix = "Try " + e.Suggestion + ". " + fix
	}
	return Explanation{Cause: e.Base + " does not work as a FHIR base: " + e.Reason + ".", Fix: fix}
}

// Explain says why no answer came.
func (e *NetworkError) Explain() Explanation {
	var (
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostErr  x509.HostnameError
		invalid  x509.CertificateInvalidError
		recErr   tls.RecordHeaderError
		verifErr *tls.CertificateVerificationError
	)
	switch {
	case errors.Is(e.Err, context.Canceled):
		return Explanation{"The request was cancelled.", "Nothing to fix."}
	case errors.Is(e.Err, context.DeadlineExceeded) || errors.Is(e.Err, os.ErrDeadlineExceeded) || isTimeout(e.Err):
		return Explanation{"The server did not answer in time.", "Check the server is up and reachable from here; for big searches, raise the timeout (--timeout) or lower _count."}
	case errors.As(e.Err, &dnsErr):
		return Explanation{"The server's host name could not be resolved (" + dnsErr.Name + ").", "Check the spelling of the host in the base URL, and DNS / VPN."}
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		return Explanation{"Nothing is listening at that address (connection refused).", "Check the host and port of the base URL, and that the server is running."}
	case errors.As(e.Err, &unknown) || (errors.As(e.Err, &verifErr) && errors.As(verifErr.Err, &unknown)):
		return Explanation{"The server's TLS certificate is signed by an authority this computer does not trust (a private CA or self-signed certificate).",
			"Pass the CA certificate with --ca-file (PEM). Skipping verification (--insecure) is for test servers only."}
	case errors.As(e.Err, &hostErr):
		return Explanation{"The server's TLS certificate is not valid for this host name.", "Use the host name the certificate names, or fix the certificate."}
	case errors.As(e.Err, &invalid):
		return Explanation{"The server's TLS certificate is invalid (" + invalid.Error() + ").", "Renew or fix the server's certificate; check this computer's clock."}
	case errors.As(e.Err, &recErr):
		return Explanation{"The server does not speak TLS on this port.", "Use http:// instead of https://, or the server's TLS port."}
	case errors.As(e.Err, new(textproto.ProtocolError)) || strings.Contains(e.Err.Error(), "malformed HTTP"):
		// An answer came, but Go's HTTP client refused it (e.g. control characters in a header).
		return Explanation{"The server's answer is not valid HTTP (" + e.Err.Error() + ").",
			"The server, or a proxy in front of it, sends a malformed response; check it, or reach the server without the proxy."}
	}
	return Explanation{"The request got no answer: " + e.Err.Error() + ".", "Check the network path to the server."}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func looksHTML(s string) bool { return shapeOf([]byte(s)) == shapeHTML }
