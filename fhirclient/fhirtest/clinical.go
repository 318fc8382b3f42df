package fhirtest

import (
	"math/rand/v2"
	"runtime"
	"time"
)

// ClinicalConfig says what GenerateClinical builds. The zero value is usable.
type ClinicalConfig struct {
	// Seed makes the data: the same configuration gives byte-identical resources, the same
	// ids and the same order, on any machine and at any time.
	Seed int64
	// Patients is how many patients to generate: 0 means DefaultClinicalPatients; values over
	// MaxClinicalPatients are capped.
	Patients int
	// Reference is the "today" of the data: every date lies before it. Zero means the
	// package's fixed epoch (2026-01-15T09:00:00Z), never the wall clock.
	Reference time.Time
	// HistoryYears is how many years of visits each patient has: 0 means 3 (trends worth
	// showing); 1 makes a lighter dataset for very large patient counts. At most 10.
	HistoryYears int
}

const (
	// DefaultClinicalPatients is the demo's patient count.
	DefaultClinicalPatients = 250
	// MaxClinicalPatients bounds ClinicalConfig.Patients (performance work).
	MaxClinicalPatients = 100_000
)

func (c ClinicalConfig) normalized() ClinicalConfig {
	if c.Patients <= 0 {
		c.Patients = DefaultClinicalPatients
	}
	c.Patients = min(c.Patients, MaxClinicalPatients)
	if c.Reference.IsZero() {
		c.Reference = datasetEpoch
	}
	c.Reference = c.Reference.UTC()
	if c.HistoryYears <= 0 {
		c.HistoryYears = defaultHistoryYears
	}
	c.HistoryYears = min(c.HistoryYears, 10)
	return c
}

// GenerateClinical builds the rich demo dataset: Organizations, Locations, Practitioners and
// cfg.Patients patients, each with a linked clinical history (Encounters, Conditions,
// Observations, MedicationRequests, AllergyIntolerances, Immunizations, Procedures,
// DiagnosticReports). Every reference resolves inside the dataset. Ids are RFC 4122 version 4
// UUIDs, the form OpenEMR uses; MRNs are MRN-0001000 upward in patient order.
func GenerateClinical(cfg ClinicalConfig) *Dataset {
	d := NewDataset()
	GenerateClinicalEach(cfg, d.Add)
	return d
}

// GenerateClinicalEach generates the same resources as GenerateClinical, in the same order,
// handing each to fn (always on the caller's goroutine) instead of storing it. The generator
// itself holds only the shared directory and a few batches of patients in flight, so its
// memory stays bounded whatever cfg.Patients is; what fn keeps is the caller's business.
// Order: the directory (Organizations, Locations, Practitioners each with its
// PractitionerRole), then patient by patient the Patient, its standing problems, allergies
// and outside records, then each visit in date order with what was recorded at it.
// r.Search's slices may be shared between resources: read them, never modify them.
func GenerateClinicalEach(cfg ClinicalConfig, fn func(r Resource)) {
	g := NewClinicalGenerator(cfg)
	for _, r := range g.Directory() {
		fn(r)
	}
	n := g.cfg.Patients
	workers := min(runtime.GOMAXPROCS(0), 8)
	const batch = 32
	if workers < 2 || n < 2*batch {
		for i := range n {
			g.Patient(i, fn)
		}
		return
	}
	// Workers generate batches of patients; batches are delivered in index order. At most
	// 2*workers batches are queued, which bounds memory; patients are independent (each has
	// its own random stream), so the output is identical to the serial order.
	type job struct {
		first int
		out   chan []Resource
	}
	jobs := make(chan job, 2*workers)
	pending := make(chan chan []Resource, 2*workers)
	go func() {
		for first := 0; first < n; first += batch {
			out := make(chan []Resource, 1)
			pending <- out
			jobs <- job{first, out}
		}
		close(jobs)
		close(pending)
	}()
	for range workers {
		go func() {
			for j := range jobs {
				var buf []Resource
				for i := j.first; i < min(j.first+batch, n); i++ {
					g.Patient(i, func(r Resource) { buf = append(buf, r) })
				}
				j.out <- buf
			}
		}()
	}
	for out := range pending {
		for _, r := range <-out {
			fn(r)
		}
	}
}

// ClinicalGenerator generates the clinical dataset piecewise: the shared directory once, and
// any patient on demand. Patient i's resources are the same whether generated alone, in
// order or in parallel, which lets a server keep only the patients and regenerate a patient's
// history when it is asked for (for 100,000 patients the full dataset is gigabytes).
type ClinicalGenerator struct {
	cfg ClinicalConfig
	dir *clinicalDirectory
}

// NewClinicalGenerator prepares the directory for cfg (normalized as GenerateClinical does).
func NewClinicalGenerator(cfg ClinicalConfig) *ClinicalGenerator {
	cfg = cfg.normalized()
	return &ClinicalGenerator{cfg: cfg, dir: newClinicalDirectory(cfg)}
}

// Config returns the normalized configuration (defaults filled in, caps applied).
func (g *ClinicalGenerator) Config() ClinicalConfig { return g.cfg }

// Directory returns the Organizations, Locations, Practitioners and PractitionerRoles. The
// slice is shared.
func (g *ClinicalGenerator) Directory() []Resource { return g.dir.resources }

// PatientResource returns patient i's Patient resource alone, without generating the chart
// (about a tenth of the cost): what a server needs to list patients and map ids to indexes.
// It is identical to the first resource Patient(i, fn) hands over.
func (g *ClinicalGenerator) PatientResource(i int) Resource {
	return newClinPatient(g.cfg, g.dir, i, nil).patientResource(i)
}

// Patient hands patient i's resources (0 <= i < Config().Patients) to fn, the Patient first.
// Safe for concurrent use.
func (g *ClinicalGenerator) Patient(i int, fn func(r Resource)) {
	genClinicalPatient(g.cfg, g.dir, i, fn)
}

// patientRand returns patient i's own random stream: a patient's data depends only on the
// seed, its index and the directory, so patients can be generated one at a time (or in
// parallel) and still come out identical.
func patientRand(seed int64, i int) Rand {
	return Rand{rand.New(rand.NewPCG(splitMix64(uint64(seed)^0x5bd1e995c11a1ca1), splitMix64(uint64(i)+0x243f6a8885a308d3)))}
}

// splitMix64 scrambles a counter into a well-mixed 64-bit value (SplitMix64 finaliser).
func splitMix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// FHIR element shapes the clinical generator adds to those of generate_basic.go.
type (
	fhirExtension struct {
		URL         string          `json:"url"`
		Extension   []fhirExtension `json:"extension,omitempty"`
		ValueCoding *coding         `json:"valueCoding,omitempty"`
		ValueString string          `json:"valueString,omitempty"`
		ValueCode   string          `json:"valueCode,omitempty"`
	}
	quantity struct {
		Value  float64 `json:"value"`
		Unit   string  `json:"unit"`
		System string  `json:"system"`
		Code   string  `json:"code"`
	}
	simpleQuantity struct {
		Value  float64 `json:"value"`
		Unit   string  `json:"unit,omitempty"`
		System string  `json:"system,omitempty"`
		Code   string  `json:"code,omitempty"`
	}
	fhirPeriod struct {
		Start string `json:"start"`
		End   string `json:"end,omitempty"`
	}
)

// fhirTime formats an instant the way OpenEMR's FHIR API does (RFC 3339, UTC here).
func fhirTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func fhirDate(t time.Time) string { return t.UTC().Format(time.DateOnly) }

func refTo(typ, id string) reference { return reference{Reference: typ + "/" + id} }
