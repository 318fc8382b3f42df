package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

// RequestLogScreen lists every HTTP exchange the client made (from fhirclient.RequestLog,
// which redacts tokens and assertions before anything is stored): time, method, status,
// duration, size, URL. It follows new entries while the cursor is on the last one; enter shows
// one exchange's (redacted) headers, body note and error.
type RequestLogScreen struct {
	c       *Common
	entries []fhirclient.LogEntry
	seq     uint64
	cursor  int
	offset  int
	detail  bool
	dOff    int
	follow  bool
	tickID  int
	w, h    int
}

type logTickMsg struct{ id int }

// logTicks numbers tick loops, so a loop whose screen was covered and resumed (which starts
// a new loop) does not run twice as fast.
var logTicks atomic.Int64

// NewRequestLogScreen shows c.Log.
func NewRequestLogScreen(c *Common) *RequestLogScreen {
	s := &RequestLogScreen{c: c, follow: true}
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
	if s.follow {
		s.cursor = len(s.entries) - 1
	}
	s.cursor = max(0, min(s.cursor, len(s.entries)-1))
	s.scroll()
}

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
		if s.detail {
			switch {
			case key.Matches(msg, keys.Open):
				s.detail = false
			case key.Matches(msg, keys.Down):
				s.dOff++
			case key.Matches(msg, keys.Up):
				s.dOff = max(0, s.dOff-1)
			}
			return s, nil
		}
		switch {
		case key.Matches(msg, keys.Open) && len(s.entries) > 0:
			s.detail, s.dOff = true, 0
		case key.Matches(msg, keys.Up):
			s.move(-1)
		case key.Matches(msg, keys.Down):
			s.move(1)
		case key.Matches(msg, keys.PageUp):
			s.move(-s.listHeight())
		case key.Matches(msg, keys.PageDown):
			s.move(s.listHeight())
		case key.Matches(msg, keys.Top):
			s.move(-len(s.entries))
		case key.Matches(msg, keys.Bottom):
			s.move(len(s.entries))
		}
	}
	return s, nil
}

// Busy makes esc close the detail view before it leaves the screen.
func (s *RequestLogScreen) Busy() bool { return s.detail }
func (s *RequestLogScreen) Cancel()    { s.detail = false }

func (s *RequestLogScreen) move(d int) {
	s.cursor = max(0, min(len(s.entries)-1, s.cursor+d))
	s.follow = s.cursor == len(s.entries)-1
	s.scroll()
}

func (s *RequestLogScreen) scroll() {
	h := s.listHeight()
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if s.cursor >= s.offset+h {
		s.offset = s.cursor - h + 1
	}
	s.offset = max(0, min(s.offset, len(s.entries)-h))
}

func (s *RequestLogScreen) listHeight() int { return max(1, s.h-3) }

func (s *RequestLogScreen) SetSize(w, h int) { s.w, s.h = w, h; s.scroll() }

func (s *RequestLogScreen) Title() string { return "Request log" }

func (s *RequestLogScreen) Position() string {
	if len(s.entries) == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.cursor+1, len(s.entries))
}

func (s *RequestLogScreen) ShortHelp() []key.Binding {
	k := s.c.Keys
	return []key.Binding{withHelp(k.Open, "details"), k.Up, k.Down, k.Back}
}

func (s *RequestLogScreen) FullHelp() [][]key.Binding {
	k := s.c.Keys
	return [][]key.Binding{{withHelp(k.Open, "show/hide the exchange's details"), withHelp(k.Back, "close details / back")}, k.ListHelp()}
}

func (s *RequestLogScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	b.WriteString(st.Title.Render("Request log") + st.Subtle.Render(fmt.Sprintf(" · %d exchanges · tokens and assertions redacted", len(s.entries))) + "\n")
	if len(s.entries) == 0 {
		b.WriteString("\n" + st.Subtle.Render("No request yet."))
		return b.String()
	}
	if s.detail {
		return b.String() + s.detailView()
	}
	urlW := max(10, s.w-2-9-7-5-8-9)
	b.WriteString(st.Header.Render(truncate(fmt.Sprintf("  %-9s%-7s%-5s%8s %8s %s", "TIME", "METHOD", "CODE", "TOOK", "SIZE", "URL"), s.w)) + "\n")
	end := min(len(s.entries), s.offset+s.listHeight())
	for i := s.offset; i < end; i++ {
		e := s.entries[i]
		status := "—"
		if e.Status > 0 {
			status = fmt.Sprint(e.Status)
		}
		if e.Err != "" && e.Status == 0 {
			status = "ERR"
		}
		plain := fmt.Sprintf("%-9s%-7s%-5s%8s %8s %s", e.Time.Format("15:04:05"), termsafe.String(e.Method), status,
			e.Duration.Round(time.Millisecond), humanBytes(e.BytesIn), truncateLeft(s.shortURL(e.URL), urlW))
		switch {
		case i == s.cursor:
			b.WriteString(st.Cursor + st.Selected.Render(truncate(plain, s.w-2)))
		case e.Status >= 400 || e.Err != "":
			b.WriteString(st.NoCursor + st.Bad.Render(truncate(plain, s.w-2)))
		default:
			b.WriteString(st.NoCursor + truncate(plain, s.w-2))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// shortURL drops the FHIR base's origin, which is the same on every line.
func (s *RequestLogScreen) shortURL(raw string) string {
	if s.c.Client != nil {
		if u, err := url.Parse(raw); err == nil && u.Scheme+"://"+u.Host == s.c.Client.Origin() {
			raw = u.RequestURI()
		}
	}
	return termsafe.String(raw)
}

func (s *RequestLogScreen) detailView() string {
	st := s.c.Styles
	e := s.entries[s.cursor]
	var lines []string
	add := func(label, value string) {
		lines = append(lines, st.Key.Render(label)+" "+termsafe.String(value))
	}
	add(e.Method, e.URL)
	add("Status  ", fmt.Sprintf("%d   took %s   in %s   out %s   at %s", e.Status, e.Duration.Round(time.Millisecond),
		humanBytes(e.BytesIn), humanBytes(e.BytesOut), e.Time.Format(time.RFC3339)))
	if e.Note != "" {
		add("Note    ", e.Note)
	}
	if e.Err != "" {
		lines = append(lines, st.Bad.Render("Error   ")+" "+termsafe.String(e.Err))
	}
	headers := func(title string, h map[string]string) {
		if len(h) == 0 {
			return
		}
		lines = append(lines, "", st.Header.Render(title))
		names := make([]string, 0, len(h))
		for n := range h {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			lines = append(lines, "  "+st.Subtle.Render(termsafe.String(n)+":")+" "+termsafe.String(h[n]))
		}
	}
	headers("Request headers", e.ReqHeaders)
	if e.ReqBody != "" {
		lines = append(lines, "", st.Header.Render("Request body"), "  "+termsafe.String(e.ReqBody))
	}
	headers("Response headers", e.RespHeaders)
	for i := range lines {
		lines[i] = truncate(lines[i], s.w)
	}
	off := min(s.dOff, max(0, len(lines)-(s.h-1)))
	return strings.Join(lines[off:], "\n")
}

// humanBytes prints a size as 512 B, 1.2 KB, 3.4 MB.
func humanBytes(n int64) string {
	switch {
	case n < 1024:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KB", float64(n)/1024)
	case n < 1<<30:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
}
