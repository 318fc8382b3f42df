package fhirtest

import (
	"container/list"
	"sort"
	"sync"
	"sync/atomic"
)

// chart is one patient's generated resources: the Patient and, by type, the clinical
// resources in ID order.
type chart struct {
	patient Resource
	byType  map[string][]Resource
}

// find returns typ/id from the chart.
func (c *chart) find(typ, id string) (Resource, bool) {
	if typ == "Patient" {
		return c.patient, c.patient.ID == id
	}
	list := c.byType[typ]
	k := sort.Search(len(list), func(k int) bool { return list[k].ID >= id })
	if k < len(list) && list[k].ID == id {
		return list[k], true
	}
	return Resource{}, false
}

// withPatient is byType plus the Patient, for learning the shape of the data.
func (c *chart) withPatient() map[string][]Resource {
	m := map[string][]Resource{"Patient": {c.patient}}
	for typ, l := range c.byType {
		m[typ] = l
	}
	return m
}

// generate builds patient i's chart (no caching).
func (lz *lazyClinical) generate(i int32) *chart {
	c := &chart{byType: map[string][]Resource{}}
	first := true
	lz.gen.Patient(int(i), func(r Resource) {
		if first {
			c.patient, first = r, false
			return
		}
		c.byType[r.Type] = append(c.byType[r.Type], r)
	})
	for _, l := range c.byType {
		sortByID(l)
	}
	return c
}

// chart returns patient i's chart from the cache, generating it once however many searches
// ask at the same time (the patient overview sends six at once).
func (lz *lazyClinical) chart(i int32) *chart {
	c := lz.charts.getOrMake(i, lz.generate)
	lz.seen.record(i, c)
	return c
}

// generateOrCached is for whole-dataset scans: a cached chart is reused, others are generated
// and dropped (a scan must not flush the cache the interactive searches rely on).
func (lz *lazyClinical) generateOrCached(i int32) *chart {
	if c, ok := lz.charts.peek(i); ok {
		return c
	}
	return lz.generate(i)
}

// locate returns the patient whose chart holds the clinical resource id: from the ids the
// server handed out recently, else by generating charts until one holds it.
func (lz *lazyClinical) locate(id string) (int32, bool) {
	if i, ok := lz.seen.lookup(id); ok {
		return i, true
	}
	if _, ok := lz.byID[id]; ok {
		return 0, false // a Patient id: not a clinical resource
	}
	if lz.n > lz.scanLimit {
		return 0, false // see lazyScanLimit
	}
	var found atomic.Int64
	found.Store(-1)
	parallel(lz.n, func(i int) {
		if found.Load() >= 0 {
			return
		}
		c := lz.generateOrCached(int32(i))
		for _, l := range c.byType {
			for _, r := range l {
				if r.ID == id {
					found.Store(int64(i))
					return
				}
			}
		}
	})
	if i := found.Load(); i >= 0 {
		return int32(i), true
	}
	return 0, false
}

// chartCache is an LRU of charts with one generation per patient in flight.
type chartCache struct {
	mu      sync.Mutex
	cap     int
	order   *list.List // of *chartEntry, most recent first
	entries map[int32]*list.Element
}

type chartEntry struct {
	i     int32
	ready chan struct{}
	c     *chart
}

func newChartCache(capacity int) *chartCache {
	return &chartCache{cap: capacity, order: list.New(), entries: map[int32]*list.Element{}}
}

func (cc *chartCache) getOrMake(i int32, build func(int32) *chart) *chart {
	cc.mu.Lock()
	if el, ok := cc.entries[i]; ok {
		cc.order.MoveToFront(el)
		e := el.Value.(*chartEntry)
		cc.mu.Unlock()
		<-e.ready
		return e.c
	}
	e := &chartEntry{i: i, ready: make(chan struct{})}
	cc.entries[i] = cc.order.PushFront(e)
	cc.evictLocked()
	cc.mu.Unlock()
	e.c = build(i)
	close(e.ready)
	return e.c
}

// peek returns a finished cached chart without changing the LRU order.
func (cc *chartCache) peek(i int32) (*chart, bool) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if el, ok := cc.entries[i]; ok {
		e := el.Value.(*chartEntry)
		select {
		case <-e.ready:
			return e.c, true
		default:
		}
	}
	return nil, false
}

func (cc *chartCache) put(i int32, c *chart) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if _, ok := cc.entries[i]; ok {
		return
	}
	e := &chartEntry{i: i, ready: make(chan struct{}), c: c}
	close(e.ready)
	cc.entries[i] = cc.order.PushFront(e)
	cc.evictLocked()
}

func (cc *chartCache) evictLocked() {
	for cc.order.Len() > cc.cap {
		el := cc.order.Back()
		cc.order.Remove(el)
		delete(cc.entries, el.Value.(*chartEntry).i)
	}
}

// lru is a small mutex-guarded LRU map.
type lru[K comparable, V any] struct {
	mu      sync.Mutex
	cap     int
	order   *list.List // of lruItem, most recent first
	entries map[K]*list.Element
}

type lruItem[K comparable, V any] struct {
	k K
	v V
}

func newLRU[K comparable, V any](capacity int) *lru[K, V] {
	return &lru[K, V]{cap: capacity, order: list.New(), entries: map[K]*list.Element{}}
}

func (l *lru[K, V]) get(k K) (V, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.entries[k]; ok {
		l.order.MoveToFront(el)
		return el.Value.(lruItem[K, V]).v, true
	}
	var zero V
	return zero, false
}

func (l *lru[K, V]) put(k K, v V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if el, ok := l.entries[k]; ok {
		el.Value = lruItem[K, V]{k, v}
		l.order.MoveToFront(el)
		return
	}
	l.entries[k] = l.order.PushFront(lruItem[K, V]{k, v})
	for l.order.Len() > l.cap {
		el := l.order.Back()
		l.order.Remove(el)
		delete(l.entries, el.Value.(lruItem[K, V]).k)
	}
}

// seenIndex maps the ids of the clinical resources in the charts generated most recently to
// their patient, so that a read of a resource the server handed out (the inspector following
// Encounter/123 from an Observation) finds its chart at once. It remembers the ids of the
// last cap patients (~70 ids each) and forgets older ones, which stay findable by a scan.
type seenIndex struct {
	mu       sync.Mutex
	cap      int
	byID     map[string]int32
	patients map[int32][]string // recorded patient -> its ids
	fifo     []int32            // recorded patients, oldest first
}

func newSeenIndex(capacity int) *seenIndex {
	return &seenIndex{cap: capacity, byID: map[string]int32{}, patients: map[int32][]string{}}
}

func (s *seenIndex) record(i int32, c *chart) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.patients[i]; ok {
		return
	}
	var ids []string
	for _, l := range c.byType {
		for _, r := range l {
			ids = append(ids, r.ID)
			s.byID[r.ID] = i
		}
	}
	s.patients[i] = ids
	s.fifo = append(s.fifo, i)
	for len(s.fifo) > s.cap {
		old := s.fifo[0]
		s.fifo = s.fifo[1:]
		for _, id := range s.patients[old] {
			delete(s.byID, id)
		}
		delete(s.patients, old)
	}
}

func (s *seenIndex) lookup(id string) (int32, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.byID[id]
	return i, ok
}
