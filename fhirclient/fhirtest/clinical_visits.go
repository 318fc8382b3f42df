package fhirtest

import "time"

// visitCare records what happens at one visit, in the order a chart would show it.
func (p *clinPatient) visitCare(e *encounterPlan, latest bool, plan map[string][]string) {
	r := p.r
	p.now = e.start
	p.vitals(e, e.kind == kindCheckup || e.kind == kindWellChild)
	if a := e.acute; a != nil {
		p.condition(e, e.condID, a.Cond.Code, e.start.Add(15*time.Minute), "encounter-diagnosis", true)
		if a.Procedure != "" {
			p.procedure(e, a.Procedure, e.start.Add(10*time.Minute), e.pract, &e.loc, e.condID)
		}
		if e.kind == kindEmergency && a.Cond.Key == "pneumonia" {
			p.labs(e, panelCBC)
			p.labs(e, panelBMP)
		}
		if len(a.Meds) > 0 && r.IntN(100) < 80 {
			key := Pick(r, a.Meds)
			status := "completed"
			if e.start.AddDate(0, 0, medications[key].Days).After(p.cfg.Reference) {
				status = "active"
			}
			p.medicationRequest(e, key, e.start.Add(25*time.Minute), status, e.condID)
		}
	}
	switch e.kind {
	case kindCheckup:
		if p.age >= 18 {
			if p.has("hld") || p.has("t2dm") || p.has("cad") || (p.age >= 35 && r.IntN(100) < 35) {
				p.labs(e, panelLipid)
			}
			if p.has("htn") || p.has("t2dm") || p.has("ckd") || p.has("chf") || (p.age >= 50 && r.IntN(2) == 0) {
				p.labs(e, panelBMP)
			}
			if p.has("anemia") || r.IntN(100) < 20 {
				p.labs(e, panelCBC)
			}
			if p.has("t2dm") || p.has("prediabetes") {
				p.labs(e, panelA1c)
			}
			if p.has("hypothyroid") {
				p.labs(e, panelTSH)
			}
		}
		if p.age >= 12 && r.IntN(2) == 0 {
			p.procedure(e, "depression_screen", e.end.Add(-10*time.Minute), e.pract, &e.loc, "")
		}
		if (p.has("afib") || p.has("cad")) && r.IntN(2) == 0 {
			p.procedure(e, "ecg", e.start.Add(15*time.Minute), e.pract, &e.loc, p.condIDOf("afib", "cad"))
		}
		if (p.has("asthma") || p.has("copd")) && r.IntN(100) < 30 {
			p.procedure(e, "spirometry", e.start.Add(15*time.Minute), e.pract, &e.loc, p.condIDOf("asthma", "copd"))
		}
	case kindFollowUp:
		if p.has("t2dm") {
			p.labs(e, panelA1c)
		}
		if p.has("htn") || p.has("ckd") || p.has("chf") {
			p.labs(e, panelBMP)
		}
	}
	if e.kind == kindCheckup || e.kind == kindFollowUp || e.kind == kindWellChild {
		if len(plan) > 0 && e.kind != kindWellChild && r.IntN(100) < 70 {
			p.procedure(e, "med_reconciliation", e.end.Add(-5*time.Minute), e.pract, &e.loc, "")
		}
		p.chronicMedications(e, e.start, plan, latest)
	}
	for _, v := range e.vaccine {
		p.immunization(e, v, e.start.Add(35*time.Minute))
	}
}

// condIDOf returns the Condition id of the first of keys the patient has (once emitted).
func (p *clinPatient) condIDOf(keys ...string) string {
	for _, k := range keys {
		for _, c := range p.chronic {
			if c.key == k {
				return c.condID
			}
		}
	}
	return ""
}

// vaccinesAndScreening schedules vaccines onto visits (or, when no visit fits, records them
// as reported history) and emits screening procedures done outside the clinic.
func (p *clinPatient) vaccinesAndScreening(plans []*encounterPlan) {
	r, ref := p.r, p.cfg.Reference
	from := ref.AddDate(-p.cfg.HistoryYears, 0, 0)
	inWindow := func(t time.Time) bool { return t.After(from) && t.Before(ref) && t.After(p.birth) }
	give := func(key string, at time.Time, fits func(e *encounterPlan) bool) {
		for _, e := range plans {
			if fits(e) {
				e.vaccine = append(e.vaccine, key)
				return
			}
		}
		if inWindow(at) {
			p.immunization(nil, key, at)
		}
	}
	for _, s := range childhoodSchedule {
		at := p.birth.AddDate(0, s.Months, 0).Add(clinicHour(r))
		if !inWindow(at) || r.IntN(100) < 5 {
			continue
		}
		give(s.Vaccine, at, func(e *encounterPlan) bool {
			if e.kind == kindWellChild {
				return e.months == s.Months
			}
			return s.Months >= 60 && e.kind == kindCheckup && absDuration(e.start.Sub(at)) < 183*24*time.Hour
		})
	}
	fluRate := ageBand(p.age, 55, 35, 40, 50, 70)
	for y := ref.Year() - p.cfg.HistoryYears; y < ref.Year(); y++ {
		if p.age < 1 || r.IntN(100) >= int(fluRate) {
			continue
		}
		season := time.Date(y, 9, 15, 0, 0, 0, 0, time.UTC)
		give("flu", season.AddDate(0, 0, r.IntN(75)).Add(clinicHour(r)), func(e *encounterPlan) bool {
			return (e.kind == kindCheckup || e.kind == kindWellChild) && e.start.Year() == y && e.start.Month() >= 9
		})
	}
	adult := func(key string, ok bool) {
		if !ok {
			return
		}
		at := from.Add(time.Duration(r.Int64N(int64(ref.Sub(from))))).Truncate(24 * time.Hour).Add(clinicHour(r))
		take := r.IntN(100) < 60
		give(key, at, func(e *encounterPlan) bool { return take && e.kind == kindCheckup })
	}
	adult("covid", p.age >= 5 && r.IntN(100) < 30)
	adult("tdap", p.age >= 19 && r.IntN(100) < 10)
	adult("td", p.age >= 19 && r.IntN(100) < 10) // the ten-yearly booster
	adult("zoster", p.age >= 50 && r.IntN(100) < 25)
	adult("ppsv23", p.age >= 65 && r.IntN(100) < 20)

	screening := func(key string) {
		at := from.Add(time.Duration(r.Int64N(max(int64(ref.Sub(from))-2*24*int64(time.Hour), 1)))).Truncate(24 * time.Hour).Add(clinicHour(r))
		by := p.dir.practs[r.IntN(len(p.dir.practs))]
		p.procedure(nil, key, at, by, nil, "")
	}
	if p.age >= 45 && p.age <= 75 && r.IntN(100) < 12 {
		screening("colonoscopy")
	}
	if p.female && p.age >= 40 && p.age <= 74 && r.IntN(100) < 50 {
		screening("mammography")
	}
}

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
