package ui

import (
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
)

// RequestLogScreen lists every HTTP exchange the client made (from fhirclient.RequestLog,
// which redacts tokens and assertions before anything is stored): time, method, status,
// duration, size, URL. It follows new entries while the cursor is on the last one; `/`
// filters (every word must appear in the method, status, URL, note or error: "401",
// "post token", "Patient"); enter shows one exchange's (redacted) headers, body and error.
type RequestLogScreen struct {
	c       *Common
	entries []fhirclient.LogEntry
	shown   []int // indexes into entries that pass the filter
	seq     uint64
	cursor  int // index into shown
	offset  int
	detail  bool
	dOff    int
	follow  bool
	tickID  int
	filter  textinput.Model
	typing  bool
	w, h    int
}

type logTickMsg struct{ id int }

// logTicks numbers tick loops, so a loop whose screen was covered and resumed (which starts
// a new loop) does not run twice as fast.
var logTicks atomic.Int64

// NewRequestLogScreen shows c.Log.
func NewRequestLogScreen(c *Common) *RequestLogScreen {
	s := &RequestLogScreen{c: c, follow: true}
	s.filter = newBrowseInput(c, "/", "method, status or part of the URL")
	s.filter.CharLimit = 80
	s.refresh()
	return s
}

func (s *RequestLogScreen) Init() tea.Cmd {
	s.tickID = int(logTicks.Add(1))
	return s.tick()
}

// Resume restarts polling when the screen is on top again (its ticks went to the screen
// that covered it).
func (s *RequestLogScreen) Resume() tea.Cmd {
	s.refresh()
	return s.Init()
}

// tick polls the log twice a second while the screen is showing; a tick for a screen that
// was popped finds nobody to re-arm it.
func (s *RequestLogScreen) tick() tea.Cmd {
	id := s.tickID
	return tea.Tick(500*time.Millisecond, func(time.Time) tea.Msg { return logTickMsg{id} })
}

// refresh copies new entries from the log (a cheap Seq check first).
func (s *RequestLogScreen) refresh() {
	if s.c.Log == nil {
		return
	}
	if seq := s.c.Log.Seq(); seq == s.seq && s.entries != nil {
		return
	} else {
		s.seq = seq
	}
	s.entries = s.c.Log.Entries()
	s.applyFilter()
}

// applyFilter recomputes the shown entries, keeping the cursor on the last one when
// following, else on the same exchange when it still passes.
func (s *RequestLogScreen) applyFilter() {
	var prev uint64
	if s.cursor < len(s.shown) && s.shown[s.cursor] < len(s.entries) {
		prev = s.entries[s.shown[s.cursor]].Seq
	}
	words := strings.Fields(strings.ToLower(s.filter.Value()))
	s.shown = s.shown[:0]
	for i, e := range s.entries {
		if matchesLog(e, words) {
			s.shown = append(s.shown, i)
		}
	}
	switch {
	case s.follow:
		s.cursor = len(s.shown) - 1
	default:
		for i, j := range s.shown {
			if s.entries[j].Seq == prev {
				s.cursor = i
			}
		}
	}
	s.cursor = max(0, min(s.cursor, len(s.shown)-1))
	s.scroll()
}

func matchesLog(e fhirclient.LogEntry, words []string) bool {
	if len(words) == 0 {
		return true
	}
	hay := strings.ToLower(fmt.Sprintf("%s %d %s %s %s", e.Method, e.Status, e.URL, e.Note, e.Err))
	for _, w := range words {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// Selected is the exchange under the cursor (false when none is shown).
func (s *RequestLogScreen) Selected() (fhirclient.LogEntry, bool) {
	if s.cursor >= len(s.shown) {
		return fhirclient.LogEntry{}, false
	}
	return s.entries[s.shown[s.cursor]], true
}

// Capturing while the filter is typed: q, ? and L are letters then.
func (s *RequestLogScreen) Capturing() bool { return s.typing }

// Entries are the exchanges shown.
func (s *RequestLogScreen) Entries() []fhirclient.LogEntry { return s.entries }

func (s *RequestLogScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case logTickMsg:
		if msg.id != s.tickID {
			return s, nil
		}
		s.refresh()
		return s, s.tick()
	case tea.KeyPressMsg:
		keys := s.c.Keys
		if s.typing {
			switch {
			case key.Matches(msg, keys.Cancel):
				s.typing = false
				s.filter.Blur()
				s.filter.SetValue("")
				s.applyFilter()
			case key.Matches(msg, keys.Accept):
				s.typing = false
				s.filter.Blur()
			default:
				var cmd tea.Cmd
				s.filter, cmd = s.filter.Update(msg)
				s.applyFilter()
				return s, cmd
			}
			return s, nil
		}
		if s.detail {
			switch {
			case key.Matches(msg, keys.Open):
				s.detail = false
			case key.Matches(msg, keys.Down):
				s.dOff = min(s.dOff+1, s.maxDetailOffset()) // no presses lost below the end
			case key.Matches(msg, keys.Up):
				s.dOff = max(0, s.dOff-1)
			}
			return s, nil
		}
		switch {
		case key.Matches(msg, keys.Filter):
			s.typing = true
			return s, s.filter.Focus()
		case key.Matches(msg, keys.Open) && len(s.shown) > 0:
			s.detail, s.dOff = true, 0
		default:
			if c, ok := keys.ListMove(msg, s.cursor, len(s.shown), s.listHeight()); ok {
				s.cursor = c
				s.follow = c == len(s.shown)-1 // on the last exchange: follow new ones
				s.scroll()
			}
		}
	}
	return s, nil
}

// Busy makes esc close the detail view, then clear the filter, before it leaves the screen.
func (s *RequestLogScreen) Busy() bool { return s.detail || s.filter.Value() != "" }

func (s *RequestLogScreen) Cancel() {
	if s.detail {
		s.detail = false
		return
	}
	s.filter.SetValue("")
	s.applyFilter()
}

func (s *RequestLogScreen) scroll() {
	s.offset = keepInView(s.cursor, s.offset, s.listHeight(), len(s.shown))
}

// listHeight leaves room for the title, the filter line and the column header.
func (s *RequestLogScreen) listHeight() int { return max(1, s.h-3) }

func (s *RequestLogScreen) SetSize(w, h int) {
	s.w, s.h = w, h
	s.filter.SetWidth(max(10, w-4))
	s.scroll()
}

func (s *RequestLogScreen) Title() string { return "Request log" }

func (s *RequestLogScreen) Position() string {
	if len(s.shown) == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.cursor+1, len(s.shown))
}

func (s *RequestLogScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	if s.typing {
		return []key.Binding{withHelp(k.Accept, "done"), withHelp(k.Cancel, "clear filter")}
	}
	return []key.Binding{withHelp(k.Open, "details"), withHelp(k.Filter, "filter"), k.Up, k.Down, k.Back}
}

func (s *RequestLogScreen) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{{withHelp(k.Open, "show/hide the exchange's details"), withHelp(k.Filter, "filter: method, status, URL words"),
		withHelp(k.Back, "close details / clear filter / back")}, k.ListHelp()}
}
