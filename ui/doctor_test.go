package ui

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/doctor"
	"fhirscope/fhirclient/fhirtest"
)

var uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// scopesApp is an app connected with a token that lacks one requested scope: registered for
// Patient and Practitioner, asking for Encounter too.
func scopesApp(t *testing.T, w, h int) (*driver, *fhirtest.Server, *Connection) {
	t.Helper()
	srv := newSandbox(t, fhirtest.Options{Patients: 3})
	log := fhirclient.NewRequestLog(0)
	conn := register(t, srv, []string{"system/Patient.read", "system/Practitioner.read"}, log)
	var err error
	conn.Client, err = fhirclient.New(srv.FHIRBase(), fhirclient.WithCredentials(conn.Cred), fhirclient.WithRequestLog(log),
		fhirclient.WithScopes([]string{"system/Patient.read", "system/Practitioner.read", "system/Encounter.read"}),
		fhirclient.WithClock(func() time.Time { return fixedNow }))
	if err != nil {
		t.Fatal(err)
	}
	app := newTestApp(t, Options{Conn: conn, Log: log})
	d := newDriver(t, app, w, h)
	d.until("connected", func() bool { cs, ok := app.Top().(*ConnectScreen); return ok && cs.Done() })
	d.press("enter")
	d.until("types screen", func() bool { _, ok := app.Top().(*TypesScreen); return ok })
	return d, srv, conn
}

func TestScopesScreenShowsDroppedScopeAndDenials(t *testing.T) {
	d, srv, conn := scopesApp(t, 110, 34)
	d.send(PushMsg{Screen: NewScopesScreen(d.app.Common())})
	var s *DoctorScreen
	d.until("scopes report", func() bool {
		var ok bool
		s, ok = d.app.Top().(*DoctorScreen)
		return ok && s.Report() != nil
	})
	scr := d.screen()
	for _, want := range []string{"Scopes", "system/Encounter.read", "dropped silently", "Encounter", "denied"} {
		if !strings.Contains(scr, want) {
			t.Errorf("scopes screen lacks %q:\n%s", want, scr)
		}
	}
	if c, _ := s.Report().Find("scopes.diff"); c.Status != doctor.Warn {
		t.Errorf("scope diff status %s, want warn", c.Status)
	}
	if n := srv.Counters().TokenRequests; n != 1 {
		t.Errorf("the Scopes screen minted %d tokens; the connection's one should serve", n)
	}
	golden(t, "scopes_110x34", uuidRE.ReplaceAllString(normalize(scr, srv, conn.Cred.ClientID), "SYSTEM-USER-UUID"))
}

func TestDoctorScreenEscCancelsAndRerunDropsStaleChecks(t *testing.T) {
	d, _, conn := scopesApp(t, 100, 30)
	s := NewDoctorScreen(d.app.Common(), doctor.Config{BaseURL: conn.Client.BaseURL(), ClientID: conn.Cred.ClientID,
		Key: conn.Cred.Signer, Scopes: []string{"system/Patient.read"}, Now: func() time.Time { return fixedNow }})
	d.send(PushMsg{Screen: s})
	if !s.Busy() {
		t.Fatal("doctor screen not running after push")
	}
	d.press("esc") // stops the run, stays on the screen
	if s.Busy() || d.app.Top() != Screen(s) {
		t.Fatalf("esc should stop the run and keep the screen: busy=%v top=%T", s.Busy(), d.app.Top())
	}
	old := s.reqID
	d.press("r")
	if s.reqID == old || !s.Busy() {
		t.Fatal("r should start a new run with a new request id")
	}
	s.Update(doctorCheckMsg{id: old, check: doctor.Check{ID: "stale", Title: "stale"}})
	for _, c := range s.checks {
		if c.ID == "stale" {
			t.Fatal("a check from the cancelled run was shown")
		}
	}
	d.until("doctor report", func() bool { return s.Report() != nil })
	if s.Report().Failed() {
		t.Errorf("a healthy setup failed the doctor:\n%s", d.screen())
	}
	d.press("esc")
	if _, ok := d.app.Top().(*DoctorScreen); ok {
		t.Error("esc after the run should leave the screen")
	}
}

func TestScopesKeyAndPaletteEntries(t *testing.T) {
	d, _, conn := scopesApp(t, 100, 30)
	if !strings.Contains(d.screen(), "1 SCOPE DROPPED (S)") {
		t.Errorf("status bar does not flag the dropped scope:\n%s", d.screen())
	}
	d.press("S")
	if s, ok := d.app.Top().(*DoctorScreen); !ok || s.Title() != scopesTitle {
		t.Fatalf("S should open the Scopes screen, top is %T", d.app.Top())
	}
	depth := d.app.Depth()
	d.press("S")
	if d.app.Depth() != depth {
		t.Error("S on the Scopes screen pushed a second one")
	}
	d.press("esc", "esc")
	d.app.Common().Doctor = &doctor.Config{BaseURL: conn.Client.BaseURL()}
	d.press(":")
	d.typeText("doctor")
	if !strings.Contains(d.screen(), "Run the doctor") {
		t.Errorf("palette does not offer the doctor:\n%s", d.screen())
	}
	d.press("enter")
	d.until("doctor screen", func() bool { s, ok := d.app.Top().(*DoctorScreen); return ok && s.Title() == "Doctor" })
}

// A cancelled run's goroutine finishes even when it has more checks to report than anyone
// reads: its sends give up instead of waiting forever.
func TestDoctorCancelledRunDoesNotWaitForAReader(t *testing.T) {
	c := browseCommon(80, 24)
	finished := make(chan struct{})
	s := newDoctorScreen(c, "Doctor", func(ctx context.Context, on func(doctor.Check)) *doctor.Report {
		defer close(finished)
		<-ctx.Done() // cancelled mid-run; the steps left still report their skips
		for i := range 40 {
			on(doctor.Check{Step: 1, ID: fmt.Sprint("skipped", i), Status: doctor.Skip})
		}
		return &doctor.Report{}
	})
	first := s.run()
	go first() // the runtime waits for the first message
	s.Cancel()
	select {
	case <-finished:
	case <-time.After(5 * time.Second):
		t.Fatal("the cancelled run is stuck sending checks nobody reads")
	}
}
