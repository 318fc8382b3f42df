package fhirclient

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// LogEntry is one HTTP exchange as the request log keeps it. Everything in it is already
// redacted: no access token, assertion or cookie ever reaches an entry.
type LogEntry struct {
	Seq         uint64            `json:"seq"`
	Time        time.Time         `json:"time"`
	Method      string            `json:"method"`
	URL         string            `json:"url"`
	Status      int               `json:"status,omitempty"`
	Duration    time.Duration     `json:"duration_ns"`
	BytesIn     int64             `json:"bytes_in"`
	BytesOut    int64             `json:"bytes_out"`
	ReqHeaders  map[string]string `json:"req_headers,omitempty"`
	RespHeaders map[string]string `json:"resp_headers,omitempty"`
	// ReqBody is the request body for form posts (the token request), with the
	// client_assertion replaced by a placeholder.
	ReqBody string `json:"req_body,omitempty"`
	Note    string `json:"note,omitempty"`
	Err     string `json:"error,omitempty"`
}

// DefaultLogCapacity is how many exchanges a RequestLog made by NewRequestLog(0) keeps.
const DefaultLogCapacity = 1000

// RequestLog is a thread-safe ring of the most recent exchanges. The UI polls Entries (or
// compares Seq to see whether anything is new); a trace writer gets every entry as a JSON line.
type RequestLog struct {
	mu      sync.Mutex
	ring    []LogEntry
	next    int // index of the slot the next entry goes to
	full    bool
	seq     uint64
	traceMu sync.Mutex
	trace   io.Writer
}

// NewRequestLog returns a log keeping the last capacity entries (DefaultLogCapacity if <= 0).
func NewRequestLog(capacity int) *RequestLog {
	if capacity <= 0 {
		capacity = DefaultLogCapacity
	}
	return &RequestLog{ring: make([]LogEntry, capacity)}
}

// add stores e (assigning its Seq) and writes it to the trace, if any.
func (l *RequestLog) add(e LogEntry) {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.seq++
	e.Seq = l.seq
	l.ring[l.next] = e
	l.next++
	if l.next == len(l.ring) {
		l.next, l.full = 0, true
	}
	w := l.trace
	l.mu.Unlock()
	if w != nil {
		line, err := json.Marshal(e)
		if err == nil {
			l.traceMu.Lock()
			_, _ = w.Write(append(line, '\n'))
			l.traceMu.Unlock()
		}
	}
}

func (l *RequestLog) setTrace(w io.Writer) {
	l.mu.Lock()
	l.trace = w
	l.mu.Unlock()
}

// Entries returns a copy of the kept entries, oldest first.
func (l *RequestLog) Entries() []LogEntry {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]LogEntry(nil), l.ring[:l.next]...)
	}
	out := make([]LogEntry, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	return append(out, l.ring[:l.next]...)
}

// Len is the number of kept entries.
func (l *RequestLog) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.full {
		return len(l.ring)
	}
	return l.next
}

// Seq is the sequence number of the newest entry (0 when empty); it only grows.
func (l *RequestLog) Seq() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.seq
}

// sensitiveHeaders never appear in the log, only a placeholder saying how long they were.
var sensitiveHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true, "Set-Cookie": true,
}

func redactHeaders(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, len(h))
	for k, vs := range h {
		v := strings.Join(vs, ", ")
		if sensitiveHeaders[http.CanonicalHeaderKey(k)] {
			scheme := ""
			if i := strings.IndexByte(v, ' '); i > 0 && i < 20 {
				scheme = v[:i+1]
			}
			v = fmt.Sprintf("%s[redacted %d chars]", scheme, len(v)-len(scheme))
		} else if ck := http.CanonicalHeaderKey(k); ck == "Location" || ck == "Content-Location" {
			v = redactURL(v) // redirects may carry codes or tokens in their query
		}
		out[k] = v
	}
	return out
}

// sensitiveParams are query or form parameters whose values are secrets.
var sensitiveParams = map[string]bool{
	"access_token": true, "token": true, "client_assertion": true, "assertion": true,
	"client_secret": true, "code": true, "id_token": true, "refresh_token": true,
	"registration_access_token": true,
}

// redactURL hides secret query parameters in a URL; an unparseable URL is returned cut short.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return truncate(raw, 200)
	}
	if u.User != nil {
		u.User = url.User("redacted")
	}
	if u.RawQuery == "" {
		return u.String()
	}
	q := u.Query()
	changed := false
	for k := range q {
		if sensitiveParams[strings.ToLower(k)] {
			q[k] = []string{"[redacted]"}
			changed = true
		}
	}
	if changed {
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// redactForm renders a form body with secret values replaced.
func redactForm(form url.Values) string {
	c := url.Values{}
	for k, vs := range form {
		if sensitiveParams[strings.ToLower(k)] {
			c[k] = []string{fmt.Sprintf("[redacted %d chars]", len(strings.Join(vs, "")))}
			continue
		}
		c[k] = vs
	}
	return c.Encode()
}

// jwtLike matches compact JWS/JWE tokens and long opaque "access_token" values in bodies.
var (
	jwtLike         = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?`)
	secretJSONField = regexp.MustCompile(`("(?:access_token|refresh_token|id_token|client_assertion|client_secret|registration_access_token)"\s*:\s*")[^"]*(")`)
)

// redactSecrets removes anything token-shaped from a body excerpt.
func redactSecrets(s string) string {
	s = secretJSONField.ReplaceAllString(s, `${1}[redacted]${2}`)
	return jwtLike.ReplaceAllString(s, "[redacted JWT]")
}

// excerptLimit bounds how much of a body an error keeps.
const excerptLimit = 512

// excerpt is a bounded, valid-UTF-8, secret-free prefix of a body. secrets (the token the
// request carried) are replaced in four times the excerpt's length before it is cut to size,
// so a secret straddling the cut never leaves a prefix behind; a server that echoes an opaque
// token is covered as well as JWT-shaped ones.
func excerpt(body []byte, secrets ...string) string {
	s := body
	cut := false
	if len(s) > excerptLimit*4 {
		s, cut = s[:excerptLimit*4], true
	}
	text := string(s)
	for _, sec := range secrets {
		if len(sec) >= 8 {
			text = strings.ReplaceAll(text, sec, "[redacted token]")
		}
	}
	out := strings.ToValidUTF8(redactSecrets(text), "\uFFFD")
	if len(out) > excerptLimit {
		out, cut = truncate(out, excerptLimit), true
	}
	if cut {
		out += "…"
	}
	return out
}

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
