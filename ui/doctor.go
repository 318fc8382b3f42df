package ui

import (
	"context"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/fhirclient/doctor"
	"fhirscope/ui/termsafe"
)

// DoctorScreen shows the doctor's checks as they complete, each with its cause and fix. It
// serves two uses: the full setup check (steps 1-9, after a failed connect or from the
// palette) and the Scopes screen (steps 7-9 live for the connection in use: requested vs
// granted scopes, the access matrix, the token's claims).
type DoctorScreen struct {
	c     *Common
	title string
	// start runs the checks; it is called inside a tea.Cmd's goroutine, never in Update.
	start func(ctx context.Context, onCheck func(doctor.Check)) *doctor.Report

	checks  []doctor.Check
	report  *doctor.Report
	running bool
	reqID   uint64
	cancel  context.CancelFunc
	spin    spinner.Model
	offset  int
	w, h    int
}

// doctorCheckMsg carries one finished check; doctorDoneMsg the whole report. Both carry the
// run's request id: a re-run or cancel makes the old run's messages stale.
type doctorCheckMsg struct {
	id    uint64
	check doctor.Check
	next  <-chan tea.Msg
}

type doctorDoneMsg struct {
	id     uint64
	report *doctor.Report
}

// NewDoctorScreen runs every setup check of cfg.
func NewDoctorScreen(c *Common, cfg doctor.Config) *DoctorScreen {
	return newDoctorScreen(c, "Doctor", func(ctx context.Context, on func(doctor.Check)) *doctor.Report {
		return doctor.Run(ctx, cfg, on)
	})
}

// scopesTitle names the Scopes screen (the S key does not push a second one).
const scopesTitle = "Scopes"

// NewScopesScreen shows steps 7-9 for the connected client (c.Client).
func NewScopesScreen(c *Common) *DoctorScreen {
	return newDoctorScreen(c, scopesTitle, func(ctx context.Context, on func(doctor.Check)) *doctor.Report {
		if c.Client == nil {
			return &doctor.Report{Checks: []doctor.Check{{Step: 7, ID: "scopes.offline", Title: "Scopes", Status: doctor.Skip,
				Detail: "not connected to a server (an offline file has no scopes)"}}}
		}
		return doctor.RunLive(ctx, c.Client, c.Now, on)
	})
}

func newDoctorScreen(c *Common, title string, start func(context.Context, func(doctor.Check)) *doctor.Report) *DoctorScreen {
	return &DoctorScreen{c: c, title: title, start: start,
		spin: spinner.New(spinner.WithSpinner(spinner.Dot), spinner.WithStyle(c.Styles.Spinner))}
}

func (s *DoctorScreen) Init() tea.Cmd { return tea.Batch(s.run(), s.spin.Tick) }

// run returns the command that starts the checks in a goroutine feeding a channel; each
// message re-arms the wait.
func (s *DoctorScreen) run() tea.Cmd {
	s.Cancel()
	s.reqID++
	id := s.reqID
	ctx, cancel := context.WithCancel(s.c.Ctx)
	s.cancel, s.running, s.checks, s.report, s.offset = cancel, true, nil, nil, 0
	ch := make(chan tea.Msg, 16)
	// Once the run is cancelled nobody reads its messages any more: a send gives up then,
	// instead of keeping the goroutine (and its connections) forever.
	send := func(m tea.Msg) {
		select {
		case ch <- m:
		case <-ctx.Done():
		}
	}
	start := s.start
	return func() tea.Msg {
		go func() {
			defer close(ch)
			report := start(ctx, func(c doctor.Check) { send(doctorCheckMsg{id: id, check: c, next: ch}) })
			send(doctorDoneMsg{id: id, report: report})
		}()
		return <-ch
	}
}

func waitDoctor(ch <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg { return <-ch }
}

func (s *DoctorScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case doctorCheckMsg:
		if msg.id != s.reqID {
			return s, nil
		}
		s.checks = append(s.checks, msg.check)
		return s, waitDoctor(msg.next)
	case doctorDoneMsg:
		if msg.id != s.reqID {
			return s, nil
		}
		s.running, s.report = false, msg.report
		s.Cancel() // not running any more: this only releases the run's context
		if msg.report != nil && len(s.checks) < len(msg.report.Checks) {
			s.checks = msg.report.Checks // a run that did not stream (offline) still shows its checks
		}
		return s, nil
	case spinner.TickMsg:
		if !s.running {
			return s, nil
		}
		var cmd tea.Cmd
		s.spin, cmd = s.spin.Update(msg)
		return s, cmd
	case tea.KeyPressMsg:
		k := s.c.Keys
		switch {
		case key.Matches(msg, k.Refresh):
			return s, tea.Batch(s.run(), s.spin.Tick)
		case key.Matches(msg, k.Down):
			s.scroll(1)
		case key.Matches(msg, k.Up):
			s.scroll(-1)
		case key.Matches(msg, k.PageDown):
			s.scroll(s.bodyHeight())
		case key.Matches(msg, k.PageUp):
			s.scroll(-s.bodyHeight())
		case key.Matches(msg, k.Top):
			s.offset = 0
		case key.Matches(msg, k.Bottom):
			s.scroll(1 << 20)
		}
	case tea.MouseWheelMsg:
		if msg.Button == tea.MouseWheelDown {
			s.scroll(3)
		} else if msg.Button == tea.MouseWheelUp {
			s.scroll(-3)
		}
	}
	return s, nil
}

// Busy and Cancel make esc stop a run in flight before it leaves the screen.
func (s *DoctorScreen) Busy() bool { return s.running }

func (s *DoctorScreen) Cancel() {
	if s.cancel != nil {
		s.cancel()
		s.cancel = nil
	}
	if s.running {
		s.running = false
		s.reqID++ // the cancelled run's last messages are stale now
	}
}

// Report is the finished report (nil while running).
func (s *DoctorScreen) Report() *doctor.Report { return s.report }

func (s *DoctorScreen) scroll(d int) {
	s.offset = max(0, min(s.offset+d, len(s.lines())-s.bodyHeight()))
}

func (s *DoctorScreen) bodyHeight() int { return max(1, s.h-2) }

func (s *DoctorScreen) SetSize(w, h int) { s.w, s.h = w, h; s.scroll(0) }

func (s *DoctorScreen) Title() string { return s.title }

func (s *DoctorScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	return []key.Binding{k.Up, k.Down, k.Refresh, k.Back}
}

func (s *DoctorScreen) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Refresh, k.Back}}
}

func (s *DoctorScreen) View() string {
	st := s.c.Styles
	head := st.Title.Render(s.title)
	switch {
	case s.running:
		head += "  " + s.spin.View() + st.Subtle.Render(fmt.Sprintf(" checking… %d done · esc stops", len(s.checks)))
	case s.report != nil:
		n := s.report.Counts()
		verdict := st.Good.Render("all checks passed")
		if n[doctor.Fail] > 0 {
			verdict = st.Bad.Render(fmt.Sprintf("%d failed", n[doctor.Fail]))
		} else if n[doctor.Warn] > 0 {
			verdict = st.Warn.Render(fmt.Sprintf("%d warnings", n[doctor.Warn]))
		}
		head += "  " + verdict + st.Subtle.Render(fmt.Sprintf(" · %d passed · r runs again", n[doctor.Pass]))
	default:
		head += "  " + st.Subtle.Render("stopped · r runs again")
	}
	lines := s.lines()
	end := min(len(lines), s.offset+s.bodyHeight())
	body := strings.Join(lines[min(s.offset, end):end], "\n")
	return head + "\n\n" + body
}

// lines renders every check: a section heading per step, a line per check, its rows, and the
// cause and fix under anything that is not a pass. Server text is sanitised.
func (s *DoctorScreen) lines() []string {
	st := s.c.Styles
	width := max(20, s.w)
	var out []string
	step := 0
	for _, c := range s.checks {
		if c.Step != step {
			step = c.Step
			if len(out) > 0 {
				out = append(out, "")
			}
			out = append(out, st.Header.Render(fmt.Sprintf("%d. %s", step, doctor.StepTitle(step))))
		}
		line := " " + statusMark(st, c.Status) + " " + c.Title
		if c.Detail != "" {
			line += st.Subtle.Render(": " + termsafe.String(c.Detail))
		}
		out = append(out, truncate(line, width))
		rows, folded := c.ShownItems()
		nameWidth := 0 // the widest row name of this check, so the details line up
		for _, it := range rows {
			nameWidth = max(nameWidth, min(40, len(termsafe.String(it.Name))))
		}
		for _, it := range rows {
			row := fmt.Sprintf("     %s %-*s %s", statusMark(st, it.Status), nameWidth, termsafe.String(it.Name), st.Subtle.Render(termsafe.String(it.Detail)))
			if it.Fix != "" && it.Status != doctor.Pass {
				row += st.Faint.Render(" → ") + termsafe.String(it.Fix)
			}
			out = append(out, truncate(row, width))
		}
		if folded != "" {
			// Wrapped, not cut: the list of type names is the point of the line.
			for i, l := range strings.Split(wrapText(termsafe.String(folded), max(10, width-7)), "\n") {
				mark := "  "
				if i == 0 {
					mark = statusMark(st, doctor.Skip) + " "
				}
				out = append(out, "     "+mark+st.Subtle.Render(l))
			}
		}
		if c.Status != doctor.Warn && c.Status != doctor.Fail {
			continue
		}
		// Cause and fix sit under the check, indented past its mark.
		for _, l := range explanationLines(st, fhirclient.Explanation{Cause: c.Cause, Fix: c.Fix}, width-5) {
			out = append(out, "     "+l)
		}
	}
	return out
}

func statusMark(st *Styles, status doctor.Status) string {
	switch status {
	case doctor.Pass:
		return st.Good.Render("✓")
	case doctor.Warn:
		return st.Warn.Render("!")
	case doctor.Fail:
		return st.Bad.Render("✗")
	}
	return st.Faint.Render("-")
}

func init() {
	// The palette opens the Scopes screen for the connection in use and re-runs the doctor
	// on its setup.
	RegisterCommands(func(c *Common) []Command {
		var cmds []Command
		if c.Client != nil {
			cmds = append(cmds, Command{Group: "Connection", Title: "Scopes and access", Hint: "S · requested vs granted, access per type, token",
				Run: func() tea.Cmd { return Push(NewScopesScreen(c)) }})
		}
		if c.Doctor != nil {
			cfg := *c.Doctor
			cmds = append(cmds, Command{Group: "Connection", Title: "Run the doctor", Hint: "every setup check, with causes and fixes",
				Run: func() tea.Cmd { return Push(NewDoctorScreen(c, cfg)) }})
		}
		return cmds
	})
}
