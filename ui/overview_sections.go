package ui

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"fhirscope/ui/termsafe"
)

// overviewItem is one line of a section: a resource summarised, opening in the inspector.
type overviewItem struct {
	label  string // what it is ("Blood pressure", "Essential hypertension")
	value  string // its value or state ("128/82 mmHg", "active")
	at     ovWhen // its date (shown, and the sort key)
	flag   bool   // out of range / high criticality: shown in the warning style
	raw    []byte // the resource's JSON
	typeID string // "Observation/123"
}

// sectionResult is what a section shows once loaded: how many resources the patient has,
// a note ("3 active"), and the few items worth seeing first.
type sectionResult struct {
	count int
	note  string
	items []overviewItem
	more  int // items that matched the section's rule but did not fit
}

// sectionDef is one clinical section: the search it runs and how it picks its items.
type sectionDef struct {
	title   string
	typ     string
	noun    string // "observation": the count's unit
	extra   url.Values
	max     int
	pick    func(entries [][]byte) ([]overviewItem, string) // the items to show and a note
	emptyOK string                                          // what an empty section says
}

// overviewSections are the sections, in display order.
var overviewSections = []sectionDef{
	{title: "Vitals", typ: "Observation", noun: "observation", extra: url.Values{"category": {"vital-signs"}}, max: 9,
		pick: ovLatestPerCode(ovVitalOrder), emptyOK: "no vital signs recorded"},
	{title: "Labs", typ: "Observation", noun: "result", extra: url.Values{"category": {"laboratory"}}, max: 6,
		pick: ovLatestPerCode(nil), emptyOK: "no laboratory results"},
	{title: "Conditions", typ: "Condition", noun: "condition", max: 8, pick: pickConditions, emptyOK: "no conditions recorded"},
	{title: "Medications", typ: "MedicationRequest", noun: "prescription", max: 8, pick: pickMedications, emptyOK: "no prescriptions"},
	{title: "Allergies", typ: "AllergyIntolerance", noun: "allergy", max: 6, pick: pickAllergies, emptyOK: "no known allergies recorded"},
	{title: "Encounters", typ: "Encounter", noun: "encounter", max: 5, pick: pickEncounters, emptyOK: "no encounters"},
	{title: "Immunizations", typ: "Immunization", noun: "immunization", max: 5, pick: pickImmunizations, emptyOK: "no immunizations recorded"},
}

// params is the section's search for one patient.
func (d sectionDef) params(patientID string) url.Values {
	v := url.Values{"patient": {patientID}}
	for k, vals := range d.extra {
		v[k] = vals
	}
	return v
}

// summarize builds the section's result from every resource the search returned.
func (d sectionDef) summarize(entries [][]byte, total int) sectionResult {
	items, note := d.pick(entries)
	r := sectionResult{count: max(total, len(entries)), note: note}
	if len(items) > d.max {
		r.more = len(items) - d.max
		items = items[:d.max]
	}
	r.items = items
	return r
}

// ovDecodeEach unmarshals each entry into a fresh T; entries that do not decode are skipped.
func ovDecodeEach[T any](entries [][]byte, fn func(raw []byte, v *T)) {
	for _, e := range entries {
		var v T
		if json.Unmarshal(e, &v) == nil {
			fn(e, &v)
		}
	}
}

type ovObservation struct {
	ID                string
	Code              ovConcept
	EffectiveDateTime ovWhen
	Issued            ovWhen
	ValueQuantity     *ovQuantity
	ValueString       string
	ValueConcept      *ovConcept `json:"valueCodeableConcept"`
	Component         []struct {
		Code          ovConcept
		ValueQuantity *ovQuantity
	}
	Interpretation []ovConcept
}

// value renders the observation's value: a quantity with its unit, or components sharing
// one unit as systolic/diastolic ("128/82 mmHg").
func (o *ovObservation) value() string {
	switch {
	case o.ValueQuantity != nil:
		return o.ValueQuantity.String()
	case o.ValueString != "":
		return termsafe.String(o.ValueString)
	case o.ValueConcept != nil:
		return o.ValueConcept.label()
	}
	var nums, units []string
	for _, c := range o.Component {
		if c.ValueQuantity != nil {
			nums = append(nums, c.ValueQuantity.number())
			units = append(units, c.ValueQuantity.unit())
		}
	}
	if len(nums) == 0 {
		return ""
	}
	if slices.Equal(units, slices.Repeat(units[:1], len(units))) {
		return strings.Join(nums, "/") + " " + units[0]
	}
	parts := make([]string, len(nums))
	for i := range nums {
		parts[i] = nums[i] + " " + units[i]
	}
	return strings.Join(parts, ", ")
}

// abnormal is true ovWhen the interpretation says high, low or critical.
func (o *ovObservation) abnormal() bool {
	for _, in := range o.Interpretation {
		for _, code := range []string{"H", "L", "HH", "LL", "A", "AA", "HU", "LU"} {
			if in.has(code) {
				return true
			}
		}
	}
	return false
}

// ovVitalOrder is the order vital signs are read in at the bedside (LOINC codes).
var ovVitalOrder = []string{"85354-9", "8480-6", "8867-4", "9279-1", "8310-5", "59408-5", "2708-6", "29463-7", "8302-2", "39156-5"}

// ovLatestPerCode keeps the newest observation of each code, ordered by order (ovWhen given;
// others after) and then newest first.
func ovLatestPerCode(order []string) func([][]byte) ([]overviewItem, string) {
	return func(entries [][]byte) ([]overviewItem, string) {
		latest := map[string]overviewItem{}
		ovDecodeEach(entries, func(raw []byte, o *ovObservation) {
			at := o.EffectiveDateTime
			if at == "" {
				at = o.Issued
			}
			it := overviewItem{label: o.Code.label(), value: o.value(), at: at, flag: o.abnormal(), raw: raw, typeID: "Observation/" + o.ID}
			key := o.Code.code()
			if prev, ok := latest[key]; !ok || at.time().After(prev.at.time()) {
				latest[key] = it
			}
		})
		items := make([]overviewItem, 0, len(latest))
		codes := make(map[string]string, len(latest))
		for code, it := range latest {
			items = append(items, it)
			codes[it.typeID] = code
		}
		ovNewestFirst(items)
		rank := func(it overviewItem) int {
			if i := slices.Index(order, codes[it.typeID]); i >= 0 {
				return i
			}
			return len(order)
		}
		slices.SortStableFunc(items, func(a, b overviewItem) int { return rank(a) - rank(b) })
		note := ""
		if len(items) > 0 {
			note = "latest " + items[0].at.date()
			for _, it := range items {
				if it.at.time().After(items[0].at.time()) {
					note = "latest " + it.at.date()
				}
			}
		}
		return items, note
	}
}

func pickConditions(entries [][]byte) ([]overviewItem, string) {
	var active []overviewItem
	ovDecodeEach(entries, func(raw []byte, c *struct {
		ID             string
		Code           ovConcept
		ClinicalStatus ovConcept
		Category       []ovConcept
		OnsetDateTime  ovWhen
		RecordedDate   ovWhen
	}) {
		if !c.ClinicalStatus.has("active") && !c.ClinicalStatus.has("recurrence") && !c.ClinicalStatus.has("relapse") {
			return
		}
		at := c.OnsetDateTime
		if at == "" {
			at = c.RecordedDate
		}
		kind := ""
		if len(c.Category) > 0 {
			kind = c.Category[0].label()
		}
		active = append(active, overviewItem{label: c.Code.label(), value: kind, at: at, raw: raw, typeID: "Condition/" + c.ID})
	})
	ovNewestFirst(active)
	return active, fmt.Sprintf("%d active", len(active))
}

func pickMedications(entries [][]byte) ([]overviewItem, string) {
	var active []overviewItem
	ovDecodeEach(entries, func(raw []byte, m *struct {
		ID                        string
		Status                    string
		MedicationCodeableConcept ovConcept
		AuthoredOn                ovWhen
		DosageInstruction         []struct{ Text string }
	}) {
		if m.Status != "active" {
			return
		}
		dose := ""
		if len(m.DosageInstruction) > 0 {
			dose = termsafe.String(m.DosageInstruction[0].Text)
		}
		active = append(active, overviewItem{label: m.MedicationCodeableConcept.label(), value: dose, at: m.AuthoredOn, raw: raw, typeID: "MedicationRequest/" + m.ID})
	})
	ovNewestFirst(active)
	return active, fmt.Sprintf("%d active", len(active))
}

func pickAllergies(entries [][]byte) ([]overviewItem, string) {
	var items []overviewItem
	active := 0
	ovDecodeEach(entries, func(raw []byte, a *struct {
		ID             string
		Code           ovConcept
		ClinicalStatus ovConcept
		Criticality    string
		RecordedDate   ovWhen
		Reaction       []struct{ Manifestation []ovConcept }
	}) {
		state := a.ClinicalStatus.label()
		if a.ClinicalStatus.has("active") {
			active++
		}
		value := ""
		if len(a.Reaction) > 0 && len(a.Reaction[0].Manifestation) > 0 {
			value = a.Reaction[0].Manifestation[0].label()
		}
		if a.Criticality == "high" {
			value = strings.TrimPrefix(value+" · high criticality", " · ")
		}
		if !a.ClinicalStatus.has("active") && state != "" {
			value = strings.TrimPrefix(value+" · "+state, " · ")
		}
		items = append(items, overviewItem{label: a.Code.label(), value: value, at: a.RecordedDate, flag: a.Criticality == "high",
			raw: raw, typeID: "AllergyIntolerance/" + a.ID})
	})
	ovNewestFirst(items)
	return items, fmt.Sprintf("%d active", active)
}

func pickEncounters(entries [][]byte) ([]overviewItem, string) {
	var items []overviewItem
	ovDecodeEach(entries, func(raw []byte, e *struct {
		ID     string
		Status string
		Class  ovCoding
		Type   []ovConcept
		Period struct{ Start ovWhen }
	}) {
		label := termsafe.String(e.Class.Display)
		if len(e.Type) > 0 {
			label = e.Type[0].label()
		}
		items = append(items, overviewItem{label: label, value: termsafe.String(strings.TrimSpace(e.Class.Display + " " + e.Status)),
			at: e.Period.Start, raw: raw, typeID: "Encounter/" + e.ID})
	})
	ovNewestFirst(items)
	note := ""
	if len(items) > 0 {
		note = "last " + items[0].at.date()
	}
	return items, note
}

func pickImmunizations(entries [][]byte) ([]overviewItem, string) {
	var items []overviewItem
	ovDecodeEach(entries, func(raw []byte, im *struct {
		ID                 string
		Status             string
		VaccineCode        ovConcept
		OccurrenceDateTime ovWhen
	}) {
		items = append(items, overviewItem{label: im.VaccineCode.label(), value: termsafe.String(im.Status),
			at: im.OccurrenceDateTime, raw: raw, typeID: "Immunization/" + im.ID})
	})
	ovNewestFirst(items)
	note := ""
	if len(items) > 0 {
		note = "last " + items[0].at.date()
	}
	return items, note
}
