package fhirtest

import (
	"encoding/json"
	"math/rand/v2"
	"time"
)

// MRNSystem is the identifier system of the sandbox's medical record numbers.
const MRNSystem = "urn:oid:2.16.840.1.113883.4.999.1"

// npiSystem is the identifier system of National Provider Identifiers.
const npiSystem = "http://hl7.org/fhir/sid/us-npi"

// datasetEpoch anchors every generated date, so output never depends on the wall clock.
var datasetEpoch = time.Date(2026, 1, 15, 9, 0, 0, 0, time.UTC)

// Rand is the deterministic random source generators share: the same seed always yields the
// same stream (PCG, stdlib), independent of Go's global source.
type Rand struct{ *rand.Rand }

// NewRand returns a deterministic source for seed. stream separates independent generators
// (e.g. patients vs clinical data) so adding one does not shift the other's values.
func NewRand(seed int64, stream uint64) Rand {
	return Rand{rand.New(rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15^stream))}
}

// UUID returns a random-looking but deterministic RFC 4122 v4 UUID, the id form OpenEMR uses.
func (r Rand) UUID() string {
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	return formatUUIDv4(b)
}

// Pick returns one element of list.
func Pick[T any](r Rand, list []T) T { return list[r.IntN(len(list))] }

// Updated returns a deterministic lastUpdated within the year before the dataset epoch.
func (r Rand) Updated() time.Time {
	return datasetEpoch.Add(-time.Duration(r.IntN(365*24*3600)) * time.Second)
}

// FHIR element shapes used by the basic generator (fields in FHIR's usual order).
type (
	coding struct {
		System  string `json:"system,omitempty"`
		Code    string `json:"code"`
		Display string `json:"display,omitempty"`
	}
	codeableConcept struct {
		Coding []coding `json:"coding"`
		Text   string   `json:"text,omitempty"`
	}
	identifier struct {
		Use    string           `json:"use,omitempty"`
		Type   *codeableConcept `json:"type,omitempty"`
		System string           `json:"system"`
		Value  string           `json:"value"`
	}
	humanName struct {
		Use    string   `json:"use,omitempty"`
		Family string   `json:"family"`
		Given  []string `json:"given"`
		Prefix []string `json:"prefix,omitempty"`
	}
	contactPoint struct {
		System string `json:"system"`
		Value  string `json:"value"`
		Use    string `json:"use,omitempty"`
	}
	address struct {
		Use        string   `json:"use,omitempty"`
		Line       []string `json:"line"`
		City       string   `json:"city"`
		State      string   `json:"state"`
		PostalCode string   `json:"postalCode"`
		Country    string   `json:"country,omitempty"`
	}
	reference struct {
		Reference string `json:"reference"`
		Display   string `json:"display,omitempty"`
	}
	meta struct {
		VersionID   string `json:"versionId"`
		LastUpdated string `json:"lastUpdated"`
	}
)

// patientJSON is both generators' Patient: the clinical one adds the US Core extensions,
// marital status and language, which the basic one leaves out (omitted when empty).
type patientJSON struct {
	ResourceType         string           `json:"resourceType"`
	ID                   string           `json:"id"`
	Meta                 meta             `json:"meta"`
	Extension            []fhirExtension  `json:"extension,omitempty"`
	Identifier           []identifier     `json:"identifier"`
	Active               bool             `json:"active"`
	Name                 []humanName      `json:"name"`
	Telecom              []contactPoint   `json:"telecom"`
	Gender               string           `json:"gender"`
	BirthDate            string           `json:"birthDate"`
	Address              []address        `json:"address"`
	MaritalStatus        *codeableConcept `json:"maritalStatus,omitempty"`
	Communication        []communication  `json:"communication,omitempty"`
	GeneralPractitioner  []reference      `json:"generalPractitioner,omitempty"`
	ManagingOrganization *reference       `json:"managingOrganization,omitempty"`
}

type communication struct {
	Language  codeableConcept `json:"language"`
	Preferred bool            `json:"preferred"`
}

// practitionerJSON is both generators' Practitioner: the basic one has no qualification.
type practitionerJSON struct {
	ResourceType  string          `json:"resourceType"`
	ID            string          `json:"id"`
	Meta          meta            `json:"meta"`
	Identifier    []identifier    `json:"identifier"`
	Active        bool            `json:"active"`
	Name          []humanName     `json:"name"`
	Telecom       []contactPoint  `json:"telecom"`
	Address       []address       `json:"address"`
	Gender        string          `json:"gender"`
	Qualification []qualification `json:"qualification,omitempty"`
}

type qualification struct {
	Code codeableConcept `json:"code"`
}

type organizationJSON struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Meta         meta              `json:"meta"`
	Identifier   []identifier      `json:"identifier"`
	Active       bool              `json:"active"`
	Type         []codeableConcept `json:"type"`
	Name         string            `json:"name"`
	Telecom      []contactPoint    `json:"telecom"`
	Address      []address         `json:"address"`
}

// mustJSON encodes v; the generator's own types always encode.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("fhirtest: encoding generated resource: " + err.Error())
	}
	return b
}

func metaFor(t time.Time) meta {
	return meta{VersionID: "1", LastUpdated: t.Format(time.RFC3339)}
}
