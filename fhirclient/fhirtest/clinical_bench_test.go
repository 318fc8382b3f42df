package fhirtest

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// BenchmarkGenerateClinical100k streams the largest supported dataset through
// GenerateClinicalEach, keeping nothing, to show that the generator itself runs in bounded
// memory. Peak memory is measured with runtime.ReadMemStats: peak-heap-MB is the highest
// HeapAlloc (live plus not yet collected objects) sampled every 1,000 patients, above the
// heap in use before the run; sys-MB is the total the Go runtime obtained from the OS by the
// end of the run (an upper bound of the process's resident memory for the heap). cpu-s is
// the process's user+system CPU time during the run, the load-independent cost.
func BenchmarkGenerateClinical100k(b *testing.B) {
	cfg := ClinicalConfig{Seed: 1, Patients: MaxClinicalPatients}
	for b.Loop() {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		var peak uint64
		var jsonBytes, resources, patients int
		start, cpuStart := time.Now(), processCPUTime()
		GenerateClinicalEach(cfg, func(r Resource) {
			jsonBytes += len(r.JSON)
			resources++
			if r.Type == "Patient" {
				if patients++; patients%1000 == 0 {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapAlloc)
				}
			}
		})
		elapsed, cpu := time.Since(start), processCPUTime()-cpuStart
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapAlloc)
		if patients != cfg.Patients {
			b.Fatalf("generated %d patients, want %d", patients, cfg.Patients)
		}
		b.ReportMetric(elapsed.Seconds(), "s/100k-patients")
		b.ReportMetric(cpu.Seconds(), "cpu-s/100k-patients")
		b.ReportMetric(float64(peak-base)/1e6, "peak-heap-MB")
		b.ReportMetric(float64(ms.Sys)/1e6, "sys-MB")
		b.ReportMetric(float64(jsonBytes)/float64(patients), "JSON-B/patient")
		b.ReportMetric(float64(resources)/float64(patients), "resources/patient")
	}
}

// BenchmarkGenerateClinicalDataset builds an in-memory Dataset (what the sandbox serves) for
// the default three years of history and for one, and reports what it retains per patient
// after a GC: JSON plus search index plus Dataset overhead, the figure to multiply when sizing
// --patients.
func BenchmarkGenerateClinicalDataset(b *testing.B) {
	const patients = 10_000
	for _, years := range []int{1, 3} {
		b.Run(fmt.Sprintf("years=%d", years), func(b *testing.B) {
			for b.Loop() {
				var ms runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&ms)
				base := ms.HeapAlloc
				d := GenerateClinical(ClinicalConfig{Seed: 1, Patients: patients, HistoryYears: years})
				d.Len("Patient") // sort and index, as the first request would
				runtime.GC()
				runtime.ReadMemStats(&ms)
				perPatient := float64(ms.HeapAlloc-base) / patients
				runtime.KeepAlive(d)
				b.ReportMetric(perPatient, "retained-B/patient")
				b.ReportMetric(perPatient*MaxClinicalPatients/1e9, "GB-at-100k")
			}
		})
	}
}
