package ui

import (
	"encoding/json"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"fhirscope/ui/summary"
	"fhirscope/ui/termsafe"
)

// openOverview is `o` in the results table: the overview of the Patient under the cursor, or
// of the patient a clinical resource (Observation, Condition...) belongs to.
func (s *ResultsScreen) openOverview() tea.Cmd {
	if OpenOverview == nil {
		return nil
	}
	if s.c.Client == nil {
		return Status("the patient overview searches a server: not available for a file")
	}
	i, ok := s.cursorRow()
	if !ok {
		return nil
	}
	pid, err := overviewPatientOf(s.src.Entry(i))
	if err != nil {
		return Status(err.Error())
	}
	return Push(OpenOverview(s.c, pid))
}

// overviewPatientOf finds the patient id of a Patient, or of the resource's subject/patient.
func overviewPatientOf(raw []byte) (string, error) {
	var r struct {
		ResourceType, ID string
		Subject, Patient struct{ Reference string }
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return "", fmt.Errorf("o: this row is not valid JSON")
	}
	if r.ResourceType == "Patient" && r.ID != "" {
		return r.ID, nil
	}
	for _, ref := range []string{r.Subject.Reference, r.Patient.Reference} {
		// Relative, absolute or versioned (Patient/1/_history/2), as the table reads them.
		if typeID, ok := summary.ParseReference(ref); ok {
			if typ, id, _ := strings.Cut(typeID, "/"); typ == "Patient" {
				return id, nil
			}
		}
	}
	return "", fmt.Errorf("o opens a patient's overview: this %s names no patient", termsafe.String(r.ResourceType))
}

// openOverview is `o` in the inspector: the overview of the Patient shown, or of the patient
// the resource shown belongs to.
func (s *InspectorScreen) openOverview() tea.Cmd {
	if OpenOverview == nil || s.cur == nil {
		return nil
	}
	pid, err := overviewPatientOf(s.cur.data)
	if err != nil {
		s.setStatus(err.Error(), true)
		return nil
	}
	return Push(OpenOverview(s.c, pid))
}
