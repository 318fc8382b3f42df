package ui

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"fhirscope/fhirclient"
)

// Search parameters are typed as one line, `name=smith birthdate=ge1970`, and checked against
// the parameters the server declares for the type before anything is sent: OpenEMR answers an
// unknown parameter with an empty 200 bundle, so a typo would otherwise look like "no matches".

// resultParams are the FHIR result/control parameters every server understands for every type,
// whether or not its CapabilityStatement lists them.
var resultParams = map[string]bool{
	"_id": true, "_lastUpdated": true, "_count": true, "_offset": true, "_sort": true,
	"_include": true, "_revinclude": true, "_summary": true, "_elements": true, "_total": true,
	"_format": true,
}

// paramName is a search parameter name, with a modifier or chain (`name:exact`,
// `subject:Patient.name`, `_has:Observation:patient:code`).
var paramName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_\-]*([:.][A-Za-z0-9_\-]+)*$`)

// paramError is a search line the user must fix; it lists what would have been valid.
type paramError struct {
	Msg   string
	Valid []string
}

func (e *paramError) Error() string {
	if len(e.Valid) == 0 {
		return e.Msg
	}
	return e.Msg + "; valid: " + strings.Join(e.Valid, ", ")
}

// splitSearchLine splits a search line on spaces, keeping double-quoted stretches together
// (`name="van der berg"`), and drops the quotes.
func splitSearchLine(line string) ([]string, error) {
	var out []string
	var cur strings.Builder
	inQuote, have := false, false
	for _, r := range line {
		switch {
		case r == '"':
			inQuote = !inQuote
			have = true
		case (r == ' ' || r == '\t') && !inQuote:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteRune(r)
			have = true
		}
	}
	if inQuote {
		return nil, &paramError{Msg: "unclosed quote in the search line"}
	}
	if have {
		out = append(out, cur.String())
	}
	return out, nil
}

// declaredParams returns the search parameter names the server declares for typ, or nil when
// capabilities are unknown (offline, not loaded yet) or the type is not listed.
func declaredParams(caps *fhirclient.Capabilities, typ string) []string {
	if caps == nil {
		return nil
	}
	for _, rc := range caps.Resources {
		if rc.Type != typ {
			continue
		}
		names := make([]string, 0, len(rc.SearchParams))
		for _, sp := range rc.SearchParams {
			names = append(names, sp.Name)
		}
		sort.Strings(names)
		return names
	}
	return nil
}

// parseSearchLine turns a search line into query values, checking every name against the
// parameters declared for typ. checked is false when there was nothing to check against.
// `_count` is not returned: it is the page size, which the screen owns.
func parseSearchLine(line string, caps *fhirclient.Capabilities, typ string) (params url.Values, count int, checked bool, err error) {
	words, err := splitSearchLine(line)
	if err != nil {
		return nil, 0, false, err
	}
	declared := declaredParams(caps, typ)
	known := make(map[string]bool, len(declared))
	for _, n := range declared {
		known[n] = true
	}
	checked = declared != nil
	params = url.Values{}
	for _, w := range words {
		name, value, ok := strings.Cut(w, "=")
		if !ok || name == "" {
			return nil, 0, checked, &paramError{Msg: fmt.Sprintf("%q is not name=value", w)}
		}
		if !paramName.MatchString(name) {
			return nil, 0, checked, &paramError{Msg: fmt.Sprintf("%q is not a parameter name", name)}
		}
		if value == "" {
			return nil, 0, checked, &paramError{Msg: fmt.Sprintf("%s has no value", name)}
		}
		// A modifier (`name:exact`) or a chain (`subject:Patient.name`) hangs off the base name.
		base, _, _ := strings.Cut(name, ":")
		base, _, _ = strings.Cut(base, ".")
		if base == "_offset" {
			return nil, 0, checked, &paramError{Msg: "_offset is set by paging: use n and p to turn pages"}
		}
		if base == "_count" {
			n, convErr := strconv.Atoi(value)
			if convErr != nil || n < 1 || n > maxPageSize {
				return nil, 0, checked, &paramError{Msg: fmt.Sprintf("_count must be a number from 1 to %d", maxPageSize)}
			}
			count = n
			continue
		}
		if checked && !known[base] && !resultParams[base] {
			msg := fmt.Sprintf("%s has no search parameter %q", typ, base)
			if s := closestName(base, declared); s != "" {
				msg += fmt.Sprintf(" (did you mean %s?)", s)
			}
			return nil, 0, checked, &paramError{Msg: msg, Valid: declared}
		}
		params.Add(name, value)
	}
	return params, count, checked, nil
}

// formatSearchLine is the inverse of parseSearchLine, for showing the current search.
func formatSearchLine(params url.Values) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		if k == "_count" || k == "_offset" {
			continue
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		for _, v := range params[k] {
			if strings.ContainsAny(v, " \t") {
				v = `"` + v + `"`
			}
			parts = append(parts, k+"="+v)
		}
	}
	return strings.Join(parts, " ")
}

// closestName suggests the declared name nearest to a typo, if one is near enough to help.
func closestName(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance; names are short, so the O(n*m) table is fine.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// completeParam completes the parameter name being typed at the end of line (tab): to the
// one declared name it starts, or to the longest common start of several, which it returns
// as a hint. Values are not completed.
func completeParam(line string, caps *fhirclient.Capabilities, typ string) (completed string, hint string) {
	i := strings.LastIndexAny(line, " \t") + 1
	word := line[i:]
	if strings.ContainsAny(word, "=:.\"") {
		return line, ""
	}
	declared := declaredParams(caps, typ)
	if declared == nil {
		return line, "no completion: the server's search parameters are not known"
	}
	var matches []string
	for _, n := range append(declared, "_count") {
		if strings.HasPrefix(n, word) && !slices.Contains(matches, n) {
			matches = append(matches, n)
		}
	}
	switch len(matches) {
	case 0:
		return line, fmt.Sprintf("no %s search parameter starts with %q", typ, word)
	case 1:
		return line[:i] + matches[0] + "=", ""
	}
	common := matches[0]
	for _, m := range matches[1:] {
		for !strings.HasPrefix(m, common) {
			common = common[:len(common)-1]
		}
	}
	return line[:i] + common, strings.Join(matches, " ")
}
