package records

import (
	"compress/gzip"
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Benchmarks of the less central paths, and the memory probes the
// benchmarks share.

// BenchmarkFirstScreenGzip: a 50 MB NDJSON export kept as .gz; the first
// screen waits for the whole decompression into a temporary file.
func BenchmarkFirstScreenGzip(b *testing.B) {
	src := benchNDJSON(b, 50)
	gzPath := src + ".gz"
	if _, err := os.Stat(gzPath); err != nil {
		raw, err := os.ReadFile(src)
		if err != nil {
			b.Fatal(err)
		}
		f, err := os.Create(gzPath)
		if err != nil {
			b.Fatal(err)
		}
		zw := gzip.NewWriter(f)
		_, _ = zw.Write(raw)
		if err := zw.Close(); err != nil {
			b.Fatal(err)
		}
		_ = f.Close()
		runtime.GC()
	}
	var total time.Duration
	for b.Loop() {
		t0 := time.Now()
		s, err := OpenFile(gzPath)
		if err != nil {
			b.Fatal(err)
		}
		if n, _ := s.WaitFor(context.Background(), 40); n < 40 {
			b.Fatalf("only %d entries", n)
		}
		total += time.Since(t0)
		_ = s.Close()
	}
	b.ReportMetric(float64(total.Microseconds())/1e3/float64(b.N), "ms/first40")
}

// heapInUse is the memory the Go heap and goroutine stacks hold.
func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// sampleHeap records the peak heap in use until stop is called.
func sampleHeap() (stop func(), peak *uint64) {
	peak = new(uint64)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			*peak = max(*peak, heapInUse())
			select {
			case <-done:
				*peak = max(*peak, heapInUse())
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }, peak
}

// vmRSS reads the resident set size from /proc (0 where unavailable).
func vmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// BenchmarkFilterTyping200MB: filter-as-you-type over all 97,339 Patients
// of the 200 MB file, one op = one keystroke of "smith austin" typed from
// scratch (summaries already built).
func BenchmarkFilterTyping200MB(b *testing.B) {
	s, err := OpenFile(benchBundle(b, 200))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	_ = s.Wait(context.Background())
	s.Filter("warm")
	typed := "smith austin"
	keys := 0
	cpu0 := processCPU()
	for b.Loop() {
		keys++
		s.Filter(typed[:1+keys%len(typed)])
	}
	reportCPUPerOp(b, cpu0)
	b.ReportMetric(float64(s.Len()), "entries")
}
