package ui

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	tea "charm.land/bubbletea/v2"

	"fhirscope/fhirclient"
	"fhirscope/ui/termsafe"
)

// Following references. enter on a reference ("Patient/123", "Practitioner/9", or an absolute
// URL on the server's origin) fetches that resource in a command and opens it in place; the
// resource left behind goes on the back history with its cursor and expansion. Offline, the
// reference (or a Bundle entry's urn:uuid fullUrl) is looked up in the file's records index.

// inspectorFetchedMsg is the answer to a reference fetch.
type inspectorFetchedMsg struct {
	screen *InspectorScreen
	id     uint64
	ref    string
	data   []byte
	err    error
}

// maxHistory is how many resources back the history keeps.
const maxHistory = 100

// errNotFoundInFile is the offline miss: the file does not hold the referenced resource.
var errNotFoundInFile = errors.New("not in this file")

// follow starts fetching ref.
func (s *InspectorScreen) follow(ref string) tea.Cmd {
	offline := s.c.Client == nil && s.localRefs != nil
	typ, id, absolute, err := parseReference(ref)
	// Offline, a urn:uuid reference names another entry of the same Bundle by its fullUrl,
	// which the file's reference index knows.
	if err != nil && !(offline && strings.HasPrefix(ref, "urn:")) {
		s.setStatus(err.Error(), true)
		return nil
	}
	id64, ctx := s.fetch.Start(s.c.Ctx)
	s.fetchRef = ref
	s.setStatus("", false)
	switch {
	case s.c.Client != nil:
		client := s.c.Client
		return func() tea.Msg {
			var data []byte
			var err error
			if absolute {
				var resp *fhirclient.Response
				if resp, err = client.Get(ctx, ref); err == nil {
					data = resp.Body
				}
			} else {
				data, err = client.Read(ctx, typ, id)
			}
			return inspectorFetchedMsg{screen: s, id: id64, ref: ref, data: data, err: err}
		}
	case offline:
		src := s.localRefs
		return func() tea.Msg {
			// The index is built on the first lookup (about 1 us an entry) and kept.
			var data []byte
			err := errNotFoundInFile
			if i, ok := src.Lookup(ref); ok {
				if data = src.Entry(i); data != nil {
					err = nil
				} else if e := src.Err(); e != nil {
					err = e // the file changed under its mapping since it was indexed
				}
			}
			return inspectorFetchedMsg{screen: s, id: id64, ref: ref, data: data, err: err}
		}
	}
	s.fetch.Done()
	s.setStatus("cannot open "+termsafe.String(ref)+": no server connection", true)
	return nil
}

// parseReference splits a FHIR reference into type and id. Absolute http(s) URLs are
// fetched as they are (the client refuses another origin); their last two segments still
// give the type and id for looking them up offline.
func parseReference(ref string) (typ, id string, absolute bool, err error) {
	switch {
	case strings.HasPrefix(ref, "#"):
		return "", "", false, fmt.Errorf("%s is a contained resource: it is inside this one", termsafe.String(ref))
	case strings.HasPrefix(ref, "urn:"):
		return "", "", false, fmt.Errorf("%s names a resource inside a bundle, it cannot be fetched", termsafe.String(ref))
	}
	path := ref
	if u, perr := url.Parse(ref); perr == nil && (u.Scheme == "http" || u.Scheme == "https") {
		absolute = true
		path = strings.Trim(u.Path, "/")
	} else if strings.Contains(ref, "://") {
		return "", "", false, fmt.Errorf("%s is not an http(s) URL", termsafe.String(ref))
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	// Type/id/_history/version reads the resource; the version is not needed to open it.
	if n := len(segs); n >= 4 && segs[n-2] == "_history" {
		segs = segs[:n-2]
	}
	if len(segs) < 2 || segs[len(segs)-1] == "" || segs[len(segs)-2] == "" {
		return "", "", false, fmt.Errorf("%s is not a Type/id reference", termsafe.String(ref))
	}
	return segs[len(segs)-2], segs[len(segs)-1], absolute, nil
}

// onFetched opens the fetched resource, pushing the current one on the back history.
func (s *InspectorScreen) onFetched(msg inspectorFetchedMsg) tea.Cmd {
	if msg.screen != s || !s.fetch.Current(msg.id) {
		return nil
	}
	s.fetch.Done()
	s.fetchRef = ""
	ref := termsafe.String(msg.ref)
	if msg.err != nil {
		var oe *fhirclient.OriginError
		switch {
		case errors.As(msg.err, &oe):
			s.setStatus(termsafe.String(oe.Error()), true)
		case errors.Is(msg.err, errNotFoundInFile):
			s.setStatus(ref+" is not in this file", true)
		case errors.Is(msg.err, context.Canceled):
			s.setStatus("cancelled fetching "+ref, false)
		default:
			// The cause and fix do not fit the one-line footer: the error panel shows them whole.
			s.setStatus("cannot open "+ref+": "+termsafe.String(Explain(msg.err).Cause), true)
			return ShowError(msg.err)
		}
		return nil
	}
	d := s.newDoc(msg.data)
	if d.err != nil {
		s.setStatus("cannot show "+ref+": "+termsafe.String(d.err.Error()), true)
		// The reason is cut at the footer's width: the error panel shows it whole.
		return ShowError(fmt.Errorf("the answer for %s is not JSON the inspector can show: %w", msg.ref, d.err))
	}
	s.back = append(s.back, s.cur)
	if len(s.back) > maxHistory {
		// Each entry keeps its bytes and tree: a long walk through references stays bounded.
		s.back = append(s.back[:0:0], s.back[len(s.back)-maxHistory:]...)
	}
	s.forward = nil
	s.cur = d
	s.setStatus("opened "+ref+" · [ or backspace goes back", false)
	return nil
}

func (s *InspectorScreen) goBack() {
	if len(s.back) == 0 {
		s.setStatus("no earlier resource in the history", false)
		return
	}
	s.forward = append(s.forward, s.cur)
	s.cur = s.back[len(s.back)-1]
	s.back = s.back[:len(s.back)-1]
	s.setStatus("", false)
}

func (s *InspectorScreen) goForward() {
	if len(s.forward) == 0 {
		s.setStatus("no later resource in the history", false)
		return
	}
	s.back = append(s.back, s.cur)
	s.cur = s.forward[len(s.forward)-1]
	s.forward = s.forward[:len(s.forward)-1]
	s.setStatus("", false)
}
