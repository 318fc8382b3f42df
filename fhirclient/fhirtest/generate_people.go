package fhirtest

import (
	"fmt"
	"strings"
	"time"
)

var (
	femaleGiven = []string{"Mary", "Patricia", "Jennifer", "Linda", "Elizabeth", "Barbara", "Susan",
		"Jessica", "Sarah", "Karen", "Lisa", "Nancy", "Betty", "Sandra", "Margaret", "Ashley",
		"Kimberly", "Emily", "Donna", "Michelle", "Carmen", "Aisha", "Mei", "Priya", "Sofia", "Olga"}
	maleGiven = []string{"James", "Robert", "John", "Michael", "David", "William", "Richard",
		"Joseph", "Thomas", "Charles", "Christopher", "Daniel", "Matthew", "Anthony", "Mark",
		"Steven", "Andrew", "Joshua", "Kevin", "Brian", "Luis", "Omar", "Wei", "Arjun", "Mateo", "Ivan"}
	familyNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller",
		"Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
		"Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White",
		"Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Nguyen", "Patel", "Kim",
		"O'Brien", "Müller", "Kowalski", "Okafor", "Haddad", "Yamamoto", "Novak"}
	streets = []string{"Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Pine St", "Elm St",
		"Washington Blvd", "Lake Rd", "Hillcrest Ave", "Park Pl", "Sunset Blvd", "River Rd"}
	cities = []struct{ City, State, Zip string }{
		{"Springfield", "IL", "627"}, {"Portland", "OR", "972"}, {"Austin", "TX", "787"},
		{"Madison", "WI", "537"}, {"Burlington", "VT", "054"}, {"Boise", "ID", "837"},
		{"Albany", "NY", "122"}, {"Tucson", "AZ", "857"}, {"Raleigh", "NC", "276"},
		{"Ann Arbor", "MI", "481"}, {"Fresno", "CA", "937"}, {"Savannah", "GA", "314"},
	}
	orgKinds = []struct{ Suffix, Code, Display string }{
		{"Medical Center", "prov", "Healthcare Provider"},
		{"Family Clinic", "prov", "Healthcare Provider"},
		{"Community Health", "prov", "Healthcare Provider"},
		{"Diagnostics Lab", "dept", "Hospital Department"},
		{"Health Plan", "pay", "Payer"},
	}
)

// allGiven is every given name, for middle names.
var allGiven = append(append([]string{}, femaleGiven...), maleGiven...)

// emailName turns a family name into an e-mail local part (O'Brien -> OBrien, Müller ->
// Muller); built once, as building a Replacer costs more than using it.
var emailName = strings.NewReplacer("'", "", "ü", "u")

// identifierTokens is how an identifier is indexed: the bare value and "system|value", so
// that either query form matches (see Resource).
func identifierTokens(system, value string) []string {
	return []string{value, system + "|" + value}
}

// BasicCounts says how many Practitioners and Organizations GenerateBasic makes for a
// number of patients: one practitioner per 10 patients (at least 3), one organization per
// 25 patients (at least 2).
func BasicCounts(patients int) (practitioners, organizations int) {
	return max(3, patients/10), max(2, patients/25)
}

// GenerateBasic builds a deterministic dataset: patients Patients with names, MRN identifiers,
// birth dates, genders, addresses and telecom, each referring to a Practitioner and an
// Organization that also exist. Same seed and count, byte-identical resources.
func GenerateBasic(seed int64, patients int) *Dataset {
	d := NewDataset()
	nPract, nOrg := BasicCounts(patients)
	r := NewRand(seed, 1)
	orgs := make([]reference, nOrg)
	for i := range nOrg {
		res, ref := genOrganization(r, i)
		d.Add(res)
		orgs[i] = ref
	}
	practs := make([]reference, nPract)
	for i := range nPract {
		res, ref := genPractitioner(r, i)
		d.Add(res)
		practs[i] = ref
	}
	for i := range patients {
		d.Add(genPatient(r, i, Pick(r, practs), Pick(r, orgs)))
	}
	return d
}

func genAddress(r Rand) address {
	c := Pick(r, cities)
	return address{
		Use:        "home",
		Line:       []string{fmt.Sprintf("%d %s", 10+r.IntN(9980), Pick(r, streets))},
		City:       c.City,
		State:      c.State,
		PostalCode: fmt.Sprintf("%s%02d", c.Zip, r.IntN(100)),
		Country:    "US",
	}
}

func genPhone(r Rand) string {
	return fmt.Sprintf("(%03d) 555-%04d", 200+r.IntN(700), r.IntN(10000))
}

func addressSearch(s map[string][]string, a address) {
	s["address"] = lowerAll(append(append([]string{}, a.Line...), a.City, a.State, a.PostalCode)...)
	s["address-city"] = lowerAll(a.City)
	s["address-state"] = lowerAll(a.State)
	s["address-postalcode"] = lowerAll(a.PostalCode)
}

func genPatient(r Rand, i int, gp, org reference) Resource {
	gender := Pick(r, []string{"female", "male", "female", "male", "other", "unknown"})
	given := Pick(r, maleGiven)
	if gender == "female" || (gender != "male" && r.IntN(2) == 0) {
		given = Pick(r, femaleGiven)
	}
	middle := Pick(r, allGiven)
	family := Pick(r, familyNames)
	birth := datasetEpoch.AddDate(-1-r.IntN(95), 0, -r.IntN(365))
	addr := genAddress(r)
	phone := genPhone(r)
	email := strings.ToLower(fmt.Sprintf("%s.%s%d@example.org", given,
		emailName.Replace(family), i))
	mrn := fmt.Sprintf("MRN-%07d", 1000+i)
	updated := r.Updated()
	p := patientJSON{
		ResourceType: "Patient",
		ID:           r.UUID(),
		Meta:         metaFor(updated),
		Identifier: []identifier{{
			Use: "usual",
			Type: &codeableConcept{Coding: []coding{{
				System: "http://terminology.hl7.org/CodeSystem/v2-0203", Code: "MR", Display: "Medical record number"}}},
			System: MRNSystem, Value: mrn,
		}},
		Active:  true,
		Name:    []humanName{{Use: "official", Family: family, Given: []string{given, middle}}},
		Telecom: []contactPoint{{System: "phone", Value: phone, Use: "home"}, {System: "email", Value: email, Use: "home"}},
		Gender:  gender, BirthDate: birth.Format(time.DateOnly),
		Address:              []address{addr},
		GeneralPractitioner:  []reference{gp},
		ManagingOrganization: &org,
	}
	s := map[string][]string{
		"_id":                  {p.ID},
		"name":                 lowerAll(given, middle, family),
		"family":               lowerAll(family),
		"given":                lowerAll(given, middle),
		"birthdate":            {p.BirthDate},
		"gender":               {gender},
		"identifier":           identifierTokens(MRNSystem, mrn),
		"telecom":              {phone, email},
		"phone":                {phone},
		"email":                lowerAll(email),
		"active":               {"true"},
		"general-practitioner": {strings.TrimPrefix(gp.Reference, "Practitioner/")},
		"organization":         {strings.TrimPrefix(org.Reference, "Organization/")},
		"_lastUpdated":         {updated.Format(time.RFC3339)},
	}
	addressSearch(s, addr)
	return Resource{Type: "Patient", ID: p.ID, JSON: mustJSON(p), Search: s, LastUpdated: updated}
}

func genPractitioner(r Rand, i int) (Resource, reference) {
	gender := Pick(r, []string{"female", "male"})
	given := Pick(r, maleGiven)
	if gender == "female" {
		given = Pick(r, femaleGiven)
	}
	family := Pick(r, familyNames)
	npi := fmt.Sprintf("1%09d", 100000+i*7919%900000000)
	addr := genAddress(r)
	addr.Use = "work"
	phone := genPhone(r)
	updated := r.Updated()
	p := practitionerJSON{
		ResourceType: "Practitioner", ID: r.UUID(), Meta: metaFor(updated),
		Identifier: []identifier{{System: npiSystem, Value: npi}},
		Active:     true,
		Name:       []humanName{{Use: "official", Family: family, Given: []string{given}, Prefix: []string{"Dr."}}},
		Telecom:    []contactPoint{{System: "phone", Value: phone, Use: "work"}},
		Address:    []address{addr}, Gender: gender,
	}
	s := map[string][]string{
		"_id": {p.ID}, "name": lowerAll(given, family), "family": lowerAll(family), "given": lowerAll(given),
		"identifier": identifierTokens(npiSystem, npi), "active": {"true"},
		"_lastUpdated": {updated.Format(time.RFC3339)},
	}
	addressSearch(s, addr)
	res := Resource{Type: "Practitioner", ID: p.ID, JSON: mustJSON(p), Search: s, LastUpdated: updated}
	return res, reference{Reference: "Practitioner/" + p.ID, Display: "Dr. " + given + " " + family}
}

// taxIDSystem is the identifier system of US employer identification numbers.
const taxIDSystem = "urn:oid:2.16.840.1.113883.4.4"

func genOrganization(r Rand, i int) (Resource, reference) {
	c := Pick(r, cities)
	kind := orgKinds[i%len(orgKinds)]
	name := c.City + " " + kind.Suffix
	addr := genAddress(r)
	addr.Use, addr.City, addr.State = "work", c.City, c.State
	phone := genPhone(r)
	updated := r.Updated()
	taxID := fmt.Sprintf("%02d-%07d", 10+i%89, 1000000+i*104729%9000000)
	o := organizationJSON{
		ResourceType: "Organization", ID: r.UUID(), Meta: metaFor(updated),
		Identifier: []identifier{{System: taxIDSystem, Value: taxID}},
		Active:     true,
		Type: []codeableConcept{{Coding: []coding{{
			System: "http://terminology.hl7.org/CodeSystem/organization-type", Code: kind.Code, Display: kind.Display}}}},
		Name:    name,
		Telecom: []contactPoint{{System: "phone", Value: phone, Use: "work"}},
		Address: []address{addr},
	}
	s := map[string][]string{
		"_id": {o.ID}, "name": lowerAll(name), "identifier": identifierTokens(taxIDSystem, taxID),
		"active": {"true"}, "type": {kind.Code}, "_lastUpdated": {updated.Format(time.RFC3339)},
	}
	addressSearch(s, addr)
	res := Resource{Type: "Organization", ID: o.ID, JSON: mustJSON(o), Search: s, LastUpdated: updated}
	return res, reference{Reference: "Organization/" + o.ID, Display: name}
}
