package fhirclient_test

import (
	"net/url"
	"runtime"
	"runtime/debug"
	"strconv"
	"testing"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
)

const benchPatients = 10000

// BenchmarkSearch10kPatients is one search returning a 10,000-entry Patient bundle from the
// sandbox over real HTTP on 127.0.0.1, read and indexed (every entry located). The sandbox
// runs in a child process, so the numbers are the client's alone. MB/s is over the bundle's
// bytes; alloc/bundle is the bytes allocated per search in the loop (pooled staging chunks
// reused) over the bundle's size; peak/bundle bounds one cold search's peak heap.
func BenchmarkSearch10kPatients(b *testing.B) {
	rk, _ := testKeys(b)
	base, id := childSandbox(b, benchPatients, jwksOf(b, rk))
	c, err := fhirclient.New(base, fhirclient.WithCredentials(fhirclient.Credentials{ClientID: id, Signer: rk}),
		fhirclient.WithScopes(patientScopes))
	if err != nil {
		b.Fatal(err)
	}
	q := url.Values{"_count": {strconv.Itoa(benchPatients)}}
	ctx := ctxT(b)
	p, err := c.Search(ctx, "Patient", q) // warm-up: discovery, token, connection
	if err != nil {
		b.Fatal(err)
	}
	size := int64(len(p.Raw))
	p = nil
	b.SetBytes(size)
	b.ReportAllocs()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		p, err := c.Search(ctx, "Patient", q)
		if err != nil {
			b.Fatal(err)
		}
		if len(p.Entries) != benchPatients {
			b.Fatalf("%d entries", len(p.Entries))
		}
	}
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(b.N)/float64(size), "alloc/bundle")
	b.ReportMetric(float64(size)/(1<<20), "bundle-MiB")
	b.ReportMetric(peakRatio(b, func() { _, _ = c.Search(ctx, "Patient", q) }, size), "peak/bundle")
}

// peakRatio bounds the heap growth of one call of fn, relative to size: with the pools
// emptied (two GCs) and the collector off, nothing allocated during fn is freed, so the heap
// growth is everything fn allocated (staging chunks included), which no peak can exceed.
func peakRatio(b *testing.B, fn func(), size int64) float64 {
	b.StopTimer()
	defer b.StartTimer()
	runtime.GC()
	runtime.GC()
	old := debug.SetGCPercent(-1)
	defer debug.SetGCPercent(old)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	fn()
	runtime.ReadMemStats(&m1)
	return float64(m1.HeapAlloc-m0.HeapAlloc) / float64(size)
}

// BenchmarkParseBundle10k is the parse alone: ParseBundle over the same bundle's bytes.
func BenchmarkParseBundle10k(b *testing.B) {
	srv, cred := sandbox(b, fhirtest.Options{Patients: benchPatients}, patientScopes)
	c := newClient(b, srv, cred, patientScopes)
	p, err := c.Search(ctxT(b), "Patient", url.Values{"_count": {strconv.Itoa(benchPatients)}})
	if err != nil {
		b.Fatal(err)
	}
	raw := p.Raw
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		pp, err := fhirclient.ParseBundle(raw)
		if err != nil || len(pp.Entries) != benchPatients {
			b.Fatal(err)
		}
	}
}
