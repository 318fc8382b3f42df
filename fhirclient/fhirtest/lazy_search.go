package fhirtest

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
)

// lazyScanLimit is the most patients a lazy dataset generates every chart of for one request:
// ~1 CPU-second and ~200 MB of matches for an unfiltered Observation search. Above it (the
// demo's --patients 100000 would need ~45 CPU-seconds and gigabytes), a clinical search that
// no condition narrows to patients is refused as too costly, and a read of a clinical id the
// server has not handed out recently answers 404 instead of scanning.
const lazyScanLimit = 2000

// tooCostly returns the diagnostics of a refused search, or "" when it can run.
func (d *Dataset) tooCostly(typ string, conds []searchCond) string {
	lz := d.lazyFor(typ)
	if lz == nil || typ == "Patient" || lz.n <= lz.scanLimit {
		return ""
	}
	if _, narrowed := lz.narrow(conds); narrowed {
		return ""
	}
	return fmt.Sprintf("this sandbox generates its %d patients' records on demand, and searching %s without "+
		"patient= would generate all of them; narrow the search with patient=, subject=, encounter= or _id=", lz.n, typ)
}

// search answers a search on a generated type with exactly the matches, in ID order, that
// filtering the materialised resources would give (the server's search then pages them as
// usual). Patients come back without JSON (Dataset.withJSON fills in the page written).
func (lz *lazyClinical) search(typ string, conds []searchCond, categories []string) []Resource {
	if typ == "Patient" {
		return lz.searchPatients(conds, categories)
	}
	patients, narrowed := lz.narrow(conds)
	if !narrowed {
		return lz.scan(typ, conds, categories)
	}
	var cand []Resource
	for _, i := range patients {
		cand = append(cand, lz.chart(i).byType[typ]...)
	}
	if len(patients) > 1 {
		sortByID(cand)
	}
	return filterResources(cand, conds, categories)
}

// narrow finds the patients whose charts hold every possible match, from a condition that
// names patients or resources the server handed out: patient=, subject=, encounter=, _id=...
func (lz *lazyClinical) narrow(conds []searchCond) ([]int32, bool) {
	for _, c := range conds {
		if c.modifier != "" || (c.def.Type != ParamReference && c.def.Name != "_id") {
			continue
		}
		var out []int32
		resolved := true
		for _, v := range c.values {
			// The same key the materialised index looks up (index.go), so both narrow alike.
			v = queryKey(c.def.Type, v)
			if c.def.Name == "_id" {
				if i, ok := lz.locate(v); ok {
					out = append(out, i)
				}
				continue // an id no chart holds matches nothing
			}
			if i, ok := lz.byID[v]; ok {
				out = append(out, i)
				continue
			}
			if c.def.Name == "patient" {
				continue // only Patient ids are indexed under patient: nothing else matches
			}
			if i, ok := lz.seen.lookup(v); ok {
				out = append(out, i)
				continue
			}
			resolved = false // e.g. practitioner=: any patient may match
			break
		}
		if resolved {
			slices.Sort(out)
			return slices.Compact(out), true
		}
	}
	return nil, false
}

// scan generates every chart to find the matches of a search no condition narrows.
func (lz *lazyClinical) scan(typ string, conds []searchCond, categories []string) []Resource {
	var mu sync.Mutex
	var out []Resource
	parallel(lz.n, func(i int) {
		m := filterResources(lz.generateOrCached(int32(i)).byType[typ], conds, categories)
		if len(m) == 0 {
			return
		}
		if len(conds) == 0 && categories == nil {
			m = slices.Clone(m) // filterResources handed back the chart's own slice
		}
		mu.Lock()
		out = append(out, m...)
		mu.Unlock()
	})
	sortByID(out)
	return out
}

// searchPatients filters the Patients on their indexed values (kept compact, see
// patientIndex), in ID order; an unfiltered search returns the shared listing.
func (lz *lazyClinical) searchPatients(conds []searchCond, categories []string) []Resource {
	if len(conds) == 0 && categories == nil {
		return lz.listing
	}
	keys := map[string]bool{}
	for _, c := range conds {
		keys[c.def.Name] = true
	}
	if categories != nil {
		keys["category"] = true
	}
	ix := lz.index.wait()
	var out []Resource
	for k, r := range lz.listing {
		probe := Resource{Type: "Patient", ID: r.ID, Search: ix.decode(lz.order[k], keys)}
		if matchesAll(probe, conds, categories) {
			out = append(out, r)
		}
	}
	return out
}

// patientIndex holds every Patient's search values in one compact string per patient (about
// 450 bytes, a tenth of a Patient with its Search map), so filtered Patient searches need no
// Patient in memory. It is built in the background from PatientResource (~30 us each).
type patientIndex struct {
	done  chan struct{}
	keys  []string       // key number -> parameter name
	keyOf map[string]int // parameter name -> key number
	blobs []string       // patient index -> encoded values
}

func buildPatientIndex(g *ClinicalGenerator, n int) *patientIndex {
	ix := &patientIndex{done: make(chan struct{}), keyOf: map[string]int{}, blobs: make([]string, n)}
	var mu sync.Mutex // guards keys/keyOf while building
	keyNum := func(k string) int {
		mu.Lock()
		defer mu.Unlock()
		if j, ok := ix.keyOf[k]; ok {
			return j
		}
		ix.keyOf[k] = len(ix.keys)
		ix.keys = append(ix.keys, k)
		return len(ix.keys) - 1
	}
	go func() {
		defer close(ix.done)
		parallel(n, func(i int) {
			search := g.PatientResource(i).Search
			names := make([]string, 0, len(search))
			for k := range search {
				names = append(names, k)
			}
			slices.Sort(names) // a deterministic layout
			var b []byte
			for _, k := range names {
				b = binary.AppendUvarint(b, uint64(keyNum(k)))
				b = binary.AppendUvarint(b, uint64(len(search[k])))
				for _, v := range search[k] {
					b = binary.AppendUvarint(b, uint64(len(v)))
					b = append(b, v...)
				}
			}
			ix.blobs[i] = string(b)
		})
	}()
	return ix
}

// wait blocks until the index is built.
func (ix *patientIndex) wait() *patientIndex {
	<-ix.done
	return ix
}

// decode returns patient i's values for the wanted parameters.
func (ix *patientIndex) decode(i int32, want map[string]bool) map[string][]string {
	out := make(map[string][]string, len(want))
	b := ix.blobs[i]
	for len(b) > 0 {
		k := uvarint(&b)
		count := uvarint(&b)
		take := want[ix.keys[k]]
		var vals []string
		for range count {
			l := uvarint(&b)
			if take {
				vals = append(vals, b[:l])
			}
			b = b[l:]
		}
		if take {
			out[ix.keys[k]] = vals
		}
	}
	return out
}

// uvarint reads one uvarint from the front of *b.
func uvarint(b *string) int {
	var x uint64
	var s uint
	for i := 0; i < len(*b); i++ {
		c := (*b)[i]
		if c < 0x80 {
			x |= uint64(c) << s
			*b = (*b)[i+1:]
			return int(x)
		}
		x |= uint64(c&0x7f) << s
		s += 7
	}
	*b = ""
	return int(x)
}
