package ui

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/jsonscan/jsonscantest"
	"fhirscope/ui/records"
)

// Speed targets of the results screen (issue 4), measured on synthetic Patient bundles:
//   - a 120x40 frame costs the same (within 1.5x) at the top and at the bottom of a 50 MB
//     bundle opened offline, and under 5 ms;
//   - a 10,000-row list filters as you type within a frame (under 16 ms per key);
//   - the first frame of a 50 MB and a 200 MB bundle opened offline in under 300 ms.
//
//	go test ./ui -run '^$' -bench 'BenchmarkResults' -benchtime 20x

// writeBenchBundle writes a compact Patient bundle of about mb MB into dir.
func writeBenchBundle(b *testing.B, dir string, mb int) string {
	b.Helper()
	p := filepath.Join(dir, "patients.json")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := jsonscantest.WriteBundleSize(f, int64(mb)<<20, jsonscantest.Options{Seed: uint64(mb)}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkResultsFrame renders full 120x40 frames of a 50 MB bundle opened offline, at the
// top and on the last page. The row cache is dropped before every frame, so each frame
// summarises its rows from the raw bytes: the cost of scrolling to rows never seen. Top and
// bottom frames alternate within one loop, so load from other processes on the machine
// weighs on both alike and the ratio stays meaningful.
func BenchmarkResultsFrame(b *testing.B) {
	path := writeBenchBundle(b, b.TempDir(), 50)
	src, err := records.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	if err := src.Wait(context.Background()); err != nil {
		b.Fatal(err)
	}
	top := NewFileResultsScreen(browseCommon(120, 40), "patients.json", src)
	bottom := NewFileResultsScreen(browseCommon(120, 40), "patients.json", src)
	bottom.Update(keyPress("G"))
	if i, _ := bottom.cursorRow(); i != src.Len()-1 {
		b.Fatalf("G went to row %d of %d", i, src.Len())
	}
	var topTime, bottomTime time.Duration
	for b.Loop() {
		for _, s := range []*ResultsScreen{top, bottom} {
			start := time.Now()
			s.rows.reset(s.colType)
			_ = s.View()
			if s == top {
				topTime += time.Since(start)
			} else {
				bottomTime += time.Since(start)
			}
		}
	}
	n := float64(b.N)
	b.ReportMetric(float64(topTime.Microseconds())/n/1000, "top-ms/frame")
	b.ReportMetric(float64(bottomTime.Microseconds())/n/1000, "bottom-ms/frame")
	b.ReportMetric(float64(bottomTime)/float64(topTime), "bottom/top")
	b.ReportMetric(float64(src.Len()), "entries")
}

// BenchmarkResultsFilterKey types a query into the filter of a 10,000-row page, one key at a
// time, each key followed by the frame it causes; the lowercased row summaries are built
// when the filter opens, reported separately as index-ms.
func BenchmarkResultsFilterKey(b *testing.B) {
	var buf bytes.Buffer
	if _, err := jsonscantest.WriteBundle(&buf, 10_000, jsonscantest.Options{Seed: 1}); err != nil {
		b.Fatal(err)
	}
	page, err := fhirclient.ParseBundle(buf.Bytes())
	if err != nil {
		b.Fatal(err)
	}
	page.Type, page.Mode, page.Number = "Patient", fhirclient.PagingLocal, 1
	s := NewResultsScreen(browseCommon(120, 40), "Patient", nil)
	s.showPage(page)
	start := time.Now()
	s.Update(keyPress("/"))
	s.filter.text, s.filter.textGen = filterText(s.src), s.srcGen
	index := time.Since(start)

	keys := []string{"k", "i", "m", " ", "p", "r", "i", "y", "a"}
	n := 0
	for b.Loop() {
		k := keys[n%len(keys)]
		if n%len(keys) == 0 {
			s.filter.input.SetValue("")
			s.applyFilter("")
		}
		s.Update(keyPress(k))
		_ = s.View()
		n++
	}
	if s.rowCount() == 0 || s.rowCount() == 10_000 {
		b.Fatalf("filter kept %d rows: the query should narrow, not empty", s.rowCount())
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/key")
	b.ReportMetric(float64(index.Microseconds())/1000, "index-ms")
}

// BenchmarkResultsFirstFrame opens a bundle file offline and renders the first 120x40 frame
// with rows: open, index the entries the first screen needs, build the screen, View. The
// rest of the file keeps indexing in the background (the frame shows its progress).
func BenchmarkResultsFirstFrame(b *testing.B) {
	for _, mb := range []int{50, 200} {
		b.Run(fmt.Sprintf("%dMB", mb), func(b *testing.B) {
			path := writeBenchBundle(b, b.TempDir(), mb)
			for b.Loop() {
				src, err := records.OpenFile(path)
				if err != nil {
					b.Fatal(err)
				}
				c := browseCommon(120, 40)
				s := NewFileResultsScreen(c, "patients.json", src)
				if _, err := src.WaitFor(context.Background(), s.bodyRows()); err != nil {
					b.Fatal(err)
				}
				s.Update(resultsTickMsg{screen: s, seq: s.tickSeq})
				if v := s.View(); !bytes.Contains([]byte(v), []byte("Patient")) {
					b.Fatalf("first frame has no rows:\n%s", v)
				}
				b.StopTimer()
				src.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/first-frame")
		})
	}
}

// BenchmarkResultsJumpToLast presses G (last entry) on a fully indexed 200 MB bundle and
// renders the frame: the last page is found by arithmetic on the entry count.
func BenchmarkResultsJumpToLast(b *testing.B) {
	path := writeBenchBundle(b, b.TempDir(), 200)
	src, err := records.OpenFile(path)
	if err != nil {
		b.Fatal(err)
	}
	defer src.Close()
	if err := src.Wait(context.Background()); err != nil {
		b.Fatal(err)
	}
	s := NewFileResultsScreen(browseCommon(120, 40), "patients.json", src)
	s.Update(resultsTickMsg{screen: s, seq: s.tickSeq})
	for b.Loop() {
		s.Update(keyPress("g"))
		s.rows.reset(s.colType)
		s.Update(keyPress("G"))
		_ = s.View()
	}
	if i, _ := s.cursorRow(); i != src.Len()-1 {
		b.Fatalf("G went to row %d of %d", i, src.Len())
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/jump")
}
