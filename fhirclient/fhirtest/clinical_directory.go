package fhirtest

import (
	"fmt"
	"strings"
	"time"
)

// clinicalDirectory is the shared part of the clinical dataset: the health system's
// organizations, their locations and the practitioners who see patients there.
type clinicalDirectory struct {
	resources []Resource // in emission order
	practices []practice
	hospitals []practice // clinic is the emergency department
	practs    []practitionerRef
}

type practice struct {
	org        reference
	orgID      []string // search value slice shared by every resource naming this org
	clinic     reference
	clinicID   []string
	labMeasure reference
	city       string
	staff      []int     // indexes into practs
	hospital   *practice // where the practice's patients go for emergencies and labs
}

type practitionerRef struct {
	ref reference
	id  []string
}

var (
	practiceSuffixes = []string{"Family Medicine", "Primary Care", "Community Health Center", "Internal Medicine Associates", "Pediatrics & Family Care"}
	qualifications   = []concept{
		newConcept("Doctor of Medicine", coding{System: "http://terminology.hl7.org/CodeSystem/v2-0360", Code: "MD", Display: "Doctor of Medicine"}),
		newConcept("Doctor of Osteopathy", coding{System: "http://terminology.hl7.org/CodeSystem/v2-0360", Code: "DO", Display: "Doctor of Osteopathy"}),
		newConcept("Nurse practitioner", coding{System: "http://terminology.hl7.org/CodeSystem/v2-0360", Code: "NP", Display: "Nurse practitioner"}),
		newConcept("Physician Assistant", coding{System: "http://terminology.hl7.org/CodeSystem/v2-0360", Code: "PA", Display: "Physician Assistant"}),
	}
	locPrimaryCare = newConcept("Primary care clinic", coding{System: "http://terminology.hl7.org/CodeSystem/v3-RoleCode", Code: "PC", Display: "primary care clinic"})
	locLab         = newConcept("Hospital laboratory", coding{System: "http://terminology.hl7.org/CodeSystem/v3-RoleCode", Code: "HLAB", Display: "hospital laboratory"})
	locER          = newConcept("Emergency room", coding{System: "http://terminology.hl7.org/CodeSystem/v3-RoleCode", Code: "ER", Display: "Emergency room"})
	orgTypeProv    = newConcept("Healthcare Provider", coding{System: "http://terminology.hl7.org/CodeSystem/organization-type", Code: "prov", Display: "Healthcare Provider"})
	tokTrue        = []string{"true"}
)

type locationJSON struct {
	ResourceType         string            `json:"resourceType"`
	ID                   string            `json:"id"`
	Meta                 meta              `json:"meta"`
	Status               string            `json:"status"`
	Name                 string            `json:"name"`
	Mode                 string            `json:"mode"`
	Type                 []codeableConcept `json:"type"`
	Telecom              []contactPoint    `json:"telecom"`
	Address              address           `json:"address"`
	ManagingOrganization reference         `json:"managingOrganization"`
}

func newClinicalDirectory(cfg ClinicalConfig) *clinicalDirectory {
	nPractices, nHospitals, nPract := directorySizes(cfg.Patients)
	r := NewRand(cfg.Seed, 0xc11a1ca1)
	d := &clinicalDirectory{}
	updated := func() time.Time {
		return cfg.Reference.AddDate(-2, 0, 0).Add(time.Duration(r.IntN(365*24*4)) * 15 * time.Minute)
	}
	mkOrg := func(name string, addr address) (reference, []string) {
		id := r.UUID()
		phone := cityPhone(r, addr.City)
		npi := newNPI(r)
		when := updated()
		o := organizationJSON{
			ResourceType: "Organization", ID: id, Meta: metaFor(when),
			Identifier: []identifier{{System: npiSystem, Value: npi}},
			Active:     true, Type: []codeableConcept{orgTypeProv.cc()}, Name: name,
			Telecom: []contactPoint{{System: "phone", Value: phone, Use: "work"}},
			Address: []address{addr},
		}
		s := map[string][]string{"_id": {id}, "name": lowerAll(name), "identifier": identifierTokens(npiSystem, npi),
			"active": tokTrue, "type": orgTypeProv.tokens, "_lastUpdated": {fhirTime(when)}}
		addressSearch(s, addr)
		d.resources = append(d.resources, Resource{Type: "Organization", ID: id, JSON: mustJSON(o), Search: s, LastUpdated: when})
		return reference{Reference: "Organization/" + id, Display: name}, s["_id"]
	}
	mkLoc := func(name string, typ concept, org reference, addr address) reference {
		id := r.UUID()
		when := updated()
		l := locationJSON{ResourceType: "Location", ID: id, Meta: metaFor(when), Status: "active", Name: name, Mode: "instance",
			Type: []codeableConcept{typ.cc()}, Telecom: []contactPoint{{System: "phone", Value: cityPhone(r, addr.City), Use: "work"}},
			Address: addr, ManagingOrganization: org}
		s := map[string][]string{"_id": {id}, "name": lowerAll(name), "_lastUpdated": {fhirTime(when)}}
		addressSearch(s, addr)
		d.resources = append(d.resources, Resource{Type: "Location", ID: id, JSON: mustJSON(l), Search: s, LastUpdated: when})
		return reference{Reference: "Location/" + id, Display: name}
	}
	workAddress := func(city string) address {
		a := genAddress(r)
		a.Use, a.City, a.State, a.PostalCode = "work", city, stateOf(city), zipIn(r, city)
		return a
	}
	// One general hospital (emergency department and laboratory) per city the practices are
	// in; each practice sends its patients to its city's hospital.
	d.hospitals = make([]practice, nHospitals)
	for i := range d.hospitals {
		city := cities[i%len(cities)].City
		addr := workAddress(city)
		h := &d.hospitals[i]
		h.city = city
		h.org, h.orgID = mkOrg(city+" General Hospital", addr)
		h.clinic = mkLoc(city+" General Hospital Emergency Department", locER, h.org, addr)
		h.clinicID = []string{strings.TrimPrefix(h.clinic.Reference, "Location/")}
		h.labMeasure = mkLoc(city+" General Hospital Laboratory", locLab, h.org, addr)
		h.hospital = h
	}
	d.practices = make([]practice, nPractices)
	for i := range d.practices {
		city := cities[i%len(cities)].City
		name := city + " " + practiceSuffixes[(i/len(cities)+i)%len(practiceSuffixes)]
		addr := workAddress(city)
		p := &d.practices[i]
		p.city, p.hospital = city, &d.hospitals[i%nHospitals]
		p.org, p.orgID = mkOrg(name, addr)
		p.clinic = mkLoc(name+" Clinic", locPrimaryCare, p.org, addr)
		p.clinicID = []string{strings.TrimPrefix(p.clinic.Reference, "Location/")}
		p.labMeasure = p.hospital.labMeasure
	}
	for i := range nPract {
		pr := &d.practices[i%len(d.practices)]
		res, ref, qual := genClinicalPractitioner(r, updated(), workAddress(pr.city))
		d.resources = append(d.resources, res, practitionerRole(r, updated(), ref, res.ID, pr, qual))
		pr.staff = append(pr.staff, len(d.practs))
		d.practs = append(d.practs, practitionerRef{ref: ref, id: []string{res.ID}})
	}
	return d
}

// directorySizes: one practice per 2,500 patients (3 to 40), a hospital per practice city
// (at most one per city), one practitioner per 150 patients (6 to 700).
func directorySizes(patients int) (practices, hospitals, practitioners int) {
	practices = min(max(patients/2500, 3), 40)
	return practices, min(practices, len(cities)), min(max(patients/150, 6), 700)
}

// cityAreaCodes gives each city of the address table its real telephone area code.
var cityAreaCodes = map[string]int{"Springfield": 217, "Portland": 503, "Austin": 512, "Madison": 608,
	"Burlington": 802, "Boise": 208, "Albany": 518, "Tucson": 520, "Raleigh": 919, "Ann Arbor": 734,
	"Fresno": 559, "Savannah": 912}

// cityPhone returns a number in the city's area code and the 555-0100..0199 block reserved
// for fiction, so no generated number belongs to anyone.
func cityPhone(r Rand, city string) string {
	area, ok := cityAreaCodes[city]
	if !ok {
		area = 200 + r.IntN(700)
	}
	return fmt.Sprintf("(%d) 555-%04d", area, 100+r.IntN(100))
}

func genClinicalPractitioner(r Rand, when time.Time, addr address) (Resource, reference, string) {
	gender := Pick(r, []string{"female", "male"})
	given := Pick(r, clinMaleGiven)
	if gender == "female" {
		given = Pick(r, clinFemaleGiven)
	}
	family := Pick(r, clinFamilyNames)
	// Roughly a primary care workforce: 6 in 10 MDs, 1 DO, 2 NPs, 1 PA.
	qual := qualifications[[]int{0, 0, 0, 0, 0, 0, 1, 2, 2, 3}[r.IntN(10)]]
	prefix := []string(nil)
	if qual.Codings[0].Code == "MD" || qual.Codings[0].Code == "DO" {
		prefix = []string{"Dr."}
	}
	id := r.UUID()
	npi := newNPI(r)
	phone := cityPhone(r, addr.City)
	email := strings.ToLower(fmt.Sprintf("%s.%s@clinic.example.org", given, emailName.Replace(family)))
	p := practitionerJSON{
		ResourceType: "Practitioner", ID: id, Meta: metaFor(when),
		Identifier: []identifier{{System: npiSystem, Value: npi}},
		Active:     true,
		Name:       []humanName{{Use: "official", Family: family, Given: []string{given}, Prefix: prefix}},
		Telecom:    []contactPoint{{System: "phone", Value: phone, Use: "work"}, {System: "email", Value: email, Use: "work"}},
		Address:    []address{addr}, Gender: gender,
		Qualification: []qualification{{Code: qual.cc()}},
	}
	s := map[string][]string{
		"_id": {id}, "name": lowerAll(given, family), "family": lowerAll(family), "given": lowerAll(given),
		"identifier": identifierTokens(npiSystem, npi), "active": tokTrue,
		"telecom": {phone, email}, "phone": {phone}, "email": {email}, "_lastUpdated": {fhirTime(when)},
	}
	addressSearch(s, addr)
	display := strings.TrimSpace(strings.Join(prefix, "") + " " + given + " " + family + ", " + qual.Codings[0].Code)
	return Resource{Type: "Practitioner", ID: id, JSON: mustJSON(p), Search: s, LastUpdated: when},
		reference{Reference: "Practitioner/" + id, Display: display}, qual.Codings[0].Code
}

// newNPI returns a National Provider Identifier with a valid check digit: nine digits
// starting with 1 (individuals and organizations alike here) and the Luhn digit computed over
// the "80840" health-industry prefix, as CMS specifies, so clients that verify NPIs accept them.
func newNPI(r Rand) string {
	base := fmt.Sprintf("1%08d", r.IntN(100_000_000))
	return base + string(rune('0'+npiCheckDigit(base)))
}

func npiCheckDigit(base string) int {
	sum := 0
	digits := "80840" + base
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 { // double every other digit, starting with the rightmost
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return (10 - sum%10) % 10
}

type practitionerRoleJSON struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id"`
	Meta         meta              `json:"meta"`
	Active       bool              `json:"active"`
	Practitioner reference         `json:"practitioner"`
	Organization reference         `json:"organization"`
	Code         []codeableConcept `json:"code,omitempty"`
	Specialty    []codeableConcept `json:"specialty"`
	Location     []reference       `json:"location"`
}

func roleCode(code, display string) concept {
	return statusConcept("http://terminology.hl7.org/CodeSystem/practitioner-role", code, display)
}

func nucc(code, display string) concept {
	return newConcept(display, coding{System: "http://nucc.org/provider-taxonomy", Code: code, Display: display})
}

var (
	roleDoctor         = roleCode("doctor", "Doctor")
	roleNurse          = roleCode("nurse", "Nurse")
	specFamilyMedicine = nucc("207Q00000X", "Family Medicine Physician")
	specInternalMed    = nucc("207R00000X", "Internal Medicine Physician")
	specPediatrics     = nucc("208000000X", "Pediatrics Physician")
	specFamilyNP       = nucc("363LF0000X", "Family Nurse Practitioner")
	specPA             = nucc("363A00000X", "Physician Assistant")
)

// practitionerRole says where a practitioner works and as what: the practice, its clinic, the
// role and the NUCC specialty (physicians take the practice's: pediatrics, internal medicine
// or family medicine).
func practitionerRole(r Rand, when time.Time, pract reference, practID string, pr *practice, qual string) Resource {
	id := r.UUID()
	var role *concept
	spec := specFamilyNP
	switch qual {
	case "MD", "DO":
		role, spec = &roleDoctor, specFamilyMedicine
		switch {
		case strings.HasPrefix(pr.org.Display, pr.city+" Pediatrics"):
			spec = specPediatrics
		case strings.HasPrefix(pr.org.Display, pr.city+" Internal Medicine"):
			spec = specInternalMed
		}
	case "NP":
		role = &roleNurse
	case "PA":
		spec = specPA
	}
	pr2 := practitionerRoleJSON{ResourceType: "PractitionerRole", ID: id, Meta: metaFor(when), Active: true,
		Practitioner: pract, Organization: pr.org, Specialty: []codeableConcept{spec.cc()}, Location: []reference{pr.clinic}}
	s := map[string][]string{"_id": {id}, "_lastUpdated": {fhirTime(when)}, "practitioner": {practID},
		"organization": pr.orgID, "specialty": spec.tokens}
	if role != nil {
		pr2.Code = []codeableConcept{role.cc()}
		s["role"] = role.tokens
	}
	return Resource{Type: "PractitionerRole", ID: id, JSON: mustJSON(pr2), Search: s, LastUpdated: when}
}
