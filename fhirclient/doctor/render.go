package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Symbol is the one-character mark of a status, for text output.
func (s Status) Symbol() string {
	switch s {
	case Pass:
		return "✓"
	case Warn:
		return "!"
	case Fail:
		return "✗"
	}
	return "-"
}

// WriteJSON writes the report as one indented JSON document, for CI.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteText writes the report for a person: the sections in order, each check on a line, the
// cause and fix of anything that is not a pass under it. clean makes strings that came from
// the server safe for a terminal (the CLI passes termsafe.String).
func WriteText(w io.Writer, r *Report, clean func(string) string) {
	if clean == nil {
		clean = func(s string) string { return s }
	}
	step := 0
	for _, c := range r.Checks {
		if c.Step != step {
			step = c.Step
			fmt.Fprintf(w, "\n%d. %s\n", step, StepTitle(step))
		}
		line := fmt.Sprintf("  %s %s", c.Status.Symbol(), c.Title)
		if c.Detail != "" {
			line += ": " + clean(c.Detail)
		}
		fmt.Fprintln(w, line)
		rows, folded := c.ShownItems()
		nameWidth := 0 // the widest row name of this check, so the details line up
		for _, it := range rows {
			nameWidth = max(nameWidth, min(40, len(clean(it.Name))))
		}
		for _, it := range rows {
			row := fmt.Sprintf("      %s %-*s %s", it.Status.Symbol(), nameWidth, clean(it.Name), clean(it.Detail))
			if it.Fix != "" && it.Status != Pass {
				// the scope (or change) that would turn this row into a pass
				row += "  → " + clean(it.Fix)
			}
			fmt.Fprintln(w, strings.TrimRight(row, " "))
		}
		if folded != "" {
			fmt.Fprintf(w, "      %s %s\n", Skip.Symbol(), clean(folded))
		}
		if c.Status == Warn || c.Status == Fail {
			if c.Cause != "" {
				fmt.Fprintf(w, "      cause: %s\n", clean(c.Cause))
			}
			for i, fix := range strings.Split(c.Fix, "\n") {
				if fix == "" {
					continue
				}
				label := "fix:  "
				if i > 0 {
					label = "or:   "
				}
				fmt.Fprintf(w, "      %s %s\n", label, clean(fix))
			}
		}
	}
	n := r.Counts()
	verdict := "all checks passed"
	if n[Fail] > 0 {
		verdict = "FAILED"
	} else if n[Warn] > 0 {
		verdict = "passed with warnings"
	}
	fmt.Fprintf(w, "\n%s: %d passed, %d warnings, %d failed, %d skipped (%s)\n",
		verdict, n[Pass], n[Warn], n[Fail], n[Skip], r.Duration.Round(1e6))
}

// ShownItems splits a check's rows for a person: the rows worth a line each, and the skipped
// ones (in the access matrix: types whose scope nobody asked for) folded into one line, ""
// when there are none. The JSON report keeps every row.
func (c Check) ShownItems() (rows []Item, folded string) {
	var skipped []string
	detail := ""
	for _, it := range c.Items {
		if it.Status != Skip {
			rows = append(rows, it)
			continue
		}
		if len(skipped) == 0 {
			detail = it.Detail
		} else if it.Detail != detail {
			detail = "skipped"
		}
		skipped = append(skipped, it.Name)
	}
	if len(skipped) > 0 {
		folded = fmt.Sprintf("%d more, %s: %s", len(skipped), detail, strings.Join(skipped, ", "))
	}
	return rows, folded
}
