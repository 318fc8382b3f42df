package ui

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"fhirscope/ui/termsafe"
)

func (s *RequestLogScreen) View() string {
	st := s.c.Styles
	var b strings.Builder
	count := fmt.Sprintf(" · %d exchanges", len(s.entries))
	if len(s.shown) != len(s.entries) {
		count = fmt.Sprintf(" · %d of %d exchanges", len(s.shown), len(s.entries))
	}
	b.WriteString(truncate(st.Title.Render("Request log")+st.Subtle.Render(count+" · tokens and assertions redacted"), s.w) + "\n")
	if len(s.entries) == 0 {
		b.WriteString("\n" + st.Subtle.Render("No request yet."))
		return b.String()
	}
	if s.detail {
		return b.String() + s.detailView()
	}
	switch {
	case s.typing || s.filter.Value() != "":
		b.WriteString(truncate(s.filter.View(), s.w) + "\n")
	default:
		b.WriteString(st.Faint.Render("/ to filter · enter for details") + "\n")
	}
	// Cursor (2) and the fixed columns (time 9, method 7, code 5, took 8+1, size 8+1) come first.
	urlW := max(10, s.w-2-39)
	b.WriteString(st.Header.Render(truncate(fmt.Sprintf("  %-9s%-7s%-5s%8s %8s %s", "TIME", "METHOD", "CODE", "TOOK", "SIZE", "URL"), s.w)) + "\n")
	if len(s.shown) == 0 {
		b.WriteString(st.Subtle.Render(fmt.Sprintf("No exchange matches %q.", s.filter.Value())))
		return b.String()
	}
	end := min(len(s.shown), s.offset+s.listHeight())
	for i := s.offset; i < end; i++ {
		e := s.entries[s.shown[i]]
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
	return strings.Join(s.detailLines()[min(s.dOff, s.maxDetailOffset()):], "\n")
}

// maxDetailOffset is the detail view's scroll offset that shows its last line at the bottom.
func (s *RequestLogScreen) maxDetailOffset() int { return max(0, len(s.detailLines())-(s.h-1)) }

// detailLines are the selected exchange's details, one line each, cut to the width.
func (s *RequestLogScreen) detailLines() []string {
	st := s.c.Styles
	e, _ := s.Selected()
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
	return lines
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
