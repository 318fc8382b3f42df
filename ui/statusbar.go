package ui

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

// statusInfo is everything the status bar shows; the root model fills it from Common and
// the active screen on every View.
type statusInfo struct {
	Profile  string
	Server   string
	Demo     bool
	Insecure bool
	Offline  string // file name when browsing a file offline
	Token    *fhirclient.Token
	Minting  bool
	Now      time.Time
	Title    string // active screen's title
	Position string // active screen's paging position
	Message  string // transient status message
}

// renderStatusBar lays the status bar out on one line of exactly width cells. Segments are
// dropped from the least useful (server URL) to the most useful (demo mark, message) when the
// terminal is narrow, so it never wraps and never pushes the layout.
func renderStatusBar(s *Styles, width int, in statusInfo) string {
	if width <= 0 {
		return ""
	}
	var left []string
	if in.Demo {
		left = append(left, s.StatusDemo.Render("DEMO: synthetic data"))
	}
	if in.Insecure {
		left = append(left, s.StatusWarn.Render("TLS NOT VERIFIED"))
	}
	if n := droppedScopes(in.Token); n > 0 {
		// OpenEMR drops unregistered scopes without an error: keep that in sight, with the
		// key that explains it.
		left = append(left, s.StatusWarn.Render(plural(n, "SCOPE", "SCOPES")+" DROPPED (S)"))
	}
	// Each piece is rendered on its own: a style nested inside another ends with a reset
	// that would strip the outer background from the rest of the segment.
	sp := s.StatusBar.Render(" ")
	item := func(label, value string) string {
		if label == "" {
			return sp + s.StatusBar.Render(value) + sp
		}
		return sp + s.StatusLabel.Render(label+" ") + s.StatusBar.Render(value) + sp
	}
	type seg struct {
		text     string
		priority int // lower is dropped first
	}
	var segs []seg
	if in.Offline != "" {
		segs = append(segs, seg{item("file", termsafe.String(in.Offline)), 3})
	}
	if in.Profile != "" {
		segs = append(segs, seg{item("profile", termsafe.String(in.Profile)), 4})
	}
	if in.Server != "" {
		segs = append(segs, seg{item("", shortServer(in.Server)), 1})
	}
	if t := tokenLeft(in.Token, in.Now, in.Minting); t != "" {
		segs = append(segs, seg{item("token", t), 5})
	}
	if in.Title != "" {
		segs = append(segs, seg{item("", termsafe.String(in.Title)), 2})
	}
	if in.Position != "" {
		segs = append(segs, seg{item("", termsafe.String(in.Position)), 6})
	}
	right := item("", "? help")
	if in.Message != "" {
		right = s.StatusMsg.Render(termsafe.String(in.Message))
	}

	// Drop the lowest-priority segments until the line fits.
	for {
		parts := append([]string{}, left...)
		for _, sg := range segs {
			parts = append(parts, sg.text)
		}
		line := strings.Join(parts, "")
		used := lipgloss.Width(line) + lipgloss.Width(right)
		if used <= width || len(segs) == 0 {
			gap := width - used
			if gap < 0 {
				// Even the essentials do not fit: cut the line, keep the message end visible.
				return s.StatusBar.Render(ansi.Truncate(line+right, width, "…"))
			}
			fill := s.StatusBar.Render(strings.Repeat(" ", gap))
			return line + fill + right
		}
		lowest := 0
		for i, sg := range segs {
			if sg.priority < segs[lowest].priority {
				lowest = i
			}
		}
		segs = append(segs[:lowest], segs[lowest+1:]...)
	}
}

// shortServer shows a FHIR base without its scheme ("emr.example.org/apis/default/fhir").
func shortServer(base string) string {
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		return termsafe.String(u.Host + strings.TrimSuffix(u.Path, "/"))
	}
	return termsafe.String(base)
}

// tokenLeft shows how long the access token has left ("4m32s"), "renewing…" while a new one
// is being minted, and "expired" once it has run out without a new one.
func tokenLeft(t *fhirclient.Token, now time.Time, minting bool) string {
	if minting {
		return "renewing…"
	}
	if t == nil || t.ExpiresAt.IsZero() {
		return ""
	}
	left := t.ExpiresAt.Sub(now)
	if left <= 0 {
		return "expired"
	}
	left = left.Truncate(time.Second)
	if left >= time.Hour {
		return fmt.Sprintf("%dh%02dm", int(left.Hours()), int(left.Minutes())%60)
	}
	return fmt.Sprintf("%dm%02ds", int(left.Minutes()), int(left.Seconds())%60)
}

func droppedScopes(t *fhirclient.Token) int {
	if t == nil {
		return 0
	}
	return len(t.Dropped())
}
