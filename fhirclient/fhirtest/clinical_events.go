package fhirtest

import (
	"sort"
	"time"
)

// A patient's history: the visits of the last few years (ClinicalConfig.HistoryYears) (check-ups or well-child visits,
// sick visits, the odd emergency), and at each what a chart records: vital signs, labs with
// their reports, new diagnoses, prescriptions, procedures and vaccines.

type encounterKind int

const (
	kindCheckup encounterKind = iota
	kindWellChild
	kindSick
	kindEmergency
	kindFollowUp
)

type encounterPlan struct {
	kind    encounterKind
	start   time.Time
	end     time.Time
	id      string
	ref     reference
	idTok   []string
	pract   practitionerRef
	site    *practice // organization and location
	loc     reference
	locID   []string
	acute   *acuteDef
	condID  string // the acute Condition diagnosed at this visit
	months  int    // for well-child visits: the scheduled age in months
	vaccine []string
}

type encounterJSON struct {
	ResourceType    string                 `json:"resourceType"`
	ID              string                 `json:"id"`
	Meta            meta                   `json:"meta"`
	Status          string                 `json:"status"`
	Class           coding                 `json:"class"`
	Type            []codeableConcept      `json:"type"`
	Subject         reference              `json:"subject"`
	Participant     []encounterParticipant `json:"participant"`
	Period          fhirPeriod             `json:"period"`
	ReasonCode      []codeableConcept      `json:"reasonCode,omitempty"`
	ReasonReference []reference            `json:"reasonReference,omitempty"`
	Location        []encounterLocation    `json:"location"`
	ServiceProvider reference              `json:"serviceProvider"`
}

type encounterParticipant struct {
	Type       []codeableConcept `json:"type"`
	Individual reference         `json:"individual"`
}

type encounterLocation struct {
	Location reference `json:"location"`
}

var (
	participantPPRF = codeableConcept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", Code: "PPRF", Display: "primary performer"}}}
	tokFinished     = []string{"finished"}
	tokAMB          = []string{"AMB", classAMB.System + "|AMB"}
	tokEMER         = []string{"EMER", classEMER.System + "|EMER"}
	wellChildMonths = []int{1, 2, 4, 6, 9, 12, 15, 18, 24, 30, 36, 48, 60}
)

// defaultHistoryYears is how far back visits go: enough for trends, few enough that a
// patient's chart stays around 60 resources.
const defaultHistoryYears = 3

func sortByTime[T any](list []T, at func(T) time.Time) {
	sort.SliceStable(list, func(i, j int) bool { return at(list[i]).Before(at(list[j])) })
}

// planEncounters draws the visits of the history window, in date order.
func (p *clinPatient) planEncounters() []*encounterPlan {
	r := p.r
	ref := p.cfg.Reference
	from := ref.AddDate(-p.cfg.HistoryYears, 0, 0)
	if p.birth.After(from) {
		from = p.birth
	}
	lastVisit := ref.AddDate(0, 0, -2).Truncate(24 * time.Hour)
	var plans []*encounterPlan
	addAt := func(kind encounterKind, day time.Time) *encounterPlan {
		start := day.Truncate(24 * time.Hour).Add(clinicHour(r))
		// Visits end two days before the reference date, so results issued the next day and
		// long emergency stays still lie in the past.
		if !start.After(from) || !start.Before(lastVisit) {
			return nil
		}
		e := &encounterPlan{kind: kind, start: start, site: p.home, loc: p.home.clinic, locID: p.home.clinicID, pract: p.gp}
		plans = append(plans, e)
		return e
	}
	// Routine care: well-child visits on the schedule, then a yearly check-up most years.
	for _, m := range wellChildMonths {
		if e := addAt(kindWellChild, p.birth.AddDate(0, m, r.IntN(10))); e != nil {
			e.months = m
		}
	}
	if p.age >= 5 {
		for y := range p.cfg.HistoryYears {
			if r.IntN(100) < 82 {
				addAt(kindCheckup, ref.AddDate(-y, 0, -20-r.IntN(330)))
			}
		}
	}
	// Sick visits: children and the chronically ill come more often.
	sick := r.IntN(3)
	if p.age < 12 || len(p.chronic) >= 3 {
		sick += r.IntN(3)
	}
	for range sick {
		day := from.Add(time.Duration(r.Int64N(int64(ref.Sub(from)) + 1)))
		if e := addAt(kindSick, day); e != nil {
			e.acute = p.pickAcute()
			if r.IntN(3) > 0 && len(p.home.staff) > 1 {
				e.pract = p.dir.practs[p.home.staff[r.IntN(len(p.home.staff))]]
			}
			if e.acute == nil {
				plans = plans[:len(plans)-1]
			}
		}
	}
	if r.IntN(100) < 8 {
		day := from.Add(time.Duration(r.Int64N(int64(ref.Sub(from)) + 1)))
		if e := addAt(kindEmergency, day.Add(-12*time.Hour)); e != nil {
			e.site, e.loc, e.locID = p.home.hospital, p.home.hospital.clinic, p.home.hospital.clinicID
			e.pract = p.dir.practs[r.IntN(len(p.dir.practs))]
			e.acute = &acuteProblems[len(acuteProblems)-1-r.IntN(2)] // pneumonia or ankle sprain
			if p.age < e.acute.MinAge {
				e.acute = &acuteProblems[len(acuteProblems)-1]
			}
			e.start = e.start.Add(time.Duration(r.IntN(10)) * time.Hour) // emergencies come at all hours
		}
	}
	// Chronic disease follow-up three months after a check-up.
	if p.has("htn") || p.has("t2dm") || p.has("chf") {
		for _, e := range append([]*encounterPlan(nil), plans...) {
			if e.kind == kindCheckup && r.IntN(2) == 0 {
				addAt(kindFollowUp, e.start.AddDate(0, 3, r.IntN(14)))
			}
		}
	}
	sortByTime(plans, func(e *encounterPlan) time.Time { return e.start })
	for _, e := range plans {
		e.id = r.UUID()
		e.idTok = []string{e.id}
		e.ref = refTo("Encounter", e.id)
		switch e.kind {
		case kindEmergency:
			e.end = e.start.Add(time.Duration(90+r.IntN(240)) * time.Minute)
		case kindCheckup, kindWellChild:
			e.end = e.start.Add(time.Duration(30+15*r.IntN(2)) * time.Minute)
		default:
			e.end = e.start.Add(time.Duration(15+5*r.IntN(3)) * time.Minute)
		}
	}
	return plans
}

func (p *clinPatient) pickAcute() *acuteDef {
	for range 8 {
		a := &acuteProblems[p.r.IntN(len(acuteProblems)-1)] // pneumonia mostly via the ED
		if p.age >= a.MinAge && p.age <= a.MaxAge && (a.Cond.Key != "uti" || p.female || p.r.IntN(4) == 0) {
			return a
		}
	}
	return nil
}

// genClinicalPatient generates patient i and hands its resources to emit.
func genClinicalPatient(cfg ClinicalConfig, dir *clinicalDirectory, i int, emit func(Resource)) {
	p := newClinPatient(cfg, dir, i, emit)
	emit(p.patientResource(i))
	plans := p.planEncounters()
	// A chronic problem whose onset falls inside the window was diagnosed at the next routine
	// visit; older ones were on the problem list before the window starts.
	for k := range p.chronic {
		c := &p.chronic[k]
		for _, e := range plans {
			if (e.kind == kindCheckup || e.kind == kindWellChild || e.kind == kindFollowUp) && !e.start.Before(c.onset) {
				if e.start.Sub(c.onset) < 400*24*time.Hour {
					c.onset, c.enc = e.start.Add(20*time.Minute), e
				}
				break
			}
		}
		if c.enc == nil {
			c.condID = p.condition(nil, "", chronicConditions[c.key].Code, c.onset, "problem-list-item", false)
		}
	}
	plan := p.planMeds()
	p.treatedSince = map[string]time.Time{}
	for _, c := range p.chronic {
		if c.enc == nil && len(plan[c.key]) > 0 { // on treatment since before the window
			p.treatedSince[c.key] = c.onset
		}
	}
	p.allergies()
	p.vaccinesAndScreening(plans)
	last := lastRoutine(plans)
	for _, e := range plans {
		p.encounter(e)
		for k := range p.chronic {
			if c := &p.chronic[k]; c.enc == e {
				c.condID = p.condition(e, "", chronicConditions[c.key].Code, c.onset, "problem-list-item", false)
			}
		}
		p.visitCare(e, e == last, plan)
	}
	if last == nil {
		p.chronicMedications(nil, p.cfg.Reference.AddDate(0, -2, 0), plan, true)
	}
}

// lastRoutine is the latest check-up (or follow-up or well-child visit): where the standing
// prescriptions were last renewed.
func lastRoutine(plans []*encounterPlan) *encounterPlan {
	for i := len(plans) - 1; i >= 0; i-- {
		if k := plans[i].kind; k == kindCheckup || k == kindFollowUp || k == kindWellChild {
			return plans[i]
		}
	}
	return nil
}

func (p *clinPatient) encounter(e *encounterPlan) {
	typ, class, classTok := encCheckup, classAMB, tokAMB
	switch e.kind {
	case kindWellChild:
		typ = encWellChild
	case kindSick:
		typ = encSymptom
	case kindEmergency:
		typ, class, classTok = encEmergency, classEMER, tokEMER
	case kindFollowUp:
		typ = encFollowUp
	}
	enc := encounterJSON{ResourceType: "Encounter", ID: e.id, Meta: metaFor(e.end), Status: "finished",
		Class: class, Type: []codeableConcept{typ.cc()}, Subject: p.ref,
		Participant: []encounterParticipant{{Type: []codeableConcept{participantPPRF}, Individual: e.pract.ref}},
		Period:      fhirPeriod{Start: fhirTime(e.start), End: fhirTime(e.end)},
		Location:    []encounterLocation{{Location: e.loc}}, ServiceProvider: e.site.org}
	s := map[string][]string{"status": tokFinished, "class": classTok, "type": typ.tokens,
		"practitioner": e.pract.id, "location": e.locID}
	if e.acute != nil { // the problem the patient came with, diagnosed at this visit
		e.condID = p.r.UUID()
		enc.ReasonCode = []codeableConcept{e.acute.Cond.Code.cc()}
		enc.ReasonReference = []reference{refTo("Condition", e.condID)}
	}
	if e.kind == kindFollowUp { // the chronic problems being followed up
		for _, c := range p.chronic {
			if c.condID != "" && (c.key == "htn" || c.key == "t2dm" || c.key == "chf") {
				enc.ReasonReference = append(enc.ReasonReference, refTo("Condition", c.condID))
			}
		}
	}
	s["date"] = []string{enc.Period.Start}
	p.add("Encounter", e.id, enc, e.end, nil, s)
}

// timeTok returns the search value for an instant, reusing the previous slice when
// consecutive resources share the instant (a visit's vital signs do).
func (p *clinPatient) timeTok(at time.Time) []string {
	if !at.Equal(p.lastTime) || p.lastTok == nil {
		p.lastTime, p.lastTok = at, []string{fhirTime(at)}
	}
	return p.lastTok
}

// add emits a resource of the patient, filling the search values every clinical type shares:
// _id, _lastUpdated, patient, encounter and, unless the caller set it, date. at is the
// resource's meta.lastUpdated. Only parameters OpenEMR supports are indexed (no "subject"),
// and value slices are shared where they can be: the index costs more than the JSON.
func (p *clinPatient) add(typ, id string, v any, at time.Time, e *encounterPlan, s map[string][]string) {
	s["_id"] = []string{id}
	s["_lastUpdated"] = p.timeTok(at)
	s["patient"] = p.idTok
	if e != nil && typ != "Immunization" { // OpenEMR has no Immunization?encounter=
		s["encounter"] = e.idTok
	}
	if _, ok := s["date"]; !ok && (typ == "Observation" || typ == "Immunization" || typ == "Procedure") {
		s["date"] = p.timeTok(at)
	}
	p.emit(Resource{Type: typ, ID: id, JSON: mustJSON(v), Search: s, LastUpdated: at})
}
