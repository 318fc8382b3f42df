// Package summary turns FHIR resources into results-table rows: columns
// that fit each resource type, cells read tolerantly from whatever JSON the
// server sent, every cell sanitised for the terminal.
//
// It reads resources with fhirclient/jsonscan instead of decoding them, so a
// row costs a few scans over the bytes of one resource and no allocation
// beyond its cells: the table builds rows only for the lines on screen.
package summary

import (
	"strings"
	"unicode/utf8"

	"fhirscope/ui/termsafe"
)

// maxCell bounds a cell before sanitising: nothing wider fits a table, and
// a hostile 5 MB "name" must not cost 5 MB per frame.
const maxCell = 256

// Columns returns the columns for a resource type; the last is always ID.
// Unknown types get a generic last-updated/summary layout.
func Columns(resourceType string) []Column {
	l := layoutFor(resourceType)
	cols := make([]Column, 0, len(l.cols)+1)
	cols = append(cols, l.cols...)
	return append(cols, idColumn)
}

// Row returns one cell per column of Columns(resourceType), each sanitised
// and on one line. Missing or malformed fields give empty cells; input that
// is not JSON gives a row of empty cells. When resourceType is "" the
// resource's own resourceType is used.
func Row(resourceType string, resourceJSON []byte) []string {
	return row(resourceType, parse(resourceJSON))
}

// row is Row over a parsed resource, so Text pays for one parse, not two.
func row(resourceType string, res node) []string {
	own := res.get("resourceType").str()
	if resourceType == "" {
		resourceType = own
	}
	l := layoutFor(resourceType)
	var cells []string
	switch {
	case !res.isObject():
		cells = make([]string, len(l.cols))
	case own != "" && own != resourceType && len(l.cols) > 0:
		// Another type in this type's table (an OperationOutcome entry
		// in a searchset): say what it is in the first cell.
		cells = make([]string, len(l.cols))
		cells[0] = own
		if own == "OperationOutcome" {
			cells[0] += ": " + outcomeText(res)
		} else if s := genericSummary(res); s != "" {
			cells[0] += ": " + s
		}
	default:
		cells = l.cells(res)
	}
	cells = append(cells, res.get("id").str())
	for i, c := range cells {
		cells[i] = clean(c)
	}
	return cells
}

// Text returns a one-line summary for filtering and search: "Type/id"
// followed by the non-empty cells of the type's row, sanitised.
func Text(resourceJSON []byte) string {
	res := parse(resourceJSON)
	typ := res.get("resourceType").str()
	cells := row(typ, res)
	var b strings.Builder
	b.WriteString(clean(typ))
	b.WriteByte('/')
	b.WriteString(cells[len(cells)-1])
	for _, c := range cells[:len(cells)-1] {
		if c != "" {
			b.WriteByte(' ')
			b.WriteString(c)
		}
	}
	return b.String()
}

func layoutFor(resourceType string) layout {
	if l, ok := layouts[resourceType]; ok {
		return l
	}
	return genericLayout
}

// clean clips s to maxCell runes (with an ellipsis) and sanitises it.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > maxCell {
		cut, n := 0, 0
		for i := range s {
			if n == maxCell {
				cut = i
				break
			}
			n++
		}
		if cut > 0 {
			s = s[:cut] + "…"
		}
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return termsafe.String(s)
}
