package fhirtest

import (
	"net/http"
	"sort"
)

// smartConfig702 is the 7.0.2/7.0.3 smart-configuration, in OpenEMR's member order.
type smartConfig702 struct {
	AuthorizationEndpoint string     `json:"authorization_endpoint"`
	TokenEndpoint         string     `json:"token_endpoint"`
	RegistrationEndpoint  string     `json:"registration_endpoint"`
	ScopesSupported       [][]string `json:"scopes_supported"` // nested: OpenEMR's bug, kept
	ResponseTypes         []string   `json:"response_types_supported"`
	IntrospectionEndpoint string     `json:"introspection_endpoint"`
	Capabilities          []string   `json:"capabilities"`
	CodeChallengeMethods  []string   `json:"code_challenge_methods_supported"`
	GrantTypes            []string   `json:"grant_types_supported"`
}

// smartConfig704 is the 7.0.4+ smart-configuration: issuer, jwks_uri and auth methods added,
// registration_endpoint gone.
type smartConfig704 struct {
	Issuer                string     `json:"issuer"`
	JWKSURI               string     `json:"jwks_uri"`
	AuthorizationEndpoint string     `json:"authorization_endpoint"`
	TokenEndpoint         string     `json:"token_endpoint"`
	TokenAuthMethods      []string   `json:"token_endpoint_auth_methods_supported"`
	ScopesSupported       [][]string `json:"scopes_supported"`
	ResponseTypes         []string   `json:"response_types_supported"`
	IntrospectionEndpoint string     `json:"introspection_endpoint"`
	Capabilities          []string   `json:"capabilities"`
	CodeChallengeMethods  []string   `json:"code_challenge_methods_supported"`
	GrantTypes            []string   `json:"grant_types_supported"`
}

var baseCapabilities = []string{
	"launch-ehr", "context-ehr-patient", "launch-standalone", "context-standalone-patient",
	"context-banner", "context-style", "client-public", "client-confidential-symmetric",
	"sso-openid-connect", "permission-offline", "permission-patient", "permission-user",
}

func (s *Server) handleSmartConfig(w http.ResponseWriter, _ *http.Request) {
	auth := s.AuthBase()
	scopes := [][]string{s.supportedScopes()}
	grants := []string{"authorization_code", "client_credentials"}
	if s.opts.Flavor == Flavor702 {
		writeJSON(w, http.StatusOK, smartConfig702{
			AuthorizationEndpoint: auth + "/authorize", TokenEndpoint: auth + "/token",
			RegistrationEndpoint: auth + "/registration", ScopesSupported: scopes,
			ResponseTypes: []string{"code", "token", "id_token", "code id_token"}, IntrospectionEndpoint: auth + "/introspect",
			Capabilities: baseCapabilities, CodeChallengeMethods: []string{"S256"}, GrantTypes: grants,
		})
		return
	}
	caps := append(append([]string{}, baseCapabilities...), "client-confidential-asymmetric", "permission-v1", "permission-v2")
	writeJSON(w, http.StatusOK, smartConfig704{
		Issuer: s.FHIRBase(), JWKSURI: auth + "/jwk",
		AuthorizationEndpoint: auth + "/authorize", TokenEndpoint: auth + "/token",
		TokenAuthMethods: []string{"client_secret_basic", "private_key_jwt"}, ScopesSupported: scopes,
		ResponseTypes: []string{"code", "token", "id_token", "code id_token"}, IntrospectionEndpoint: auth + "/introspect",
		Capabilities: caps, CodeChallengeMethods: []string{"S256"}, GrantTypes: grants,
	})
}

func (s *Server) handleOpenIDConfig(w http.ResponseWriter, _ *http.Request) {
	auth := s.AuthBase()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                           auth,
		"authorization_endpoint":                           auth + "/authorize",
		"token_endpoint":                                   auth + "/token",
		"jwks_uri":                                         auth + "/jwk",
		"userinfo_endpoint":                                auth + "/userinfo",
		"registration_endpoint":                            auth + "/registration",
		"end_session_endpoint":                             auth + "/logout",
		"introspection_endpoint":                           auth + "/introspect",
		"scopes_supported":                                 s.supportedScopes(),
		"response_types_supported":                         []string{"code", "token", "id_token", "code id_token"},
		"grant_types_supported":                            []string{"authorization_code", "client_credentials"},
		"subject_types_supported":                          []string{"public"},
		"id_token_signing_alg_values_supported":            []string{"RS256"},
		"token_endpoint_auth_methods_supported":            []string{"client_secret_post", "client_secret_basic", "private_key_jwt"},
		"token_endpoint_auth_signing_alg_values_supported": []string{"RS384"},
		"claims_supported":                                 []string{"aud", "email", "exp", "family_name", "given_name", "iat", "iss", "name", "sub"},
		"code_challenge_methods_supported":                 []string{"S256"},
	})
}

// handleJWK serves the server's public key, without a kid, as OpenEMR does.
func (s *Server) handleJWK(w http.ResponseWriter, _ *http.Request) {
	pub := s.key.PublicKey
	writeJSON(w, http.StatusOK, map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "n": b64uInt(pub.N), "e": b64uInt(bigInt(pub.E)), "use": "sig",
	}}})
}

// handleMetadata serves the CapabilityStatement.
func (s *Server) handleMetadata(w http.ResponseWriter, _ *http.Request) {
	version := "7.0.4"
	if s.opts.Flavor == Flavor702 {
		version = "7.0.2"
	}
	var resources []map[string]any
	for _, t := range s.servedTypes() {
		def, _ := s.typeDef(t.Name)
		interactions := []map[string]string{{"code": "read"}}
		if !def.ReadOnly {
			interactions = append(interactions, map[string]string{"code": "search-type"})
		}
		res := map[string]any{
			"type":        def.Name,
			"profile":     "http://hl7.org/fhir/StructureDefinition/" + def.Name,
			"interaction": interactions,
		}
		if len(def.Params) > 0 {
			sps := make([]map[string]string, 0, len(def.Params))
			for _, p := range def.Params {
				sps = append(sps, map[string]string{"name": p.Name, "type": string(p.Type)})
			}
			sort.Slice(sps, func(i, j int) bool { return sps[i]["name"] < sps[j]["name"] })
			res["searchParam"] = sps
		}
		switch def.Name {
		case "Patient", "Group":
			res["operation"] = []map[string]string{{"name": "export",
				"definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/" + lower(def.Name) + "-export"}}
		case "DocumentReference":
			res["operation"] = []map[string]string{{"name": "docref",
				"definition": s.FHIRBase() + "/OperationDefinition/docref"}}
		}
		resources = append(resources, res)
	}
	security := map[string]any{
		"cors": true,
		"service": []map[string]any{{"coding": []map[string]string{{
			"system": "http://terminology.hl7.org/CodeSystem/restful-security-service", "code": "SMART-on-FHIR"}}}},
	}
	if s.opts.Flavor == Flavor702 {
		auth := s.AuthBase()
		security["extension"] = []map[string]any{{
			"url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
			"extension": []map[string]string{
				{"url": "token", "valueUri": auth + "/token"},
				{"url": "authorize", "valueUri": auth + "/authorize"},
				{"url": "register", "valueUri": auth + "/registration"},
				{"url": "introspect", "valueUri": auth + "/introspect"},
			},
		}}
	}
	software := "OpenEMR"
	if s.opts.Flavor == FlavorPaged {
		software, version = "fhirscope sandbox (standard FHIR paging)", "1.0"
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"resourceType": "CapabilityStatement",
		"status":       "active",
		"date":         "2025-01-01",
		"kind":         "instance",
		"software":     map[string]string{"name": software, "version": version},
		"implementation": map[string]string{
			"description": "fhirscope sandbox (OpenEMR-compatible, synthetic data)", "url": s.FHIRBase()},
		"fhirVersion": "4.0.1",
		"format":      []string{"application/json"},
		"rest": []map[string]any{{
			"mode":      "server",
			"security":  security,
			"resource":  resources,
			"operation": []map[string]string{{"name": "export", "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"}},
		}},
	})
}
