package summary

import (
	"strings"
)

// This file turns FHIR datatypes (HumanName, CodeableConcept, Quantity,
// Period, Reference, value[x], ...) into short display text. Every function
// takes a node that may be missing or of the wrong JSON kind and then
// returns "".

// humanName picks the official name (else usual, else the first) of a
// HumanName array and writes it "Family, Given Middle".
func humanName(names node) string {
	best := node{}
	rank := 0
	names.each(func(n node) bool {
		r := 1
		switch n.get("use").str() {
		case "official":
			r = 3
		case "usual":
			r = 2
		case "old", "anonymous":
			r = 0
		}
		if r > rank || !best.ok() {
			best, rank = n, r
		}
		return rank < 3
	})
	if !best.ok() {
		return ""
	}
	if !best.isObject() {
		return best.str() // some servers send a plain string
	}
	family := strings.TrimSpace(best.get("family").str())
	var given []string
	best.get("given").each(func(g node) bool {
		if s := strings.TrimSpace(g.str()); s != "" {
			given = append(given, s)
		}
		return true
	})
	switch {
	case family != "" && len(given) > 0:
		return family + ", " + strings.Join(given, " ")
	case family != "":
		return family
	case len(given) > 0:
		return strings.Join(given, " ")
	}
	return strings.TrimSpace(best.get("text").str())
}

// concept gives a CodeableConcept (or the first of an array of them) as its
// text, else the first coding's display, else its code.
func concept(cc node) string {
	cc = cc.at(0)
	if !cc.isObject() {
		return cc.str()
	}
	if t := strings.TrimSpace(cc.get("text").str()); t != "" {
		return t
	}
	code := ""
	var display string
	cc.get("coding").each(func(c node) bool {
		if d := strings.TrimSpace(c.get("display").str()); d != "" {
			display = d
			return false
		}
		if code == "" {
			code = c.get("code").str()
		}
		return true
	})
	if display != "" {
		return display
	}
	return code
}

// coding gives a Coding's display, else its code.
func coding(c node) string {
	if d := c.get("display").str(); d != "" {
		return d
	}
	return c.get("code").str()
}

// quantity gives "120 mmHg", "<5 mg".
func quantity(q node) string {
	v := q.get("value").str()
	if v == "" {
		return ""
	}
	unit := q.get("unit").str()
	if unit == "" {
		unit = q.get("code").str()
	}
	s := q.get("comparator").str() + v
	if unit != "" {
		s += " " + unit
	}
	return s
}

// dateTime shortens a FHIR instant/dateTime to "2024-01-02 10:20" for a
// table; a date or a partial date is kept as it is.
func dateTime(s string) string {
	if len(s) >= 16 && s[10] == 'T' {
		return s[:10] + " " + s[11:16]
	}
	return s
}

// period gives "start – end", "start –" or "– end".
func period(p node) string {
	start, end := dateTime(p.get("start").str()), dateTime(p.get("end").str())
	switch {
	case start == "" && end == "":
		return ""
	case end == "":
		return start + " –"
	case start == "":
		return "– " + end
	}
	return start + " – " + end
}

// rangeText gives "5–10 mg" for a Range.
func rangeText(r node) string {
	lo, hi := quantity(r.get("low")), quantity(r.get("high"))
	switch {
	case lo == "" && hi == "":
		return ""
	case hi == "":
		return "≥" + lo
	case lo == "":
		return "≤" + hi
	}
	return lo + " – " + hi
}

// choice reads a FHIR choice element such as value[x], onset[x] or
// effective[x]: the first member named prefix+Type that is present.
func choice(res node, prefix string) string {
	var out string
	res.members(func(k []byte, v node) bool {
		if len(k) <= len(prefix) || string(k[:len(prefix)]) != prefix {
			return true
		}
		switch string(k[len(prefix):]) {
		case "Quantity", "Age", "Duration", "Distance", "Count", "Money", "SimpleQuantity":
			out = quantity(v)
		case "CodeableConcept":
			out = concept(v)
		case "Coding":
			out = coding(v)
		case "Period":
			out = period(v)
		case "Range":
			out = rangeText(v)
		case "Ratio":
			if n, d := quantity(v.get("numerator")), quantity(v.get("denominator")); n != "" || d != "" {
				out = n + " / " + d
			}
		case "Reference":
			out = reference(v)
		case "DateTime", "Instant", "Date", "Time":
			out = dateTime(v.str())
		case "String", "Boolean", "Integer", "Decimal", "Code", "Uri", "Id", "PositiveInt", "UnsignedInt", "Markdown":
			out = v.str()
		case "Attachment":
			out = v.get("title").str()
			if out == "" {
				out = v.get("contentType").str()
			}
		default:
			return true
		}
		return out == ""
	})
	return out
}

// observationValue gives value[x]; for a panel (blood pressure) it joins
// the components as "120/80 mmHg" when they share a unit.
func observationValue(obs node) string {
	if v := choice(obs, "value"); v != "" {
		return v
	}
	var vals, units []string
	obs.get("component").each(func(c node) bool {
		q := c.get("valueQuantity")
		if q.ok() && q.get("value").ok() {
			vals = append(vals, q.get("comparator").str()+q.get("value").str())
			u := q.get("unit").str()
			if u == "" {
				u = q.get("code").str()
			}
			units = append(units, u)
		} else if s := choice(c, "value"); s != "" {
			vals = append(vals, s)
			units = append(units, "")
		}
		return len(vals) < 8
	})
	if len(vals) > 0 {
		same := true
		for _, u := range units {
			same = same && u == units[0]
		}
		if same && units[0] != "" {
			return strings.Join(vals, "/") + " " + units[0]
		}
		for i := range vals {
			if units[i] != "" {
				vals[i] += " " + units[i]
			}
		}
		return strings.Join(vals, ", ")
	}
	if dar := concept(obs.get("dataAbsentReason")); dar != "" {
		return "(" + dar + ")"
	}
	return ""
}

// reference gives a Reference's display, else its reference, else its
// identifier value.
func reference(r node) string {
	r = r.at(0)
	if d := strings.TrimSpace(r.get("display").str()); d != "" {
		return d
	}
	if s := r.get("reference").str(); s != "" {
		return s
	}
	return r.path("identifier", "value").str()
}

// identifierWith returns the value of the first identifier whose system is
// system, or whose type has the v2-0203 code typeCode.
func identifierWith(ids node, system, typeCode string) string {
	var out string
	ids.each(func(id node) bool {
		match := system != "" && id.get("system").str() == system
		if !match && typeCode != "" {
			id.path("type", "coding").each(func(c node) bool {
				match = c.get("code").str() == typeCode
				return !match
			})
		}
		if match {
			out = id.get("value").str()
		}
		return out == ""
	})
	return out
}

// telecom returns the first contact point of the given system ("phone").
func telecom(t node, system string) string {
	var out string
	t.each(func(c node) bool {
		if c.get("system").str() == system {
			out = c.get("value").str()
		}
		return out == ""
	})
	return out
}

// address gives "City, ST" of the first address, else its text or line.
func address(a node) string {
	a = a.at(0)
	city, state := a.get("city").str(), a.get("state").str()
	switch {
	case city != "" && state != "":
		return city + ", " + state
	case city != "" || state != "":
		return city + state
	}
	if t := a.get("text").str(); t != "" {
		return t
	}
	return a.get("line").at(0).str()
}
