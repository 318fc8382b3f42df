package records

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient/jsonscan/jsonscantest"
)

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func openDone(t *testing.T, path string) *Source {
	t.Helper()
	s, err := OpenFile(path)
	if err != nil {
		t.Fatalf("OpenFile: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// stdEntries is the reference: encoding/json's view of the entries.
func stdEntries(t *testing.T, data []byte) []json.RawMessage {
	var b struct {
		Entry []struct{ Resource json.RawMessage }
	}
	if err := json.Unmarshal(data, &b); err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	for _, e := range b.Entry {
		out = append(out, e.Resource)
	}
	return out
}

func TestBundleFileMatchesEncodingJSON(t *testing.T) {
	for _, indent := range []bool{false, true} {
		var buf bytes.Buffer
		if _, err := jsonscantest.WriteBundle(&buf, 300, jsonscantest.Options{Seed: 5, Indent: indent}); err != nil {
			t.Fatal(err)
		}
		s := openDone(t, writeFile(t, "bundle.json", buf.Bytes()))
		want := stdEntries(t, buf.Bytes())
		st := s.Status()
		if st.Err != nil || !st.Done || st.Entries != 300 || st.Format != FormatBundle || st.Progress != 1 {
			t.Fatalf("status %+v", st)
		}
		for i := range want {
			if !bytes.Equal(s.Entry(i), want[i]) {
				t.Fatalf("entry %d differs:\n%s\n%s", i, s.Entry(i), want[i])
			}
		}
		info := s.Info()
		if info.ResourceType != "Bundle" || info.BundleType != "searchset" || info.Total != 300 || !info.HasTotal || len(info.Links) != 1 {
			t.Fatalf("info %+v", info)
		}
		if s.Entry(-1) != nil || s.Entry(300) != nil {
			t.Fatal("out of range entries must be nil")
		}
		if indent && s.Line(0) != 8 {
			t.Fatalf("first resource line = %d", s.Line(0))
		}
	}
}

func TestSingleResourceArrayAndBOM(t *testing.T) {
	res := `{"resourceType":"Patient","id":"p1","name":[{"family":"Ng"}]}`
	s := openDone(t, writeFile(t, "p.json", []byte("\xef\xbb\xbf  "+res+"\n")))
	if s.Len() != 1 || string(s.Entry(0)) != res || s.ResourceType(0) != "Patient" || s.ResourceType(1) != "" || s.Status().Format != FormatResource || s.Info().ResourceType != "Patient" {
		t.Fatalf("single: %d %q %v", s.Len(), s.Entry(0), s.Status())
	}
	arr := `[` + res + `, {"resourceType":"Patient","id":"p2"}]`
	s = openDone(t, writeFile(t, "list.json", []byte(arr)))
	if s.Len() != 2 || s.Status().Format != FormatArray || s.Err() != nil || !strings.Contains(string(s.Entry(1)), "p2") {
		t.Fatalf("array: %d %v", s.Len(), s.Status())
	}
	s = openDone(t, writeFile(t, "response.json", []byte(`{"resourceType":"Bundle","type":"transaction-response","entry":[{"response":{"status":"201"}},{"response":{"status":"200"}}]}`)))
	if s.Len() != 0 || s.Info().NoResource != 2 || s.Info().BundleType != "transaction-response" || s.Err() != nil {
		t.Fatalf("response bundle: %d %+v %v", s.Len(), s.Info(), s.Err())
	}
	s = openDone(t, writeFile(t, "empty-list.json", []byte(`[]`)))
	if s.Len() != 0 || s.Err() != nil {
		t.Fatalf("OpenEMR's [] body: %d %v", s.Len(), s.Err())
	}
}

func TestNDJSONSkipsBadLinesWithLineNumbers(t *testing.T) {
	var buf bytes.Buffer
	if _, err := jsonscantest.WriteNDJSON(&buf, 10, 3); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	lines[2] = `{"resourceType":"Patient","id":` + "\n"           // line 3: truncated record
	lines[5] = "\r\n"                                             // line 6: blank (CRLF), ignored
	lines[7] = `{"resourceType":"Patient","n":"caf` + "\xe9\"}\n" // line 8: bad UTF-8
	lines = append(lines, `["not","a","resource"]`+"\n")          // line 11
	data := []byte(strings.Join(lines, ""))
	for _, name := range []string{"export.ndjson", "Patient.000.json"} { // extension or content decides
		s := openDone(t, writeFile(t, name, data))
		st := s.Status()
		if st.Format != FormatNDJSON || st.Entries != 7 || st.BadLines != 3 || st.Err != nil {
			t.Fatalf("%s: status %+v", name, st)
		}
		le := s.LineErrors()
		wantReasons := map[int]Reason{3: ReasonTruncated, 8: ReasonInvalidUTF8, 11: ReasonNotFHIR}
		for _, e := range le {
			var fe *Error
			if !errors.As(e.Err, &fe) || wantReasons[e.Line] != fe.Reason {
				t.Errorf("%s: line error %v", name, e)
			}
		}
		if len(le) != 3 || s.Line(2) != 4 || !json.Valid(s.Entry(6)) {
			t.Fatalf("%s: %v, line of entry 2 = %d", name, le, s.Line(2))
		}
	}
}

func TestFileErrors(t *testing.T) {
	var bundle bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&bundle, 50, jsonscantest.Options{Seed: 9, Indent: true})
	full := bundle.Bytes()
	cases := []struct {
		name    string
		data    []byte
		atOpen  bool // rejected by OpenFile itself
		reason  Reason
		entries int // usable entries before the problem
	}{
		{"empty.json", nil, true, ReasonEmpty, 0},
		{"blank.json", []byte(" \n\t "), true, ReasonEmpty, 0},
		{"page.json", []byte("<!DOCTYPE html><html><body>502 Bad Gateway</body></html>"), true, ReasonNotJSON, 0},
		{"export.json.gz", []byte{0x1f, 0x8b, 8, 0, 0, 0}, true, ReasonNotJSON, 0},
		{"cut.json", full[:len(full)*3/4], false, ReasonTruncated, 37},
		{"deep.json", []byte(`{"resourceType":"Basic","x":` + strings.Repeat("[", 600) + strings.Repeat("]", 600) + `}`), false, ReasonTooDeep, 0},
		{"utf8.json", []byte(`{"resourceType":"Patient","id":"` + "\xff" + `"}`), false, ReasonInvalidUTF8, 0},
		{"two.json", append(append([]byte{}, full...), []byte("garbage")...), false, ReasonTrailing, 50},
		{"nores.json", []byte(`{"hello":"world"}`), false, ReasonNotFHIR, 0},
	}
	for _, c := range cases {
		s, err := OpenFile(writeFile(t, c.name, c.data))
		if c.atOpen {
			var fe *Error
			if !errors.As(err, &fe) || fe.Reason != c.reason {
				t.Errorf("%s: OpenFile error %v, want %v", c.name, err, c.reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		_ = s.Wait(context.Background())
		var fe *Error
		if !errors.As(s.Err(), &fe) || fe.Reason != c.reason || s.Len() < c.entries || fe.Line == 0 {
			t.Errorf("%s: Err %v (%d entries), want %v with >= %d entries", c.name, s.Err(), s.Len(), c.reason, c.entries)
		}
		_ = s.Close()
	}
	if _, err := OpenFile(filepath.Join(t.TempDir(), "missing.json")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestProgressNotificationsAndClose(t *testing.T) {
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&buf, 2000, jsonscantest.Options{Seed: 1})
	s, err := FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if n, err := s.WaitFor(ctx, 40); err != nil || n < 40 {
		t.Fatalf("WaitFor(40) = %d, %v", n, err)
	}
	for !s.Done() {
		<-s.Changed()
	}
	select {
	case <-s.Changed():
	default:
		t.Fatal("Changed must stay closed after Done")
	}
	if s.Len() != 2000 {
		t.Fatalf("Len = %d", s.Len())
	}
	if c := s.EntryCopy(1999); !json.Valid(c) {
		t.Fatal("EntryCopy")
	}
	if err := s.Close(); err != nil || s.Entry(0) != nil || s.EntryCopy(0) != nil || s.Close() != nil {
		t.Fatal("Close must be idempotent and hide entries")
	}
}

func TestCloseStopsIndexingEarly(t *testing.T) {
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&buf, 20000, jsonscantest.Options{Seed: 1})
	s, err := FromBytes(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	_, _ = s.WaitFor(context.Background(), 1)
	if err := s.Close(); err != nil || s.Err() != nil || !s.Done() {
		t.Fatalf("close mid-index: %v %v", err, s.Err())
	}
}

func TestPrettyDocumentNamedNDJSON(t *testing.T) {
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&buf, 12, jsonscantest.Options{Seed: 8, Indent: true})
	s := openDone(t, writeFile(t, "saved.ndjson", buf.Bytes()))
	if st := s.Status(); st.Format != FormatBundle || st.Entries != 12 || st.BadLines != 0 {
		t.Fatalf("status %+v", st)
	}
}

func TestNDJSONWithBrokenFirstRecord(t *testing.T) {
	nd := "{\"resourceType\":\"Patient\",\"id\":}\n{\"resourceType\":\"Patient\",\"id\":\"2\"}\n"
	s := openDone(t, writeFile(t, "export.json", []byte(nd)))
	if st := s.Status(); st.Format != FormatNDJSON || st.Entries != 1 || st.BadLines != 1 || s.LineErrors()[0].Line != 1 {
		t.Fatalf("status %+v %v", st, s.LineErrors())
	}
}

func TestNDJSONWithLongFirstLine(t *testing.T) {
	defer func(old int) { probeLimit = old }(probeLimit)
	probeLimit = 64 // the first line is longer than the probe: detected late
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteNDJSON(&buf, 5, 8)
	s := openDone(t, writeFile(t, "export.txt", buf.Bytes()))
	if st := s.Status(); st.Format != FormatNDJSON || st.Entries != 5 || st.Err != nil || s.Line(4) != 5 {
		t.Fatalf("status %+v", st)
	}
	// A real trailing-garbage document stays an error.
	s = openDone(t, writeFile(t, "two.json", []byte(`{"resourceType":"Patient"} {"x":1}`)))
	if s.Err() == nil || s.Len() != 0 {
		t.Fatalf("same-line trailing object: %v", s.Err())
	}
}

// Readers hammer the Source while it indexes (run with -race).
// naiveFilter is the reference: every term in the entry's summary.
func TestLineNumbersForwardAndBack(t *testing.T) {
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&buf, 40, jsonscantest.Options{Seed: 2, Indent: true})
	s, _ := FromBytes(buf.Bytes())
	_ = s.Wait(context.Background())
	for _, i := range []int{5, 30, 39, 2, 0, 39} {
		sp, _ := s.Span(i)
		if want := bytes.Count(buf.Bytes()[:sp.Start], []byte("\n")) + 1; s.Line(i) != want {
			t.Fatalf("Line(%d) = %d, want %d", i, s.Line(i), want)
		}
	}
}

func TestFormatKnownWhileIndexing(t *testing.T) {
	var buf bytes.Buffer
	_, _ = jsonscantest.WriteBundle(&buf, 3000, jsonscantest.Options{Seed: 6})
	s, _ := FromBytes(buf.Bytes())
	defer s.Close()
	if _, err := s.WaitFor(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	if f := s.Status().Format; f != FormatBundle {
		t.Fatalf("format after the first entry = %v", f)
	}
}

// Error text reaches the terminal: hostile file content quoted in it must be
// inert (no ESC, no bidi override, no other control byte).
func TestErrorMessagesAreTerminalSafe(t *testing.T) {
	hostile := "\x1b]52;c;ZXZpbA==\a\x1b[2J\u202e<script>"
	_, err := OpenFile(writeFile(t, "evil.json", []byte(hostile)))
	if err == nil {
		t.Fatal("accepted")
	}
	for _, r := range err.Error() {
		if r < 0x20 || r == 0x7f || r == '\u202e' {
			t.Fatalf("raw control %U in %q", r, err.Error())
		}
	}
	s, _ := FromBytes([]byte("{\"resourceType\":\"Patient\"}\n{\"x\":\"\x1b[2J\xff\"}\n"))
	_ = s.Wait(context.Background())
	for _, le := range s.LineErrors() {
		if strings.ContainsAny(le.Error(), "\x1b\x07") {
			t.Fatalf("raw control in %q", le.Error())
		}
	}
}
