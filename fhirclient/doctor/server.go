package doctor

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"fhirscope/fhirclient"
)

var openEMRBase = regexp.MustCompile(`/apis/[^/]+/fhir$`)

// checkServer is step 1: reachable, TLS, a FHIR CapabilityStatement, the base's shape.
func (r *run) checkServer(ctx context.Context) bool {
	c, err := fhirclient.New(r.cfg.BaseURL, r.cfg.ClientOptions...)
	if err != nil {
		r.add(Check{Step: 1, ID: "server.base", Title: "FHIR base URL", Status: Fail, Detail: r.cfg.BaseURL,
			Cause: err.Error(), Fix: "set the profile's base to the FHIR base, e.g. https://emr.example.org/apis/default/fhir"})
		return false
	}
	r.client = c
	u, _ := url.Parse(c.BaseURL())

	// The Date header of a plain metadata GET also gives the server's clock for step 5.
	resp, err := c.Exchange(ctx, http.MethodGet, c.BaseURL()+"/metadata", http.Header{"Accept": {"application/fhir+json"}}, nil)
	if err != nil {
		cause, fix := explanation(err)
		r.add(Check{Step: 1, ID: "server.reachable", Title: "Server reachable", Status: Fail, Detail: u.Host, Cause: cause, Fix: fix})
		return false
	}
	local := r.cfg.now()
	if d, derr := http.ParseTime(resp.Header.Get("Date")); derr == nil {
		r.skew, r.skewKnown = d.Sub(local), true
	}
	r.add(Check{Step: 1, ID: "server.reachable", Title: "Server reachable", Status: Pass,
		Detail: fmt.Sprintf("%s answered HTTP %d", u.Host, resp.Status)})
	r.checkTLS(ctx, u)

	caps, err := c.Metadata(ctx)
	if err != nil {
		cause, fix := explanation(err)
		id, title := "server.metadata", "FHIR metadata"
		var be *fhirclient.BaseURLError
		if errors.As(err, &be) {
			id, title = "server.base", "FHIR base URL"
		}
		r.add(Check{Step: 1, ID: id, Title: title, Status: Fail, Detail: c.BaseURL() + "/metadata", Cause: cause, Fix: fix})
		return false
	}
	r.caps = caps
	st, detail := Pass, fmt.Sprintf("%s %s, FHIR %s", orUnknown(caps.Software), caps.SoftwareVersion, orUnknown(caps.FHIRVersion))
	check := Check{Step: 1, ID: "server.metadata", Title: "FHIR metadata", Status: st, Detail: detail}
	if caps.FHIRVersion != "" && !strings.HasPrefix(caps.FHIRVersion, "4.0") {
		check.Status, check.Cause = Warn, "the server speaks FHIR "+caps.FHIRVersion+"; fhirscope is built for R4 (4.0.x)"
		check.Fix = "use the server's R4 endpoint if it has one"
	}
	r.add(check)

	base := Check{Step: 1, ID: "server.base", Title: "FHIR base URL", Status: Pass, Detail: u.Path}
	if !openEMRBase.MatchString(u.Path) {
		if r.isOpenEMR() {
			base.Status, base.Cause = Fail, "an OpenEMR FHIR base ends in /apis/{site}/fhir; this one is "+u.Path
			base.Fix = "use " + u.Scheme + "://" + u.Host + "/apis/default/fhir (or your site instead of default)"
		} else {
			base.Detail += " (not OpenEMR's /apis/{site}/fhir layout; fine for other servers)"
		}
	}
	r.add(base)
	return base.Status != Fail
}

// checkTLS reports the TLS version and certificate of an https base, and warns about plain
// HTTP anywhere but on this machine.
func (r *run) checkTLS(ctx context.Context, u *url.URL) {
	check := Check{Step: 1, ID: "server.tls", Title: "Transport security"}
	if u.Scheme == "http" {
		if isLoopback(u.Hostname()) {
			check.Status, check.Detail = Pass, "plain HTTP on this machine (loopback)"
		} else {
			check.Status, check.Detail = Warn, "plain HTTP"
			check.Cause = "the access token and the client assertion cross the network unencrypted"
			check.Fix = "use the server's https:// URL"
		}
		r.add(check)
		return
	}
	if r.cfg.Insecure {
		check.Status, check.Detail = Warn, "certificate verification is OFF (--insecure)"
		check.Cause = "anyone between you and the server can read the token"
		check.Fix = "drop --insecure; for a private CA, pass its certificate with --ca-file"
		r.add(check)
		return
	}
	conf := &tls.Config{ServerName: u.Hostname()}
	if r.cfg.CAFile != "" {
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		if pem, err := os.ReadFile(r.cfg.CAFile); err == nil {
			pool.AppendCertsFromPEM(pem)
		}
		conf.RootCAs = pool
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "443")
	}
	dctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := (&tls.Dialer{Config: conf}).DialContext(dctx, "tcp", host)
	if err != nil {
		check.Status, check.Detail = Fail, err.Error()
		check.Cause = "the TLS handshake failed or the certificate is not trusted"
		check.Fix = "for a private CA pass --ca-file CA.pem (or set ca_file in the profile); check the certificate's host names and dates"
		r.add(check)
		return
	}
	defer conn.Close()
	state := conn.(*tls.Conn).ConnectionState()
	check.Status = Pass
	check.Detail = tls.VersionName(state.Version) + ", certificate verified"
	if len(state.PeerCertificates) > 0 {
		cert := state.PeerCertificates[0]
		left := time.Until(cert.NotAfter)
		check.Detail += fmt.Sprintf(", expires %s", cert.NotAfter.Format("2006-01-02"))
		if left < 14*24*time.Hour {
			check.Status, check.Cause = Warn, "the server certificate expires in "+left.Round(time.Hour).String()
			check.Fix = "renew the certificate"
		}
	}
	if state.Version < tls.VersionTLS12 {
		check.Status, check.Cause, check.Fix = Warn, "TLS older than 1.2", "enable TLS 1.2 or 1.3 on the server"
	}
	r.add(check)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (r *run) isOpenEMR() bool {
	return r.caps != nil && strings.Contains(strings.ToLower(r.caps.Software), "openemr")
}

// isOldOpenEMR is true for OpenEMR 7.0.2/7.0.3 (and older), which know only v1 scopes.
func (r *run) isOldOpenEMR() bool {
	if !r.isOpenEMR() {
		return false
	}
	var major, minor, patch int
	fmt.Sscanf(r.caps.SoftwareVersion, "%d.%d.%d", &major, &minor, &patch)
	return major < 7 || (major == 7 && minor == 0 && patch < 4)
}

func orUnknown(s string) string {
	if s == "" {
		return "(not stated)"
	}
	return s
}

// checkDiscovery is step 2: smart-configuration, the token endpoint, private_key_jwt and
// the key's algorithm, scopes_supported.
func (r *run) checkDiscovery(ctx context.Context) bool {
	sc, err := r.client.Discover(ctx)
	if err != nil {
		cause, fix := explanation(err)
		r.add(Check{Step: 2, ID: "discovery.config", Title: "SMART configuration", Status: Fail, Cause: cause, Fix: fix})
		return false
	}
	r.sc = sc
	conf := Check{Step: 2, ID: "discovery.config", Title: "SMART configuration", Status: Pass, Detail: "from " + sc.Source}
	if sc.Source != fhirclient.SourceSmartConfiguration {
		conf.Status = Warn
		conf.Cause = "no usable .well-known/smart-configuration (" + strings.Join(sc.Notes, "; ") + ")"
		conf.Fix = "fine for OpenEMR before 7.0.4; other servers should publish smart-configuration"
	}
	r.add(conf)

	r.tokenURL = sc.TokenEndpoint
	tok := Check{Step: 2, ID: "discovery.token_endpoint", Title: "Token endpoint", Status: Pass, Detail: sc.TokenEndpoint}
	if r.cfg.TokenURL != "" {
		r.tokenURL = r.cfg.TokenURL
		tok.Detail = r.cfg.TokenURL + " (profile override)"
		if r.cfg.TokenURL != sc.TokenEndpoint {
			tok.Status = Warn
			tok.Cause = "the profile overrides the token URL with " + r.cfg.TokenURL + ", but the server advertises " + sc.TokenEndpoint
			tok.Fix = "remove the token URL override unless the server really expects it (the assertion's aud must equal the server's own token URL)"
		}
	}
	if len(sc.Notes) > 0 && sc.Source == fhirclient.SourceSmartConfiguration {
		tok.Detail += " · " + strings.Join(sc.Notes, "; ")
	}
	r.add(tok)

	auth := Check{Step: 2, ID: "discovery.auth_method", Title: "private_key_jwt supported", Status: Pass}
	switch {
	case len(sc.TokenAuthMethods) == 0:
		auth.Detail = "not advertised (OpenEMR before 7.0.4 lists no auth methods, yet supports private_key_jwt)"
	case sc.SupportsPrivateKeyJWT():
		auth.Detail = "advertised: " + strings.Join(sc.TokenAuthMethods, ", ")
	default:
		auth.Status, auth.Detail = Fail, "advertised: "+strings.Join(sc.TokenAuthMethods, ", ")
		auth.Cause = "the server does not accept private_key_jwt client authentication"
		auth.Fix = "enable SMART Backend Services (asymmetric client auth) on the server"
	}
	r.add(auth)

	scopes := Check{Step: 2, ID: "discovery.scopes", Title: "scopes_supported", Status: Pass,
		Detail: fmt.Sprintf("%d scopes advertised", len(sc.ScopesSupported))}
	if sc.ScopesNested {
		scopes.Detail += " (as an array nested in an array: a known OpenEMR quirk, read correctly)"
	}
	if len(sc.ScopesSupported) == 0 {
		scopes.Detail = "none advertised"
	}
	r.add(scopes)
	return true
}
