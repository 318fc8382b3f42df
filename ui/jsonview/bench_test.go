package jsonview

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// The inspector's speed targets (issue 4): a 120x40 frame costs the same,
// within 1.5x, at the top and at the bottom of a 50 MB bundle, and under
// 5 ms; a 5 MB single resource opens collapsed beyond its first levels
// without building all its lines. Run with:
//
//	go test ./ui/jsonview -run '^$' -bench . -benchtime 20x

var bundle50MB = sync.OnceValue(func() []byte { return bigBundle(50 << 20) })

// BenchmarkFrame50MB renders the frame at the top and at the bottom of a
// 50 MB bundle opened three levels deep (every entry's members visible:
// about 100,000 lines), in colour, and reports both costs and their ratio.
func BenchmarkFrame50MB(b *testing.B) {
	doc := bundle50MB()
	m, err := New(doc, DefaultStyles())
	if err != nil {
		b.Fatal(err)
	}
	m.SetSize(120, 40)
	m.ExpandToLevel(3)
	last := len(m.lines) - 1
	// One untimed frame at each end (fills the small per-node caches).
	m.setCursor(0)
	_ = m.View()
	m.setCursor(last)
	_ = m.View()
	// Medians, not means: two cores are shared, and one preempted frame
	// must not decide the ratio.
	var top, bottom []time.Duration
	b.ResetTimer()
	for b.Loop() {
		m.setCursor(0)
		t0 := time.Now()
		_ = m.View()
		t1 := time.Now()
		m.setCursor(last)
		_ = m.View()
		top = append(top, t1.Sub(t0))
		bottom = append(bottom, time.Since(t1))
	}
	mt, mb := median(top), median(bottom)
	b.ReportMetric(float64(mt.Microseconds())/1000, "top-ms/frame")
	b.ReportMetric(float64(mb.Microseconds())/1000, "bottom-ms/frame")
	b.ReportMetric(float64(mb)/float64(mt), "bottom/top")
	b.ReportMetric(float64(len(m.lines)), "lines")
	b.ReportMetric(float64(len(doc))/(1<<20), "doc-MB")
}

// BenchmarkOpen50MB is New on the 50 MB bundle: one validating scan plus
// the first levels, which is what stands between the user and a first
// frame of the inspector.
func BenchmarkOpen50MB(b *testing.B) {
	doc := bundle50MB()
	b.SetBytes(int64(len(doc)))
	var m *Model
	for b.Loop() {
		var err error
		if m, err = New(doc, DefaultStyles()); err != nil {
			b.Fatal(err)
		}
		m.SetSize(120, 40)
		_ = m.View()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/first-frame")
	b.ReportMetric(float64(len(m.nodes)), "nodes")
}

// BenchmarkOpen5MB opens 5 MB single resources: a Bundle-sized list of
// entries and a DocumentReference carrying a 5 MB attachment, and reports
// the time to the first frame and how few nodes and lines were built.
func BenchmarkOpen5MB(b *testing.B) {
	docs := map[string][]byte{
		"bundle":            bigBundle(5 << 20),
		"documentreference": bigDocumentReference(5 << 20),
	}
	for name, doc := range docs {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			var m *Model
			for b.Loop() {
				var err error
				if m, err = New(doc, DefaultStyles()); err != nil {
					b.Fatal(err)
				}
				m.SetSize(120, 40)
				_ = m.View()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/first-frame")
			b.ReportMetric(float64(len(m.nodes)), "nodes")
			b.ReportMetric(float64(len(m.lines)), "lines")
		})
	}
}

// BenchmarkSearch50MB searches the whole 50 MB bundle (as the Cmd does).
func BenchmarkSearch50MB(b *testing.B) {
	doc := bundle50MB()
	m, err := New(doc, DefaultStyles())
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	var found int
	for b.Loop() {
		ms, _ := findMatches(doc, m.nodes[0].val, "family12345")
		found = len(ms)
	}
	b.ReportMetric(float64(found), "matches")
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

func bigDocumentReference(size int) []byte {
	raw := bytes.Repeat([]byte("%PDF-1.7 synthetic clinical note. "), size*3/4/34+1)
	return []byte(fmt.Sprintf(`{"resourceType":"DocumentReference","id":"doc-1","status":"current",`+
		`"type":{"coding":[{"system":"http://loinc.org","code":"11506-3","display":"Progress note"}]},`+
		`"subject":{"reference":"Patient/p-1"},"date":"2024-03-05T09:41:00Z",`+
		`"content":[{"attachment":{"contentType":"application/pdf","title":"note.pdf","data":"%s"}}],`+
		`"context":{"related":[%s]}}`,
		base64.StdEncoding.EncodeToString(raw), strings.TrimSuffix(strings.Repeat(`{"reference":"Encounter/e-1"},`, 50), ",")))
}

// BenchmarkExpandAll50MB is "expand all" on the 50 MB bundle: it opens
// level after level until the line budget would be passed, and reports the
// lines shown, nodes built and the heap they keep against the file size
// (the file's own bytes are not counted: the app holds them anyway).
func BenchmarkExpandAll50MB(b *testing.B) {
	doc := bundle50MB()
	var m *Model
	var heap uint64
	for b.Loop() {
		var err error
		if m, err = New(doc, DefaultStyles()); err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		m.ExpandAll()
		runtime.GC() // what the model keeps, not the garbage of growing it
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - before.HeapAlloc
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/expand-all")
	b.ReportMetric(float64(len(m.lines)), "lines")
	b.ReportMetric(float64(len(m.nodes)), "nodes")
	b.ReportMetric(float64(heap)/float64(len(doc)), "heap/file")
}
