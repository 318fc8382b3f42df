package fhirtest

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"sync"
)

// NewLazyClinical returns a Dataset holding the same resources as GenerateClinical(cfg), in
// the same order and byte for byte, without generating them up front: the directory
// (Organizations, Locations, Practitioners) is stored as usual, each Patient's id is derived
// from its random stream (microseconds per patient), and a patient's chart (the Patient and
// its clinical resources) is generated from the deterministic generator when a search or a
// read needs it, then kept in a small LRU cache. A 100,000-patient dataset, which would take
// about 11 GB materialised, starts in a fraction of a second and stays at tens of MB.
//
// The sandbox serves it with the same search semantics (parameters, OpenEMR's paging quirks,
// the paged flavor's links) as a materialised Dataset: searches on the generated types go
// through lazyClinical.search, which returns the same matches in the same ID order that
// filtering All(typ) would, and bundles fill in the JSON of only the entries they write.
//
// What costs more than on a materialised Dataset: a clinical search that is not narrowed to
// patients (`patient=`, `subject=`, `encounter=`, `_id=` of a resource the server handed
// out) generates every chart to find its matches (~0.45 ms of CPU per patient), so above
// lazyScanLimit patients the sandbox refuses it (400, OperationOutcome "too-costly") rather
// than hold gigabytes; All or a bulk export of a generated type materialises that type. Add
// may only add types the generator does not produce.
func NewLazyClinical(cfg ClinicalConfig) *Dataset {
	g := NewClinicalGenerator(cfg)
	d := NewDataset()
	for _, r := range g.Directory() {
		d.Add(r)
	}
	d.lazy = newLazyClinical(g)
	return d
}

// lazyClinical is the generated part of a lazy Dataset: Patients and their clinical records.
type lazyClinical struct {
	gen       *ClinicalGenerator
	n         int
	scanLimit int // lazyScanLimit; tests lower it

	ids     []string         // patient index -> Patient id
	byID    map[string]int32 // Patient id -> patient index
	listing []Resource       // every Patient in ID order, ID only: unfiltered Patient searches
	order   []int32          // listing[k] is patient order[k]: no id lookup per Patient searched

	types  []string            // generated types with data, sorted ("Patient" included)
	params map[string][]string // type -> indexed search parameter names, sorted

	index   *patientIndex // Patient search values, compact; built in the background
	charts  *chartCache
	patient *lru[int32, Resource] // Patient resources for listing pages
	seen    *seenIndex            // clinical resource id -> patient index, for reads
}

// Sizes of the caches: a chart is ~115 KB (3 years of history), a Patient ~4 KB.
const (
	lazyChartCache   = 256
	lazyPatientCache = 4096
	lazySeenPatients = 2048
	// lazySample is how many charts are generated at start to learn the types and search
	// parameters present (the first patients; every type and parameter shows up in far fewer).
	lazySample = 64
)

func newLazyClinical(g *ClinicalGenerator) *lazyClinical {
	n := g.Config().Patients
	lz := &lazyClinical{gen: g, n: n, scanLimit: lazyScanLimit, ids: make([]string, n), byID: make(map[string]int32, n),
		charts: newChartCache(lazyChartCache), patient: newLRU[int32, Resource](lazyPatientCache),
		seen: newSeenIndex(lazySeenPatients)}
	seed := g.Config().Seed
	parallel(n, func(i int) { lz.ids[i] = patientRand(seed, i).UUID() })
	order := make([]int32, n)
	for i := range order {
		order[i] = int32(i)
		lz.byID[lz.ids[i]] = int32(i)
	}
	lz.order = order
	slices.SortFunc(order, func(a, b int32) int {
		if lz.ids[a] < lz.ids[b] {
			return -1
		}
		return 1
	})
	lz.listing = make([]Resource, n)
	for k, i := range order {
		lz.listing[k] = Resource{Type: "Patient", ID: lz.ids[i]}
	}
	lz.learnShape()
	lz.index = buildPatientIndex(g, n)
	return lz
}

// learnShape generates the first charts to find which types have data and which search
// parameters they index (the CapabilityStatement lists them).
func (lz *lazyClinical) learnShape() {
	sample := min(lz.n, lazySample)
	charts := make([]*chart, sample)
	parallel(sample, func(i int) { charts[i] = lz.generate(int32(i)) })
	seen := map[string]map[string]bool{}
	for _, c := range charts {
		for typ, list := range c.withPatient() {
			if seen[typ] == nil {
				seen[typ] = map[string]bool{}
			}
			for _, r := range list {
				for k := range r.Search {
					seen[typ][k] = true
				}
			}
		}
	}
	lz.params = map[string][]string{}
	for typ, keys := range seen {
		lz.types = append(lz.types, typ)
		for k := range keys {
			lz.params[typ] = append(lz.params[typ], k)
		}
		sort.Strings(lz.params[typ])
	}
	sort.Strings(lz.types)
	for i, c := range charts[:min(sample, lazyChartCache)] {
		lz.charts.put(int32(i), c)
	}
}

// owns reports whether typ is generated (never stored in the Dataset's own lists).
func (lz *lazyClinical) owns(typ string) bool {
	_, ok := lz.params[typ]
	return ok || typ == "Patient"
}

// lazyFor returns the generator when d is lazy and typ is one of its generated types.
func (d *Dataset) lazyFor(typ string) *lazyClinical {
	if d.lazy != nil && d.lazy.owns(typ) {
		return d.lazy
	}
	return nil
}

// lazyTypes is the generated types with data (nil for a materialised Dataset).
func (d *Dataset) lazyTypes() []string {
	if d.lazy == nil {
		return nil
	}
	return d.lazy.types
}

// lazyAddCheck refuses to Add a generated type to a lazy Dataset: it would be shadowed.
func (d *Dataset) lazyAddCheck(r Resource) {
	if d.lazyFor(r.Type) != nil {
		panic(fmt.Sprintf("fhirtest: cannot Add %s/%s to a lazy clinical dataset: %s is generated", r.Type, r.ID, r.Type))
	}
}

// withJSON returns entries with every entry's JSON filled in: search results of a lazy
// dataset's Patients carry only their ids until a bundle writes them. The slice passed in
// is never modified (it may be shared); a materialised Dataset returns it as is.
func (d *Dataset) withJSON(entries []Resource) []Resource {
	lz := d.lazy
	if lz == nil || !slices.ContainsFunc(entries, func(r Resource) bool { return r.JSON == nil }) {
		return entries
	}
	out := slices.Clone(entries)
	parallel(len(out), func(k int) {
		if out[k].JSON != nil || out[k].Type != "Patient" {
			return
		}
		if i, ok := lz.byID[out[k].ID]; ok {
			out[k] = lz.patientResource(i)
		}
	})
	return out
}

// patientResource returns patient i's Patient, from a cached chart, the cache or the generator.
func (lz *lazyClinical) patientResource(i int32) Resource {
	if c, ok := lz.charts.peek(i); ok {
		return c.patient
	}
	if r, ok := lz.patient.get(i); ok {
		return r
	}
	r := lz.gen.PatientResource(int(i))
	lz.patient.put(i, r)
	return r
}

// get returns typ/id.
func (lz *lazyClinical) get(typ, id string) (Resource, bool) {
	if typ == "Patient" {
		i, ok := lz.byID[id]
		if !ok {
			return Resource{}, false
		}
		return lz.patientResource(i), true
	}
	i, ok := lz.locate(id)
	if !ok {
		return Resource{}, false
	}
	return lz.chart(i).find(typ, id)
}

// all materialises every resource of typ in ID order (bulk export; expensive when large).
func (lz *lazyClinical) all(typ string) []Resource {
	if typ == "Patient" {
		return lz.allPatients()
	}
	var out []Resource
	var mu sync.Mutex
	parallel(lz.n, func(i int) {
		c := lz.generateOrCached(int32(i))
		mu.Lock()
		out = append(out, c.byType[typ]...)
		mu.Unlock()
	})
	sortByID(out)
	return out
}

// allPatients returns every Patient with its JSON, in ID order.
func (lz *lazyClinical) allPatients() []Resource {
	out := slices.Clone(lz.listing)
	parallel(len(out), func(k int) { out[k] = lz.patientResource(lz.order[k]) })
	return out
}

// count returns how many resources of typ exist (generating every chart for clinical types).
func (lz *lazyClinical) count(typ string) int {
	if typ == "Patient" {
		return lz.n
	}
	var mu sync.Mutex
	total := 0
	parallel(lz.n, func(i int) {
		k := len(lz.generateOrCached(int32(i)).byType[typ])
		mu.Lock()
		total += k
		mu.Unlock()
	})
	return total
}

func sortByID(list []Resource) {
	slices.SortFunc(list, func(a, b Resource) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}

// parallel runs fn(0..n-1) on GOMAXPROCS goroutines (inline when small).
func parallel(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), 8, max(n/64, 1))
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var next sync.Mutex
	cursor := 0
	const step = 32
	for range workers {
		wg.Go(func() {
			for {
				next.Lock()
				lo := cursor
				cursor += step
				next.Unlock()
				if lo >= n {
					return
				}
				for i := lo; i < min(lo+step, n); i++ {
					fn(i)
				}
			}
		})
	}
	wg.Wait()
}
