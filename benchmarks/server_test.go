package benchmarks

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// progressAnswer is the documented ShowProgress answer for a ready instance.
var progressAnswer = []byte(`{"error_code":"0","error_msg":"OK","data":{"status":0,"waitingCount":0}}`)

// server is a loopback KooPhone that answers every authenticated call with
// progressAnswer and counts connections, TLS handshakes and HTTP/2 requests.
type server struct {
	*httptest.Server
	template   *http.Transport // what each client's transport is cloned from
	conns      atomic.Int64
	handshakes atomic.Int64
	requests   atomic.Int64
	h2         atomic.Int64
}

// counts is a snapshot of a server's counters.
type counts struct{ conns, handshakes, requests, h2 int64 }

// protocols are the ways a server can be reached: plain HTTP/1.1, HTTP/1.1
// over TLS, and HTTP/2 over TLS.
var protocols = []string{"http", "https", "h2"}

// newServer starts a server speaking proto, closed when tb ends.
func newServer(tb testing.TB, proto string) *server {
	s := &server{}
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(s.serve))
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // handshakes a closing pool cuts off would garble the results
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	if proto == "http" {
		s.Start()
		s.template = http.DefaultTransport.(*http.Transport).Clone()
	} else {
		s.EnableHTTP2 = proto == "h2" // before StartTLS, which offers h2 only then
		s.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			s.handshakes.Add(1)
			return nil, nil
		}}
		s.StartTLS()
		s.template = s.Client().Transport.(*http.Transport).Clone() // trusts the server's certificate
	}
	// Every client gets a pool as large as the SDK's default one.
	s.template.MaxIdleConns, s.template.MaxIdleConnsPerHost = 256, 64
	tb.Cleanup(s.Close)
	return s
}

// transport returns a new transport of the server's template: a pool of its own.
func (s *server) transport() *http.Transport { return s.template.Clone() }

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	if r.ProtoMajor == 2 {
		s.h2.Add(1)
	}
	_, _ = io.Copy(io.Discard, r.Body)
	if r.Header.Get("X-Auth-Token") == "" && r.Header.Get("Authorization") == "" {
		http.Error(w, `{"error_code":"APIGW.0301","error_msg":"no credentials"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(progressAnswer)
}

func (s *server) snapshot() counts {
	return counts{s.conns.Load(), s.handshakes.Load(), s.requests.Load(), s.h2.Load()}
}

// report adds the connections, handshakes and share of HTTP/2 requests
// since before to b's results.
func (s *server) report(b *testing.B, before counts) {
	now := s.snapshot()
	b.ReportMetric(float64(now.conns-before.conns), "conns")
	b.ReportMetric(float64(now.handshakes-before.handshakes), "handshakes")
	if n := now.requests - before.requests; n > 0 {
		b.ReportMetric(float64(now.h2-before.h2)/float64(n), "h2-share")
	}
}
