package summary

import "strconv"

// Layouts for the rest of the types OpenEMR serves (its 7.0.4 type list),
// so a real server's results read as well as the demo's.
func init() {
	more := map[string]layout{
		"DocumentReference": {
			cols: []Column{col("Type", 28), col("Status", 10), col("Date", 16), col("Content", 22), col("Subject", 22)},
			cells: func(r node) []string {
				att := r.get("content").at(0).get("attachment")
				content := att.get("title").str()
				if content == "" {
					content = att.get("contentType").str()
				}
				return []string{concept(r.get("type")), r.get("status").str(), dateTime(r.get("date").str()),
					content, reference(r.get("subject"))}
			},
		},
		"Appointment": {
			cols: []Column{col("Start", 16), col("End", 16), col("Status", 11), col("Type", 22), col("Participant", 22)},
			cells: func(r node) []string {
				typ := concept(r.get("appointmentType"))
				if typ == "" {
					typ = concept(r.get("serviceType"))
				}
				if typ == "" {
					typ = r.get("description").str()
				}
				return []string{dateTime(r.get("start").str()), dateTime(r.get("end").str()), r.get("status").str(),
					typ, reference(r.get("participant").at(0).get("actor"))}
			},
		},
		"CarePlan": {
			cols: []Column{col("Title", 28), col("Status", 10), col("Intent", 10), col("Period", 35), col("Subject", 22)},
			cells: func(r node) []string {
				title := r.get("title").str()
				if title == "" {
					title = concept(r.get("category"))
				}
				return []string{title, r.get("status").str(), r.get("intent").str(), period(r.get("period")), reference(r.get("subject"))}
			},
		},
		"CareTeam": {
			cols: []Column{col("Name", 28), col("Status", 10), col("Members", 10), col("Subject", 22)},
			cells: func(r node) []string {
				return []string{r.get("name").str(), r.get("status").str(), count(r.get("participant"), "member"), reference(r.get("subject"))}
			},
		},
		"Goal": {
			cols: []Column{col("Goal", 32), col("Lifecycle", 12), col("Start", 16), col("Subject", 22)},
			cells: func(r node) []string {
				return []string{concept(r.get("description")), r.get("lifecycleStatus").str(), when(r, "start", ""), reference(r.get("subject"))}
			},
		},
		"Coverage": {
			cols: []Column{col("Payor", 26), col("Status", 10), col("Type", 18), col("Period", 35), col("Beneficiary", 22)},
			cells: func(r node) []string {
				return []string{reference(r.get("payor")), r.get("status").str(), concept(r.get("type")),
					period(r.get("period")), reference(r.get("beneficiary"))}
			},
		},
		"PractitionerRole": {
			cols: []Column{col("Practitioner", 24), col("Organization", 24), col("Role", 18), col("Specialty", 20)},
			cells: func(r node) []string {
				return []string{reference(r.get("practitioner")), reference(r.get("organization")), concept(r.get("code")), concept(r.get("specialty"))}
			},
		},
		"ServiceRequest": {
			cols: []Column{col("Code", 30), col("Status", 10), col("Intent", 10), col("Authored", 16), col("Subject", 22)},
			cells: func(r node) []string {
				return []string{concept(r.get("code")), r.get("status").str(), r.get("intent").str(),
					dateTime(r.get("authoredOn").str()), reference(r.get("subject"))}
			},
		},
		"RelatedPerson": {
			cols: []Column{col("Name", 26), col("Relationship", 18), col("Gender", 8), col("Patient", 22)},
			cells: func(r node) []string {
				return []string{humanName(r.get("name")), concept(r.get("relationship")), r.get("gender").str(), reference(r.get("patient"))}
			},
		},
		"Person": {
			cols: []Column{col("Name", 26), col("Gender", 8), col("Birth date", 10), col("Phone", 16)},
			cells: func(r node) []string {
				return []string{humanName(r.get("name")), r.get("gender").str(), r.get("birthDate").str(), telecom(r.get("telecom"), "phone")}
			},
		},
		"Medication": {
			cols: []Column{col("Code", 34), col("Status", 10), col("Form", 18)},
			cells: func(r node) []string {
				return []string{concept(r.get("code")), r.get("status").str(), concept(r.get("form"))}
			},
		},
		"MedicationDispense": {
			cols: []Column{col("Medication", 32), col("Status", 11), col("Handed over", 16), col("Subject", 22)},
			cells: func(r node) []string {
				return []string{choice(r, "medication"), r.get("status").str(), dateTime(r.get("whenHandedOver").str()), reference(r.get("subject"))}
			},
		},
		"Device": {
			cols: []Column{col("Type", 28), col("Status", 10), col("UDI", 22), col("Patient", 22)},
			cells: func(r node) []string {
				typ := concept(r.get("type"))
				if typ == "" {
					typ = r.get("deviceName").at(0).get("name").str()
				}
				udi := r.get("udiCarrier").at(0)
				id := udi.get("deviceIdentifier").str()
				if id == "" {
					id = udi.get("carrierHRF").str()
				}
				return []string{typ, r.get("status").str(), id, reference(r.get("patient"))}
			},
		},
		"Specimen": {
			cols: []Column{col("Type", 28), col("Status", 11), col("Collected", 16), col("Subject", 22)},
			cells: func(r node) []string {
				return []string{concept(r.get("type")), r.get("status").str(), when(r.get("collection"), "collected", ""), reference(r.get("subject"))}
			},
		},
		"QuestionnaireResponse": {
			cols: []Column{col("Questionnaire", 30), col("Status", 11), col("Authored", 16), col("Subject", 22)},
			cells: func(r node) []string {
				return []string{r.get("questionnaire").str(), r.get("status").str(), dateTime(r.get("authored").str()), reference(r.get("subject"))}
			},
		},
		"Provenance": {
			cols: []Column{col("Target", 30), col("Recorded", 16), col("Agent", 22), col("Activity", 16)},
			cells: func(r node) []string {
				return []string{reference(r.get("target")), dateTime(r.get("recorded").str()),
					reference(r.get("agent").at(0).get("who")), concept(r.get("activity"))}
			},
		},
		"Bundle": {
			cols: []Column{col("Type", 14), col("Total", 8), col("Entries", 10), col("Timestamp", 16)},
			cells: func(r node) []string {
				stamp := r.get("timestamp").str()
				if stamp == "" {
					stamp = r.path("meta", "lastUpdated").str()
				}
				return []string{r.get("type").str(), r.get("total").str(), count(r.get("entry"), "entry"), dateTime(stamp)}
			},
		},
		"OperationOutcome": {
			cols: []Column{col("Severity", 9), col("Code", 14), col("Diagnostics", 50)},
			cells: func(r node) []string {
				issue := r.get("issue").at(0)
				return []string{issue.get("severity").str(), issue.get("code").str(), outcomeText(r)}
			},
		},
		"Group": {
			cols: []Column{col("Name", 28), col("Type", 12), col("Actual", 7), col("Members", 10)},
			cells: func(r node) []string {
				n := r.get("quantity").str()
				if n == "" {
					n = count(r.get("member"), "member")
				}
				return []string{r.get("name").str(), r.get("type").str(), r.get("actual").str(), n}
			},
		},
	}
	for typ, l := range more {
		layouts[typ] = l
	}
}

// count gives "3 members" for an array (a single value counts as one).
func count(arr node, unit string) string {
	n := 0
	arr.each(func(node) bool { n++; return true })
	if n == 0 {
		return ""
	}
	if n != 1 {
		unit = plural(unit)
	}
	return strconv.Itoa(n) + " " + unit
}

// outcomeText gives an OperationOutcome's first issue: its diagnostics,
// else its details, else its code.
func outcomeText(r node) string {
	issue := r.get("issue").at(0)
	if d := issue.get("diagnostics").str(); d != "" {
		return d
	}
	if d := concept(issue.get("details")); d != "" {
		return d
	}
	return issue.get("code").str()
}

func plural(unit string) string {
	if len(unit) > 1 && unit[len(unit)-1] == 'y' {
		return unit[:len(unit)-1] + "ies"
	}
	return unit + "s"
}
