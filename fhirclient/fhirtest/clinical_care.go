package fhirtest

import (
	"fmt"
	"time"
)

// Conditions, prescriptions, allergies, vaccines and procedures of a patient's history.

type conditionJSON struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id"`
	Meta               meta              `json:"meta"`
	ClinicalStatus     codeableConcept   `json:"clinicalStatus"`
	VerificationStatus codeableConcept   `json:"verificationStatus"`
	Category           []codeableConcept `json:"category"`
	Code               codeableConcept   `json:"code"`
	Subject            reference         `json:"subject"`
	Encounter          *reference        `json:"encounter,omitempty"`
	OnsetDateTime      string            `json:"onsetDateTime"`
	AbatementDateTime  string            `json:"abatementDateTime,omitempty"`
	RecordedDate       string            `json:"recordedDate"`
	Recorder           *reference        `json:"recorder,omitempty"`
}

type medicationRequestJSON struct {
	ResourceType              string            `json:"resourceType"`
	ID                        string            `json:"id"`
	Meta                      meta              `json:"meta"`
	Status                    string            `json:"status"`
	StatusReason              *codeableConcept  `json:"statusReason,omitempty"`
	Intent                    string            `json:"intent"`
	Category                  []codeableConcept `json:"category"`
	MedicationCodeableConcept codeableConcept   `json:"medicationCodeableConcept"`
	Subject                   reference         `json:"subject"`
	Encounter                 *reference        `json:"encounter,omitempty"`
	AuthoredOn                string            `json:"authoredOn"`
	Requester                 reference         `json:"requester"`
	ReasonReference           []reference       `json:"reasonReference,omitempty"`
	DosageInstruction         []dosage          `json:"dosageInstruction"`
}

type dosage struct {
	Sequence        int           `json:"sequence"`
	Text            string        `json:"text"`
	Timing          timing        `json:"timing"`
	AsNeededBoolean bool          `json:"asNeededBoolean,omitempty"`
	DoseAndRate     []doseAndRate `json:"doseAndRate"`
}

type timing struct {
	Repeat timingRepeat `json:"repeat"`
}

type timingRepeat struct {
	Frequency  int    `json:"frequency"`
	Period     int    `json:"period"`
	PeriodUnit string `json:"periodUnit"`
}

type doseAndRate struct {
	DoseQuantity simpleQuantity `json:"doseQuantity"`
}

type allergyJSON struct {
	ResourceType       string            `json:"resourceType"`
	ID                 string            `json:"id"`
	Meta               meta              `json:"meta"`
	ClinicalStatus     codeableConcept   `json:"clinicalStatus"`
	VerificationStatus codeableConcept   `json:"verificationStatus"`
	Type               string            `json:"type"`
	Category           []string          `json:"category"`
	Criticality        string            `json:"criticality"`
	Code               codeableConcept   `json:"code"`
	Patient            reference         `json:"patient"`
	RecordedDate       string            `json:"recordedDate"`
	Reaction           []allergyReaction `json:"reaction"`
}

type allergyReaction struct {
	Manifestation []codeableConcept `json:"manifestation"`
	Severity      string            `json:"severity"`
}

type immunizationJSON struct {
	ResourceType       string           `json:"resourceType"`
	ID                 string           `json:"id"`
	Meta               meta             `json:"meta"`
	Status             string           `json:"status"`
	VaccineCode        codeableConcept  `json:"vaccineCode"`
	Patient            reference        `json:"patient"`
	Encounter          *reference       `json:"encounter,omitempty"`
	OccurrenceDateTime string           `json:"occurrenceDateTime"`
	PrimarySource      bool             `json:"primarySource"`
	Location           *reference       `json:"location,omitempty"`
	LotNumber          string           `json:"lotNumber"`
	Route              *codeableConcept `json:"route,omitempty"`
	DoseQuantity       *simpleQuantity  `json:"doseQuantity,omitempty"`
	Performer          []performerActor `json:"performer,omitempty"`
}

type performerActor struct {
	Actor reference `json:"actor"`
}

type procedureJSON struct {
	ResourceType      string           `json:"resourceType"`
	ID                string           `json:"id"`
	Meta              meta             `json:"meta"`
	Status            string           `json:"status"`
	Code              codeableConcept  `json:"code"`
	Subject           reference        `json:"subject"`
	Encounter         *reference       `json:"encounter,omitempty"`
	PerformedDateTime string           `json:"performedDateTime"`
	Performer         []performerActor `json:"performer"`
	Location          *reference       `json:"location,omitempty"`
	ReasonReference   []reference      `json:"reasonReference,omitempty"`
}

// statusConcept is a coded status or category: no text, the display says it all (and
// millions of resources repeat it).
func statusConcept(system, code, display string) concept {
	return newConcept("", coding{System: system, Code: code, Display: display})
}

var (
	condActive      = statusConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active")
	condResolved    = statusConcept("http://terminology.hl7.org/CodeSystem/condition-clinical", "resolved", "Resolved")
	condConfirmed   = statusConcept("http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed")
	catProblemList  = statusConcept("http://terminology.hl7.org/CodeSystem/condition-category", "problem-list-item", "Problem List Item")
	catEncounterDx  = statusConcept("http://terminology.hl7.org/CodeSystem/condition-category", "encounter-diagnosis", "Encounter Diagnosis")
	allergyActive   = statusConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active")
	allergyConfirm  = statusConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed")
	medCatCommunity = statusConcept("http://terminology.hl7.org/CodeSystem/medicationrequest-category", "community", "Community")
	routeIM         = codeableConcept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration", Code: "IM", Display: "Injection, intramuscular"}}}
	tokCompleted    = []string{"completed"}
	tokStatusActive = []string{"active"}
	tokStopped      = []string{"stopped"}
	allergyResolved = statusConcept("http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "resolved", "Resolved")
	// Why an ACE inhibitor is stopped more often than anything else.
	reasonACECough = newConcept("Dry cough on ACE inhibitor", sct("49727002", "Cough (finding)"))
	tokOrder       = []string{"order"}
)

// condition emits a Condition and returns its id (id, or a new one when empty). Acute
// problems resolve about two weeks on.
func (p *clinPatient) condition(e *encounterPlan, id string, code concept, onset time.Time, category string, acute bool) string {
	if id == "" {
		id = p.r.UUID()
	}
	cat := catProblemList
	if category == "encounter-diagnosis" {
		cat = catEncounterDx
	}
	c := conditionJSON{ResourceType: "Condition", ID: id, Meta: metaFor(onset), ClinicalStatus: condActive.cc(),
		VerificationStatus: condConfirmed.cc(), Category: []codeableConcept{cat.cc()}, Code: code.cc(), Subject: p.ref,
		OnsetDateTime: fhirTime(onset), RecordedDate: fhirTime(onset)}
	clinical := condActive
	if acute {
		if end := onset.AddDate(0, 0, 7+p.r.IntN(14)); end.Before(p.cfg.Reference) {
			c.AbatementDateTime, clinical = fhirTime(end), condResolved
			c.ClinicalStatus = condResolved.cc()
		}
	}
	if e != nil {
		c.Encounter = &e.ref
		c.Recorder = &e.pract.ref
	}
	onsetTok := p.timeTok(onset)
	s := map[string][]string{"code": code.tokens, "category": cat.tokens, "clinical-status": clinical.tokens,
		"onset-date": onsetTok, "recorded-date": onsetTok}
	p.add("Condition", id, c, onset, e, s)
	return id
}

// medicationRequest emits a prescription of med (a key of medications) for reason.
func (p *clinPatient) medicationRequest(e *encounterPlan, key string, at time.Time, status string, reasonID string) {
	m := medications[key]
	id := p.r.UUID()
	requester := p.gp // without a visit, the patient's GP renews it
	if e != nil {
		requester = e.pract
	}
	mr := medicationRequestJSON{ResourceType: "MedicationRequest", ID: id, Meta: metaFor(at), Status: status, Intent: "order",
		Category: []codeableConcept{medCatCommunity.cc()}, MedicationCodeableConcept: m.Code.cc(), Subject: p.ref,
		AuthoredOn: fhirTime(at), Requester: requester.ref,
		DosageInstruction: []dosage{{Sequence: 1, Text: m.Sig, AsNeededBoolean: m.PRN,
			Timing:      timing{Repeat: timingRepeat{Frequency: m.PerDay, Period: 1, PeriodUnit: "d"}},
			DoseAndRate: []doseAndRate{{DoseQuantity: simpleQuantity{Value: m.DoseCount, Unit: m.DoseUnit[1 : len(m.DoseUnit)-1], System: sysUCUM, Code: m.DoseUnit}}}}},
	}
	if e != nil {
		mr.Encounter = &e.ref
	}
	if reasonID != "" {
		mr.ReasonReference = []reference{refTo("Condition", reasonID)}
	}
	statusTok := tokCompleted
	switch status {
	case "active":
		statusTok = tokStatusActive
	case "stopped":
		statusTok = tokStopped
		reason := reasonACECough.cc()
		mr.StatusReason = &reason
	}
	s := map[string][]string{"code": m.Code.tokens, "status": statusTok, "intent": tokOrder,
		"authoredon": p.timeTok(at), "requester": requester.id}
	p.add("MedicationRequest", id, mr, at, e, s)
}

// planMeds decides once, in chronic-problem order, which drugs treat which condition.
func (p *clinPatient) planMeds() map[string][]string {
	plan := map[string][]string{}
	for _, c := range p.chronic {
		opts := chronicTreatment[c.key]
		if len(opts) == 0 || p.r.IntN(100) < 15 { // some problems are managed without drugs
			continue
		}
		var chosen []string
		switch c.key {
		case "htn":
			first := "lisinopril"
			if p.age > 55 || p.r.IntN(3) == 0 {
				first = "amlodipine"
			}
			chosen = append(chosen, first)
			if first == "amlodipine" && p.r.IntN(4) == 0 { // switched after an ACE-inhibitor cough
				p.formerMed = map[string]string{"htn": "lisinopril"}
			}
			if p.r.IntN(3) == 0 {
				chosen = append(chosen, "hctz")
			}
		case "hld":
			chosen = []string{opts[p.r.IntN(len(opts))]}
		case "asthma":
			chosen = []string{"albuterol"}
			if p.r.IntN(2) == 0 {
				chosen = append(chosen, "fluticasone")
			}
		default:
			chosen = opts[:1]
		}
		plan[c.key] = chosen
	}
	return plan
}

// chronicMedications renews the standing prescriptions at a routine visit (or, for a
// patient without visits, at one date): active when it is the latest renewal.
func (p *clinPatient) chronicMedications(e *encounterPlan, at time.Time, plan map[string][]string, latest bool) {
	status := "completed"
	if latest {
		status = "active"
	}
	for _, c := range p.chronic {
		if c.onset.After(at.Add(25*time.Minute)) || c.condID == "" { // prescribed after diagnosis
			continue
		}
		for i, key := range plan[c.key] {
			if former := p.formerMed[c.key]; i == 0 && former != "" && !latest {
				// The drug the patient was on until it was replaced: shown once, stopped.
				delete(p.formerMed, c.key)
				p.medicationRequest(e, former, at.Add(25*time.Minute), "stopped", c.condID)
				continue
			}
			p.medicationRequest(e, key, at.Add(25*time.Minute), status, c.condID)
			if _, ok := p.treatedSince[c.key]; !ok {
				p.treatedSince[c.key] = at.Add(25 * time.Minute)
			}
		}
	}
}

func (p *clinPatient) allergies() {
	r := p.r
	if r.IntN(100) >= 28 {
		return
	}
	n := 1 + r.IntN(10)/7 + r.IntN(20)/19
	seen := map[int]bool{}
	for range n {
		k := r.IntN(len(allergens))
		if seen[k] {
			continue
		}
		seen[k] = true
		a := allergens[k]
		recorded := p.birth.Add(time.Duration(r.Int64N(int64(p.cfg.Reference.Sub(p.birth)) + 1))).Truncate(time.Hour)
		id := r.UUID()
		severity := "mild"
		if a.Criticality == "high" {
			severity = Pick(r, []string{"moderate", "severe"})
		}
		clinical := allergyActive
		if a.Category == "food" && p.age >= 18 && r.IntN(6) == 0 { // outgrown since childhood
			clinical = allergyResolved
		}
		manif := []codeableConcept{a.Reactions[0].cc()}
		if len(a.Reactions) > 1 && r.IntN(2) == 0 {
			manif = append(manif, a.Reactions[1].cc())
		}
		al := allergyJSON{ResourceType: "AllergyIntolerance", ID: id, Meta: metaFor(recorded), ClinicalStatus: clinical.cc(),
			VerificationStatus: allergyConfirm.cc(), Type: "allergy", Category: []string{a.Category}, Criticality: a.Criticality,
			Code: a.Code.cc(), Patient: p.ref, RecordedDate: fhirTime(recorded),
			Reaction: []allergyReaction{{Manifestation: manif, Severity: severity}}}
		s := map[string][]string{"code": a.Code.tokens, "clinical-status": clinical.tokens}
		p.add("AllergyIntolerance", id, al, recorded, nil, s)
	}
}

func (p *clinPatient) immunization(e *encounterPlan, key string, at time.Time) {
	v := vaccines[key]
	if at.Year() < v.Since {
		return
	}
	id := p.r.UUID()
	im := immunizationJSON{ResourceType: "Immunization", ID: id, Meta: metaFor(at), Status: "completed",
		VaccineCode: v.Code.cc(), Patient: p.ref, OccurrenceDateTime: fhirTime(at), PrimarySource: e != nil,
		LotNumber: fmt.Sprintf("%c%c%05d", 'A'+rune(p.r.IntN(26)), 'A'+rune(p.r.IntN(26)), p.r.IntN(100000)),
		Route:     &routeIM, DoseQuantity: &simpleQuantity{Value: 0.5, Unit: "mL", System: sysUCUM, Code: "mL"}}
	if e != nil {
		im.Encounter, im.Location = &e.ref, &e.loc
		im.Performer = []performerActor{{Actor: e.pract.ref}}
	}
	s := map[string][]string{"vaccine-code": v.Code.tokens, "status": tokCompleted}
	p.add("Immunization", id, im, at, e, s)
}

func (p *clinPatient) procedure(e *encounterPlan, key string, at time.Time, by practitionerRef, loc *reference, reasonID string) {
	code := procedures[key]
	id := p.r.UUID()
	pr := procedureJSON{ResourceType: "Procedure", ID: id, Meta: metaFor(at), Status: "completed", Code: code.cc(),
		Subject: p.ref, PerformedDateTime: fhirTime(at), Performer: []performerActor{{Actor: by.ref}}, Location: loc}
	if e != nil {
		pr.Encounter = &e.ref
	}
	if reasonID != "" {
		pr.ReasonReference = []reference{refTo("Condition", reasonID)}
	}
	s := map[string][]string{"code": code.tokens, "status": tokCompleted}
	p.add("Procedure", id, pr, at, e, s)
}
