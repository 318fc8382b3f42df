package fhirtest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"time"
)

// exportJob is a finished bulk export (OpenEMR runs the export inside the kick-off request).
type exportJob struct {
	ID       string
	Client   string
	Request  string
	Started  time.Time
	ReadyAt  time.Time // status answers 202 until then (Options.ExportDelay)
	Files    []exportFile
	Canceled bool
}

type exportFile struct {
	ID, Type string
	Data     []byte // NDJSON
}

// exportFileLifetime is how long OpenEMR keeps export files after the job started.
const exportFileLifetime = time.Hour

// serveBulk handles $export kick-offs, $bulkdata-status and export file downloads; it
// reports false when parts is not a bulk route.
func (s *Server) serveBulk(w http.ResponseWriter, r *http.Request, scopes []string, parts []string) bool {
	last := parts[len(parts)-1]
	switch {
	case last == "$export" && (len(parts) == 1 || (len(parts) == 2 && parts[0] == "Patient") || (len(parts) == 3 && parts[0] == "Group")):
		s.handleExportKickoff(w, r, scopes, parts)
	case len(parts) == 1 && last == "$bulkdata-status":
		s.handleExportStatus(w, r, scopes)
	case len(parts) == 2 && parts[0] == "Binary":
		f, started, ok := s.exportFile(parts[1])
		if !ok {
			return false // a Binary read, not an export file
		}
		s.handleExportDownload(w, scopes, f, started)
	default:
		return false
	}
	return true
}

func hasScope(scopes []string, want ...string) bool {
	for _, w := range want {
		if slices.Contains(scopes, w) {
			return true
		}
	}
	return false
}

func (s *Server) handleExportKickoff(w http.ResponseWriter, r *http.Request, scopes []string, parts []string) {
	if r.Header.Get("Accept") != "application/fhir+json" || r.Header.Get("Prefer") != "respond-async" {
		writeJSON(w, http.StatusBadRequest, operationOutcome("error", "processing",
			"Bulk export requires the headers Accept: application/fhir+json and Prefer: respond-async"))
		return
	}
	kind := "*"
	if len(parts) > 1 {
		kind = parts[0]
	}
	if !hasScope(scopes, "system/*.$export", "system/"+kind+".$export") || !hasScope(scopes, "system/*.$bulkdata-status") ||
		!hasScope(scopes, "system/Binary.read", "system/Binary.rs") {
		s.writeScopeMissing(w)
		return
	}
	// OpenEMR reads the type filter from `type`, not the standard `_type` (which the paged,
	// standard flavor reads).
	typeParam := "type"
	if s.opts.Flavor == FlavorPaged {
		typeParam = "_type"
	}
	var types []string
	if t := r.URL.Query().Get(typeParam); t != "" {
		types = strings.Split(t, ",")
		for _, typ := range types {
			if ok, _ := scopeAllows(scopes, typ, true); !ok {
				s.writeScopeMissing(w)
				return
			}
		}
	} else {
		for _, td := range s.servedTypes() {
			if ok, _ := scopeAllows(scopes, td.Name, true); ok && !td.ReadOnly {
				types = append(types, td.Name)
			}
		}
	}
	var since time.Time
	if v := r.URL.Query().Get("_since"); v != "" {
		if lo, _, err := dateRange(v); err == nil {
			since = lo
		}
	}
	var members map[string]bool // patient ids in scope; nil: everyone
	if kind == "Group" {
		g, ok := s.data.Get("Group", parts[1])
		if !ok {
			writeRawJSON(w, http.StatusNotFound, []byte("[]"))
			return
		}
		members = groupMembers(g.JSON)
	}
	// On generated-on-demand data an export would build every patient's chart inside this
	// request (gigabytes at 100,000 patients): refused like an unnarrowed search.
	for _, typ := range types {
		if msg := s.data.tooCostly(typ, nil); msg != "" && members == nil {
			s.writeFHIR(w, http.StatusBadRequest, operationOutcome("error", "too-costly",
				"$export: "+strings.Replace(msg, "narrow the search with patient=, subject=, encounter= or _id=",
					"export a Group of patients instead, or start the sandbox with fewer patients", 1)))
			return
		}
	}
	now := s.clock()
	job := &exportJob{ID: randomUUID(), Request: s.URL() + r.URL.RequestURI(),
		Started: now, ReadyAt: now.Add(s.opts.ExportDelay)}
	for _, typ := range types {
		var buf bytes.Buffer
		for _, res := range s.data.All(typ) {
			if !since.IsZero() && res.LastUpdated.Before(since) {
				continue
			}
			if kind != "*" && !inPatientCompartment(res, members) {
				continue
			}
			buf.Write(res.JSON)
			buf.WriteByte('\n')
		}
		if buf.Len() > 0 {
			job.Files = append(job.Files, exportFile{ID: randomUUID(), Type: typ, Data: buf.Bytes()})
		}
	}
	s.mu.Lock()
	s.exports[job.ID] = job
	s.mu.Unlock()
	w.Header().Set("Content-Location", s.FHIRBase()+"/$bulkdata-status?job="+job.ID)
	w.WriteHeader(http.StatusAccepted)
}

// inPatientCompartment reports whether res belongs to a patient export: Patients themselves
// and resources with a patient reference (restricted to members when a group is given).
func inPatientCompartment(res Resource, members map[string]bool) bool {
	ids := res.Search["patient"]
	if res.Type == "Patient" {
		ids = []string{res.ID}
	}
	for _, id := range ids {
		if members == nil || members[id] {
			return true
		}
	}
	return false
}

func groupMembers(groupJSON []byte) map[string]bool {
	var g struct {
		Member []struct {
			Entity struct{ Reference string } `json:"entity"`
		} `json:"member"`
	}
	_ = json.Unmarshal(groupJSON, &g)
	out := map[string]bool{}
	for _, m := range g.Member {
		out[strings.TrimPrefix(m.Entity.Reference, "Patient/")] = true
	}
	return out
}

func (s *Server) job(id string) *exportJob {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j, ok := s.exports[id]; ok && !j.Canceled {
		return j
	}
	return nil
}

func (s *Server) handleExportStatus(w http.ResponseWriter, r *http.Request, scopes []string) {
	if !hasScope(scopes, "system/*.$bulkdata-status") {
		s.writeScopeMissing(w)
		return
	}
	j := s.job(r.URL.Query().Get("job"))
	if j == nil {
		writeJSON(w, http.StatusNotFound, operationOutcome("error", "not-found", "no such export job"))
		return
	}
	switch r.Method {
	case http.MethodDelete:
		s.mu.Lock()
		j.Canceled = true
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		return
	case http.MethodGet:
	default:
		writeJSON(w, http.StatusMethodNotAllowed, operationOutcome("error", "not-supported", "GET or DELETE"))
		return
	}
	if s.clock().Before(j.ReadyAt) {
		if s.opts.Flavor == FlavorPaged { // standard servers pace the polling; OpenEMR does not
			w.Header().Set("Retry-After", "1")
			w.Header().Set("X-Progress", "in progress")
		}
		w.WriteHeader(http.StatusAccepted)
		return
	}
	output := []map[string]string{}
	for _, f := range j.Files {
		output = append(output, map[string]string{"type": f.Type, "url": s.FHIRBase() + "/Binary/" + f.ID})
	}
	// OpenEMR serialises a PHP DateTime here: an object, not the standard instant string.
	var txTime any = map[string]any{"date": j.Started.UTC().Format("2006-01-02 15:04:05.000000"), "timezone_type": 3, "timezone": "UTC"}
	if s.opts.Flavor == FlavorPaged {
		txTime = j.Started.UTC().Format(time.RFC3339)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"transactionTime":     txTime,
		"request":             j.Request,
		"requiresAccessToken": true,
		"output":              output,
		"error":               []any{},
	})
}

// exportFile finds a download of a job not deleted, including expired ones (so the caller can
// say so), with when its job started. Files never change once made: the copy shares Data.
func (s *Server) exportFile(id string) (exportFile, time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, j := range s.exports {
		for _, f := range j.Files {
			if f.ID == id && !j.Canceled {
				return f, j.Started, true
			}
		}
	}
	return exportFile{}, time.Time{}, false
}

func (s *Server) handleExportDownload(w http.ResponseWriter, scopes []string, f exportFile, started time.Time) {
	if ok, _ := scopeAllows(scopes, "Binary", false); !ok {
		s.writeScopeMissing(w)
		return
	}
	if s.clock().After(started.Add(exportFileLifetime)) {
		writeRawJSON(w, http.StatusNotFound, []byte("[]"))
		return
	}
	w.Header().Set("Content-Type", "application/fhir+ndjson")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(f.Data)
}
