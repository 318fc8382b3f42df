package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/fhirtest"
	"fhirscope/session"
)

// A Patient whose name carries an OSC 52 clipboard write and a clear-screen reaches every
// screen as visible, inert text: no raw ESC from it in any frame, styled or not.
func TestHostileServerStringsRenderInert(t *testing.T) {
	data := fhirtest.GenerateBasic(1, 3)
	evil := `{"resourceType":"Patient","id":"evil","name":[{"family":"Doe\u001b]52;c;ZXZpbA==\u0007","given":["\u001b[2JJane\u202e"]}],"gender":"female","birthDate":"1970-01-01"}`
	data.Add(fhirtest.Resource{Type: "Patient", ID: "evil", JSON: []byte(evil),
		Search: map[string][]string{"_id": {"evil"}, "name": {"doe", "jane"}}})
	for _, styles := range []*Styles{NoColorStyles(), NewStyles(true)} {
		srv := newSandbox(t, fhirtest.Options{Data: data})
		log := fhirclient.NewRequestLog(0)
		app := newTestApp(t, Options{Conn: register(t, srv, nil, log), Log: log, Styles: styles})
		d := newDriver(t, app, 120, 40)
		d.until("connected", func() bool { cs, ok := app.Top().(*ConnectScreen); return ok && cs.Done() })
		d.press("enter")
		d.until("types", func() bool { _, ok := app.Top().(*TypesScreen); return ok })
		d.send(PushMsg{OpenType(app.Common(), "Patient")})
		d.until("the hostile row", func() bool { return strings.Contains(d.screen(), "␛]52;c;") })
		assertInert(t, "results", app.Render())

		// Filter the table down to that row and open it in the inspector.
		d.press("/")
		d.typeText("doe")
		d.press("enter")
		d.press("enter")
		d.until("inspector", func() bool { return strings.Contains(d.screen(), `"resourceType": "Patient"`) })
		assertInert(t, "inspector", app.Render())
		if !strings.Contains(d.screen(), "␛[2J") {
			t.Errorf("the escape should be visible as ␛[2J:\n%s", d.screen())
		}
		d.press("L")
		assertInert(t, "request log", app.Render())
	}
}

func assertInert(t *testing.T, where, frame string) {
	t.Helper()
	for _, bad := range []string{"\x1b]52", "\x1b[2J", "\x07", "\u202e"} {
		if strings.Contains(frame, bad) {
			t.Fatalf("%s: the frame holds the raw sequence %q", where, bad)
		}
	}
}

// The status bar counts the token down and re-mints it silently before it expires.
func TestTokenCountdownAndSilentRenewal(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1, TokenLifetime: 60 * time.Second})
	log := fhirclient.NewRequestLog(0)
	now := fixedNow
	conn := register(t, srv, nil, log)
	clientID := conn.Cred.ClientID
	app := newTestApp(t, Options{Conn: conn, Log: log, Now: func() time.Time { return now }})
	d := newDriver(t, app, 100, 24)
	d.until("connected", app.Top().(*ConnectScreen).Done)
	if !strings.Contains(d.screen(), "token 1m00s") {
		t.Fatalf("status bar should show the token's time left:\n%s", d.screen())
	}
	before := srv.Counters().TokenRequests
	now = fixedNow.Add(20 * time.Second)
	d.send(tickMsg(now))
	if app.minting {
		t.Fatal("40s left is no reason to renew")
	}
	if !strings.Contains(d.screen(), "token 0m40s") {
		t.Fatalf("countdown not updated:\n%s", d.screen())
	}
	now = fixedNow.Add(45 * time.Second) // 15s left: renew now
	d.send(tickMsg(now))
	d.until("renewed token", func() bool { return !app.minting && srv.Counters().TokenRequests > before })
	if app.Err() != nil || app.StatusText() != "" {
		t.Fatalf("renewal should be silent: err %v status %q", app.Err(), app.StatusText())
	}

	// The admin disables the client: renewal fails, says so in the status bar, and backs
	// off instead of asking the token endpoint every second.
	if err := srv.Disable(clientID); err != nil {
		t.Fatal(err)
	}
	app.c.Token = &fhirclient.Token{ExpiresAt: now.Add(10 * time.Second)} // due again
	failedAt := srv.Counters().TokenRequests
	d.send(tickMsg(now))
	d.until("failed renewal", func() bool { return !app.minting && strings.Contains(app.StatusText(), "token renewal failed") })
	if srv.Counters().TokenRequests != failedAt+1 {
		t.Fatalf("one token request expected, got %d", srv.Counters().TokenRequests-failedAt)
	}
	now = now.Add(time.Second)
	d.send(tickMsg(now))
	if app.minting {
		t.Fatal("a failed renewal was retried a second later")
	}
	now = now.Add(renewBackoff)
	d.send(tickMsg(now))
	if !app.minting {
		t.Fatal("the renewal should be tried again after the backoff")
	}
	d.until("second failure", func() bool { return !app.minting })
}

func TestStylesFollowBackgroundAndNoColor(t *testing.T) {
	app := newTestApp(t, Options{Start: func(c *Common) Screen { return startNotice(c) }})
	app.fixed = false
	app.Update(tea.BackgroundColorMsg{Color: lightGrey{}})
	if app.Common().Styles.Dark {
		t.Error("a light background should switch to the light palette")
	}
	t.Setenv("NO_COLOR", "1")
	if s := DefaultStyles(true); !s.NoColor {
		t.Error("NO_COLOR should give the colourless styles")
	}
	t.Setenv("NO_COLOR", "")
	if s := DefaultStyles(false); s.NoColor || s.Dark {
		t.Error("without NO_COLOR, the light palette")
	}
}

// The first screen is built before the terminal reports its background: its widgets take
// the light styles when the switch comes.
func TestFirstScreenWidgetsFollowTheBackground(t *testing.T) {
	light := NewStyles(false)
	for name, start := range map[string]func(c *Common) Screen{
		"wizard": func(c *Common) Screen { return NewWizardScreen(c, true) },
		"picker": func(c *Common) Screen { return NewPickerScreen(c) },
	} {
		app := newTestApp(t, Options{Styles: NewStyles(true), Start: start})
		app.fixed = false
		app.Update(tea.BackgroundColorMsg{Color: lightGrey{}})
		var in textinput.Model
		switch s := app.Top().(type) {
		case *WizardScreen:
			in = s.name
			if got := s.spin.Style.GetForeground(); got != light.Spinner.GetForeground() {
				t.Errorf("wizard spinner colour %v, want the light %v", got, light.Spinner.GetForeground())
			}
		case *PickerScreen:
			in = s.filter
		}
		if got, want := in.Styles().Focused.Prompt.GetForeground(), light.Key.GetForeground(); got != want {
			t.Errorf("%s: the input prompt is %v after the switch to light, want %v", name, got, want)
		}
	}
}

type lightGrey struct{}

func (lightGrey) RGBA() (r, g, b, a uint32) { return 0xeeee, 0xeeee, 0xeeee, 0xffff }

// --demo end to end through the model: sandbox, key, registration, enable, connect.
func TestDemoBootstrapConnects(t *testing.T) {
	log := fhirclient.NewRequestLog(0)
	demo := NewDemo(DemoOptions{Patients: 5, Log: log})
	t.Cleanup(demo.Close)
	app := newTestApp(t, Options{Conn: demo.Connection(), Demo: true, Log: log, Now: time.Now})
	d := newDriver(t, app, 120, 40)
	cs := app.Top().(*ConnectScreen)
	// Drawn between messages, as tea.Program does while the steps run (-race checks the
	// steps never write what View reads).
	d.until("demo connected", func() bool { _ = d.screen(); return cs.Done() || cs.Failed() != nil })
	if err := cs.Failed(); err != nil {
		t.Fatalf("demo failed: %v\n%s", err, d.screen())
	}
	scr := d.screen()
	for _, want := range []string{"✓ Start the sandbox", "5 patients", "✓ Generate an ephemeral RS384 key", "✓ Register the client",
		"✓ Enable the client", "Admin > System > API Clients", "DEMO: synthetic data"} {
		if !strings.Contains(scr, want) {
			t.Errorf("demo connect screen lacks %q:\n%s", want, scr)
		}
	}
	if len(app.Common().Token.Dropped()) != 0 {
		t.Errorf("the demo client should get every scope it asked for, dropped %v", app.Common().Token.Dropped())
	}
	base := app.Common().Client.BaseURL()
	demo.Close()
	if _, err := app.Common().Client.Metadata(context.Background()); err == nil {
		// Metadata is cached by the client; a fresh request shows the server is gone.
		if _, err := app.Common().Client.Get(context.Background(), base+"/Patient"); err == nil {
			t.Error("the sandbox still answers after Close")
		}
	}
}

// `fhirscope open FILE`: a bundle on disk in the results table, no server, no profile.
func TestOfflineOpenShowsFileEntries(t *testing.T) {
	path := filepath.Join(t.TempDir(), "patients.json")
	bundle := `{"resourceType":"Bundle","type":"collection","entry":[` +
		`{"resource":{"resourceType":"Patient","id":"p1","name":[{"family":"Offline","given":["Olive"]}],"gender":"female","birthDate":"1980-02-03"}},` +
		`{"resource":{"resourceType":"Patient","id":"p2","name":[{"family":"Second","given":["Sam"]}],"gender":"male","birthDate":"1990-04-05"}}]}`
	if err := os.WriteFile(path, []byte(bundle), 0o600); err != nil {
		t.Fatal(err)
	}
	opts, closeFile, err := OfflineOptions(path, false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(closeFile)
	opts.Styles, opts.Now = NoColorStyles(), func() time.Time { return fixedNow }
	app := NewApp(context.Background(), opts)
	d := newDriver(t, app, 100, 20)
	d.until("rows", func() bool { return strings.Contains(d.screen(), "Offline, Olive") })
	scr := d.screen()
	if !strings.Contains(scr, "file patients.json") || strings.Contains(scr, "token") {
		t.Errorf("status bar should name the file and no token:\n%s", scr)
	}
	if _, _, err := OfflineOptions(filepath.Join(t.TempDir(), "missing.json"), false); err == nil {
		t.Error("a missing file should fail before the UI starts")
	}
}

// A stored profile (key in a file, client id in the profile) connects through OpenProfileMsg;
// a profile whose key is in an unavailable keyring lands in the error panel with a fix.
func TestProfileConnectionAndFailure(t *testing.T) {
	srv := newSandbox(t, fhirtest.Options{Patients: 1, Now: time.Now}) // profile clients use the real clock
	log := fhirclient.NewRequestLog(0)
	conn := register(t, srv, []string{"system/Patient.read"}, log)
	dir := t.TempDir()
	t.Setenv(session.EnvClientID, "")
	t.Setenv(session.EnvPrivateKeyFile, "")
	store, err := session.OpenStore(filepath.Join(dir, "config.json"), nil)
	if err != nil {
		t.Fatal(err)
	}
	keyPath, _ := filepath.Abs("testdata/test_key.pem")
	good := session.Profile{Name: "clinic", BaseURL: srv.FHIRBase(), ClientID: conn.Cred.ClientID, Scopes: []string{"system/Patient.read"}, KeyFile: keyPath}
	keyring := session.Profile{Name: "vault", BaseURL: srv.FHIRBase(), ClientID: "x", Scopes: []string{"system/Patient.read"}}
	for _, p := range []session.Profile{good, keyring} {
		if err := store.Add(p); err != nil {
			t.Fatal(err)
		}
	}
	app := newTestApp(t, Options{Log: log, Now: time.Now,
		Profiles: func() ([]string, error) { return []string{"clinic", "vault"}, nil },
		OpenProfile: func(ctx context.Context, name string) (*Connection, error) {
			return ProfileConnection(ctx, store, name, ConnOptions{Log: log})
		},
		Start: func(c *Common) Screen { return NewOpeningProfileScreen(c, "clinic") },
	})
	d := newDriver(t, app, 100, 30)
	d.until("profile connected", func() bool { cs, ok := app.Top().(*ConnectScreen); return ok && cs.Done() })
	if app.Common().Profile != "clinic" {
		t.Errorf("status bar profile %q", app.Common().Profile)
	}
	// Switch to the keyring profile from the palette: no keyring here, so an explained error.
	d.press(":")
	d.until("profiles listed", func() bool { return strings.Contains(d.screen(), "Switch profile: vault") })
	d.typeText("switch vault")
	d.press("enter")
	d.until("error panel", func() bool { return app.Err() != nil })
	scr := d.screen()
	if !strings.Contains(scr, "Cause:") || !strings.Contains(scr, "Fix:") || !strings.Contains(scr, "vault") {
		t.Errorf("the failed profile should be explained:\n%s", scr)
	}
	if cs, ok := app.Top().(*ConnectScreen); !ok || !cs.Done() {
		t.Error("a failed switch must leave the current connection in place")
	}

	// Started on a profile that cannot open: the opening notice says so instead of waiting.
	app2 := newTestApp(t, Options{Log: log, Now: time.Now,
		OpenProfile: func(ctx context.Context, name string) (*Connection, error) {
			return ProfileConnection(ctx, store, name, ConnOptions{Log: log})
		},
		Start: func(c *Common) Screen { return NewOpeningProfileScreen(c, "nosuch") },
	})
	d2 := newDriver(t, app2, 100, 30)
	d2.until("failure", func() bool { return app2.Err() != nil })
	d2.press("esc")
	if scr := d2.screen(); !strings.Contains(scr, "Could not open profile nosuch") || !strings.Contains(scr, "Switch profile") {
		t.Errorf("the opening notice should turn into the failure:\n%s", scr)
	}
}

// Turning to page 2 shows page 2's rows (the e2e walk's step, at the model level): the row
// cells must come from the new page, not from a cache of page 1's rows.
func TestWalkToPageTwoShowsNewRows(t *testing.T) {
	d, _ := connectedApp(t, fhirtest.Options{Patients: 60}, 120, 40)
	d.send(PushMsg{OpenType(d.app.Common(), "Patient")})
	d.until("page 1", func() bool { return strings.Contains(d.screen(), "page 1") && strings.Contains(d.screen(), "MRN") })
	row := func(scr string) string { // the first table row, after the header line
		lines := strings.Split(scr, "\n")
		for i, l := range lines {
			if strings.Contains(l, "MRN") && i+1 < len(lines) {
				return strings.TrimSpace(lines[i+1])
			}
		}
		return ""
	}
	first := row(d.screen())
	if first == "" {
		t.Fatalf("no rows on page 1:\n%s", d.screen())
	}
	d.press("n")
	// The label may turn before the rows arrive; the rows must follow.
	d.until("page 2's rows", func() bool {
		scr := d.screen()
		return strings.Contains(scr, "page 2") && row(scr) != "" && row(scr) != first
	})
}
