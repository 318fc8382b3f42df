package fhirclient_test

import (
	"errors"
	"net/url"
	"testing"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

// Last follows a standard server's "last" link; OpenEMR gives none.
func TestLastPage(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Flavor: fhirtest.FlavorPaged, Patients: 23}, patientScopes)
	c := newClient(t, srv, cred, patientScopes)
	first, err := c.Search(ctxT(t), "Patient", url.Values{"_count": {"5"}})
	if err != nil {
		t.Fatal(err)
	}
	last, err := c.Last(ctxT(t), first, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(last.Entries) != 3 || last.Number != 5 || last.Offset != 20 || last.HasNext() || !last.HasPrev() {
		t.Errorf("last page: %d entries, number %d, offset %d, next %v, prev %v",
			len(last.Entries), last.Number, last.Offset, last.HasNext(), last.HasPrev())
	}

	emr, emrCred := sandbox(t, fhirtest.Options{Patients: 23}, patientScopes)
	page, err := newClient(t, emr, emrCred, patientScopes).Search(ctxT(t), "Patient", url.Values{"_count": {"5"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Last(ctxT(t), page, 5); !errors.Is(err, fhirclient.ErrNoMorePages) {
		t.Errorf("Last on OpenEMR's offset paging: %v, want ErrNoMorePages", err)
	}
}
