// Package jsonscantest generates synthetic, realistic FHIR Patient bundles
// and NDJSON files for the tests and benchmarks of jsonscan and ui/records.
// It is deterministic for a seed and writes straight to an io.Writer, so a
// 200 MB benchmark file never has to exist as one Go value.
package jsonscantest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

var (
	families = []string{"Smith", "Johnson", "Garcia", "Nguyen", "Müller", "O'Brien", "Kowalski", "Łukasiewicz", "Okafor", "Haddad", "Tanaka", "Rossi", "Dubois", "Andersson", "Fernández", "Cohen", "Ivanova", "Papadopoulos", "Singh", "Kim"}
	givens   = []string{"Aaliyah", "Ben", "Chloé", "Dmitri", "Elif", "Farah", "Gustavo", "Hana", "Ibrahim", "Jóhanna", "Kwame", "Lucía", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Søren", "Tomás", "Uma", "Viktor", "Wen", "Yusuf", "Zoë"}
	streets  = []string{"Maple Avenue", "Oak Street", "Elm Drive", "Cedar Lane", "Pine Court", "Birch Road", "Willow Way", "Main Street", "Harbor Boulevard", "Sunset Terrace"}
	cities   = []string{"Springfield|IL|62701", "Portland|OR|97201", "Austin|TX|73301", "Madison|WI|53703", "Burlington|VT|05401", "Boulder|CO|80302", "Savannah|GA|31401", "Tucson|AZ|85701"}
	races    = []string{"2106-3|White", "2054-5|Black or African American", "2028-9|Asian", "1002-5|American Indian or Alaska Native", "2076-8|Native Hawaiian or Other Pacific Islander"}
	ethnics  = []string{"2135-2|Hispanic or Latino", "2186-5|Not Hispanic or Latino"}
	langs    = []string{"en|English", "es|Spanish", "vi|Vietnamese", "zh|Chinese", "ar|Arabic", "de|German"}
	genders  = []string{"male", "female", "other", "unknown"}
)

// Patient returns one Patient resource as compact JSON, shaped like
// OpenEMR's US Core output: meta, narrative, US Core race/ethnicity/birthsex
// extensions, identifiers, names, telecom, address, communication.
func Patient(r *rand.Rand, id int) []byte {
	var b strings.Builder
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	fam, giv, giv2 := pick(families), pick(givens), pick(givens)
	gender := genders[r.IntN(2)] // mostly male/female, a few other/unknown
	if r.IntN(20) == 0 {
		gender = genders[2+r.IntN(2)]
	}
	y, m, d := 1930+r.IntN(90), 1+r.IntN(12), 1+r.IntN(28)
	race, eth, lang := strings.Split(pick(races), "|"), strings.Split(pick(ethnics), "|"), strings.Split(pick(langs), "|")
	city := strings.Split(pick(cities), "|")
	uuid := fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Uint64()&(1<<48-1))
	fmt.Fprintf(&b, `{"id":"%s","meta":{"versionId":"1","lastUpdated":"2024-%02d-%02dT%02d:%02d:%02d+00:00","profile":["http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient","http://hl7.org/fhir/us/core/StructureDefinition/us-core-patient|3.1.1"]},`, uuid, m, d, r.IntN(24), r.IntN(60), r.IntN(60))
	fmt.Fprintf(&b, `"resourceType":"Patient","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"> <p>%s %s</p></div>"},`, giv, fam)
	fmt.Fprintf(&b, `"extension":[{"valueCode":"%s","url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex"},`, strings.ToUpper(gender[:1]))
	fmt.Fprintf(&b, `{"extension":[{"valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"%s","display":"%s"},"url":"ombCategory"},{"valueString":"%s","url":"text"}],"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-race"},`, race[0], race[1], race[1])
	fmt.Fprintf(&b, `{"extension":[{"valueCoding":{"system":"urn:oid:2.16.840.1.113883.6.238","code":"%s","display":"%s"},"url":"ombCategory"},{"valueString":"%s","url":"text"}],"url":"http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity"}],`, eth[0], eth[1], eth[1])
	fmt.Fprintf(&b, `"identifier":[{"use":"official","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"PT"}]},"system":"http://terminology.hl7.org/CodeSystem/v2-0203","value":"%d"},`, 100000+id)
	fmt.Fprintf(&b, `{"use":"usual","type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"SS"}]},"system":"http://hl7.org/fhir/sid/us-ssn","value":"%03d-%02d-%04d"}],`, r.IntN(900)+100, r.IntN(99)+1, r.IntN(9999)+1)
	fmt.Fprintf(&b, `"active":true,"name":[{"use":"official","family":"%s","given":["%s","%s"],"prefix":["%s"],"period":{"start":"%d-%02d-%02d"}}],`, fam, giv, giv2, pick([]string{"Mr.", "Ms.", "Dr.", "Mx."}), y+18, m, d)
	fmt.Fprintf(&b, `"telecom":[{"system":"phone","value":"(%03d) 555-%04d","use":"home"},{"system":"phone","value":"(%03d) 555-%04d","use":"mobile"},{"system":"email","value":"%s.%s%d@example.org","use":"home"}],`, 200+r.IntN(700), r.IntN(10000), 200+r.IntN(700), r.IntN(10000), strings.ToLower(giv[:1]), "patient", id)
	fmt.Fprintf(&b, `"gender":"%s","birthDate":"%d-%02d-%02d",`, gender, y, m, d)
	fmt.Fprintf(&b, `"address":[{"line":["%d %s","Apt %d"],"city":"%s","state":"%s","postalCode":"%s","period":{"start":"%d-01-01"}}],`, 1+r.IntN(9999), pick(streets), 1+r.IntN(40), city[0], city[1], city[2], 2000+r.IntN(24))
	fmt.Fprintf(&b, `"communication":[{"language":{"coding":[{"system":"urn:ietf:bcp:47","code":"%s","display":"%s"}]},"preferred":true}]}`, lang[0], lang[1])
	return []byte(b.String())
}

// Options shapes a generated bundle.
type Options struct {
	Seed   uint64
	Indent bool   // pretty-print everything like `jq .` output; else compact (as OpenEMR sends)
	Base   string // fullUrl base, default https://openemr.example/apis/default/fhir
}

// WriteBundle writes a searchset Bundle of exactly n Patients and returns
// the bytes written.
func WriteBundle(w io.Writer, n int, o Options) (int64, error) {
	return writeBundle(w, func(written int64, count int) bool { return count < n }, o)
}

// WriteBundleSize writes a Bundle of Patients until it is at least size
// bytes and returns the entry count and bytes written.
func WriteBundleSize(w io.Writer, size int64, o Options) (entries int, written int64, err error) {
	written, err = writeBundle(w, func(wr int64, count int) bool {
		entries = count
		return wr < size
	}, o)
	return entries, written, err
}

func writeBundle(w io.Writer, more func(written int64, count int) bool, o Options) (int64, error) {
	if o.Base == "" {
		o.Base = "https://openemr.example/apis/default/fhir"
	}
	cw := &countWriter{w: bufio.NewWriterSize(w, 1<<16)}
	r := rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))
	nl, ind := "", ""
	if o.Indent {
		nl, ind = "\n", "  "
	}
	fmt.Fprintf(cw, `{%s%s"resourceType": "Bundle",%s%s"type": "searchset",%s%s"link": [{"relation": "self", "url": "%s/Patient"}],%s%s"entry": [`, nl, ind, nl, ind, nl, ind, o.Base, nl, ind)
	count := 0
	var pretty bytes.Buffer
	for more(cw.n, count) {
		if count > 0 {
			cw.WriteString(",")
		}
		res := Patient(r, count+1)
		if o.Indent {
			pretty.Reset()
			_ = json.Indent(&pretty, res, "      ", "  ")
			res = pretty.Bytes()
			fmt.Fprintf(cw, "\n    {\n      \"fullUrl\": \"%s/Patient/%d\",\n      \"resource\": ", o.Base, count+1)
			cw.Write(res)
			cw.WriteString(",\n      \"search\": {\n        \"mode\": \"match\"\n      }\n    }")
		} else {
			fmt.Fprintf(cw, `{"fullUrl":"%s/Patient/%d","resource":`, o.Base, count+1)
			cw.Write(res)
			cw.WriteString(`,"search":{"mode":"match"}}`)
		}
		count++
		if cw.err != nil {
			return cw.n, cw.err
		}
	}
	fmt.Fprintf(cw, `%s%s],%s%s"total": %d%s}%s`, nl, ind, nl, ind, count, nl, nl)
	more(cw.n, count)
	if err := cw.w.Flush(); err != nil {
		return cw.n, err
	}
	return cw.n, cw.err
}

// WriteNDJSON writes n Patients, one per line, like a bulk export file.
func WriteNDJSON(w io.Writer, n int, seed uint64) (int64, error) {
	cw := &countWriter{w: bufio.NewWriterSize(w, 1<<16)}
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := 0; i < n && cw.err == nil; i++ {
		cw.Write(Patient(r, i+1))
		cw.WriteString("\n")
	}
	if err := cw.w.Flush(); err != nil {
		return cw.n, err
	}
	return cw.n, cw.err
}

type countWriter struct {
	w   *bufio.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

func (c *countWriter) WriteString(s string) { _, _ = c.Write([]byte(s)) }
