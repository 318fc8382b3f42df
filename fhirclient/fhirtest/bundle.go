package fhirtest

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// bundleLink is one Bundle.link.
type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// writeCollection writes OpenEMR's search result: a collection bundle whose total is the
// number of entries returned, with ONE self link without the query string.
func (s *Server) writeCollection(w http.ResponseWriter, typ string, entries []Resource) {
	self := s.linkBase() + "/" + typ
	s.streamBundle(w, "collection", len(entries), []bundleLink{{"self", self}}, typ, entries, false)
}

// writeSearchset writes a standard searchset page with the total of all matches and
// self/first/previous/next/last links that carry the query.
func (s *Server) writeSearchset(w http.ResponseWriter, typ string, q url.Values, matches []Resource, offset, count int) {
	offset = max(offset, 0)
	page := window(matches, offset, count, true, false)
	link := func(off int) string {
		v := url.Values{}
		for k, vals := range q {
			if k != "_offset" && k != "_count" {
				v[k] = vals
			}
		}
		v.Set("_count", strconv.Itoa(count))
		v.Set("_offset", strconv.Itoa(off))
		return s.linkBase() + "/" + typ + "?" + v.Encode()
	}
	links := []bundleLink{{"self", link(offset)}, {"first", link(0)}}
	if offset > 0 {
		links = append(links, bundleLink{"previous", link(max(0, offset-count))})
	}
	if offset < len(matches) && count < len(matches)-offset { // offset+count may overflow
		links = append(links, bundleLink{"next", link(offset + count)})
	}
	if len(matches) > 0 && count > 0 {
		links = append(links, bundleLink{"last", link((len(matches) - 1) / count * count)})
	}
	s.streamBundle(w, "searchset", len(matches), links, typ, page, true)
}

// streamBundle writes the bundle without building it in memory: each entry's stored JSON is
// copied as is, so a 10,000-entry bundle costs one pass over the bytes.
func (s *Server) streamBundle(w http.ResponseWriter, bundleType string, total int, links []bundleLink,
	typ string, entries []Resource, searchMode bool) {
	entries = s.data.withJSON(entries) // a lazy dataset's Patients carry only ids until now
	w.Header().Set("Content-Type", s.contentType())
	w.WriteHeader(http.StatusOK)
	bw := bufio.NewWriterSize(w, 64<<10)
	linkJSON, _ := json.Marshal(links)
	bw.WriteString(`{"meta":{"lastUpdated":"`)
	bw.WriteString(s.clock().UTC().Format(time.RFC3339))
	bw.WriteString(`"},"resourceType":"Bundle","type":"`)
	bw.WriteString(bundleType)
	bw.WriteString(`","total":`)
	bw.WriteString(strconv.Itoa(total))
	bw.WriteString(`,"link":`)
	bw.Write(linkJSON)
	if len(entries) > 0 {
		bw.WriteString(`,"entry":[`)
		rawBase := s.FHIRBase() + "/" + typ + "/"
		base := rawBase // as it appears inside the JSON string
		if !jsonSafe(base) {
			b, _ := json.Marshal(base)
			base = string(b[1 : len(b)-1])
		}
		for i, r := range entries {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(`{"fullUrl":`)
			if jsonSafe(r.ID) { // FHIR ids are [A-Za-z0-9-.]: no escaping, no allocation
				bw.WriteByte('"')
				bw.WriteString(base)
				bw.WriteString(r.ID)
				bw.WriteByte('"')
			} else {
				writeJSONString(bw, rawBase+r.ID)
			}
			bw.WriteString(`,"resource":`)
			bw.Write(r.JSON)
			if searchMode {
				bw.WriteString(`,"search":{"mode":"match"}`)
			}
			bw.WriteByte('}')
		}
		bw.WriteByte(']')
	}
	bw.WriteString("}")
	_ = bw.Flush()
}

func writeJSONString(bw *bufio.Writer, s string) {
	b, _ := json.Marshal(s)
	bw.Write(b)
}

// jsonSafe reports whether s can be written inside a JSON string as is.
func jsonSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// linkBase is the FHIR base used in Bundle.link URLs: the server's own, unless SetLinkOrigin
// moved links to another origin (to test that clients refuse to send their token there).
func (s *Server) linkBase() string {
	if o := s.linkOrigin.Load(); o != nil && *o != "" {
		return *o + s.opts.Webroot + "/apis/" + s.opts.Site + "/fhir"
	}
	return s.FHIRBase()
}

// SetLinkOrigin makes bundle links (self, next, previous, ...) point at origin instead of the
// server's own origin; "" restores them.
func (s *Server) SetLinkOrigin(origin string) {
	o := strings.TrimRight(origin, "/")
	s.linkOrigin.Store(&o)
}
