package fhirtest

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Resource is one stored FHIR resource with the values the sandbox's search matches against.
//
// Search maps a search parameter name (as a client sends it, e.g. "family", "birthdate",
// "patient") to the values indexed for it. Conventions, so generators and the server agree:
//   - string parameters (name, family, given, address...): lowercased; matched by prefix,
//     case-insensitively, as FHIR's default string search does;
//   - token parameters (_id, gender, identifier, code, status...): exact value; for codes and
//     identifiers index both "value" and "system|value" so either query form matches;
//   - date parameters (birthdate, date, ...): ISO dates "YYYY-MM-DD" or full dateTimes;
//     matched with the eq/ne/gt/lt/ge/le prefixes;
//   - reference parameters (patient, subject, encounter, ...): the target's bare id ("123"); a
//     query "Patient/123" is reduced to "123" before matching.
//
// JSON is the resource exactly as served (it is not re-encoded by the server).
type Resource struct {
	Type        string
	ID          string
	JSON        []byte
	Search      map[string][]string
	LastUpdated time.Time
}

// Dataset holds resources by type, each type in ascending ID order (byte-wise string order).
// It is safe for concurrent use; a dataset is usually built once and then only read.
type Dataset struct {
	mu     sync.RWMutex
	byType map[string]*typeStore
	lazy   *lazyClinical // NewLazyClinical: Patients and charts generated on demand (lazy_*.go)
}

// typeStore keeps one type's resources. Adds append and mark the slice unsorted so that
// building 100,000s of resources stays linear; readers sort once, lazily.
type typeStore struct {
	version uint64 // bumped by every Add: caches built from list (search indexes) check it
	list    []Resource
	byID    map[string]int // index into list; valid only while sorted
	sorted  bool
}

// NewDataset returns an empty dataset.
func NewDataset() *Dataset {
	return &Dataset{byType: map[string]*typeStore{}}
}

// Add stores r. A resource with the same type and ID replaces the earlier one.
func (d *Dataset) Add(r Resource) {
	d.lazyAddCheck(r)
	d.mu.Lock()
	defer d.mu.Unlock()
	ts := d.byType[r.Type]
	if ts == nil {
		ts = &typeStore{sorted: true}
		d.byType[r.Type] = ts
	}
	if n := len(ts.list); n > 0 && ts.list[n-1].ID >= r.ID {
		ts.sorted = false
	}
	ts.version++
	ts.list = append(ts.list, r)
	if ts.sorted {
		if ts.byID == nil {
			ts.byID = map[string]int{}
		}
		ts.byID[r.ID] = len(ts.list) - 1
	} else {
		ts.byID = nil
	}
}

// ensureSorted sorts every unsorted type, dropping duplicate IDs (the last Add wins).
// Caller holds no lock.
func (d *Dataset) ensureSorted() {
	d.mu.RLock()
	dirty := false
	for _, ts := range d.byType {
		if !ts.sorted {
			dirty = true
			break
		}
	}
	d.mu.RUnlock()
	if !dirty {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, ts := range d.byType {
		if ts.sorted {
			continue
		}
		// Sort a copy: slices handed out by All may still be read by a server goroutine.
		// Stable sort keeps Add order among equal IDs so the last one can win.
		list := slices.Clone(ts.list)
		sort.SliceStable(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		out := list[:0]
		for i, r := range list {
			if i+1 < len(list) && list[i+1].ID == r.ID {
				continue
			}
			out = append(out, r)
		}
		ts.list = out
		ts.byID = make(map[string]int, len(out))
		for i, r := range out {
			ts.byID[r.ID] = i
		}
		ts.sorted = true
	}
}

// Types returns the resource types present, sorted.
func (d *Dataset) Types() []string {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]string, 0, len(d.byType))
	for t, ts := range d.byType {
		if len(ts.list) > 0 {
			out = append(out, t)
		}
	}
	out = append(out, d.lazyTypes()...)
	sort.Strings(out)
	return out
}

// All returns the resources of typ in ID order. The slice is shared: do not modify it.
func (d *Dataset) All(typ string) []Resource {
	if lz := d.lazyFor(typ); lz != nil {
		return lz.all(typ)
	}
	list, _ := d.allVersioned(typ)
	return list
}

// allVersioned returns All(typ) with the version of the type's contents it reflects.
func (d *Dataset) allVersioned(typ string) ([]Resource, uint64) {
	if d.lazyFor(typ) != nil {
		return nil, 1 // generated, never changes; searches go to lazyClinical.search
	}
	var list []Resource
	var v uint64
	d.readSorted(typ, func(ts *typeStore) {
		list, v = ts.list[:len(ts.list):len(ts.list)], ts.version
	})
	return list, v
}

// readSorted calls read with typ's store sorted, under the read lock; not at all when the
// type has no store.
func (d *Dataset) readSorted(typ string, read func(ts *typeStore)) {
	for {
		d.ensureSorted()
		d.mu.RLock()
		ts := d.byType[typ]
		if ts == nil || ts.sorted { // else an Add slipped in after ensureSorted: sort again
			if ts != nil {
				read(ts)
			}
			d.mu.RUnlock()
			return
		}
		d.mu.RUnlock()
	}
}

// Len returns how many resources of typ are stored.
func (d *Dataset) Len(typ string) int {
	if lz := d.lazyFor(typ); lz != nil {
		return lz.count(typ)
	}
	return len(d.All(typ))
}

// Get returns the resource typ/id.
func (d *Dataset) Get(typ, id string) (Resource, bool) {
	if lz := d.lazyFor(typ); lz != nil {
		return lz.get(typ, id)
	}
	var r Resource
	found := false
	d.readSorted(typ, func(ts *typeStore) {
		if i, ok := ts.byID[id]; ok {
			r, found = ts.list[i], true
		}
	})
	return r, found
}

// SearchParams returns the search parameter names indexed on any resource of typ, sorted.
func (d *Dataset) SearchParams(typ string) []string {
	if lz := d.lazyFor(typ); lz != nil {
		return slices.Clone(lz.params[typ])
	}
	seen := map[string]bool{}
	for _, r := range d.All(typ) {
		for k := range r.Search {
			seen[k] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// lowerAll lowercases each value: the indexing convention for string parameters.
func lowerAll(vals ...string) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		if v != "" {
			out = append(out, strings.ToLower(v))
		}
	}
	return out
}
