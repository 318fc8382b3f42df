package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"fhirscope/ui/termsafe"
)

// What the patient overview reads from FHIR resources. Only the members shown are decoded;
// every string is sanitised (termsafe) as it is read, so nothing raw reaches the screen.

type ovCoding struct {
	System, Code, Display string
}

type ovConcept struct {
	Coding []ovCoding
	Text   string
}

// label is the concept as a person reads it: text, else a coding's display, else a code.
func (c ovConcept) label() string {
	if c.Text != "" {
		return termsafe.String(c.Text)
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return termsafe.String(cd.Display)
		}
	}
	if len(c.Coding) > 0 {
		return termsafe.String(c.Coding[0].Code)
	}
	return ""
}

func (c ovConcept) code() string {
	if len(c.Coding) > 0 {
		return c.Coding[0].Code
	}
	return c.Text
}

func (c ovConcept) has(code string) bool {
	return slices.ContainsFunc(c.Coding, func(cd ovCoding) bool { return strings.EqualFold(cd.Code, code) })
}

type ovQuantity struct {
	Value *float64
	Unit  string
	Code  string
}

func (q *ovQuantity) number() string {
	if q == nil || q.Value == nil {
		return ""
	}
	return strconv.FormatFloat(*q.Value, 'f', -1, 64)
}

func (q *ovQuantity) unit() string {
	if q == nil {
		return ""
	}
	if q.Unit != "" {
		return termsafe.String(q.Unit)
	}
	return termsafe.String(q.Code)
}

func (q *ovQuantity) String() string {
	return strings.TrimSpace(q.number() + " " + q.unit())
}

// patientCard is the top of the overview.
type patientCard struct {
	ID, Name, Gender, BirthDate, MRN, Address, Phone string
}

func parsePatientCard(raw []byte) (patientCard, error) {
	var p struct {
		ResourceType string
		ID           string
		Name         []struct {
			Use, Text, Family string
			Given, Prefix     []string
		}
		Gender     string
		BirthDate  string
		Identifier []struct {
			Type  ovConcept
			Value string
		}
		Telecom []struct{ System, Value, Use string }
		Address []struct {
			Use, Text, City, State, PostalCode string
			Line                               []string
		}
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return patientCard{}, fmt.Errorf("the Patient is not valid JSON: %w", err)
	}
	if p.ResourceType != "Patient" {
		return patientCard{}, fmt.Errorf("the server answered with a %s, not a Patient", termsafe.String(p.ResourceType))
	}
	c := patientCard{ID: termsafe.String(p.ID), Gender: termsafe.String(p.Gender), BirthDate: termsafe.String(p.BirthDate)}
	for i, n := range p.Name {
		if i > 0 && n.Use != "official" {
			continue
		}
		name := n.Text
		if name == "" {
			name = strings.Join(append(append([]string{}, n.Given...), n.Family), " ")
		}
		c.Name = termsafe.String(strings.TrimSpace(name))
	}
	for i, id := range p.Identifier {
		if i == 0 || id.Type.has("MR") {
			c.MRN = termsafe.String(id.Value)
		}
		if id.Type.has("MR") {
			break
		}
	}
	for _, t := range p.Telecom {
		if t.System == "phone" && c.Phone == "" {
			c.Phone = termsafe.String(t.Value)
		}
	}
	if len(p.Address) > 0 {
		a := p.Address[0]
		text := a.Text
		if text == "" {
			parts := append(append([]string{}, a.Line...), a.City, strings.TrimSpace(a.State+" "+a.PostalCode))
			text = strings.Join(slices.DeleteFunc(parts, func(s string) bool { return strings.TrimSpace(s) == "" }), ", ")
		}
		c.Address = termsafe.String(text)
	}
	return c, nil
}

// age is the age at now from an ISO birth date: years, or months under two.
func patientAge(birth string, now time.Time) string {
	b, err := time.Parse(time.DateOnly, birth)
	if err != nil || b.After(now) {
		return ""
	}
	y, m, d := now.Date()
	months := (y-b.Year())*12 + int(m) - int(b.Month())
	if d < b.Day() {
		months--
	}
	if months < 24 {
		return fmt.Sprintf("%d mo", months)
	}
	return fmt.Sprintf("%d y", months/12)
}

// ovWhen reads a FHIR date or dateTime for sorting and showing (date part only).
type ovWhen string

func (w ovWhen) time() time.Time {
	s := string(w)
	for _, layout := range []string{time.RFC3339, "2006-01-02T15:04:05", time.DateOnly, "2006-01", "2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func (w ovWhen) date() string {
	s := string(w)
	if len(s) > 10 {
		s = s[:10]
	}
	return termsafe.String(s)
}

// newestFirst orders items by date, newest first, then by label (stable output).
func ovNewestFirst(items []overviewItem) {
	slices.SortStableFunc(items, func(a, b overviewItem) int {
		if c := b.at.time().Compare(a.at.time()); c != 0 {
			return c
		}
		return strings.Compare(a.label, b.label)
	})
}
