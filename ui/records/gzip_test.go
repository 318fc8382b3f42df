package records

import (
	"bytes"
	"compress/gzip"
	"errors"
	"os"
	"strings"
	"testing"

	"fhirscope/fhirclient/jsonscan/jsonscantest"
)

func gz(t *testing.T, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestGzipFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where the decompressed copy goes; it must not stay
	var nd, bundle bytes.Buffer
	_, _ = jsonscantest.WriteNDJSON(&nd, 30, 4)
	_, _ = jsonscantest.WriteBundle(&bundle, 20, jsonscantest.Options{Seed: 4})

	s := openDone(t, writeFile(t, "Patient.ndjson.gz", gz(t, nd.Bytes())))
	if st := s.Status(); st.Format != FormatNDJSON || st.Entries != 30 || st.Err != nil || s.Line(29) != 30 {
		t.Fatalf("ndjson.gz: %+v", st)
	}
	s = openDone(t, writeFile(t, "bundle.json.gz", gz(t, bundle.Bytes())))
	if st := s.Status(); st.Format != FormatBundle || st.Entries != 20 || st.Err != nil {
		t.Fatalf("bundle.json.gz: %+v", st)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("decompressed copies left behind: %v", left)
	}

	// Cut short: the gzip stream ends early.
	whole := gz(t, nd.Bytes())
	_, err := OpenFile(writeFile(t, "cut.ndjson.gz", whole[:len(whole)/2]))
	var fe *Error
	if !errors.As(err, &fe) || fe.Reason != ReasonTruncated {
		t.Fatalf("cut gzip: %v", err)
	}

	// A bomb: far more output than the cap allows.
	defer func(r, c int64) { maxInflate, minInflateCap = r, c }(maxInflate, minInflateCap)
	maxInflate, minInflateCap = 10, 1<<10
	bomb := gz(t, []byte(`{"resourceType":"Basic","x":"`+strings.Repeat("A", 1<<20)+`"}`))
	if _, err := OpenFile(writeFile(t, "bomb.json.gz", bomb)); !errors.As(err, &fe) || !strings.Contains(err.Error(), "refusing") {
		t.Fatalf("bomb: %v", err)
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("decompressed copies left behind: %v", left)
	}
}

// The read fallback (non-unix, or mmap refused) must see the inflated data.
func TestGzipReadFallback(t *testing.T) {
	data := gz(t, []byte("{\"resourceType\":\"Patient\",\"id\":\"z\"}\n"))
	p := writeFile(t, "x.json.gz", data)
	f, _ := os.Open(p)
	defer f.Close()
	tmpData, unmap, err := openGzipWith(p, f, int64(len(data)), readAll)
	if err != nil || !bytes.Contains(tmpData, []byte(`"id":"z"`)) {
		t.Fatalf("%q %v", tmpData, err)
	}
	if unmap != nil {
		_ = unmap()
	}
}
