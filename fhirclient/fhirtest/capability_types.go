package fhirtest

import "slices"

// ParamType is a FHIR search parameter type; it decides how the sandbox matches values.
type ParamType string

const (
	ParamString    ParamType = "string"
	ParamToken     ParamType = "token"
	ParamDate      ParamType = "date"
	ParamReference ParamType = "reference"
	ParamURI       ParamType = "uri"
)

// SearchParamDef describes one search parameter a type supports.
type SearchParamDef struct {
	Name string
	Type ParamType
}

// typeDef is one resource type OpenEMR serves.
type typeDef struct {
	Name     string
	ReadOnly bool // read but no search (DocumentReference is searchable; Group and Binary are read)
	Since704 bool // absent from 7.0.2/7.0.3
	Params   []SearchParamDef
}

func sp(t ParamType, names ...string) []SearchParamDef {
	out := make([]SearchParamDef, len(names))
	for i, n := range names {
		out[i] = SearchParamDef{n, t}
	}
	return out
}

func params(groups ...[]SearchParamDef) []SearchParamDef {
	out := sp(ParamToken, "_id")
	out = append(out, sp(ParamDate, "_lastUpdated")...)
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}

// openEMRTypes are the types OpenEMR 7.0.4 serves, with the search parameters it supports.
var openEMRTypes = []typeDef{
	{Name: "AllergyIntolerance", Params: params(sp(ParamReference, "patient"), sp(ParamToken, "clinical-status", "code"))},
	{Name: "Appointment", Params: params(sp(ParamReference, "patient"), sp(ParamDate, "date"), sp(ParamToken, "status"))},
	{Name: "CarePlan", Params: params(sp(ParamReference, "patient"), sp(ParamToken, "category", "status"))},
	{Name: "CareTeam", Params: params(sp(ParamReference, "patient"), sp(ParamToken, "status"))},
	{Name: "Condition", Params: params(sp(ParamReference, "patient", "encounter"), sp(ParamToken, "category", "clinical-status", "code"), sp(ParamDate, "onset-date", "recorded-date"))},
	{Name: "Coverage", Params: params(sp(ParamReference, "patient", "payor"))},
	{Name: "Device", Params: params(sp(ParamReference, "patient"))},
	{Name: "DiagnosticReport", Params: params(sp(ParamReference, "patient", "encounter"), sp(ParamToken, "category", "code", "status"), sp(ParamDate, "date"))},
	{Name: "DocumentReference", Params: params(sp(ParamReference, "patient", "encounter"), sp(ParamToken, "category", "type", "status"), sp(ParamDate, "date"))},
	{Name: "Encounter", Params: params(sp(ParamReference, "patient", "practitioner", "location"), sp(ParamDate, "date"), sp(ParamToken, "class", "status", "type"))},
	{Name: "Goal", Params: params(sp(ParamReference, "patient"), sp(ParamToken, "lifecycle-status"))},
	{Name: "Group", ReadOnly: true},
	{Name: "Immunization", Params: params(sp(ParamReference, "patient"), sp(ParamToken, "status", "vaccine-code"), sp(ParamDate, "date"))},
	{Name: "Location", Params: params(sp(ParamString, "name", "address", "address-city", "address-state", "address-postalcode"))},
	{Name: "Media", Since704: true, Params: params(sp(ParamReference, "patient"))},
	{Name: "Medication", Params: params(sp(ParamToken, "code"))},
	{Name: "MedicationDispense", Since704: true, Params: params(sp(ParamReference, "patient"), sp(ParamToken, "status"))},
	{Name: "MedicationRequest", Params: params(sp(ParamReference, "patient", "encounter", "requester"), sp(ParamToken, "intent", "status", "code"), sp(ParamDate, "authoredon"))},
	{Name: "Observation", Params: params(sp(ParamReference, "patient", "encounter"), sp(ParamToken, "category", "code", "status"), sp(ParamDate, "date"))},
	{Name: "Organization", Params: params(sp(ParamString, "name", "address", "address-city", "address-state", "address-postalcode"), sp(ParamToken, "active", "identifier", "type"))},
	{Name: "Patient", Params: params(
		sp(ParamString, "name", "family", "given", "address", "address-city", "address-state", "address-postalcode"),
		sp(ParamToken, "identifier", "gender", "phone", "email", "telecom", "active"),
		sp(ParamDate, "birthdate"),
		sp(ParamReference, "general-practitioner", "organization"))},
	{Name: "Person", Params: params(sp(ParamString, "name", "family", "given", "address"), sp(ParamToken, "identifier", "email", "phone", "telecom", "active"))},
	{Name: "Practitioner", Params: params(sp(ParamString, "name", "family", "given", "address", "address-city", "address-state", "address-postalcode"), sp(ParamToken, "identifier", "active", "email", "phone", "telecom"))},
	{Name: "PractitionerRole", Params: params(sp(ParamReference, "practitioner", "organization"), sp(ParamToken, "specialty", "role"))},
	{Name: "Procedure", Params: params(sp(ParamReference, "patient", "encounter"), sp(ParamDate, "date"), sp(ParamToken, "code", "status"))},
	{Name: "Provenance", Params: params(sp(ParamReference, "target"))},
	{Name: "Questionnaire", Since704: true, Params: params(sp(ParamString, "name", "title"), sp(ParamToken, "status"))},
	{Name: "QuestionnaireResponse", Since704: true, Params: params(sp(ParamReference, "patient", "questionnaire"), sp(ParamToken, "status"))},
	{Name: "RelatedPerson", Since704: true, Params: params(sp(ParamReference, "patient"))},
	{Name: "ServiceRequest", Since704: true, Params: params(sp(ParamReference, "patient", "encounter"), sp(ParamToken, "category", "code", "status"), sp(ParamDate, "authored"))},
	{Name: "Specimen", Since704: true, Params: params(sp(ParamReference, "patient"), sp(ParamToken, "type"))},
	{Name: "ValueSet", Since704: true, Params: params(sp(ParamURI, "url"))},
	{Name: "Binary", ReadOnly: true},
}

// knownParamTypes types parameters that a dataset indexes but the table above does not list
// (e.g. a generator adding "subject"); anything else indexed defaults to token.
var knownParamTypes = map[string]ParamType{
	"name": ParamString, "family": ParamString, "given": ParamString, "address": ParamString,
	"address-city": ParamString, "address-state": ParamString, "address-postalcode": ParamString,
	"title": ParamString, "description": ParamString,
	"birthdate": ParamDate, "date": ParamDate, "_lastUpdated": ParamDate, "onset-date": ParamDate,
	"recorded-date": ParamDate, "authoredon": ParamDate, "authored": ParamDate, "period": ParamDate,
	"issued": ParamDate, "effective": ParamDate, "occurrence": ParamDate, "death-date": ParamDate,
	"patient": ParamReference, "subject": ParamReference, "encounter": ParamReference,
	"practitioner": ParamReference, "organization": ParamReference, "location": ParamReference,
	"requester": ParamReference, "performer": ParamReference, "general-practitioner": ParamReference,
	"target": ParamReference, "payor": ParamReference, "questionnaire": ParamReference,
	"based-on": ParamReference, "result": ParamReference, "medication": ParamReference,
	"url": ParamURI,
}

// servedTypes returns the type definitions this server serves: the flavor's OpenEMR list plus
// any type present in the data that the list lacks (searchable on what the data indexes).
func (s *Server) servedTypes() []typeDef {
	var out []typeDef
	have := map[string]bool{}
	for _, t := range openEMRTypes {
		have[t.Name] = true // a 7.0.4-only type stays unserved on 7.0.2 even if the data has it
		if t.Since704 && s.opts.Flavor == Flavor702 {
			continue
		}
		out = append(out, t)
	}
	for _, name := range s.data.Types() {
		if !have[name] {
			out = append(out, typeDef{Name: name, Params: params()})
		}
	}
	return out
}

// cachedDef is a served type's typeDef computed for version n of the type's data.
type cachedDef struct {
	def typeDef
	n   uint64
}

// typeDef returns the definition of a served type, with the data's extra indexed params.
// Finding the indexed params walks every resource of the type, so the result is cached until
// the type's data changes. Unknown names are not cached: clients choose them (any path, any
// scope), and each would stay in the cache for good.
func (s *Server) typeDef(name string) (typeDef, bool) {
	_, n := s.data.allVersioned(name)
	s.defMu.Lock()
	c, hit := s.defCache[name]
	s.defMu.Unlock()
	if hit && c.n == n {
		return c.def, true
	}
	def, ok := s.computeTypeDef(name)
	if !ok {
		return def, false
	}
	s.defMu.Lock()
	if s.defCache == nil {
		s.defCache = map[string]cachedDef{}
	}
	s.defCache[name] = cachedDef{def, n}
	s.defMu.Unlock()
	return def, true
}

func (s *Server) computeTypeDef(name string) (typeDef, bool) {
	for _, t := range s.servedTypes() {
		if t.Name != name {
			continue
		}
		if t.ReadOnly {
			return t, true
		}
		t.Params = slices.Clone(t.Params)
		for _, p := range s.data.SearchParams(name) {
			if !slices.ContainsFunc(t.Params, func(d SearchParamDef) bool { return d.Name == p }) {
				pt, ok := knownParamTypes[p]
				if !ok {
					pt = ParamToken
				}
				t.Params = append(t.Params, SearchParamDef{p, pt})
			}
		}
		return t, true
	}
	return typeDef{}, false
}
