package ui

import (
	"testing"
	"time"

	"fhirscope/fhirclient/fhirtest"
)

// BenchmarkAppFrame is the root model's whole frame (the screen's View fitted to the
// terminal, an overlay, the status bar): what every message costs to draw, on a connected
// app over the sandbox.
//
//	go test ./ui -run '^$' -bench BenchmarkAppFrame -benchtime 2000x -count 3
func BenchmarkAppFrame(b *testing.B) {
	for _, tc := range []struct {
		name string
		w, h int
		open string // key pressed on the types screen first
	}{
		{"types_120x40", 120, 40, ""},
		{"types_200x60", 200, 60, ""},
		{"palette_over_types_120x40", 120, 40, ":"},
		{"help_120x40", 120, 40, "?"},
		{"requestlog_120x40", 120, 40, "L"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			d, _ := connectedApp(b, fhirtest.Options{Patients: 1}, tc.w, tc.h)
			if tc.open != "" {
				d.press(tc.open)
				d.drain()
			}
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				_ = d.app.View()
			}
			b.ReportMetric(float64(time.Since(start).Nanoseconds())/1e6/float64(b.N), "ms/frame")
		})
	}
}
