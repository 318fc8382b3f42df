package jsonscan_test

import (
	"bytes"
	"encoding/json"
	"runtime"
	"strings"
	"sync"
	"testing"

	"fhirscope/fhirclient/jsonscan"
	"fhirscope/fhirclient/jsonscan/jsonscantest"
)

// The benchmark: parse a 10,000-entry Patient bundle. Compact is
// what OpenEMR sends; indented is what `jq .` leaves in a saved file.
var bundles = sync.OnceValue(func() map[string][]byte {
	m := map[string][]byte{}
	for name, indent := range map[string]bool{"compact": false, "indented": true} {
		var buf bytes.Buffer
		if _, err := jsonscantest.WriteBundle(&buf, 10_000, jsonscantest.Options{Seed: 42, Indent: indent}); err != nil {
			panic(err)
		}
		m[name] = buf.Bytes()
	}
	return m
})

func benchBundles(b *testing.B, fn func(b *testing.B, data []byte)) {
	for _, name := range []string{"compact", "indented"} {
		data := bundles()[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			cpu0 := processCPU()
			fn(b, data)
			if cpu := processCPU() - cpu0; cpu > 0 {
				// Includes the one extra run for the memory metric.
				runs := float64(b.N)
				if strings.HasPrefix(b.Name(), "BenchmarkScanBundle") || strings.HasPrefix(b.Name(), "BenchmarkStdlibUnmarshal") {
					runs++
				}
				b.ReportMetric(runs*float64(len(data))/1e6/cpu.Seconds(), "MB/cpu-s")
			}
		})
	}
}

// peakHeapRatio runs fn once and reports the heap it added over the input
// size, sampled right after (the results are still alive then).
func reportHeapRatio(b *testing.B, data []byte, fn func()) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/float64(len(data)), "alloc/size")
}

func BenchmarkScanBundle(b *testing.B) {
	benchBundles(b, func(b *testing.B, data []byte) {
		var bundle *jsonscan.Bundle
		for b.Loop() {
			var err error
			if bundle, err = jsonscan.ScanBundle(data); err != nil {
				b.Fatal(err)
			}
		}
		if len(bundle.Entries) != 10_000 {
			b.Fatalf("%d entries", len(bundle.Entries))
		}
		reportHeapRatio(b, data, func() { bundle, _ = jsonscan.ScanBundle(data) })
		b.ReportMetric(float64(len(data))/1e6, "MB")
	})
}

func BenchmarkValid(b *testing.B) {
	benchBundles(b, func(b *testing.B, data []byte) {
		for b.Loop() {
			if err := jsonscan.Valid(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Baselines from the standard library on the same bytes.
func BenchmarkStdlibUnmarshalRawMessage(b *testing.B) {
	type bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	benchBundles(b, func(b *testing.B, data []byte) {
		var v bundle
		for b.Loop() {
			v = bundle{}
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
		if len(v.Entry) != 10_000 {
			b.Fatalf("%d entries", len(v.Entry))
		}
		reportHeapRatio(b, data, func() { v = bundle{}; _ = json.Unmarshal(data, &v) })
	})
}

func BenchmarkStdlibValid(b *testing.B) {
	benchBundles(b, func(b *testing.B, data []byte) {
		for b.Loop() {
			if !json.Valid(data) {
				b.Fatal("invalid")
			}
		}
	})
}
