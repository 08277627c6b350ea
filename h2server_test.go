package koophone_test

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// h2Misbehaviour is what h2Server does once it has read a whole request.
type h2Misbehaviour int

const (
	h2Answer             h2Misbehaviour = iota // a 200 with the server's body
	h2ResetProtocol                            // RST_STREAM PROTOCOL_ERROR: the service may have acted
	h2GoAwayZero                               // GOAWAY, last stream 0, PROTOCOL_ERROR; then close
	h2ResetRefused                             // RST_STREAM REFUSED_STREAM: the service did not act
	h2GoAwayBelow                              // GOAWAY NO_ERROR, last stream below the request's; then close
	h2GoAwayAtStream                           // GOAWAY NO_ERROR, last stream = the request's; then close: it may have acted
	h2HeadersThenRefused                       // the answer's headers, then RST_STREAM REFUSED_STREAM: it acted
)

// h2Server is a raw HTTP/2 server over TLS (ALPN h2), written with
// x/net/http2's Framer so that it can misbehave as no net/http server
// does. It counts every request it receives in full (headers and the whole
// body) by path, and then does what its script says.
type h2Server struct {
	URL   string
	roots *x509.CertPool // trusts the server's certificate

	mu     sync.Mutex
	heads  map[string]int                          // path → header blocks received, whole request or not
	seen   map[string]int                          // path → requests received in full
	bodies map[string][]string                     // path → the bodies received
	script func(path string, n int) h2Misbehaviour // n: the path's count, 1-based
	answer string                                  // the body of h2Answer
	conns  map[net.Conn]bool
}

// newH2Server starts an h2Server that follows script, closed when the test ends.
func newH2Server(t *testing.T, script func(path string, n int) h2Misbehaviour) *h2Server {
	t.Helper()
	s := &h2Server{heads: map[string]int{}, seen: map[string]int{}, bodies: map[string][]string{}, script: script, answer: okReady, conns: map[net.Conn]bool{}}
	hs := httptest.NewUnstartedServer(nil)
	hs.EnableHTTP2 = true // ALPN offers h2 only
	hs.Config.TLSNextProto = map[string]func(*http.Server, *tls.Conn, http.Handler){
		"h2": func(_ *http.Server, c *tls.Conn, _ http.Handler) { s.serve(c) },
	}
	hs.Config.ErrorLog = discardLog
	hs.StartTLS()
	t.Cleanup(hs.Close)
	t.Cleanup(s.closeConns) // runs first: hs.Close waits for the connections
	s.URL = hs.URL
	s.roots = x509.NewCertPool()
	s.roots.AddCert(hs.Certificate())
	return s
}

// Seen returns how many requests to path the server received in full.
func (s *h2Server) Seen(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[path]
}

// Heads returns how many header blocks of requests to path the server
// received, whether their bodies followed or not.
func (s *h2Server) Heads(path string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.heads[path]
}

// Bodies returns the bodies of the requests to path received in full.
func (s *h2Server) Bodies(path string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies[path]...)
}

// Transport returns a caller's HTTP/2 transport that trusts the server.
func (s *h2Server) Transport() *http.Transport {
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.roots}, ForceAttemptHTTP2: true}
}

func (s *h2Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

func (s *h2Server) track(c net.Conn, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.conns[c] = true
	} else {
		delete(s.conns, c)
	}
}

// hostileDebug is the debug data of every GOAWAY: the text of an error
// that proves a request was not processed, which net/http quotes in the
// error of a connection closed after a GOAWAY.
var hostileDebug = []byte("stream error: stream ID 1; REFUSED_STREAM; received from peer")

// h2Stream is a request being received.
type h2Stream struct {
	path string
	body bytes.Buffer
}

// serve speaks HTTP/2 on c until the client goes or the script closes it.
func (s *h2Server) serve(c net.Conn) {
	s.track(c, true)
	defer s.track(c, false)
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(c, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(c, c)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if fr.WriteSettings() != nil {
		return
	}
	streams := map[uint32]*h2Stream{}
	closing := false // a GOAWAY was sent: nothing more is answered
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		var done *h2Stream
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				fr.WritePing(true, f.Data)
			}
		case *http2.MetaHeadersFrame:
			st := &h2Stream{path: pathOf(f.PseudoValue("path"))}
			streams[f.StreamID] = st
			s.mu.Lock()
			s.heads[st.path]++
			s.mu.Unlock()
			if f.StreamEnded() {
				done = streams[f.StreamID]
			}
		case *http2.DataFrame:
			if st := streams[f.StreamID]; st != nil {
				st.body.Write(f.Data())
				if f.StreamEnded() {
					done = st
				}
			}
		}
		if done == nil || closing {
			continue
		}
		id := f.Header().StreamID
		delete(streams, id)
		if !s.respond(fr, id, done) {
			// Closed for writing only, and read on: closing a socket with
			// unread data would reset it, and the client might lose the
			// GOAWAY before it reads it.
			closing = true
			if tc, ok := c.(*tls.Conn); ok {
				tc.CloseWrite()
			}
		}
	}
}

// pathOf returns the path of a :path, without its query.
func pathOf(p string) string {
	if i := strings.IndexByte(p, '?'); i >= 0 {
		return p[:i]
	}
	return p
}

// respond records a request received in full and acts on it as the script
// says. It reports whether the connection stays open (false after a GOAWAY).
func (s *h2Server) respond(fr *http2.Framer, id uint32, st *h2Stream) bool {
	path := st.path
	s.mu.Lock()
	s.seen[path]++
	s.bodies[path] = append(s.bodies[path], st.body.String())
	action := s.script(path, s.seen[path])
	s.mu.Unlock()
	switch action {
	case h2ResetProtocol:
		return fr.WriteRSTStream(id, http2.ErrCodeProtocol) == nil
	case h2ResetRefused:
		return fr.WriteRSTStream(id, http2.ErrCodeRefusedStream) == nil
	case h2GoAwayZero:
		fr.WriteGoAway(0, http2.ErrCodeProtocol, hostileDebug)
		return false
	case h2GoAwayBelow:
		fr.WriteGoAway(max(id, 2)-2, http2.ErrCodeNo, hostileDebug) // id is odd: 1 → 0, 3 → 1
		return false
	case h2GoAwayAtStream:
		fr.WriteGoAway(id, http2.ErrCodeNo, hostileDebug)
		return false
	}
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	enc.WriteField(hpack.HeaderField{Name: ":status", Value: "200"})
	enc.WriteField(hpack.HeaderField{Name: "content-type", Value: "application/json"})
	if fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hb.Bytes(), EndHeaders: true}) != nil {
		return false
	}
	if action == h2HeadersThenRefused {
		return fr.WriteRSTStream(id, http2.ErrCodeRefusedStream) == nil
	}
	return fr.WriteData(id, true, []byte(s.answer)) == nil
}
