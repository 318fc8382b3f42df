package main

import (
	"encoding/json"
	"strings"
	"testing"

	"fhirscope/fhirclient/doctor"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// TestSetupCommandsEndToEnd is the integrator's path in commands, against the sandbox over
// real HTTP: keygen into a profile, register, doctor (fails: not enabled), the admin's enable,
// doctor (passes), token, get, get --all.
func TestSetupCommandsEndToEnd(t *testing.T) {
	sessionCLIEnv(t)
	srv := fhirtest.NewServer(fhirtest.Options{Patients: 30})
	t.Cleanup(srv.Close)
	scopes := "system/Patient.read system/Practitioner.read"

	sessionCLI(t, "keygen", "--profile", "emr").want(t, 0)
	sessionCLI(t, "profile", "add", "emr", "--base", srv.FHIRBase(), "--keyring", "--scopes", scopes, "--default").want(t, 0)

	// Before registration: the key is checked, and the missing client ID named where it matters.
	r := sessionCLI(t, "doctor")
	r.want(t, 1)
	if !strings.Contains(r.stdout, "✓ Private key loads") || !strings.Contains(r.stdout, "no client ID yet") {
		t.Errorf("doctor before registration should pass the key and name the missing client ID:\n%s", r.stdout)
	}

	r = sessionCLI(t, "register")
	r.want(t, 0)
	if !strings.Contains(r.stdout, "Admin > System > API Clients") {
		t.Errorf("register does not tell the user about the admin's enable step:\n%s", r.stdout)
	}
	store, err := session.OpenDefaultStore()
	if err != nil {
		t.Fatal(err)
	}
	p, err := store.Get("emr")
	if err != nil || p.ClientID == "" {
		t.Fatalf("client ID not stored in the profile: %+v %v", p, err)
	}
	sessionCLI(t, "register").want(t, 1, "already has client ID")

	r = sessionCLI(t, "doctor")
	r.want(t, 1)
	if !strings.Contains(r.stdout, "DISABLED") || !strings.Contains(r.stdout, "FAILED") {
		t.Errorf("doctor on a disabled client does not say so:\n%s", r.stdout)
	}

	if err := srv.Enable(p.ClientID); err != nil {
		t.Fatal(err)
	}
	r = sessionCLI(t, "doctor", "--json")
	r.want(t, 0)
	var rep doctor.Report
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep.Failed() {
		t.Fatalf("doctor --json: %v, failed=%v\n%s", err, rep.Failed(), r.stdout)
	}

	r = sessionCLI(t, "token")
	r.want(t, 0)
	if tok := strings.TrimSpace(r.stdout); strings.Count(tok, ".") != 2 || strings.Contains(tok, "\n") {
		t.Errorf("token prints more or less than one JWT: %q", r.stdout)
	}

	r = sessionCLI(t, "get", "Patient?_count=2")
	r.want(t, 0)
	var bundle struct {
		ResourceType string            `json:"resourceType"`
		Entry        []json.RawMessage `json:"entry"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &bundle); err != nil || bundle.ResourceType != "Bundle" || len(bundle.Entry) < 2 {
		t.Fatalf("get Patient?_count=2: %v %+v", err, bundle)
	}

	r = sessionCLI(t, "get", "Patient?_count=7", "--all")
	r.want(t, 0)
	if err := json.Unmarshal([]byte(r.stdout), &bundle); err != nil || len(bundle.Entry) != 30 {
		t.Fatalf("get --all gathered %d patients (%v), want all 30", len(bundle.Entry), err)
	}

	r = sessionCLI(t, "get", "Condition")
	r.want(t, 1, "scope")
}

// fhirscope get on a terminal shows server text inert; through a pipe it stays byte-exact.
func TestGetRendersInertTextOnATerminal(t *testing.T) {
	hostile := []byte(`{"resourceType":"Patient","name":[{"text":"\u001b]52;c;AAAA\u0007\u001b[2J \u202eevil \u009b"}]}`)
	hostile = []byte(strings.NewReplacer(`\u001b`, "\x1b", `\u0007`, "\a", `\u202e`, "\u202e", `\u009b`, "\u009b").Replace(string(hostile)))
	out := string(renderBody(hostile, "auto", true))
	for _, bad := range []string{"\x1b", "\a", "\u202e", "\u009b"} {
		if strings.Contains(out, bad) {
			t.Errorf("terminal output holds a raw %q:\n%s", bad, out)
		}
	}
	// Raw bidi and C1 characters are valid JSON: that body is indented, and still inert.
	valid := "{\"name\":\"\u202eevil \u009b\"}"
	if out := string(renderBody([]byte(valid), "auto", true)); !strings.Contains(out, "\n  \"name\"") || strings.Contains(out, "\u202e") {
		t.Errorf("terminal output of valid JSON is not indented or not inert:\n%s", out)
	}
	if piped := renderBody(hostile, "auto", false); string(piped) != string(hostile) {
		t.Errorf("piped output changed: %q", piped)
	}
}
