package fhirtest

// exportJob is a bulk export job.
type exportJob struct{}

// serveBulk handles the bulk export routes; false when parts is not one of them.
func (s *Server) serveBulk(_ any, _ any, _ []string, _ []string) bool { return false }
