package fhirtest

import (
	"math"
	"time"
)

// Observations: vital signs (US Core vital-signs profiles, LOINC + UCUM) taken at every
// visit, and laboratory results (LOINC + UCUM + reference range + interpretation) grouped
// into panels, each with the DiagnosticReport that points at its results.

type observationJSON struct {
	ResourceType      string            `json:"resourceType"`
	ID                string            `json:"id"`
	Meta              meta              `json:"meta"`
	Status            string            `json:"status"`
	Category          []codeableConcept `json:"category"`
	Code              codeableConcept   `json:"code"`
	Subject           reference         `json:"subject"`
	Encounter         *reference        `json:"encounter,omitempty"`
	EffectiveDateTime string            `json:"effectiveDateTime"`
	Issued            string            `json:"issued,omitempty"`
	Performer         []reference       `json:"performer,omitempty"`
	ValueQuantity     *quantity         `json:"valueQuantity,omitempty"`
	Interpretation    []codeableConcept `json:"interpretation,omitempty"`
	ReferenceRange    []referenceRange  `json:"referenceRange,omitempty"`
	Component         []obsComponent    `json:"component,omitempty"`
}

type referenceRange struct {
	Low  *simpleQuantity `json:"low,omitempty"`
	High *simpleQuantity `json:"high,omitempty"`
	Text string          `json:"text,omitempty"`
}

type obsComponent struct {
	Code          codeableConcept `json:"code"`
	ValueQuantity quantity        `json:"valueQuantity"`
}

type diagnosticReportJSON struct {
	ResourceType      string            `json:"resourceType"`
	ID                string            `json:"id"`
	Meta              meta              `json:"meta"`
	Status            string            `json:"status"`
	Category          []codeableConcept `json:"category"`
	Code              codeableConcept   `json:"code"`
	Subject           reference         `json:"subject"`
	Encounter         *reference        `json:"encounter,omitempty"`
	EffectiveDateTime string            `json:"effectiveDateTime"`
	Issued            string            `json:"issued"`
	Performer         []reference       `json:"performer"`
	Result            []reference       `json:"result"`
	Conclusion        string            `json:"conclusion,omitempty"`
}

// measureDef is a LOINC-coded quantity with its UCUM unit and (for labs) reference range.
type measureDef struct {
	Code      concept
	Unit      string // human unit
	UCUM      string // UCUM code
	Low, High float64
	Decimals  int
}

func vitalMeasure(code, display, unit, ucum string, dec int) measureDef {
	return measureDef{Code: newConcept(display, loinc(code, display)), Unit: unit, UCUM: ucum, Decimals: dec}
}

// labMeasure is an analyte; text is the short name a results screen shows ("Glucose").
func labMeasure(code, display, text, ucum string, low, high float64, dec int) measureDef {
	return measureDef{Code: newConcept(text, loinc(code, display)), Unit: ucum, UCUM: ucum, Low: low, High: high, Decimals: dec}
}

var (
	catVitalSigns = statusConcept("http://terminology.hl7.org/CodeSystem/observation-category", "vital-signs", "Vital Signs")
	catLaboratory = statusConcept("http://terminology.hl7.org/CodeSystem/observation-category", "laboratory", "Laboratory")
	catReportLab  = newConcept("Laboratory", coding{System: "http://terminology.hl7.org/CodeSystem/v2-0074", Code: "LAB", Display: "Laboratory"})

	vitalBPPanel   = newConcept("Blood pressure panel", loinc("85354-9", "Blood pressure panel with all children optional"))
	vitalSystolic  = vitalMeasure("8480-6", "Systolic blood pressure", "mmHg", "mm[Hg]", 0)
	vitalDiastolic = vitalMeasure("8462-4", "Diastolic blood pressure", "mmHg", "mm[Hg]", 0)
	vitalHeartRate = vitalMeasure("8867-4", "Heart rate", "beats/minute", "/min", 0)
	vitalRespRate  = vitalMeasure("9279-1", "Respiratory rate", "breaths/minute", "/min", 0)
	vitalTemp      = vitalMeasure("8310-5", "Body temperature", "C", "Cel", 1)
	vitalHeight    = vitalMeasure("8302-2", "Body height", "cm", "cm", 1)
	vitalWeight    = vitalMeasure("29463-7", "Body weight", "kg", "kg", 1)
	vitalBMI       = vitalMeasure("39156-5", "Body mass index (BMI) [Ratio]", "kg/m2", "kg/m2", 1)
	// US Core pulse oximetry carries both codes.
	vitalSpO2 = measureDef{Code: newConcept("Oxygen saturation", loinc("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry"),
		loinc("2708-6", "Oxygen saturation in Arterial blood")), Unit: "%", UCUM: "%"}

	interpNormal = statusConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "N", "Normal")
	interpHigh   = statusConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "H", "High")
	interpLow    = statusConcept("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "L", "Low")
	tokFinal     = []string{"final"}
)

// labPanel is an ordered group of results reported together.
type labPanel struct {
	Code    concept
	Results []labResult
}

// labResult is one analyte and how to draw its value for a patient.
type labResult struct {
	M     measureDef
	Value func(p *clinPatient) (mean, sd float64)
}

func fixedValue(mean, sd float64) func(*clinPatient) (float64, float64) {
	return func(*clinPatient) (float64, float64) { return mean, sd }
}

func bySex(f, fsd, m, msd float64) func(*clinPatient) (float64, float64) {
	return func(p *clinPatient) (float64, float64) {
		if p.female {
			return f, fsd
		}
		return m, msd
	}
}

// ifTreated shifts a value for patients whose condition was on drug treatment before the
// visit (a statin lowers LDL, metformin HbA1c), so charts show the trend.
func ifTreated(key string, mean, sd float64, otherwise func(*clinPatient) (float64, float64)) func(*clinPatient) (float64, float64) {
	return func(p *clinPatient) (float64, float64) {
		if p.treated(key) {
			return mean, sd
		}
		return otherwise(p)
	}
}

// ifHas shifts a value for patients with a condition (e.g. LDL with hyperlipidemia).
func ifHas(key string, mean, sd float64, otherwise func(*clinPatient) (float64, float64)) func(*clinPatient) (float64, float64) {
	return func(p *clinPatient) (float64, float64) {
		if p.has(key) {
			return mean, sd
		}
		return otherwise(p)
	}
}

var (
	panelLipid = labPanel{Code: newConcept("Lipid panel", loinc("57698-3", "Lipid panel with direct LDL - Serum or Plasma")), Results: []labResult{
		{labMeasure("2093-3", "Cholesterol [Mass/volume] in Serum or Plasma", "Total cholesterol", "mg/dL", 0, 200, 0), ifTreated("hld", 194, 18, ifHas("hld", 238, 22, fixedValue(182, 22)))},
		{labMeasure("2571-8", "Triglyceride [Mass/volume] in Serum or Plasma", "Triglycerides", "mg/dL", 0, 150, 0), ifTreated("hld", 150, 35, ifHas("hld", 190, 45, fixedValue(115, 35)))},
		{labMeasure("18262-6", "Cholesterol in LDL [Mass/volume] in Serum or Plasma by Direct assay", "LDL cholesterol", "mg/dL", 0, 100, 0), ifTreated("hld", 99, 15, ifHas("hld", 152, 22, fixedValue(98, 20)))},
		{labMeasure("2085-9", "Cholesterol in HDL [Mass/volume] in Serum or Plasma", "HDL cholesterol", "mg/dL", 40, 0, 0), bySex(58, 10, 48, 9)},
	}}
	panelBMP = labPanel{Code: newConcept("Basic metabolic panel", loinc("24321-2", "Basic metabolic 2000 panel - Serum or Plasma")), Results: []labResult{
		{labMeasure("2345-7", "Glucose [Mass/volume] in Serum or Plasma", "Glucose", "mg/dL", 70, 99, 0), ifTreated("t2dm", 126, 18, ifHas("t2dm", 152, 28, ifHas("prediabetes", 108, 7, fixedValue(89, 7))))},
		{labMeasure("3094-0", "Urea nitrogen [Mass/volume] in Serum or Plasma", "Urea nitrogen (BUN)", "mg/dL", 7, 20, 0), ifHas("ckd", 31, 7, fixedValue(14, 3.5))},
		{labMeasure("2160-0", "Creatinine [Mass/volume] in Serum or Plasma", "Creatinine", "mg/dL", 0.6, 1.3, 2), ifHas("ckd", 1.9, 0.35, bySex(0.8, 0.12, 1.0, 0.14))},
		{labMeasure("2951-2", "Sodium [Moles/volume] in Serum or Plasma", "Sodium", "mmol/L", 135, 145, 0), fixedValue(140, 2)},
		{labMeasure("2823-3", "Potassium [Moles/volume] in Serum or Plasma", "Potassium", "mmol/L", 3.5, 5.1, 1), fixedValue(4.2, 0.3)},
		{labMeasure("2075-0", "Chloride [Moles/volume] in Serum or Plasma", "Chloride", "mmol/L", 98, 107, 0), fixedValue(102, 2)},
		{labMeasure("2028-9", "Carbon dioxide, total [Moles/volume] in Serum or Plasma", "Carbon dioxide (CO2)", "mmol/L", 22, 29, 0), fixedValue(25, 1.8)},
		{labMeasure("17861-6", "Calcium [Mass/volume] in Serum or Plasma", "Calcium", "mg/dL", 8.5, 10.2, 1), fixedValue(9.4, 0.3)},
	}}
	panelCBC = labPanel{Code: newConcept("CBC panel", loinc("58410-2", "CBC panel - Blood by Automated count")), Results: []labResult{
		{labMeasure("6690-2", "Leukocytes [#/volume] in Blood by Automated count", "White blood cells", "10*3/uL", 4.5, 11.0, 1), fixedValue(7.0, 1.5)},
		{labMeasure("789-8", "Erythrocytes [#/volume] in Blood by Automated count", "Red blood cells", "10*6/uL", 4.2, 5.9, 2), ifHas("anemia", 3.8, 0.25, bySex(4.5, 0.3, 5.0, 0.35))},
		{labMeasure("718-7", "Hemoglobin [Mass/volume] in Blood", "Hemoglobin", "g/dL", 12.0, 17.5, 1), ifHas("anemia", 10.4, 0.7, bySex(13.6, 0.8, 15.1, 0.9))},
		{labMeasure("4544-3", "Hematocrit [Volume Fraction] of Blood by Automated count", "Hematocrit", "%", 36, 50, 1), ifHas("anemia", 31.5, 2, bySex(40.5, 2.2, 44.5, 2.5))},
		{labMeasure("777-3", "Platelets [#/volume] in Blood by Automated count", "Platelets", "10*3/uL", 150, 400, 0), fixedValue(255, 45)},
	}}
	panelA1c = labPanel{Code: newConcept("Hemoglobin A1c", loinc("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood")), Results: []labResult{
		{labMeasure("4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "Hemoglobin A1c", "%", 4.0, 5.6, 1), ifTreated("t2dm", 6.9, 0.45, ifHas("t2dm", 7.9, 0.8, ifHas("prediabetes", 6.0, 0.2, fixedValue(5.2, 0.25))))},
	}}
	panelTSH = labPanel{Code: newConcept("TSH", loinc("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma")), Results: []labResult{
		{measureDef{Code: newConcept("TSH", loinc("3016-3", "Thyrotropin [Units/volume] in Serum or Plasma")), Unit: "mIU/L", UCUM: "m[IU]/L", Low: 0.4, High: 4.0, Decimals: 2},
			ifTreated("hypothyroid", 2.4, 0.9, ifHas("hypothyroid", 6.8, 1.6, fixedValue(1.9, 0.7)))},
	}}
)

func clampTo(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

func roundTo(v float64, dec int) float64 {
	f := math.Pow(10, float64(dec))
	return math.Round(v*f) / f
}

func (m measureDef) quantity(v float64) *quantity {
	return &quantity{Value: roundTo(v, m.Decimals), Unit: m.Unit, System: sysUCUM, Code: m.UCUM}
}

// rangeOf returns the reference range, nil when the measure has none.
func (m measureDef) rangeOf() []referenceRange {
	if m.Low == 0 && m.High == 0 {
		return nil
	}
	rr := referenceRange{}
	if m.Low != 0 {
		rr.Low = &simpleQuantity{Value: m.Low, Unit: m.Unit}
	}
	if m.High != 0 {
		rr.High = &simpleQuantity{Value: m.High, Unit: m.Unit}
	}
	return []referenceRange{rr}
}

func (m measureDef) interpret(v float64) concept {
	switch {
	case m.Low != 0 && v < m.Low:
		return interpLow
	case m.High != 0 && v > m.High:
		return interpHigh
	}
	return interpNormal
}

// addObservation emits one Observation and returns its id.
func (p *clinPatient) addObservation(e *encounterPlan, cat concept, code concept, at time.Time, o observationJSON) string {
	id := p.r.UUID()
	o.ResourceType, o.ID, o.Meta, o.Status = "Observation", id, metaFor(at), "final"
	o.Category = []codeableConcept{cat.cc()}
	o.Code, o.Subject = code.cc(), p.ref
	o.EffectiveDateTime = fhirTime(at)
	if e != nil {
		o.Encounter = &e.ref
	}
	s := map[string][]string{"code": code.tokens, "category": cat.tokens, "status": tokFinal}
	p.add("Observation", id, o, at, e, s)
	return id
}

// vitals records a visit's vital signs; full set at check-ups, the sick-visit set otherwise.
func (p *clinPatient) vitals(e *encounterPlan, full bool) {
	r := p.r
	at := e.start.Add(5 * time.Minute)
	ageMonths := monthsBetween(p.birth, e.start)
	quantity := func(m measureDef, v float64) observationJSON {
		return observationJSON{ValueQuantity: m.quantity(v)}
	}
	if ageMonths >= 36 {
		sys := clampTo(114+10*r.NormFloat64(), 92, 139)
		switch {
		case p.treated("htn"):
			sys = clampTo(131+9*r.NormFloat64(), 110, 165)
		case p.has("htn"):
			sys = clampTo(146+11*r.NormFloat64(), 125, 185)
		}
		dia := clampTo(0.6*sys+3+5*r.NormFloat64(), 55, 110)
		if ageMonths < 12*13 { // children run lower
			sys, dia = clampTo(102+7*r.NormFloat64(), 85, 120), clampTo(62+5*r.NormFloat64(), 45, 80)
		}
		bp := observationJSON{Component: []obsComponent{
			{Code: vitalSystolic.Code.cc(), ValueQuantity: *vitalSystolic.quantity(sys)},
			{Code: vitalDiastolic.Code.cc(), ValueQuantity: *vitalDiastolic.quantity(dia)},
		}}
		p.addObservation(e, catVitalSigns, vitalBPPanel, at, bp)
	}
	// Normal variation, kept within what a clinic actually records.
	hr := clampTo(72+9*r.NormFloat64(), 50, 110)
	rr := clampTo(16+1.5*r.NormFloat64(), 12, 22)
	if ageMonths < 12*6 {
		hr, rr = clampTo(110+12*r.NormFloat64(), 80, 150), clampTo(26+3*r.NormFloat64(), 18, 40)
	}
	temp := clampTo(36.8+0.25*r.NormFloat64(), 36, 37.6)
	if e.acute != nil && e.acute.Fever {
		temp = clampTo(38.4+0.5*r.NormFloat64(), 37.8, 40.2)
		hr += 12
	}
	p.addObservation(e, catVitalSigns, vitalHeartRate.Code, at, quantity(vitalHeartRate, hr))
	p.addObservation(e, catVitalSigns, vitalRespRate.Code, at, quantity(vitalRespRate, rr))
	p.addObservation(e, catVitalSigns, vitalTemp.Code, at, quantity(vitalTemp, temp))
	spo2 := clampTo(97.5+1.2*r.NormFloat64(), 94, 100)
	if p.has("copd") {
		spo2 -= 4
	}
	p.addObservation(e, catVitalSigns, vitalSpO2.Code, at, quantity(vitalSpO2, spo2))
	if !full {
		return
	}
	h := heightAt(p.height, ageMonths)
	bmi := p.bmi + 0.6*r.NormFloat64()
	w := bmi * (h / 100) * (h / 100)
	p.addObservation(e, catVitalSigns, vitalHeight.Code, at, quantity(vitalHeight, h))
	p.addObservation(e, catVitalSigns, vitalWeight.Code, at, quantity(vitalWeight, w))
	if ageMonths >= 24 {
		p.addObservation(e, catVitalSigns, vitalBMI.Code, at, quantity(vitalBMI, bmi))
	}
}

// heightAt approximates a child's growth toward adult height (cm).
func heightAt(adult float64, months int) float64 {
	switch {
	case months < 24:
		return 50 + float64(months)*1.55
	case months < 12*16:
		return math.Min(adult, 87+float64(months-24)*0.5)
	}
	return adult
}

func monthsBetween(a, b time.Time) int {
	return (b.Year()-a.Year())*12 + int(b.Month()) - int(a.Month())
}

// labs draws a panel at a visit: one Observation per analyte (collected at the visit,
// resulted hours later) and the DiagnosticReport listing them.
func (p *clinPatient) labs(e *encounterPlan, panel labPanel) {
	collected := e.start.Add(20 * time.Minute)
	issued := collected.Add(time.Duration(3+p.r.IntN(20)) * time.Hour)
	results := make([]reference, 0, len(panel.Results))
	abnormal := 0
	for _, res := range panel.Results {
		mean, sd := res.Value(p)
		v := math.Max(mean+sd*p.r.NormFloat64(), mean/4)
		q := res.M.quantity(v)
		interp := res.M.interpret(q.Value)
		if interp.Codings[0].Code != "N" {
			abnormal++
		}
		o := observationJSON{Issued: fhirTime(issued), ValueQuantity: q, ReferenceRange: res.M.rangeOf()}
		if interp.Codings[0].Code != "N" { // flagged only when abnormal, as lab interfaces send it
			o.Interpretation = []codeableConcept{interp.cc()}
		}
		id := p.addObservation(e, catLaboratory, res.M.Code, collected, o)
		results = append(results, refTo("Observation", id))
	}
	conclusion := "All results within reference range."
	if abnormal > 0 {
		conclusion = "Abnormal results flagged; reviewed by ordering clinician."
	}
	id := p.r.UUID()
	dr := diagnosticReportJSON{ResourceType: "DiagnosticReport", ID: id, Meta: metaFor(issued), Status: "final",
		Category: []codeableConcept{catReportLab.cc()}, Code: panel.Code.cc(), Subject: p.ref, Encounter: &e.ref,
		EffectiveDateTime: fhirTime(collected), Issued: fhirTime(issued),
		Performer: []reference{p.home.hospital.org}, Result: results, Conclusion: conclusion}
	s := map[string][]string{"code": panel.Code.tokens, "category": catReportLab.tokens, "status": tokFinal,
		"date": p.timeTok(collected)}
	p.add("DiagnosticReport", id, dr, issued, e, s)
}
