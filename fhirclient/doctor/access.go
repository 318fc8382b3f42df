package doctor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"

	"fhirscope/fhirclient"
)

// checkAccess is step 8: one _count=1 search per searchable type, so every denial is seen
// with the scope that would fix it; then whether a bulk $export could be started.
func (r *run) checkAccess(ctx context.Context) {
	check := Check{Step: 8, ID: "access.matrix", Title: "Access per resource type", Status: Pass}
	var types []string
	if r.caps != nil {
		for _, rc := range r.caps.Resources {
			if rc.Can("search-type") {
				types = append(types, rc.Type)
			}
		}
	}
	if len(types) == 0 {
		check.Status, check.Detail = Skip, "the CapabilityStatement lists no searchable types"
		r.add(check)
		return
	}
	items := make([]Item, len(types))
	limit := r.cfg.AccessConcurrency
	if limit <= 0 {
		limit = 4
	}
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i, typ := range types {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			items[i] = r.probeType(ctx, typ)
		}()
	}
	wg.Wait()
	allowed, denied, failed, unexpected := 0, 0, 0, 0
	for i, it := range items {
		switch it.Status {
		case Pass:
			allowed++
		case Warn:
			denied++
			// A type nobody asked for is denied as expected: shown, with its scope, but no warning.
			if !fhirclient.ScopeCovers(r.tok.Requested, it.Name) {
				items[i].Status, items[i].Detail = Skip, "denied: its scope was not requested"
			} else {
				unexpected++
			}
		default:
			failed++
		}
	}
	check.Items = items
	check.Detail = fmt.Sprintf("%d allowed, %d denied, %d errors of %d types", allowed, denied, failed, len(types))
	if unexpected > 0 {
		check.Status = Warn
		check.Cause = "types whose scope was requested are denied: the token does not carry it"
		check.Fix = "register the client for the scopes listed per type (Admin > System > API Clients), then reconnect"
	}
	if failed > 0 {
		check.Status, check.Cause = Fail, "some searches failed for reasons other than scopes (see each type)"
	}
	r.add(check)
	r.add(r.exportReadiness())
}

// probeType searches typ with _count=1: allowed, denied (401 with a valid token = a missing
// scope) or another error.
func (r *run) probeType(ctx context.Context, typ string) Item {
	item := Item{Name: typ}
	_, err := r.authed.Search(ctx, typ, url.Values{"_count": {"1"}})
	var ae *fhirclient.APIError
	switch {
	case err == nil:
		item.Status, item.Detail = Pass, "allowed"
	case errors.As(err, &ae) && ae.Kind == fhirclient.KindScopeMissing:
		item.Status, item.Detail = Warn, "denied (401 with a valid token: scope missing)"
		item.Fix = ae.MissingScope
		if item.Fix == "" {
			item.Fix = "system/" + typ + ".read"
		}
	case errors.As(err, &ae) && ae.Kind == fhirclient.KindForbidden:
		item.Status, item.Detail = Warn, "denied (403)"
		item.Fix = "system/" + typ + ".read, and the server's access rules for this client"
	default:
		cause, _ := explanation(err)
		item.Status, item.Detail = Fail, cause
	}
	return item
}

// exportReadiness checks the scopes a bulk $export needs, without starting one (OpenEMR runs
// the whole export inside the kick-off request).
func (r *run) exportReadiness() Check {
	check := Check{Step: 8, ID: "access.export", Title: "Bulk $export readiness"}
	has := func(s string) bool { return slices.Contains(r.tok.Granted, s) }
	kick := has("system/*.$export") || has("system/Patient.$export") || has("system/Group.$export")
	if !kick {
		check.Status, check.Detail = Skip, "no $export scope granted (system/*.$export, system/Patient.$export or system/Group.$export)"
		return check
	}
	var missing []string
	for _, s := range []string{"system/*.$bulkdata-status", "system/Binary.read"} {
		if !has(s) {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 {
		check.Status = Warn
		check.Cause = "an export could start but its status or files could not be read"
		check.Fix = "add " + strings.Join(missing, " ")
		return check
	}
	check.Status, check.Detail = Pass, "kick-off, status and download scopes granted; each exported type also needs its system/<Type>.read"
	return check
}
