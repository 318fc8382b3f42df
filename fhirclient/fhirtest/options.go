package fhirtest

import (
	"fmt"
	"strings"
	"time"
)

// Flavor selects which server the sandbox behaves as.
type Flavor string

const (
	// Flavor704 is OpenEMR 7.0.4 and later (the default).
	Flavor704 Flavor = "openemr-7.0.4"
	// Flavor702 is OpenEMR 7.0.2/7.0.3: no v2 scopes, empty 401 bodies, oauth-uris extension.
	Flavor702 Flavor = "openemr-7.0.2"
	// FlavorPaged is a standard FHIR server: OpenEMR's auth, but searchset bundles with
	// next/previous links for every type, a full-match total, and 403 for a missing scope.
	FlavorPaged Flavor = "paged"
)

// Flavors lists the accepted flavors, default first.
var Flavors = []Flavor{Flavor704, Flavor702, FlavorPaged}

// ParseFlavor accepts a flavor name or a version alias: "openemr-7.0.3", "7.0.2" and
// "7.0.3" mean Flavor702; "7.0.4", "openemr-8", "8.0.0" and later versions mean Flavor704;
// "" is the default (Flavor704).
func ParseFlavor(name string) (Flavor, error) {
	n := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(name)), "openemr-")
	switch n {
	case "", "7.0.4", "openemr":
		return Flavor704, nil
	case "7.0.2", "7.0.3":
		return Flavor702, nil
	case "paged", "standard":
		return FlavorPaged, nil
	}
	if strings.HasPrefix(n, "7.0.4") || strings.HasPrefix(n, "7.0.5") || strings.HasPrefix(n, "8") || strings.HasPrefix(n, "9") {
		return Flavor704, nil
	}
	return "", fmt.Errorf("unknown sandbox flavor %q (want openemr-7.0.4, openemr-7.0.2 or paged)", name)
}

// Options configure a sandbox. The zero value is a 7.0.4 server with 50 generated patients.
type Options struct {
	Flavor        Flavor
	Site          string        // default "default"
	Webroot       string        // default "" (e.g. "/openemr")
	Patients      int           // patients GenerateBasic makes when Data is nil; default 50
	Seed          int64         // seed for GenerateBasic
	Data          *Dataset      // pre-built data; wins over Patients/Seed
	TokenLifetime time.Duration // access token lifetime; default 300 s
	Latency       time.Duration // added to every request
	Faults        FaultConfig   // injected failures
	SystemScopes  *bool         // admin's rest_system_scopes_api; default true
	Now           func() time.Time
	// PatientCountPlusOne reproduces OpenEMR's Patient search returning _count+1 entries.
	// Off by default so that paging tests see clean pages unless they ask for the quirk.
	PatientCountPlusOne bool
	// PageSize is the paged flavor's default page size when _count is absent (default 20).
	PageSize int
	// ExportDelay keeps a bulk export's status at 202 for this long after the kick-off, so
	// clients' polling can be tested (OpenEMR itself finishes inside the kick-off).
	ExportDelay time.Duration
	// TLS makes NewServer serve HTTPS with httptest's self-signed certificate (see
	// Certificate and CertificatePEM), for clients' CA-file and verification tests.
	TLS bool
	// AutoEnable enables clients registered over HTTP at once, skipping the admin step. Not
	// OpenEMR's behaviour: for `fhirscope sandbox --auto-enable`, so a client registered with
	// `fhirscope register` can be used without an admin.
	AutoEnable bool
	// OnRegister is told about every client registered over HTTP (id, name, enabled).
	OnRegister func(clientID, name string, enabled bool)
	// Log receives the server-log lines (e.g. the real reason behind an invalid_client).
	Log func(format string, args ...any)
}

// Counters are request statistics that tests and benchmarks read.
type Counters struct {
	TokenRequests int64 // POSTs to the token endpoint
	Requests      int64 // every HTTP request
	Connections   int64 // TCP connections accepted
	// AuthorizedRequests counts requests that carried an Authorization header: a server
	// that must never see the token (another origin) proves it with 0.
	AuthorizedRequests int64
}
