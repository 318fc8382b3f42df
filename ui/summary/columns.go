package summary

import "strings"

// Column describes one results-table column.
type Column struct {
	Title string
	Width int // preferred width in cells; the table may shrink or grow it
}

// layout is the columns of one resource type and how to fill them.
type layout struct {
	cols  []Column
	cells func(res node) []string // without the trailing ID cell
}

// idColumn ends every layout: the id is what a user types to read or
// reference a resource again.
var idColumn = Column{Title: "ID", Width: 36}

func col(title string, width int) Column { return Column{Title: title, Width: width} }

var layouts = map[string]layout{
	"Patient": {
		cols: []Column{col("Name", 26), col("Gender", 8), col("Birth date", 10), col("MRN", 14)},
		cells: func(r node) []string {
			return []string{humanName(r.get("name")), r.get("gender").str(), r.get("birthDate").str(), mrn(r.get("identifier"))}
		},
	},
	"Observation": {
		cols: []Column{col("Code", 30), col("Value", 20), col("Date", 16), col("Subject", 22), col("Status", 10)},
		cells: func(r node) []string {
			return []string{concept(r.get("code")), observationValue(r), when(r, "effective", "issued"),
				reference(r.get("subject")), r.get("status").str()}
		},
	},
	"Encounter": {
		cols: []Column{col("Type", 28), col("Period", 35), col("Status", 11), col("Class", 12), col("Subject", 22)},
		cells: func(r node) []string {
			return []string{concept(r.get("type")), period(r.get("period")), r.get("status").str(),
				coding(r.get("class").at(0)), reference(r.get("subject"))}
		},
	},
	"Condition": {
		cols: []Column{col("Code", 32), col("Clinical status", 15), col("Onset", 16), col("Category", 18), col("Subject", 22)},
		cells: func(r node) []string {
			return []string{concept(r.get("code")), concept(r.get("clinicalStatus")), when(r, "onset", "recordedDate"),
				concept(r.get("category")), reference(r.get("subject"))}
		},
	},
	"MedicationRequest": {
		cols: []Column{col("Medication", 32), col("Status", 10), col("Intent", 10), col("Authored", 16), col("Subject", 22)},
		cells: func(r node) []string {
			return []string{choice(r, "medication"), r.get("status").str(), r.get("intent").str(),
				dateTime(r.get("authoredOn").str()), reference(r.get("subject"))}
		},
	},
	"AllergyIntolerance": {
		cols: []Column{col("Substance", 28), col("Clinical status", 15), col("Criticality", 11), col("Reaction", 20), col("Patient", 22)},
		cells: func(r node) []string {
			return []string{concept(r.get("code")), concept(r.get("clinicalStatus")), r.get("criticality").str(),
				concept(r.get("reaction").at(0).get("manifestation")), reference(r.get("patient"))}
		},
	},
	"Immunization": {
		cols: []Column{col("Vaccine", 30), col("Status", 11), col("Date", 16), col("Patient", 22)},
		cells: func(r node) []string {
			return []string{concept(r.get("vaccineCode")), r.get("status").str(), when(r, "occurrence", "recorded"),
				reference(r.get("patient"))}
		},
	},
	"Procedure": {
		cols: []Column{col("Code", 32), col("Status", 11), col("Performed", 16), col("Subject", 22)},
		cells: func(r node) []string {
			return []string{concept(r.get("code")), r.get("status").str(), when(r, "performed", ""),
				reference(r.get("subject"))}
		},
	},
	"DiagnosticReport": {
		cols: []Column{col("Code", 32), col("Status", 11), col("Effective", 16), col("Category", 16), col("Subject", 22)},
		cells: func(r node) []string {
			return []string{concept(r.get("code")), r.get("status").str(), when(r, "effective", "issued"),
				concept(r.get("category")), reference(r.get("subject"))}
		},
	},
	"Practitioner": {
		cols: []Column{col("Name", 26), col("NPI", 12), col("Phone", 16), col("Address", 22)},
		cells: func(r node) []string {
			return []string{humanName(r.get("name")), identifierWith(r.get("identifier"), "http://hl7.org/fhir/sid/us-npi", "NPI"),
				telecom(r.get("telecom"), "phone"), address(r.get("address"))}
		},
	},
	"Organization": {
		cols: []Column{col("Name", 30), col("Type", 20), col("Phone", 16), col("Address", 22)},
		cells: func(r node) []string {
			return []string{r.get("name").str(), concept(r.get("type")), telecom(r.get("telecom"), "phone"), address(r.get("address"))}
		},
	},
	"Location": {
		cols: []Column{col("Name", 30), col("Status", 10), col("Type", 18), col("Address", 22)},
		cells: func(r node) []string {
			return []string{r.get("name").str(), r.get("status").str(), concept(r.get("type")), address(r.get("address"))}
		},
	},
}

// genericLayout serves every type without its own layout.
var genericLayout = layout{
	cols: []Column{col("Last updated", 16), col("Summary", 48)},
	cells: func(r node) []string {
		return []string{dateTime(r.path("meta", "lastUpdated").str()), genericSummary(r)}
	},
}

// mrn finds the medical record number: the identifier typed MR, else the
// one OpenEMR types PT (its patient id), else the first identifier that is
// not typed as a national or driver's licence number (never show an SSN as
// an MRN).
func mrn(ids node) string {
	if v := identifierWith(ids, "", "MR"); v != "" {
		return v
	}
	if v := identifierWith(ids, "", "PT"); v != "" {
		return v
	}
	var out string
	ids.each(func(id node) bool {
		sensitive := false
		id.path("type", "coding").each(func(c node) bool {
			switch c.get("code").str() {
			case "SS", "SB", "DL", "PPN", "TAX":
				sensitive = true
			}
			return !sensitive
		})
		if !sensitive && !strings.Contains(id.get("system").str(), "us-ssn") {
			out = id.get("value").str()
		}
		return out == ""
	})
	return out
}

// when reads a date from a choice element (effective[x], onset[x], ...),
// falling back to a plain date member.
func when(r node, prefix, fallback string) string {
	if s := choice(r, prefix); s != "" {
		return s
	}
	if fallback == "" {
		return ""
	}
	return dateTime(r.get(fallback).str())
}

// genericSummary gives something that names the resource: its name, title,
// code or description, else its narrative text without markup.
func genericSummary(r node) string {
	for _, k := range []string{"name", "title", "code", "type", "description", "category"} {
		v := r.get(k)
		var s string
		switch {
		case k == "name" && (v.at(0).isObject()):
			s = humanName(v)
		case v.isObject() || v.at(0).isObject():
			s = concept(v)
		default:
			s = v.str()
		}
		if s = strings.TrimSpace(s); s != "" {
			if st := r.get("status").str(); st != "" {
				s += " (" + st + ")"
			}
			return s
		}
	}
	return stripMarkup(r.path("text", "div").str(), 200)
}

// stripMarkup removes XHTML tags from a narrative div and collapses runs of
// whitespace, stopping after max runes of text.
func stripMarkup(s string, max int) string {
	var b strings.Builder
	inTag, space, n := false, false, 0
	for _, r := range s {
		switch {
		case r == '<':
			inTag, space = true, true
		case r == '>':
			inTag = false
		case inTag:
		case r == ' ' || r == '\n' || r == '\t' || r == '\r':
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
				n++
			}
			space = false
			b.WriteRune(r)
			n++
		}
		if n >= max {
			break
		}
	}
	return b.String()
}
