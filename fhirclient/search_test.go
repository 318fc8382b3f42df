package fhirclient_test

import (
	"errors"
	"net/url"
	"slices"
	"strconv"
	"testing"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

// collect runs SearchIter and returns every entry id and each page's mode and size.
func collect(t *testing.T, c *fhirclient.Client, typ string, params url.Values) (ids []string, pages []*fhirclient.Page) {
	t.Helper()
	for p, err := range c.SearchIter(ctxT(t), typ, params) {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, idsOf(t, p.Entries)...)
		pages = append(pages, p)
	}
	return ids, pages
}

func wantAllDistinct(t *testing.T, ids []string, n int) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("id %s twice", id)
		}
		seen[id] = true
	}
	if len(seen) != n {
		t.Fatalf("%d distinct ids, want %d", len(seen), n)
	}
}

func TestPagingByLinks(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Flavor: fhirtest.FlavorPaged, Patients: 50}, patientScopes)
	c := newClient(t, srv, cred, patientScopes, fhirclient.WithPageSize(20))
	ids, pages := collect(t, c, "Patient", nil)
	wantAllDistinct(t, ids, 50)
	if len(pages) != 3 || pages[0].Mode != fhirclient.PagingLinks || len(pages[2].Entries) != 10 || !pages[0].HasTotal || pages[0].Total != 50 {
		t.Fatalf("pages: %d, mode %v, total %d", len(pages), pages[0].Mode, pages[0].Total)
	}
	if pages[2].Number != 3 || pages[2].Offset != 40 {
		t.Errorf("last page number %d offset %d", pages[2].Number, pages[2].Offset)
	}
	prev, err := c.Prev(ctxT(t), pages[2])
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(idsOf(t, prev.Entries), idsOf(t, pages[1].Entries)) || prev.Number != 2 {
		t.Errorf("Prev gave page %d %v", prev.Number, idsOf(t, prev.Entries)[:2])
	}
	if _, err := c.Next(ctxT(t), pages[2]); !errors.Is(err, fhirclient.ErrNoMorePages) {
		t.Errorf("Next past the end: %v", err)
	}
}

func TestPagingByOffset(t *testing.T) {
	for _, plusOne := range []bool{false, true} {
		t.Run("count+1="+strconv.FormatBool(plusOne), func(t *testing.T) {
			srv, cred := sandbox(t, fhirtest.Options{Patients: 45, PatientCountPlusOne: plusOne}, patientScopes)
			c := newClient(t, srv, cred, patientScopes, fhirclient.WithPageSize(20))
			ids, pages := collect(t, c, "Patient", nil)
			wantAllDistinct(t, ids, 45)
			for i, p := range pages {
				if p.Mode != fhirclient.PagingOffset || p.Number != i+1 || p.Offset != 20*i || len(p.Entries) > 20 || p.HasTotal {
					t.Errorf("page %d: mode %v number %d offset %d entries %d hasTotal %v", i, p.Mode, p.Number, p.Offset, len(p.Entries), p.HasTotal)
				}
			}
			if len(pages) != 3 {
				t.Errorf("%d pages", len(pages))
			}
			prev, err := c.Prev(ctxT(t), pages[1])
			if err != nil || !slices.Equal(idsOf(t, prev.Entries), idsOf(t, pages[0].Entries)) || prev.HasPrev() {
				t.Errorf("Prev: %v", err)
			}
		})
	}
	// A page size that divides the total: the empty page after the last is not yielded.
	srv, cred := sandbox(t, fhirtest.Options{Patients: 40}, patientScopes)
	ids, pages := collect(t, newClient(t, srv, cred, patientScopes, fhirclient.WithPageSize(20)), "Patient", nil)
	wantAllDistinct(t, ids, 40)
	if len(pages) != 2 {
		t.Errorf("%d pages for 40 patients by 20", len(pages))
	}
}

func TestPagingLocal(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 100}, patientScopes)
	c := newClient(t, srv, cred, patientScopes, fhirclient.WithPageSize(4))
	practitioners, _ := fhirtest.BasicCounts(100)
	ids, pages := collect(t, c, "Practitioner", nil)
	wantAllDistinct(t, ids, practitioners)
	if len(pages) != 1 || pages[0].Mode != fhirclient.PagingLocal || pages[0].HasNext() || pages[0].BundleType != "collection" {
		t.Fatalf("%d pages, mode %v", len(pages), pages[0].Mode)
	}
	// Fewer matches than a page: one bundle, local, on any server.
	p, err := c.Search(ctxT(t), "Patient", url.Values{"_count": {"500"}})
	if err != nil || p.Mode != fhirclient.PagingLocal || len(p.Entries) != 100 {
		t.Fatalf("%v %v %d", err, p.Mode, len(p.Entries))
	}
}

// TestLinksPageSizeCappedByServer: the paged sandbox caps _count at 1000; Count reports the
// page size the server really uses, so Total/Count gives the number of pages.
func TestLinksPageSizeCappedByServer(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Flavor: fhirtest.FlavorPaged, Patients: 2500}, patientScopes)
	c := newClient(t, srv, cred, patientScopes)
	p, err := c.Search(ctxT(t), "Patient", url.Values{"_count": {"5000"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != fhirclient.PagingLinks || len(p.Entries) != 1000 || p.Count != 1000 || p.Total != 2500 {
		t.Fatalf("mode %v entries %d count %d total %d", p.Mode, len(p.Entries), p.Count, p.Total)
	}
	ids, pages := collect(t, c, "Patient", url.Values{"_count": {"5000"}})
	wantAllDistinct(t, ids, 2500)
	if len(pages) != 3 || pages[2].Offset != 2000 {
		t.Fatalf("%d pages", len(pages))
	}
}

// TestServerIgnoringOffset: OpenEMR types other than Patient ignore _count and _offset. When
// their match count happens to equal _count (or _count+1) the first answer looks like offset
// paging; the next page then repeats the first, which the client notices and cuts locally.
func TestServerIgnoringOffset(t *testing.T) {
	srv, cred := sandbox(t, fhirtest.Options{Patients: 50}, patientScopes)
	practitioners, _ := fhirtest.BasicCounts(50)
	for _, size := range []int{practitioners, practitioners - 1} {
		c := newClient(t, srv, cred, patientScopes, fhirclient.WithPageSize(size))
		ids, pages := collect(t, c, "Practitioner", nil)
		wantAllDistinct(t, ids, practitioners)
		if pages[0].Mode != fhirclient.PagingOffset {
			t.Fatalf("size %d: mode %v", size, pages[0].Mode)
		}
		if len(pages) > 1 && pages[1].Note == "" {
			t.Errorf("size %d: the cut page carries no note", size)
		}
	}
}
