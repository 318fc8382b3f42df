package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// FuzzOverviewParse feeds server JSON (any bytes) to the overview's parsers and renders the
// result: no panic, no raw escape from the data, no line wider than the screen.
func FuzzOverviewParse(f *testing.F) {
	raw, err := os.ReadFile(filepath.Join("testdata", "overview_fixture.ndjson"))
	if err != nil {
		f.Fatal(err)
	}
	for i, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		if i%9 == 0 {
			f.Add(line)
		}
	}
	f.Add([]byte(`{"resourceType":"Observation","code":{"text":"\u001b]52;c;x\u0007"},"component":[{"valueQuantity":{"value":1e308,"unit":"\u202e"}},{"valueQuantity":{}}]}`))
	f.Add([]byte(`{"resourceType":"Patient","birthDate":"0000-01-01","name":[{"given":null}],"address":[{"line":[""]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c := browseCommon(60, 20)
		s := NewOverviewScreen(c, "p1")
		s.now = func() time.Time { return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) }
		if card, err := parsePatientCard(data); err == nil {
			s.Update(overviewCardMsg{screen: s, id: s.cardReq.id, card: card, raw: data})
		}
		for i, sec := range s.sections {
			id, _ := sec.req.Start(c.Ctx)
			sec.state = secLoading
			s.Update(overviewSectionMsg{screen: s, index: i, id: id, res: sec.def.summarize([][]byte{data, data}, 2)})
		}
		for range 5 {
			s.Update(keyPress("down"))
		}
		out := s.View()
		assertNoRawEscapes(t, out)
		for _, l := range strings.Split(out, "\n") {
			if ansi.StringWidth(l) > 60 {
				t.Fatalf("line wider than 60: %q", l)
			}
		}
	})
}
