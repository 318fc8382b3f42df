package fhirtest

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// clinPatient is one patient's profile while its history is generated.
type clinPatient struct {
	cfg     ClinicalConfig
	dir     *clinicalDirectory
	r       Rand
	emit    func(Resource)
	id      string
	idTok   []string // {id}: the "patient"/"subject" search value every resource shares
	ref     reference
	gender  string
	female  bool
	birth   time.Time
	age     int // whole years at cfg.Reference
	home    *practice
	gp      practitionerRef
	height  float64 // adult height in cm (children grow from it)
	bmi     float64
	chronic []chronicProblem // in onset order
	// formerMed: per chronic problem, a drug the patient took before the current one
	formerMed map[string]string
	// treatedSince: per chronic problem, when its drug treatment started; now is the visit
	// being recorded, so results before and after treatment differ (see ifTreated)
	treatedSince map[string]time.Time
	now          time.Time
	// the last instant formatted for search, and its value slice (see timeTok)
	lastTime time.Time
	lastTok  []string
}

// chronicProblem is a long-standing diagnosis; condID is its Condition's id once emitted.
type chronicProblem struct {
	key    string
	onset  time.Time
	condID string
	enc    *encounterPlan // the visit it was diagnosed at, when inside the history window
}

// chronicPrevalence gives, per chronic condition in a fixed order (never map order), the
// chance a patient of this age and sex has it: rough US figures, enough for a chart to look
// like a real panel of patients.
var chronicPrevalence = []struct {
	key  string
	prob func(age int, female bool) float64
}{
	{"htn", func(a int, _ bool) float64 { return ageBand(a, 0, 0.03, 0.12, 0.35, 0.6) }},
	{"hld", func(a int, _ bool) float64 { return ageBand(a, 0, 0.05, 0.15, 0.3, 0.45) }},
	{"t2dm", func(a int, _ bool) float64 { return ageBand(a, 0.002, 0.01, 0.05, 0.14, 0.25) }},
	{"asthma", func(a int, _ bool) float64 { return ageBand(a, 0.09, 0.08, 0.08, 0.08, 0.07) }},
	{"copd", func(a int, _ bool) float64 { return ageBand(a, 0, 0, 0.01, 0.05, 0.1) }},
	{"depression", func(a int, f bool) float64 { return ageBand(a, 0.02, 0.08, 0.09, 0.08, 0.07) * sexRatio(f, 1.5) }},
	{"anxiety", func(a int, f bool) float64 { return ageBand(a, 0.04, 0.12, 0.1, 0.08, 0.06) * sexRatio(f, 1.6) }},
	{"hypothyroid", func(a int, f bool) float64 { return ageBand(a, 0.002, 0.02, 0.04, 0.07, 0.1) * sexRatio(f, 4) }},
	{"gerd", func(a int, _ bool) float64 { return ageBand(a, 0.01, 0.06, 0.1, 0.14, 0.16) }},
	{"afib", func(a int, _ bool) float64 { return ageBand(a, 0, 0, 0.002, 0.02, 0.09) }},
	{"cad", func(a int, f bool) float64 { return ageBand(a, 0, 0, 0.005, 0.05, 0.14) * sexRatio(f, 0.6) }},
	{"chf", func(a int, _ bool) float64 { return ageBand(a, 0, 0, 0.001, 0.01, 0.05) }},
	{"ckd", func(a int, _ bool) float64 { return ageBand(a, 0, 0.002, 0.02, 0.06, 0.14) }},
	{"oa_knee", func(a int, _ bool) float64 { return ageBand(a, 0, 0, 0.02, 0.1, 0.25) }},
	{"osteoporosis", func(a int, f bool) float64 { return ageBand(a, 0, 0, 0, 0.03, 0.12) * sexRatio(f, 4) }},
	{"migraine", func(a int, f bool) float64 { return ageBand(a, 0.02, 0.08, 0.09, 0.06, 0.03) * sexRatio(f, 3) }},
	{"lbp", func(a int, _ bool) float64 { return ageBand(a, 0, 0.04, 0.08, 0.1, 0.1) }},
	{"anemia", func(a int, f bool) float64 { return ageBand(a, 0.02, 0.03, 0.03, 0.04, 0.08) * sexRatio(f, 2) }},
}

// ageBand picks a probability by age group: <18, 18-29, 30-44, 45-64, 65+.
func ageBand(age int, child, young, adult, middle, old float64) float64 {
	switch {
	case age < 18:
		return child
	case age < 30:
		return young
	case age < 45:
		return adult
	case age < 65:
		return middle
	}
	return old
}

// sexRatio scales a population prevalence so that women have ratio times men's rate.
func sexRatio(female bool, ratio float64) float64 {
	if female {
		return 2 * ratio / (1 + ratio)
	}
	return 2 / (1 + ratio)
}

// treated reports whether the patient's key problem was on drug treatment before the visit.
func (p *clinPatient) treated(key string) bool {
	t, ok := p.treatedSince[key]
	return ok && t.Before(p.now)
}

func (p *clinPatient) has(key string) bool {
	for _, c := range p.chronic {
		if c.key == key {
			return true
		}
	}
	return false
}

// newClinPatient draws patient i's demographics and chronic problems.
func newClinPatient(cfg ClinicalConfig, dir *clinicalDirectory, i int, emit func(Resource)) *clinPatient {
	r := patientRand(cfg.Seed, i)
	p := &clinPatient{cfg: cfg, dir: dir, r: r, emit: emit}
	p.id = r.UUID()
	p.idTok = []string{p.id}
	p.ref = reference{Reference: "Patient/" + p.id}
	p.gender = "female"
	if r.IntN(100) < 49 {
		p.gender = "male"
	} else if r.IntN(200) == 0 {
		p.gender = "other"
	}
	p.female = p.gender == "female"
	// US-like age pyramid: infants, children, young adults, middle age, elderly.
	ages := []struct{ lo, hi, pct int }{{0, 2, 3}, {2, 18, 19}, {18, 45, 35}, {45, 65, 26}, {65, 96, 17}}
	pick, acc := r.IntN(100), 0
	for _, a := range ages {
		if acc += a.pct; pick < acc {
			p.age = a.lo + r.IntN(a.hi-a.lo)
			break
		}
	}
	p.birth = cfg.Reference.AddDate(-p.age, 0, -1-r.IntN(364)).Truncate(24 * time.Hour)
	p.home = &dir.practices[r.IntN(len(dir.practices))]
	p.gp = dir.practs[p.home.staff[r.IntN(len(p.home.staff))]]
	if p.female {
		p.height = 162 + 6.5*r.NormFloat64()
	} else {
		p.height = 176 + 7*r.NormFloat64()
	}
	p.bmi = math.Max(17, math.Min(48, 27.5+5.5*r.NormFloat64()))
	if p.age < 18 {
		p.bmi = 15.5 + 3*r.Float64() + float64(p.age)*0.15
	}
	for _, c := range chronicPrevalence {
		if r.Float64() < c.prob(p.age, p.female) {
			p.chronic = append(p.chronic, chronicProblem{key: c.key})
		}
	}
	if p.age >= 18 && p.bmi >= 30 {
		p.chronic = append(p.chronic, chronicProblem{key: "obesity"})
	}
	if p.age >= 30 && !p.has("t2dm") && r.Float64() < ageBand(p.age, 0, 0.1, 0.2, 0.3, 0.3) {
		p.chronic = append(p.chronic, chronicProblem{key: "prediabetes"})
	}
	if p.age >= 18 && (p.bmi >= 32 || r.IntN(25) == 0) && r.IntN(4) == 0 {
		p.chronic = append(p.chronic, chronicProblem{key: "osa"})
	}
	// Onsets: anywhere from early adulthood (or birth for children) to three months ago.
	earliest := p.birth.AddDate(min(18, p.age/2), 0, 0)
	span := int(cfg.Reference.AddDate(0, -3, 0).Sub(earliest).Hours() / 24)
	for k := range p.chronic {
		p.chronic[k].onset = earliest.AddDate(0, 0, r.IntN(max(span, 1))).Add(clinicHour(r))
	}
	sortByTime(p.chronic, func(c chronicProblem) time.Time { return c.onset })
	return p
}

// clinicHour returns a time of day during clinic hours (08:00-17:00, quarter-hour slots).
func clinicHour(r Rand) time.Duration {
	return 8*time.Hour + time.Duration(r.IntN(36))*15*time.Minute
}

var (
	langEnglish  = codeableConcept{Coding: []coding{{System: "urn:ietf:bcp:47", Code: "en-US", Display: "English (United States)"}}, Text: "English"}
	langSpanish  = codeableConcept{Coding: []coding{{System: "urn:ietf:bcp:47", Code: "es", Display: "Spanish"}}, Text: "Spanish"}
	maritalCodes = []coding{
		{System: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", Code: "M", Display: "Married"},
		{System: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", Code: "S", Display: "Never Married"},
		{System: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", Code: "D", Display: "Divorced"},
		{System: "http://terminology.hl7.org/CodeSystem/v3-MaritalStatus", Code: "W", Display: "Widowed"},
	}
	mrTypeMR = &codeableConcept{Coding: []coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0203", Code: "MR", Display: "Medical record number"}}}
)

// patientResource builds the US Core Patient: race, ethnicity and birth sex extensions, MRN,
// name, telecom, address, marital status, language, GP and managing organization.
func (p *clinPatient) patientResource(i int) Resource {
	r := p.r
	pool := clinMaleGiven
	if p.female || (p.gender == "other" && r.IntN(2) == 0) {
		pool = clinFemaleGiven
	}
	given, middle := Pick(r, pool), Pick(r, pool)
	for middle == given {
		middle = Pick(r, pool)
	}
	family := Pick(r, clinFamilyNames)
	race, acc, pick := raceCategories[0], 0, r.IntN(100)
	for _, rc := range raceCategories {
		if acc += rc.Pct; pick < acc {
			race = rc
			break
		}
	}
	eth := ethnicityNotHispanic
	if r.IntN(100) < 19 {
		eth = ethnicityHispanic
	}
	raceCoding := coding{System: sysOMB, Code: race.Code, Display: race.Display}
	birthSex := "F"
	if p.gender == "male" || (p.gender == "other" && r.IntN(2) == 0) {
		birthSex = "M"
	}
	addr := genAddress(r)
	addr.City, addr.State, addr.PostalCode = p.home.city, stateOf(p.home.city), zipIn(r, p.home.city)
	phone := cityPhone(r, p.home.city)
	email := strings.ToLower(fmt.Sprintf("%s.%s%d@example.org", given, emailName.Replace(family), i))
	telecom := []contactPoint{{System: "phone", Value: phone, Use: Pick(r, []string{"home", "mobile"})}}
	if p.age >= 16 {
		telecom = append(telecom, contactPoint{System: "email", Value: email, Use: "home"})
	}
	mrn := fmt.Sprintf("MRN-%07d", 1000+i)
	var marital *codeableConcept
	if p.age >= 18 {
		m := maritalCodes[[]int{0, 0, 0, 0, 0, 1, 1, 1, 2, 3}[r.IntN(10)]]
		if p.age < 30 && m.Code == "W" {
			m = maritalCodes[1]
		}
		marital = &codeableConcept{Coding: []coding{m}, Text: m.Display}
	}
	lang := langEnglish
	if eth.Code == ethnicityHispanic.Code && r.IntN(3) == 0 {
		lang = langSpanish
	}
	when := p.cfg.Reference.AddDate(0, 0, -1-r.IntN(60)).Add(clinicHour(r))
	res := patientJSON{
		ResourceType: "Patient", ID: p.id, Meta: metaFor(when),
		Extension: []fhirExtension{
			{URL: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race", Extension: []fhirExtension{
				{URL: "ombCategory", ValueCoding: &raceCoding}, {URL: "text", ValueString: race.Display}}},
			{URL: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity", Extension: []fhirExtension{
				{URL: "ombCategory", ValueCoding: &eth}, {URL: "text", ValueString: eth.Display}}},
			{URL: "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex", ValueCode: birthSex},
		},
		Identifier:           []identifier{{Use: "usual", Type: mrTypeMR, System: MRNSystem, Value: mrn}},
		Active:               true,
		Name:                 []humanName{{Use: "official", Family: family, Given: []string{given, middle}}},
		Telecom:              telecom,
		Gender:               p.gender,
		BirthDate:            fhirDate(p.birth),
		Address:              []address{addr},
		MaritalStatus:        marital,
		Communication:        []communication{{Language: lang, Preferred: true}},
		GeneralPractitioner:  []reference{p.gp.ref},
		ManagingOrganization: &p.home.org,
	}
	s := map[string][]string{
		"_id": p.idTok, "name": lowerAll(given, middle, family), "family": lowerAll(family), "given": lowerAll(given, middle),
		"birthdate": {res.BirthDate}, "gender": {p.gender}, "identifier": identifierTokens(MRNSystem, mrn),
		"telecom": {phone, email}, "phone": {phone}, "email": {email}, "active": tokTrue,
		"general-practitioner": p.gp.id, "organization": p.home.orgID, "_lastUpdated": {fhirTime(when)},
	}
	if p.age < 16 { // children's records carry the family phone only
		s["telecom"] = s["phone"]
		delete(s, "email")
	}
	addressSearch(s, addr)
	return Resource{Type: "Patient", ID: p.id, JSON: mustJSON(res), Search: s, LastUpdated: when}
}

func stateOf(city string) string {
	for _, c := range cities {
		if c.City == city {
			return c.State
		}
	}
	return ""
}

func zipIn(r Rand, city string) string {
	for _, c := range cities {
		if c.City == city {
			return fmt.Sprintf("%s%02d", c.Zip, r.IntN(100))
		}
	}
	return fmt.Sprintf("%05d", r.IntN(100000))
}
