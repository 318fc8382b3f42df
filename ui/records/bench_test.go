package records

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"fhirscope/fhirclient/jsonscan/jsonscantest"
)

// Benchmark files are generated once per test binary in a temp dir (compact
// JSON, as OpenEMR sends it). They were just written, so they are in the
// page cache: the numbers are for a warm cache, like reopening a download.

var benchDir = sync.OnceValue(func() string {
	d, err := os.MkdirTemp("", "records-bench-")
	if err != nil {
		panic(err)
	}
	return d
})

func TestMain(m *testing.M) {
	code := m.Run()
	if d := benchDirIfMade(); d != "" {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

var benchFilesMu sync.Mutex
var benchFiles = map[int]string{}

func benchDirIfMade() string {
	benchFilesMu.Lock()
	defer benchFilesMu.Unlock()
	if len(benchFiles) == 0 {
		return ""
	}
	return benchDir()
}

func benchBundle(b *testing.B, mb int) string {
	benchFilesMu.Lock()
	defer benchFilesMu.Unlock()
	if p, ok := benchFiles[mb]; ok {
		return p
	}
	p := filepath.Join(benchDir(), fmt.Sprintf("patients-%dMB.json", mb))
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := jsonscantest.WriteBundleSize(f, int64(mb)<<20, jsonscantest.Options{Seed: uint64(mb)}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	benchFiles[mb] = p
	runtime.GC() // the generator's garbage must not be collected on the clock
	return p
}

var sizes = []int{50, 200}

// benchNDJSON writes a bulk-export-like file of about mb MB once.
func benchNDJSON(b *testing.B, mb int) string {
	benchFilesMu.Lock()
	defer benchFilesMu.Unlock()
	key := -mb // negative keys: NDJSON
	if p, ok := benchFiles[key]; ok {
		return p
	}
	p := filepath.Join(benchDir(), fmt.Sprintf("Patient-%dMB.ndjson", mb))
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := jsonscantest.WriteNDJSON(f, mb<<20/2200, uint64(mb)); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	benchFiles[key] = p
	runtime.GC()
	return p
}

// BenchmarkIndexNDJSON: a bulk export file, validated line by line.
func BenchmarkIndexNDJSON(b *testing.B) {
	path := benchNDJSON(b, 50)
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	n := 0
	cpu0 := processCPU()
	for b.Loop() {
		s, err := OpenFile(path)
		if err != nil {
			b.Fatal(err)
		}
		_ = s.Wait(context.Background())
		if n = s.Len(); s.Err() != nil || s.Status().BadLines != 0 {
			b.Fatal(s.Err())
		}
		_ = s.Close()
	}
	reportCPUThroughput(b, fi.Size(), cpu0)
	b.ReportMetric(float64(n), "entries")
}

// reportCPUThroughput reports bytes per CPU-second of the whole process
// (all threads, GC included): unlike MB/s it does not shrink when other
// jobs share the machine.
// reportCPUPerOp reports the process CPU time per op, the cost of an op
// independent of other jobs on the machine.
func reportCPUPerOp(b *testing.B, cpu0 time.Duration) {
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(cpu.Seconds()*1e3/float64(b.N), "cpu-ms/op")
	}
}

func reportCPUThroughput(b *testing.B, size int64, cpu0 time.Duration) {
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(b.N)*float64(size)/1e6/cpu.Seconds(), "MB/cpu-s")
	}
}

// BenchmarkFirstScreen: from OpenFile to the first 40 entries in hand.
func BenchmarkFirstScreen(b *testing.B) {
	for _, mb := range sizes {
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			path := benchBundle(b, mb)
			var total time.Duration
			for b.Loop() {
				t0 := time.Now()
				s, err := OpenFile(path)
				if err != nil {
					b.Fatal(err)
				}
				if n, _ := s.WaitFor(context.Background(), 40); n < 40 {
					b.Fatalf("only %d entries", n)
				}
				for i := range 40 {
					if len(s.Entry(i)) == 0 {
						b.Fatal("empty entry")
					}
				}
				total += time.Since(t0)
				_ = s.Close()
			}
			b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/first40")
		})
	}
}

// BenchmarkIndexAll: from OpenFile until every entry is indexed, plus the
// memory it took. Memory is counted honestly: the mapped file counts fully
// (every page was touched, so all of it is resident in this process) plus
// the peak Go heap growth sampled every millisecond during indexing; rss_x
// cross-checks with the kernel's VmRSS growth.
func BenchmarkIndexAll(b *testing.B) {
	for _, mb := range sizes {
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			path := benchBundle(b, mb)
			fi, _ := os.Stat(path)
			size := fi.Size()
			var peakX, rssX float64
			var entries int
			b.SetBytes(size)
			cpu0 := processCPU()
			for b.Loop() {
				runtime.GC()
				base, rss0 := heapInUse(), vmRSS()
				stop, peak := sampleHeap()
				s, err := OpenFile(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Wait(context.Background()); err != nil || s.Err() != nil {
					b.Fatal(err, s.Err())
				}
				stop()
				rss1 := vmRSS()
				entries = s.Len()
				peakX = max(peakX, float64(size+int64(*peak)-int64(base))/float64(size))
				if rss0 > 0 {
					rssX = max(rssX, float64(rss1-rss0)/float64(size))
				}
				_ = s.Close()
			}
			reportCPUThroughput(b, size, cpu0)
			b.ReportMetric(float64(entries), "entries")
			b.ReportMetric(peakX, "peak_x")
			b.ReportMetric(rssX, "rss_x")
		})
	}
}

// BenchmarkLastEntry: once indexed, jump to the last entry and summarise it
// (what a results-table row needs).
func BenchmarkLastEntry(b *testing.B) {
	path := benchBundle(b, 200)
	s, err := OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	_ = s.Wait(context.Background())
	var dst []byte
	for b.Loop() {
		dst = defaultSummary(dst[:0], s.Entry(s.Len()-1))
	}
	if len(dst) == 0 {
		b.Fatal("empty summary")
	}
}

// BenchmarkFilter10k: one keystroke of filter-as-you-type over 10,000
// Patients (summaries already built), cycling through typical queries.
func BenchmarkFilter10k(b *testing.B) {
	s := tenK(b)
	queries := []string{"s", "sm", "smi", "smith", "smith austin", "müller", "1970", "zzzz", "(771) 555"}
	s.Filter("warm") // builds the summaries once
	i, hits := 0, 0
	cpu0 := processCPU()
	for b.Loop() {
		hits += len(s.Filter(queries[i%len(queries)]))
		i++
	}
	reportCPUPerOp(b, cpu0)
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

// BenchmarkFilter10kFirstCall includes building all 10,000 summaries.
func BenchmarkFilter10kFirstCall(b *testing.B) {
	s := tenK(b)
	cpu0 := processCPU()
	for b.Loop() {
		s.SetSummarizer(nil) // drops the summaries
		s.Filter("smith")
	}
	reportCPUPerOp(b, cpu0)
}

func tenK(b *testing.B) *Source {
	var sb strings.Builder
	if _, err := jsonscantest.WriteBundle(&sb, 10_000, jsonscantest.Options{Seed: 10}); err != nil {
		b.Fatal(err)
	}
	s, err := FromBytes([]byte(sb.String()))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	_ = s.Wait(context.Background())
	return s
}

// BenchmarkStdlibBaseline: the naive way to a first screen, read the file
// and json.Unmarshal the entries into []json.RawMessage; nothing shows
// before it completes.
func BenchmarkStdlibBaseline(b *testing.B) {
	for _, mb := range sizes[:1] {
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			path := benchBundle(b, mb)
			fi, _ := os.Stat(path)
			b.SetBytes(fi.Size())
			var x float64
			cpu0 := processCPU()
			for b.Loop() {
				runtime.GC()
				var m0, m1 runtime.MemStats
				runtime.ReadMemStats(&m0)
				data, err := os.ReadFile(path)
				if err != nil {
					b.Fatal(err)
				}
				var v struct {
					Entry []struct{ Resource json.RawMessage }
				}
				if err := json.Unmarshal(data, &v); err != nil {
					b.Fatal(err)
				}
				runtime.ReadMemStats(&m1)
				x = float64(m1.HeapInuse-m0.HeapInuse) / float64(fi.Size())
				runtime.KeepAlive(v)
			}
			reportCPUThroughput(b, fi.Size(), cpu0)
			b.ReportMetric(x, "heap_x")
		})
	}
}

// BenchmarkLookup200MB: resolve a reference among 97,339 entries; the
// first call builds the Type/id index, later ones are a map lookup.
func BenchmarkLookup200MB(b *testing.B) {
	s, err := OpenFile(benchBundle(b, 200))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	_ = s.Wait(context.Background())
	last := s.Len() - 1
	typ, id := TypeAndID(s.Entry(last))
	t0 := time.Now()
	if i, ok := s.Lookup(typ + "/" + id); !ok || i != last {
		b.Fatalf("Lookup = %d, %v", i, ok)
	}
	first := time.Since(t0)
	for b.Loop() {
		s.Lookup("Patient/" + id)
	}
	b.ReportMetric(float64(first.Microseconds())/1e3, "ms/first")
}
