package jsonview

import (
	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient/jsonscan"
)

// Counting big containers in the background: a collapsed container up to
// countLimit is counted when drawn ("12 items"); a bigger one first shows
// its size, and a tea.Cmd counts its members off the UI goroutine (the
// document bytes are never written, so reading them there is safe). The
// next frame then says "73,000 items · 50.0 MB".

// countsMsg carries finished counts back to Update.
type countsMsg struct {
	model *Model
	jobs  []countJob
}

// countJob is one container to count; span identifies the node again when
// the answer arrives (the arena only grows, but a discarded partial level
// may have reused an index).
type countJob struct {
	node  int32
	span  jsonscan.Span
	kind  jsonscan.Kind
	count int
}

// Init starts counting the big containers on the first screen. The app
// calls it once after New (like a tea.Model's Init); Update keeps it going
// as the user moves.
func (m *Model) Init() tea.Cmd { return m.countCmd() }

// countCmd returns a command counting the visible collapsed containers
// whose size is unknown, or nil when there are none or a count is running.
func (m *Model) countCmd() tea.Cmd {
	if m.counting {
		return nil
	}
	var jobs []countJob
	end := min(m.top+m.bodyHeight(), len(m.lines))
	for pos := m.top; pos < end; pos++ {
		i := m.lines[pos]
		if i < 0 {
			continue
		}
		n := &m.nodes[i]
		if n.container() && !n.expanded && n.count < 0 && n.val.Len() > countLimit {
			jobs = append(jobs, countJob{node: i, span: n.val, kind: n.kind})
		}
	}
	if len(jobs) == 0 {
		return nil
	}
	m.counting = true
	data := m.data
	return func() tea.Msg {
		for j := range jobs {
			c := 0
			if jobs[j].kind == jsonscan.Object {
				_ = jsonscan.ObjectMembers(data, jobs[j].span, func(_, _ jsonscan.Span) bool { c++; return true })
			} else {
				_ = jsonscan.ArrayElements(data, jobs[j].span, func(int, jsonscan.Span) bool { c++; return true })
			}
			jobs[j].count = c
		}
		return countsMsg{model: m, jobs: jobs}
	}
}

// applyCounts records counts that still describe the same nodes.
func (m *Model) applyCounts(msg countsMsg) {
	m.counting = false
	for _, j := range msg.jobs {
		if int(j.node) < len(m.nodes) {
			n := &m.nodes[j.node]
			if n.val == j.span && n.count < 0 {
				n.count = int32(j.count)
			}
		}
	}
}
