package fhirtest

// Curated terminology for the clinical generator: a modest table of common conditions, labs,
// vital signs, medications, vaccines, allergens and procedures, each with its real code and
// display from SNOMED CT, LOINC, RxNorm, CVX or ICD-10-CM, so that clients exercising code
// searches and displays see what a real chart holds.

const (
	sysSNOMED  = "http://snomed.info/sct"
	sysLOINC   = "http://loinc.org"
	sysRxNorm  = "http://www.nlm.nih.gov/research/umls/rxnorm"
	sysCVX     = "http://hl7.org/fhir/sid/cvx"
	sysICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
	sysUCUM    = "http://unitsofmeasure.org"
	sysOMB     = "urn:oid:2.16.840.1.113883.6.238"
)

// concept is a coded value with its search tokens precomputed: every resource using the
// concept shares one tokens slice ("code" and "system|code" per coding), which keeps 100,000
// patients' search indexes from allocating per resource.
type concept struct {
	Codings []coding
	Text    string
	tokens  []string
}

func newConcept(text string, codings ...coding) concept {
	c := concept{Codings: codings, Text: text}
	for _, cd := range codings {
		c.tokens = append(c.tokens, cd.Code, cd.System+"|"+cd.Code)
	}
	return c
}

func (c concept) cc() codeableConcept { return codeableConcept{Coding: c.Codings, Text: c.Text} }

func sct(code, display string) coding { return coding{System: sysSNOMED, Code: code, Display: display} }
func loinc(code, display string) coding {
	return coding{System: sysLOINC, Code: code, Display: display}
}
func icd10(code, display string) coding {
	return coding{System: sysICD10CM, Code: code, Display: display}
}

// conditionDef is a diagnosis: SNOMED CT first (US Core), ICD-10-CM as OpenEMR bills it.
type conditionDef struct {
	Key  string
	Code concept
}

func conditionCode(key, text, snomed, snomedDisplay, icd, icdDisplay string) conditionDef {
	return conditionDef{Key: key, Code: newConcept(text, sct(snomed, snomedDisplay), icd10(icd, icdDisplay))}
}

// Chronic conditions; the generator picks them by age and sex (clinical_patient.go).
var chronicConditions = map[string]conditionDef{}

func init() {
	for _, c := range []conditionDef{
		conditionCode("htn", "Essential hypertension", "59621000", "Essential hypertension (disorder)", "I10", "Essential (primary) hypertension"),
		conditionCode("hld", "Hyperlipidemia", "55822004", "Hyperlipidemia (disorder)", "E78.5", "Hyperlipidemia, unspecified"),
		conditionCode("t2dm", "Type 2 diabetes mellitus", "44054006", "Diabetes mellitus type 2 (disorder)", "E11.9", "Type 2 diabetes mellitus without complications"),
		conditionCode("prediabetes", "Prediabetes", "15777000", "Prediabetes (finding)", "R73.03", "Prediabetes"),
		conditionCode("asthma", "Asthma", "195967001", "Asthma (disorder)", "J45.909", "Unspecified asthma, uncomplicated"),
		conditionCode("copd", "Chronic obstructive pulmonary disease", "13645005", "Chronic obstructive lung disease (disorder)", "J44.9", "Chronic obstructive pulmonary disease, unspecified"),
		conditionCode("depression", "Depressive disorder", "35489007", "Depressive disorder (disorder)", "F32.9", "Major depressive disorder, single episode, unspecified"),
		conditionCode("anxiety", "Anxiety disorder", "197480006", "Anxiety disorder (disorder)", "F41.9", "Anxiety disorder, unspecified"),
		conditionCode("hypothyroid", "Hypothyroidism", "40930008", "Hypothyroidism (disorder)", "E03.9", "Hypothyroidism, unspecified"),
		conditionCode("gerd", "Gastroesophageal reflux disease", "235595009", "Gastroesophageal reflux disease (disorder)", "K21.9", "Gastro-esophageal reflux disease without esophagitis"),
		conditionCode("obesity", "Obesity", "414916001", "Obesity (disorder)", "E66.9", "Obesity, unspecified"),
		conditionCode("afib", "Atrial fibrillation", "49436004", "Atrial fibrillation (disorder)", "I48.91", "Unspecified atrial fibrillation"),
		conditionCode("cad", "Coronary artery disease", "53741008", "Coronary arteriosclerosis (disorder)", "I25.10", "Atherosclerotic heart disease of native coronary artery without angina pectoris"),
		conditionCode("chf", "Heart failure", "84114007", "Heart failure (disorder)", "I50.9", "Heart failure, unspecified"),
		conditionCode("ckd", "Chronic kidney disease", "709044004", "Chronic kidney disease (disorder)", "N18.9", "Chronic kidney disease, unspecified"),
		conditionCode("oa_knee", "Osteoarthritis of knee", "239873007", "Osteoarthritis of knee (disorder)", "M17.9", "Osteoarthritis of knee, unspecified"),
		conditionCode("osteoporosis", "Osteoporosis", "64859006", "Osteoporosis (disorder)", "M81.0", "Age-related osteoporosis without current pathological fracture"),
		conditionCode("migraine", "Migraine", "37796009", "Migraine (disorder)", "G43.909", "Migraine, unspecified, not intractable, without status migrainosus"),
		conditionCode("osa", "Obstructive sleep apnea", "78275009", "Obstructive sleep apnea syndrome (disorder)", "G47.33", "Obstructive sleep apnea (adult) (pediatric)"),
		conditionCode("lbp", "Low back pain", "279039007", "Low back pain (finding)", "M54.50", "Low back pain, unspecified"),
		conditionCode("anemia", "Anemia", "271737000", "Anemia (disorder)", "D64.9", "Anemia, unspecified"),
	} {
		chronicConditions[c.Key] = c
	}
}

// acuteDef is a self-limited problem seen at a sick visit, with what is usually done for it.
type acuteDef struct {
	Cond      conditionDef
	MinAge    int
	MaxAge    int
	Meds      []string // keys into medications; one is prescribed (or none when empty)
	Procedure string   // key into procedures, done at the visit ("" for none)
	Fever     bool
}

var acuteProblems = []acuteDef{
	{Cond: conditionCode("sinusitis", "Viral sinusitis", "444814009", "Viral sinusitis (disorder)", "J01.90", "Acute sinusitis, unspecified"), MinAge: 5, MaxAge: 120, Meds: []string{"acetaminophen", "amox_clav"}},
	{Cond: conditionCode("pharyngitis", "Acute viral pharyngitis", "195662009", "Acute viral pharyngitis (disorder)", "J02.9", "Acute pharyngitis, unspecified"), MinAge: 3, MaxAge: 120, Meds: []string{"acetaminophen", "ibuprofen"}, Procedure: "throat_culture", Fever: true},
	{Cond: conditionCode("strep", "Streptococcal sore throat", "43878008", "Streptococcal sore throat (disorder)", "J02.0", "Streptococcal pharyngitis"), MinAge: 3, MaxAge: 60, Meds: []string{"amoxicillin"}, Procedure: "throat_culture", Fever: true},
	{Cond: conditionCode("bronchitis", "Acute bronchitis", "10509002", "Acute bronchitis (disorder)", "J20.9", "Acute bronchitis, unspecified"), MinAge: 1, MaxAge: 120, Meds: []string{"acetaminophen"}, Procedure: "chest_xray"},
	{Cond: conditionCode("otitis", "Otitis media", "65363002", "Otitis media (disorder)", "H66.90", "Otitis media, unspecified, unspecified ear"), MinAge: 0, MaxAge: 12, Meds: []string{"amoxicillin"}, Fever: true},
	{Cond: conditionCode("uti", "Urinary tract infection", "68566005", "Urinary tract infectious disease (disorder)", "N39.0", "Urinary tract infection, site not specified"), MinAge: 12, MaxAge: 120},
	{Cond: conditionCode("ankle_sprain", "Sprain of ankle", "44465007", "Sprain of ankle (disorder)", "S93.409A", "Sprain of unspecified ligament of unspecified ankle, initial encounter"), MinAge: 8, MaxAge: 80, Meds: []string{"ibuprofen"}},
	{Cond: conditionCode("pneumonia", "Pneumonia", "233604007", "Pneumonia (disorder)", "J18.9", "Pneumonia, unspecified organism"), MinAge: 1, MaxAge: 120, Meds: []string{"amox_clav"}, Procedure: "chest_xray", Fever: true},
}

// medicationDef is an RxNorm clinical drug (SCD) with a usual sig.
type medicationDef struct {
	Code      concept
	Sig       string
	PerDay    int    // doses per day (timing.repeat.frequency with period 1 d)
	DoseUnit  string // UCUM-ish unit of one dose ("{tbl}", "{puff}", "{cap}")
	DoseCount float64
	Days      int  // course length for acute meds; 0 = chronic (active until stopped)
	PRN       bool // as needed
}

func rx(code, display string) concept {
	return newConcept(display, coding{System: sysRxNorm, Code: code, Display: display})
}

var medications = map[string]medicationDef{
	"lisinopril":    {Code: rx("314076", "lisinopril 10 MG Oral Tablet"), Sig: "Take 1 tablet by mouth once daily", PerDay: 1, DoseUnit: "{tbl}", DoseCount: 1},
	"amlodipine":    {Code: rx("197361", "amlodipine 5 MG Oral Tablet"), Sig: "Take 1 tablet by mouth once daily", PerDay: 1, DoseUnit: "{tbl}", DoseCount: 1},
	"hctz":          {Code: rx("310798", "hydrochlorothiazide 25 MG Oral Tablet"), Sig: "Take 1 tablet by mouth every morning", PerDay: 1, DoseUnit: "{tbl}", DoseCount: 1},
	"metformin":     {Code: rx("860975", "24 HR metformin hydrochloride 500 MG Extended Release Oral Tablet"), Sig: "Take 1 tablet by mouth with the evening meal", PerDay: 1, DoseUnit: "{tbl}", DoseCount: 1},
	"atorvastatin":  {Code: rx("259255", "atorvastatin 80 MG Oral Tablet"), Sig: "Take 1 tablet by mouth at bedtime", PerDay: 1, DoseUnit: "{tbl}", DoseCount: 1},
	"simvastatin":   {Code: rx("312961", "simvastatin 20 MG Oral Tablet"), Sig: "Take 1 tablet by mouth at bedtime", PerDay: 1, DoseUnit: "{tbl}", DoseCount: 1},
	"albuterol":     {Code: rx("745679", "200 ACTUAT albuterol 0.09 MG/ACTUAT Metered Dose Inhaler"), Sig: "Inhale 2 puffs every 4 to 6 hours as needed for wheezing", PerDay: 4, DoseUnit: "{puff}", DoseCount: 2, PRN: true},
	"fluticasone":   {Code: rx("895994", "120 ACTUAT fluticasone propionate 0.044 MG/ACTUAT Metered Dose Inhaler"), Sig: "Inhale 2 puffs twice daily; rinse mouth after use", PerDay: 2, DoseUnit: "{puff}", DoseCount: 2},
	"levothyroxine": {Code: rx("966222", "levothyroxine sodium 0.075 MG Oral Tablet"), Sig: "Take 1 tablet by mouth every morning on an empty stomach", PerDay: 1, DoseUnit: "{tbl}", DoseCount: 1},
	"warfarin":      {Code: rx("855332", "warfarin sodium 5 MG Oral Tablet"), Sig: "Take 1 tablet by mouth once daily or as directed by INR", PerDay: 1, DoseUnit: "{tbl}", DoseCount: 1},
	"aspirin":       {Code: rx("243670", "aspirin 81 MG Oral Tablet"), Sig: "Take 1 tablet by mouth once daily", PerDay: 1, DoseUnit: "{tbl}", DoseCount: 1},
	"amoxicillin":   {Code: rx("308182", "amoxicillin 250 MG Oral Capsule"), Sig: "Take 2 capsules by mouth twice daily for 10 days", PerDay: 2, DoseUnit: "{cap}", DoseCount: 2, Days: 10},
	"amox_clav":     {Code: rx("562251", "amoxicillin 250 MG / clavulanate 125 MG Oral Tablet"), Sig: "Take 1 tablet by mouth every 8 hours for 7 days", PerDay: 3, DoseUnit: "{tbl}", DoseCount: 1, Days: 7},
	"ibuprofen":     {Code: rx("310965", "ibuprofen 200 MG Oral Tablet"), Sig: "Take 2 tablets by mouth every 6 hours as needed for pain", PerDay: 4, DoseUnit: "{tbl}", DoseCount: 2, Days: 10, PRN: true},
	"acetaminophen": {Code: rx("313782", "acetaminophen 325 MG Oral Tablet"), Sig: "Take 2 tablets by mouth every 6 hours as needed for fever or pain", PerDay: 4, DoseUnit: "{tbl}", DoseCount: 2, Days: 7, PRN: true},
}

// Which chronic condition is treated with which medications (in order of preference).
var chronicTreatment = map[string][]string{
	"htn":         {"lisinopril", "amlodipine", "hctz"},
	"hld":         {"atorvastatin", "simvastatin"},
	"t2dm":        {"metformin"},
	"asthma":      {"albuterol", "fluticasone"},
	"copd":        {"albuterol"},
	"hypothyroid": {"levothyroxine"},
	"afib":        {"warfarin"},
	"cad":         {"aspirin"},
	"oa_knee":     {"acetaminophen"},
}

// vaccineDef is a CVX vaccine and the year it came into use in the US (so that a dataset
// with an early ClinicalConfig.Reference has no anachronisms).
type vaccineDef struct {
	Code  concept
	Since int
}

func cvx(code, display string, since int) vaccineDef {
	return vaccineDef{Code: newConcept(display, coding{System: sysCVX, Code: code, Display: display}), Since: since}
}

var vaccines = map[string]vaccineDef{
	"flu":     cvx("140", "Influenza, seasonal, injectable, preservative free", 2003),
	"covid":   cvx("208", "SARS-COV-2 (COVID-19) vaccine, mRNA, spike protein, LNP, preservative free, 30 mcg/0.3mL dose", 2021),
	"tdap":    cvx("115", "Tdap", 2005),
	"td":      cvx("113", "Td (adult) preservative free", 1992),
	"zoster":  cvx("187", "zoster vaccine recombinant", 2018),
	"pcv13":   cvx("133", "Pneumococcal conjugate PCV 13", 2010),
	"ppsv23":  cvx("33", "pneumococcal polysaccharide vaccine, 23 valent", 1983),
	"hpv":     cvx("62", "HPV, quadrivalent", 2006),
	"mcv4":    cvx("114", "meningococcal MCV4P", 2005),
	"hepb":    cvx("08", "Hep B, adolescent or pediatric", 1981),
	"dtap":    cvx("20", "DTaP", 1997),
	"ipv":     cvx("10", "IPV", 1955),
	"hib":     cvx("49", "Hib (PRP-OMP)", 1989),
	"mmr":     cvx("03", "MMR", 1971),
	"varicel": cvx("21", "varicella", 1995),
	"hepa":    cvx("83", "Hep A, ped/adol, 2 dose", 1995),
	"rota":    cvx("119", "rotavirus, monovalent", 2008),
}

// childhoodSchedule: vaccine key and age in months (CDC routine schedule, simplified).
var childhoodSchedule = []struct {
	Vaccine string
	Months  int
}{
	{"hepb", 0}, {"hepb", 1}, {"dtap", 2}, {"ipv", 2}, {"hib", 2}, {"pcv13", 2}, {"rota", 2},
	{"dtap", 4}, {"ipv", 4}, {"hib", 4}, {"pcv13", 4}, {"rota", 4}, {"hepb", 6}, {"dtap", 6},
	{"pcv13", 6}, {"ipv", 6}, {"mmr", 12}, {"varicel", 12}, {"hepa", 12}, {"hib", 12}, {"pcv13", 12},
	{"dtap", 15}, {"hepa", 24}, {"dtap", 48}, {"ipv", 48}, {"mmr", 48}, {"varicel", 48},
	{"tdap", 132}, {"mcv4", 132}, {"hpv", 132}, {"hpv", 138}, {"mcv4", 192},
}

// allergenDef is a substance a patient reacts to.
type allergenDef struct {
	Code        concept
	Category    string // food | medication | environment
	Criticality string
	Reactions   []concept
}

var (
	reactionHives     = newConcept("Hives", sct("247472004", "Wheal (finding)"))
	reactionRash      = newConcept("Skin rash", sct("271807003", "Eruption of skin (disorder)"))
	reactionAnaphylax = newConcept("Anaphylaxis", sct("39579001", "Anaphylaxis (disorder)"))
	reactionSneezing  = newConcept("Sneezing", sct("76067001", "Sneezing (finding)"))
	reactionItching   = newConcept("Itching", sct("418290006", "Itching (finding)"))
	reactionDyspnea   = newConcept("Shortness of breath", sct("267036007", "Dyspnea (finding)"))
	reactionNausea    = newConcept("Nausea", sct("422587007", "Nausea (finding)"))
	reactionCough     = newConcept("Cough", sct("49727002", "Cough (finding)"))
)

var allergens = []allergenDef{
	{Code: newConcept("Peanut", sct("762952008", "Peanut (substance)")), Category: "food", Criticality: "high", Reactions: []concept{reactionHives, reactionAnaphylax}},
	{Code: newConcept("Shellfish", sct("735029006", "Shellfish (substance)")), Category: "food", Criticality: "high", Reactions: []concept{reactionHives, reactionNausea}},
	{Code: newConcept("Eggs", sct("102263004", "Eggs (edible) (substance)")), Category: "food", Criticality: "low", Reactions: []concept{reactionRash, reactionNausea}},
	{Code: newConcept("Grass pollen", sct("256277009", "Grass pollen (substance)")), Category: "environment", Criticality: "low", Reactions: []concept{reactionSneezing, reactionItching}},
	{Code: newConcept("House dust mite", sct("260147004", "House dust mite (organism)")), Category: "environment", Criticality: "low", Reactions: []concept{reactionSneezing, reactionCough}},
	{Code: newConcept("Animal dander", sct("264287008", "Animal dander (substance)")), Category: "environment", Criticality: "low", Reactions: []concept{reactionSneezing, reactionDyspnea}},
	{Code: newConcept("Mold", sct("84489001", "Mold (organism)")), Category: "environment", Criticality: "low", Reactions: []concept{reactionCough, reactionSneezing}},
	{Code: newConcept("Latex", sct("111088007", "Latex (substance)")), Category: "environment", Criticality: "high", Reactions: []concept{reactionHives, reactionItching}},
	{Code: rx("7980", "penicillin G"), Category: "medication", Criticality: "high", Reactions: []concept{reactionHives, reactionAnaphylax}},
	{Code: rx("10180", "sulfamethoxazole"), Category: "medication", Criticality: "low", Reactions: []concept{reactionRash}},
	{Code: rx("2670", "codeine"), Category: "medication", Criticality: "low", Reactions: []concept{reactionNausea, reactionItching}},
	{Code: rx("1191", "aspirin"), Category: "medication", Criticality: "low", Reactions: []concept{reactionHives, reactionDyspnea}},
}

var procedures = map[string]concept{
	"med_reconciliation": newConcept("Medication reconciliation", sct("430193006", "Medication reconciliation (procedure)")),
	"depression_screen":  newConcept("Depression screening", sct("171207006", "Depression screening (procedure)")),
	"colonoscopy":        newConcept("Colonoscopy", sct("73761001", "Colonoscopy (procedure)")),
	"mammography":        newConcept("Screening mammography", sct("24623002", "Screening mammography (procedure)")),
	"ecg":                newConcept("Electrocardiogram", sct("29303009", "Electrocardiographic procedure (procedure)")),
	"spirometry":         newConcept("Spirometry", sct("127783003", "Spirometry (procedure)")),
	"throat_culture":     newConcept("Throat culture", sct("117015009", "Throat culture (procedure)")),
	"chest_xray":         newConcept("Chest X-ray", sct("399208008", "Plain X-ray of chest (procedure)")),
}

// Encounter kinds: class (v3-ActCode) and type (SNOMED CT).
var (
	encCheckup   = newConcept("Encounter for check up", sct("185349003", "Encounter for check up (procedure)"))
	encWellChild = newConcept("Well child visit", sct("410620009", "Well child visit (procedure)"))
	encSymptom   = newConcept("Encounter for symptom", sct("185345009", "Encounter for symptom (procedure)"))
	encEmergency = newConcept("Emergency room admission", sct("50849002", "Emergency room admission (procedure)"))
	encFollowUp  = newConcept("Follow-up encounter", sct("390906007", "Follow-up encounter (procedure)"))
	classAMB     = coding{System: "http://terminology.hl7.org/CodeSystem/v3-ActCode", Code: "AMB", Display: "ambulatory"}
	classEMER    = coding{System: "http://terminology.hl7.org/CodeSystem/v3-ActCode", Code: "EMER", Display: "emergency"}
)

// OMB race and ethnicity categories (US Core), with rough US proportions in percent.
var (
	raceCategories = []struct {
		Code, Display string
		Pct           int
	}{
		{"2106-3", "White", 60}, {"2054-5", "Black or African American", 13}, {"2028-9", "Asian", 6},
		{"1002-5", "American Indian or Alaska Native", 1}, {"2076-8", "Native Hawaiian or Other Pacific Islander", 1},
		{"2131-1", "Other Race", 19},
	}
	ethnicityHispanic    = coding{System: sysOMB, Code: "2135-2", Display: "Hispanic or Latino"}
	ethnicityNotHispanic = coding{System: sysOMB, Code: "2186-5", Display: "Not Hispanic or Latino"}
)
