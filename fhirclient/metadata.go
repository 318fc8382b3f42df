package fhirclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sort"
)

// Capabilities is the part of a CapabilityStatement an explorer needs.
type Capabilities struct {
	Software, SoftwareVersion, FHIRVersion string
	Formats                                []string
	Resources                              []ResourceCapability // sorted by Type
	// Operations are system-level operations (e.g. "export").
	Operations []string
	// OAuth holds the oauth-uris extension (OpenEMR 7.0.2/7.0.3 send it; 7.0.4+ do not).
	OAuth OAuthURIs
	Raw   []byte
}

// OAuthURIs are the endpoints of the SMART oauth-uris extension.
type OAuthURIs struct{ Token, Authorize, Register, Introspect, Revoke, Manage string }

// ResourceCapability is one resource type the server supports.
type ResourceCapability struct {
	Type         string
	Interactions []string // "read", "search-type", ...
	SearchParams []SearchParam
	Operations   []string
}

// SearchParam is a supported search parameter.
type SearchParam struct{ Name, Type, Documentation string }

// Resource returns the capability of type typ.
func (c *Capabilities) Resource(typ string) (ResourceCapability, bool) {
	i := sort.Search(len(c.Resources), func(i int) bool { return c.Resources[i].Type >= typ })
	if i < len(c.Resources) && c.Resources[i].Type == typ {
		return c.Resources[i], true
	}
	return ResourceCapability{}, false
}

// Types lists the resource types, sorted.
func (c *Capabilities) Types() []string {
	out := make([]string, len(c.Resources))
	for i, r := range c.Resources {
		out[i] = r.Type
	}
	return out
}

// Can reports whether the type supports the interaction (e.g. "search-type").
func (r ResourceCapability) Can(interaction string) bool {
	return slices.Contains(r.Interactions, interaction)
}

const oauthURIsExtension = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"

// Metadata fetches and parses {base}/metadata (no token needed), once per client.
// Concurrent callers share one fetch; a caller whose context ends stops waiting.
func (c *Client) Metadata(ctx context.Context) (*Capabilities, error) {
	select {
	case c.metaSem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.metaSem }()
	c.metaMu.Lock()
	meta := c.meta
	c.metaMu.Unlock()
	if meta != nil {
		return meta, nil
	}
	in, err := c.getPublic(ctx, "metadata", "application/fhir+json, application/json;q=0.9")
	if err != nil {
		return nil, err
	}
	if e := c.wrongBase(in); e != nil {
		return nil, e
	}
	u, _ := c.resolve("metadata")
	if in.status != http.StatusOK {
		return nil, classify(http.MethodGet, u.String(), in, nil, "")
	}
	caps, err := ParseCapabilityStatement(in.body)
	if err != nil {
		ae := classify(http.MethodGet, u.String(), in, nil, "")
		if ae.Kind == KindOther {
			// A 200 JSON body that is no CapabilityStatement (another resource, a wrong shape,
			// nesting beyond encoding/json's limit): typed, so it is explained with a fix.
			return nil, &BaseURLError{Base: c.baseStr, Status: in.status, Reason: err.Error(),
				Suggestion: suggestOpenEMRBase(c.origin, c.base.Path)}
		}
		return nil, ae
	}
	c.metaMu.Lock()
	c.meta = caps
	c.metaMu.Unlock()
	return caps, nil
}

// ParseCapabilityStatement parses a CapabilityStatement; Raw aliases body.
func ParseCapabilityStatement(body []byte) (*Capabilities, error) {
	type ext struct {
		URL       string `json:"url"`
		ValueURI  string `json:"valueUri"`
		ValueURL  string `json:"valueUrl"`
		Extension []ext  `json:"extension"`
	}
	type named struct {
		Name string `json:"name"`
		Code string `json:"code"`
	}
	var raw struct {
		ResourceType string `json:"resourceType"`
		FHIRVersion  string `json:"fhirVersion"`
		Format       []string
		Software     struct{ Name, Version string }
		Rest         []struct {
			Mode     string `json:"mode"`
			Security struct {
				Extension []ext `json:"extension"`
			} `json:"security"`
			Operation []named `json:"operation"`
			Resource  []struct {
				Type        string  `json:"type"`
				Interaction []named `json:"interaction"`
				SearchParam []struct {
					Name, Type, Documentation string
				} `json:"searchParam"`
				Operation []named `json:"operation"`
			} `json:"resource"`
		} `json:"rest"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, fmt.Errorf("metadata is not a CapabilityStatement: %w", err)
	}
	if raw.ResourceType != "CapabilityStatement" {
		return nil, errors.New("metadata is not a CapabilityStatement (resourceType " + fmt.Sprintf("%q", raw.ResourceType) + ")")
	}
	caps := &Capabilities{Software: raw.Software.Name, SoftwareVersion: raw.Software.Version,
		FHIRVersion: raw.FHIRVersion, Formats: raw.Format, Raw: body}
	for _, rest := range raw.Rest {
		if rest.Mode != "" && rest.Mode != "server" {
			continue
		}
		for _, e := range rest.Security.Extension {
			if e.URL != oauthURIsExtension {
				continue
			}
			for _, sub := range e.Extension {
				v := firstNonEmpty(sub.ValueURI, sub.ValueURL)
				switch sub.URL {
				case "token":
					caps.OAuth.Token = v
				case "authorize":
					caps.OAuth.Authorize = v
				case "register":
					caps.OAuth.Register = v
				case "introspect":
					caps.OAuth.Introspect = v
				case "revoke":
					caps.OAuth.Revoke = v
				case "manage":
					caps.OAuth.Manage = v
				}
			}
		}
		for _, op := range rest.Operation {
			caps.Operations = append(caps.Operations, op.Name)
		}
		for _, r := range rest.Resource {
			if r.Type == "" {
				continue
			}
			rc := ResourceCapability{Type: r.Type}
			for _, in := range r.Interaction {
				rc.Interactions = append(rc.Interactions, in.Code)
			}
			for _, sp := range r.SearchParam {
				rc.SearchParams = append(rc.SearchParams, SearchParam{Name: sp.Name, Type: sp.Type, Documentation: sp.Documentation})
			}
			for _, op := range r.Operation {
				rc.Operations = append(rc.Operations, op.Name)
			}
			caps.Resources = append(caps.Resources, rc)
		}
	}
	sort.SliceStable(caps.Resources, func(i, j int) bool { return caps.Resources[i].Type < caps.Resources[j].Type })
	return caps, nil
}

func isBaseURLError(err error) bool { var e *BaseURLError; return errors.As(err, &e) }
func isNetworkError(err error) bool { var e *NetworkError; return errors.As(err, &e) }
