package main

import (
	"context"
	"encoding/json"
	"strings"

	"fhirscope/fhirclient"
)

// getBody fetches path: one GET, or with all every page of a search merged into one
// searchset Bundle (entries only; each page's links are the server's business).
func getBody(ctx context.Context, client *fhirclient.Client, path string, all bool) ([]byte, error) {
	if !all {
		resp, err := client.Get(ctx, path)
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
	typ, params, err := client.ParseSearchPath(path)
	if err != nil {
		return nil, err
	}
	entries := []json.RawMessage{}
	for page, err := range client.SearchIter(ctx, typ, params) {
		if err != nil {
			return nil, err
		}
		for _, e := range page.Entries {
			entries = append(entries, json.RawMessage(`{"resource":`+strings.TrimSpace(string(e))+`}`))
		}
	}
	return json.Marshal(map[string]any{"resourceType": "Bundle", "type": "searchset", "total": len(entries), "entry": entries})
}
