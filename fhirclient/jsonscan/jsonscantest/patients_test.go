package jsonscantest

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestGeneratedBundlesAreValidFHIR(t *testing.T) {
	for _, indent := range []bool{false, true} {
		var buf bytes.Buffer
		n, err := WriteBundle(&buf, 25, Options{Seed: 7, Indent: indent})
		if err != nil || n != int64(buf.Len()) {
			t.Fatalf("WriteBundle: %d %v", n, err)
		}
		var b struct {
			ResourceType string
			Total        int
			Entry        []struct {
				Resource struct {
					ResourceType string
					ID           string
					Name         []struct{ Family string }
				}
			}
		}
		if err := json.Unmarshal(buf.Bytes(), &b); err != nil {
			t.Fatalf("indent=%v: %v", indent, err)
		}
		if b.ResourceType != "Bundle" || b.Total != 25 || len(b.Entry) != 25 || b.Entry[24].Resource.ResourceType != "Patient" || b.Entry[3].Resource.Name[0].Family == "" {
			t.Fatalf("unexpected bundle: %+v", b)
		}
	}
	var a, b bytes.Buffer
	_, _ = WriteBundle(&a, 5, Options{Seed: 1})
	_, _ = WriteBundle(&b, 5, Options{Seed: 1})
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same seed must give the same bytes")
	}
	var c bytes.Buffer
	entries, size, err := WriteBundleSize(&c, 100_000, Options{Seed: 2})
	if err != nil || size < 100_000 || entries < 10 || !json.Valid(c.Bytes()) {
		t.Fatalf("WriteBundleSize: %d entries, %d bytes, %v", entries, size, err)
	}
	var nd bytes.Buffer
	if _, err := WriteNDJSON(&nd, 3, 1); err != nil || bytes.Count(nd.Bytes(), []byte("\n")) != 3 {
		t.Fatalf("WriteNDJSON: %v", err)
	}
}
