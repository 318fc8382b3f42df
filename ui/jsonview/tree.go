package jsonview

import (
	"sort"

	"fhirscope/fhirclient/jsonscan"
)

// The tree is built lazily over the raw bytes: a node is one JSON value
// (with its key when it is an object member), and a container's children
// are scanned from the bytes the first time it is expanded, never before.
// A 50 MB document therefore costs nodes only for what the user opened.
//
// What is on screen is the flat list of visible lines (m.lines): one entry
// per node line, plus a closing-bracket line for each expanded container.
// Expanding splices a node's visible subtree into the list and collapsing
// cuts it out, so finding the line at any offset is an index operation and
// a frame costs the same at the top and at the bottom of a document.

// node is one value of the document. Offsets are int so documents over 2 GB
// still index; children are contiguous in Model.nodes.
type node struct {
	key      jsonscan.Span // quoted key for an object member; Start < 0 otherwise
	val      jsonscan.Span
	parent   int32 // -1 for the root
	first    int32 // first child in Model.nodes; -1 until built
	count    int32 // number of children once built (or counted); -1 unknown
	index    int32 // position within the parent
	depth    int32
	kind     jsonscan.Kind
	expanded bool
}

func (n *node) container() bool {
	return n.kind == jsonscan.Object || n.kind == jsonscan.Array
}

// closing marks a closing-bracket line in Model.lines: the line entry is
// ^nodeIndex (always negative).
func closing(i int32) int32 { return ^i }

// build scans node i's children into the arena once. A container that does
// not parse (possible only below the root, whose members New checks) is
// left childless and the error is noted for the footer.
func (m *Model) build(i int32) {
	if _, err := m.buildUpTo(i, -1); err != nil {
		m.note = "malformed JSON: " + err.Error()
	}
}

// buildUpTo builds node i's children unless there are more than limit of
// them (limit < 0: no limit), in which case it stops scanning, keeps
// nothing and returns limit+1: deciding that a level does not fit must not
// cost a scan of a 50 MB array. It returns the number of children.
func (m *Model) buildUpTo(i int32, limit int) (int, error) {
	n := &m.nodes[i]
	if n.first >= 0 || !n.container() {
		return int(max(n.count, 0)), nil
	}
	if limit >= 0 && n.count > int32(limit) {
		return limit + 1, nil // counted before
	}
	first := int32(len(m.nodes))
	depth := n.depth + 1
	over := false
	add := func(k, v jsonscan.Span, idx int32) bool {
		if limit >= 0 && int(idx) >= limit {
			over = true
			return false
		}
		m.nodes = append(m.nodes, node{key: k, val: v, parent: i, first: -1, count: -1,
			index: idx, depth: depth, kind: jsonscan.KindAt(m.data, v.Start)})
		return true
	}
	var err error
	if n.kind == jsonscan.Object {
		err = jsonscan.ObjectMembers(m.data, n.val, func(k, v jsonscan.Span) bool {
			return add(k, v, int32(len(m.nodes))-first)
		})
	} else {
		noKey := jsonscan.Span{Start: -1, End: -1}
		err = jsonscan.ArrayElements(m.data, n.val, func(idx int, v jsonscan.Span) bool {
			return add(noKey, v, int32(idx))
		})
	}
	n = &m.nodes[i] // the appends may have moved the arena
	built := int32(len(m.nodes)) - first
	switch {
	case over:
		m.nodes = m.nodes[:first]
		n.count = -1
		return limit + 1, nil
	case err != nil:
		m.nodes = m.nodes[:first]
		n.first, n.count = first, 0
		return 0, err
	}
	n.first, n.count = first, built
	return int(built), nil
}

// expandable reports whether node i has something to show when expanded.
func (m *Model) expandable(i int32) bool {
	n := &m.nodes[i]
	if !n.container() {
		return false
	}
	if n.count >= 0 {
		return n.count > 0
	}
	// "{}" and "[]" (with any inner whitespace) are empty.
	for p := n.val.Start + 1; p < n.val.End-1; p++ {
		switch m.data[p] {
		case ' ', '\t', '\n', '\r':
		default:
			return true
		}
	}
	n.count = 0
	return false
}

// appendVisible appends node i's lines (its own line, and when expanded its
// children's lines and its closing line) to dst, without recursion.
func (m *Model) appendVisible(dst []int32, i int32) []int32 {
	type frame struct{ node, next int32 }
	dst = append(dst, i)
	if !m.nodes[i].expanded {
		return dst
	}
	stack := []frame{{i, 0}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		n := &m.nodes[top.node]
		if top.next >= n.count {
			dst = append(dst, closing(top.node))
			stack = stack[:len(stack)-1]
			continue
		}
		c := n.first + top.next
		top.next++
		dst = append(dst, c)
		if m.nodes[c].expanded {
			stack = append(stack, frame{c, 0})
		}
	}
	return dst
}

// subtreeEnd returns the index just past node i's lines starting at line
// pos (its own line).
func (m *Model) subtreeEnd(pos int) int {
	i := m.lines[pos]
	if i < 0 || !m.nodes[i].expanded {
		return pos + 1
	}
	want := closing(i)
	for p := pos + 1; p < len(m.lines); p++ {
		if m.lines[p] == want {
			return p + 1
		}
	}
	return len(m.lines)
}

// expandAt expands the node on line pos; it reports whether anything changed.
func (m *Model) expandAt(pos int) bool {
	i := m.lines[pos]
	if i < 0 || m.nodes[i].expanded || !m.expandable(i) {
		return false
	}
	m.build(i)
	m.nodes[i].expanded = true
	sub := m.appendVisible(nil, i)
	m.lines = splice(m.lines, pos, pos+1, sub)
	return true
}

// collapseAt collapses the node on line pos (a closing line collapses its
// node); it returns the node's line afterwards, or -1 if nothing changed.
func (m *Model) collapseAt(pos int) int {
	i := m.lines[pos]
	if i < 0 {
		i = ^i
		pos = m.lineOf(i, pos)
	}
	if pos < 0 || !m.nodes[i].expanded {
		return -1
	}
	end := m.subtreeEnd(pos)
	m.nodes[i].expanded = false
	m.lines = splice(m.lines, pos+1, end, nil)
	return pos
}

// splice replaces s[from:to] with ins.
func splice(s []int32, from, to int, ins []int32) []int32 {
	grow := len(ins) - (to - from)
	if grow > 0 {
		s = append(s, make([]int32, grow)...)
		copy(s[to+grow:], s[to:len(s)-grow])
	} else if grow < 0 {
		copy(s[to+grow:], s[to:])
		s = s[:len(s)+grow]
	}
	copy(s[from:], ins)
	return s
}

// lineOf finds the line of node i (its opening line), searching outward
// from hint; -1 if it is not visible.
func (m *Model) lineOf(i int32, hint int) int {
	if hint < 0 || hint >= len(m.lines) {
		hint = 0
	}
	for d := 0; hint-d >= 0 || hint+d < len(m.lines); d++ {
		if p := hint - d; p >= 0 && m.lines[p] == i {
			return p
		}
		if p := hint + d; p < len(m.lines) && m.lines[p] == i {
			return p
		}
	}
	return -1
}

// relayout rebuilds the line list from the expanded flags.
func (m *Model) relayout() {
	m.lines = m.appendVisible(m.lines[:0], 0)
}

// setLevels expands every container above depth level and collapses the
// rest, but stops early (leaving deeper levels collapsed) when the next
// level would make more than budget lines; the root is always expanded.
// It returns the level reached.
func (m *Model) setLevels(level int, budget int) int {
	for i := range m.nodes {
		m.nodes[i].expanded = false
	}
	frontier := []int32{0}
	lines := 1
	reached := 0
	for depth := 0; depth < level && len(frontier) > 0; depth++ {
		add, room := 0, budget-lines
		for _, i := range frontier {
			if m.expandable(i) {
				c, _ := m.buildUpTo(i, max(room-add, 0))
				add += c + 1
			}
			if add > room && depth > 0 {
				break
			}
		}
		if add > room && depth > 0 {
			break
		}
		var next []int32
		for _, i := range frontier {
			if !m.expandable(i) {
				continue
			}
			m.build(i)
			m.nodes[i].expanded = true
			n := &m.nodes[i]
			for c := n.first; c < n.first+n.count; c++ {
				if m.nodes[c].container() {
					next = append(next, c)
				}
			}
		}
		lines += add
		reached = depth + 1
		frontier = next
	}
	m.relayout()
	return reached
}

// hasCollapsed reports whether a visible container is still closed (so
// "expand all" knows whether its budget stopped it).
func (m *Model) hasCollapsed() bool {
	for _, l := range m.lines {
		if l >= 0 && !m.nodes[l].expanded && m.expandable(l) {
			return true
		}
	}
	return false
}

// locate returns the deepest node whose key or value contains byte offset
// off, building children on the way down.
func (m *Model) locate(off int) int32 {
	i := int32(0)
	for {
		n := &m.nodes[i]
		if !n.container() || off <= n.val.Start || off >= n.val.End-1 {
			return i
		}
		m.build(i)
		n = &m.nodes[i]
		kids := m.nodes[n.first : n.first+n.count]
		// The first child whose value ends after off.
		k := sort.Search(len(kids), func(j int) bool { return kids[j].val.End > off })
		if k == len(kids) {
			return i
		}
		c := &kids[k]
		start := c.val.Start
		if c.key.Start >= 0 {
			start = c.key.Start
		}
		if off < start {
			return i // between members: whitespace or punctuation
		}
		i = n.first + int32(k)
	}
}

// reveal expands every ancestor of node i and returns i's line.
func (m *Model) reveal(i int32) int {
	var chain []int32
	for p := m.nodes[i].parent; p >= 0; p = m.nodes[p].parent {
		chain = append(chain, p)
	}
	changed := false
	for k := len(chain) - 1; k >= 0; k-- {
		if !m.nodes[chain[k]].expanded {
			m.build(chain[k])
			m.nodes[chain[k]].expanded = true
			changed = true
		}
	}
	if changed {
		m.relayout()
	}
	return m.lineOf(i, m.cursor)
}

// sibling moves the cursor to the next (d = 1) or previous (d = -1) member
// of the cursor node's parent, staying put at either end.
func (m *Model) sibling(d int) {
	i := m.cursorNode()
	p := m.nodes[i].parent
	if p < 0 {
		return
	}
	idx := int(m.nodes[i].index) + d
	if idx < 0 || idx >= int(m.nodes[p].count) {
		return
	}
	if pos := m.lineOf(m.nodes[p].first+int32(idx), m.cursor); pos >= 0 {
		m.setCursor(pos)
	}
}
