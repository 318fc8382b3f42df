package ui

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient/fhirtest/hostile"
	"fhirscope/ui/records"
)

// `fhirscope open FILE` on hostile files, through OfflineOptions and the app: a file that is
// no use at all fails before the UI starts with an inert message naming the problem; a file
// broken part way shows the entries before the break and says where it stopped; the entries
// open in the inspector; no frame holds a control from the file. (ui/records tests each
// reason on its own; this is the same through the screens, with the hostile server's data.)

func patientLine(id, family string) string {
	return `{"resourceType":"Patient","id":"` + id + `","name":[{"family":"` + family + `"}],"gender":"female"}`
}

func bundleOf(entries ...string) string {
	return `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + strings.Join(entries, `},{"resource":`) + `}]}`
}

func binaryNoise(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func TestOfflineHostileFiles(t *testing.T) {
	good := bundleOf(patientLine("a", "Alpha"), patientLine("b", "Beta"), patientLine("c", "Gamma"))
	cases := []struct {
		name   string
		data   []byte
		atOpen bool     // refused by OfflineOptions
		says   []string // on screen (or in the error)
		rows   int      // entries usable before the problem
	}{
		{name: "empty.json", atOpen: true, says: []string{"empty"}},
		{name: "blank.ndjson", data: []byte("\n \r\n\t\n"), atOpen: true, says: []string{"empty"}},
		{name: "image.png", data: append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x1b[2J"), binaryNoise(4096, 1)...), atOpen: true, says: []string{"not JSON"}},
		{name: "noise.json", data: binaryNoise(64<<10, 2), atOpen: true, says: []string{"not JSON"}},
		{name: "brace.json", data: append([]byte("{\x00\x1b]52;c;eA==\a"), binaryNoise(4096, 3)...), says: []string{"stopped"}},
		{name: "cut.json", data: []byte(good[:len(good)-40]), says: []string{"stopped", "truncated"}, rows: 2},
		{name: "badutf.json", data: []byte(bundleOf(patientLine("a", "Alpha"), patientLine("b", "Bad\xff\xfe"))), says: []string{"stopped", "invalid UTF-8"}, rows: 1},
		{name: "deep.json", data: []byte(`{"resourceType":"Patient","id":"deep","x":` + strings.Repeat("[", hostile.DeepLevels) + strings.Repeat("]", hostile.DeepLevels) + `}`),
			says: []string{"stopped", "nested deeper than 512"}},
		{name: "export.ndjson", data: []byte(strings.Join([]string{
			patientLine("a", "Alpha"),
			hostile.EvilPatient(),
			`{"resourceType":"Patient","id":"cut","name":[{"fam`,
			hostile.RawEscPatient(),
			patientLine("bad", "Bad\xff"),
			"\x00\x01\x02\x1b[2J",
			patientLine("z", "Zulu"),
		}, "\n") + "\n"), says: []string{"4 bad lines skipped"}, rows: 3},
		{name: "long.json", data: []byte(`{"resourceType":"Patient","id":"long","name":[{"family":"` + hostile.EvilFamily + `"}],"text":{"div":"` +
			strings.Repeat("y", hostile.LongSize) + `"}}`), rows: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), c.name)
			if err := os.WriteFile(path, c.data, 0o600); err != nil {
				t.Fatal(err)
			}
			opts, closeFile, err := OfflineOptions(path, false)
			if c.atOpen {
				var fe *records.Error
				if !errors.As(err, &fe) {
					t.Fatalf("OfflineOptions: %v (%T), want *records.Error", err, err)
				}
				if ferr := frameControl(err.Error()); ferr != nil || !containsAll(err.Error(), c.says) {
					t.Fatalf("error %q: %v", err, ferr)
				}
				return
			}
			if err != nil {
				t.Fatalf("OfflineOptions: %v", err)
			}
			t.Cleanup(closeFile)
			opts.Styles, opts.Now = NewStyles(true), func() time.Time { return fixedNow }
			ctx, cancel := context.WithCancel(context.Background())
			t.Cleanup(cancel)
			app := NewApp(ctx, opts)
			d := newDriver(t, app, 120, 40)
			res := app.Top().(*ResultsScreen)
			d.until("indexed", func() bool { return res.records.Done() })
			d.drain()
			scr := d.screen()
			flat := strings.Join(strings.Fields(scr), " ")
			if res.records.Len() != c.rows || !containsAll(flat, c.says) {
				t.Fatalf("%d entries (want %d), screen should say %q:\n%s", res.records.Len(), c.rows, c.says, scr)
			}
			if os.Getenv("HOSTILE_SHOW") != "" {
				t.Logf("%s:\n%s", c.name, scr)
			}
			assertFrameInert(t, "results", app.Render())
			assertFitsFrame(t, "results", scr, 120, 40)
			for i := range c.rows {
				if i > 0 {
					d.press("down")
				}
				d.press("enter")
				d.until("the inspector", func() bool { _, ok := app.Top().(*InspectorScreen); return ok })
				ins := app.Top().(*InspectorScreen)
				d.press("E")
				if ins.cur.err != nil {
					t.Errorf("row %d: %v", i, ins.cur.err)
				}
				assertFrameInert(t, "inspector", app.Render())
				assertFitsFrame(t, "inspector", d.screen(), 120, 40)
				d.press("esc")
				if app.Top() != Screen(res) {
					t.Fatalf("esc from the inspector: top %T", app.Top())
				}
			}
		})
	}
}

func containsAll(s string, words []string) bool {
	for _, w := range words {
		if !strings.Contains(s, w) {
			return false
		}
	}
	return true
}
