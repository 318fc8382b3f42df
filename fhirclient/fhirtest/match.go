package fhirtest

import (
	"errors"
	"strings"
	"time"
)

// searchCond is one search parameter occurrence: all conditions must hold (AND); the
// comma-separated values within one are alternatives (OR).
type searchCond struct {
	def      SearchParamDef
	modifier string
	values   []string
}

// matches reports whether r satisfies c.
func (c searchCond) matches(r Resource) bool {
	indexed := r.Search[c.def.Name]
	if c.modifier == "missing" {
		want := len(c.values) == 1 && c.values[0] == "true"
		return (len(indexed) == 0) == want
	}
	if c.modifier == "not" {
		for _, v := range c.values {
			if matchToken(indexed, v) {
				return false
			}
		}
		return true
	}
	for _, v := range c.values {
		if c.matchOne(indexed, v) {
			return true
		}
	}
	return false
}

func (c searchCond) matchOne(indexed []string, v string) bool {
	switch c.def.Type {
	case ParamString:
		return matchString(indexed, v, c.modifier)
	case ParamDate:
		return matchDate(indexed, v)
	case ParamReference:
		return containsExact(indexed, bareID(v))
	case ParamURI:
		return containsExact(indexed, v)
	default:
		return matchToken(indexed, v)
	}
}

// bareID reduces a reference query value ("Patient/123", or an absolute URL) to the id that
// reference parameters index.
func bareID(v string) string {
	if i := strings.LastIndexByte(v, '/'); i >= 0 {
		return v[i+1:]
	}
	return v
}

func containsExact(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// matchToken compares codes case-insensitively; "|code" means "code with no system", which the
// sandbox treats as the bare code.
func matchToken(indexed []string, v string) bool {
	v = strings.TrimPrefix(v, "|")
	for _, x := range indexed {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// matchString is FHIR string search: case-insensitive prefix by default (each word of a
// multi-word query must prefix some indexed value), :exact equality, :contains substring.
func matchString(indexed []string, v, modifier string) bool {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return false
	}
	switch modifier {
	case "exact":
		return containsExact(indexed, v)
	case "contains":
		for _, x := range indexed {
			if strings.Contains(x, v) {
				return true
			}
		}
		return false
	}
	for _, word := range strings.Fields(v) {
		found := false
		for _, x := range indexed {
			if strings.HasPrefix(x, word) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// matchDate applies a FHIR date comparison (eq, ne, gt, lt, ge, le, sa, eb) between the query
// value's implied range and each indexed value's range.
func matchDate(indexed []string, v string) bool {
	prefix := "eq"
	if len(v) > 2 && v[0] >= 'a' && v[0] <= 'z' {
		prefix, v = v[:2], v[2:]
	}
	qlo, qhi, err := dateRange(v)
	if err != nil {
		return false
	}
	for _, x := range indexed {
		rlo, rhi, err := dateRange(x)
		if err != nil {
			continue
		}
		eq := !rlo.Before(qlo) && !rhi.After(qhi)
		var ok bool
		switch prefix {
		case "eq":
			ok = eq
		case "ne":
			ok = !eq
		case "gt":
			ok = rhi.After(qhi)
		case "lt":
			ok = rlo.Before(qlo)
		case "ge":
			ok = eq || rhi.After(qhi)
		case "le":
			ok = eq || rlo.Before(qlo)
		case "sa":
			ok = !rlo.Before(qhi)
		case "eb":
			ok = !rhi.After(qlo)
		}
		if ok {
			return true
		}
	}
	return false
}

// dateRange returns the half-open interval [lo, hi) a FHIR date or dateTime denotes at its
// precision ("2020" is the whole year).
func dateRange(s string) (lo, hi time.Time, err error) {
	layouts := []struct {
		layout string
		next   func(time.Time) time.Time
	}{
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01-02T15:04Z07:00", func(t time.Time) time.Time { return t.Add(time.Minute) }},
		{"2006-01-02T15:04:05Z07:00", func(t time.Time) time.Time { return t.Add(time.Second) }},
		{"2006-01-02T15:04:05.999999999Z07:00", func(t time.Time) time.Time { return t.Add(time.Millisecond) }},
		{"2006-01-02T15:04:05", func(t time.Time) time.Time { return t.Add(time.Second) }},
		{"2006-01-02T15:04", func(t time.Time) time.Time { return t.Add(time.Minute) }},
	}
	for _, l := range layouts {
		if len(s) < 4 {
			break
		}
		t, err := time.Parse(l.layout, s)
		if err == nil {
			return t.UTC(), l.next(t).UTC(), nil
		}
	}
	return time.Time{}, time.Time{}, errors.New("not a FHIR date: " + s)
}
