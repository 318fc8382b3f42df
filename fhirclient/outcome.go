package fhirclient

import (
	"bytes"
	"encoding/json"
	"strings"
)

// OperationOutcome is FHIR's error resource, as far as a person needs it.
type OperationOutcome struct {
	Issues []OutcomeIssue `json:"issue"`
}

// OutcomeIssue is one issue of an OperationOutcome.
type OutcomeIssue struct {
	Severity    string   `json:"severity"`
	Code        string   `json:"code"`
	Diagnostics string   `json:"diagnostics,omitempty"`
	Details     string   `json:"-"` // details.text, or the first coding's display
	Expression  []string `json:"expression,omitempty"`
}

// Summary joins the issues into one line: "error: invalid: Unknown search parameter".
func (o *OperationOutcome) Summary() string {
	if o == nil {
		return ""
	}
	parts := make([]string, 0, len(o.Issues))
	for _, is := range o.Issues {
		text := firstNonEmpty(is.Diagnostics, is.Details)
		p := strings.Trim(is.Severity+": "+is.Code, ": ")
		if text != "" {
			p += ": " + text
		}
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "; ")
}

// ParseOperationOutcome parses body as an OperationOutcome; ok is false for anything else.
func ParseOperationOutcome(body []byte) (oo *OperationOutcome, ok bool) {
	var raw struct {
		ResourceType string `json:"resourceType"`
		Issue        []struct {
			Severity    string   `json:"severity"`
			Code        string   `json:"code"`
			Diagnostics string   `json:"diagnostics"`
			Expression  []string `json:"expression"`
			Details     *struct {
				Text   string `json:"text"`
				Coding []struct {
					Display string `json:"display"`
					Code    string `json:"code"`
				} `json:"coding"`
			} `json:"details"`
		} `json:"issue"`
	}
	if json.Unmarshal(body, &raw) != nil || raw.ResourceType != "OperationOutcome" {
		return nil, false
	}
	oo = &OperationOutcome{Issues: make([]OutcomeIssue, 0, len(raw.Issue))}
	for _, is := range raw.Issue {
		o := OutcomeIssue{Severity: is.Severity, Code: is.Code, Diagnostics: is.Diagnostics, Expression: is.Expression}
		if is.Details != nil {
			o.Details = is.Details.Text
			for _, c := range is.Details.Coding {
				if o.Details == "" {
					o.Details = firstNonEmpty(c.Display, c.Code)
				}
			}
		}
		oo.Issues = append(oo.Issues, o)
	}
	return oo, true
}

// OAuthErrorBody is an OAuth-style error body. league/oauth2-server sends error,
// error_description, hint and message; OpenEMR 7.0.4+ FHIR 401s send
// {"error":"An error occurred","message":"Unauthorized","code":0}.
type OAuthErrorBody struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Hint        string `json:"hint"`
	Message     string `json:"message"`
}

// ParseOAuthError parses body as an OAuth-style error; ok is false unless it is a JSON
// object with a string "error" member.
func ParseOAuthError(body []byte) (e *OAuthErrorBody, ok bool) {
	var probe map[string]json.RawMessage
	if json.Unmarshal(body, &probe) != nil {
		return nil, false
	}
	raw, has := probe["error"]
	if !has {
		return nil, false
	}
	e = &OAuthErrorBody{}
	if json.Unmarshal(raw, &e.Error) != nil {
		return nil, false
	}
	for key, dst := range map[string]*string{"error_description": &e.Description, "hint": &e.Hint, "message": &e.Message} {
		if v, has := probe[key]; has {
			_ = json.Unmarshal(v, dst) // a non-string value is simply not shown
		}
	}
	return e, true
}

// bodyShape is what a body looks like, independent of its Content-Type (which servers and
// proxies get wrong often enough not to be trusted).
type bodyShape int

const (
	shapeEmpty bodyShape = iota
	shapeJSON
	shapeHTML
	shapeText
)

// shapeValidateLimit is the largest body shapeOf checks with json.Valid.
const shapeValidateLimit = 64 << 10

func shapeOf(body []byte) bodyShape {
	t := bytes.TrimSpace(body)
	t = bytes.TrimPrefix(t, []byte("\xef\xbb\xbf"))
	if len(t) == 0 {
		return shapeEmpty
	}
	switch t[0] {
	case '{', '[':
		// Large bodies are validated by the parser that reads them anyway (ScanBundle is
		// strict); validating twice would halve search throughput.
		if len(t) > shapeValidateLimit || json.Valid(t) {
			return shapeJSON
		}
	case '<':
		head := bytes.ToLower(t[:min(len(t), 512)])
		if bytes.Contains(head, []byte("<html")) || bytes.Contains(head, []byte("<!doctype")) ||
			bytes.Contains(head, []byte("<body")) || bytes.Contains(head, []byte("<head")) ||
			bytes.Contains(head, []byte("<title")) || bytes.Contains(head, []byte("<br")) {
			return shapeHTML
		}
	}
	return shapeText
}
