package koophone_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"

	"github.com/koophone-go/koophone"
)

// attemptCounter is a slog.Handler that counts the client's attempt records.
type attemptCounter struct{ n atomic.Int64 }

func (a *attemptCounter) Enabled(context.Context, slog.Level) bool { return true }
func (a *attemptCounter) Handle(_ context.Context, r slog.Record) error {
	if r.Message == "koophone: attempt" {
		a.n.Add(1)
	}
	return nil
}
func (a *attemptCounter) WithAttrs([]slog.Attr) slog.Handler { return a }
func (a *attemptCounter) WithGroup(string) slog.Handler      { return a }

// h2Write is a write the HTTP/2 tests send, and the path it goes to.
type h2Write struct {
	name string
	path string
	body bool // sent with a body
	call func(context.Context, *koophone.Client) error
}

var h2Writes = []h2Write{
	{"CreateInstances", "/v1/instances/create", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.CreateInstances(ctx, koophone.CreateInstancesRequest{
			OS: "AOSP11", SKUID: "sku-1", BandSKUID: "band-1", RegionID: "cn-north-4", NamePrefix: "shop",
			BandwidthMbps: 4, Count: 2, Charge: koophone.ChargeParam{Unit: koophone.PeriodMonth, Count: 1},
		})
		return err
	}},
	{"RunCommand", "/v1/instances/sync-command", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.RunCommand(ctx, "pm clear com.example", []string{"i-1"})
		return err
	}},
	{"GetDeviceToken", "/v1/instances/i-1/auth", false, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.GetDeviceToken(ctx, "i-1", nil)
		return err
	}},
}

// h2Fault is how h2Server treats a request it has read in full, and
// whether that proves the service did not act on it (RFC 9113, 8.7).
type h2Fault struct {
	name         string
	act          h2Misbehaviour
	notProcessed bool
}

var h2Faults = []h2Fault{
	{"RST_STREAM PROTOCOL_ERROR", h2ResetProtocol, false},
	{"GOAWAY last stream 0 PROTOCOL_ERROR", h2GoAwayZero, true},
	{"RST_STREAM REFUSED_STREAM", h2ResetRefused, true},
	{"GOAWAY below the stream", h2GoAwayBelow, true},
	{"GOAWAY at the stream", h2GoAwayAtStream, false},
	{"an answer's headers, then REFUSED_STREAM", h2HeadersThenRefused, false},
}

// h2Transports builds a client of s over the SDK's own transport or a
// caller's (WithHTTPClient), both negotiating HTTP/2.
var h2Transports = map[string]func(*testing.T, *h2Server, ...koophone.Option) *koophone.Client{
	"SDK transport": func(t *testing.T, s *h2Server, opts ...koophone.Option) *koophone.Client {
		c := newClient(t, append([]koophone.Option{koophone.WithEndpoint(s.URL)}, opts...)...)
		koophone.BaseTransport(c).(*http.Transport).TLSClientConfig.RootCAs = s.roots // before any call
		return c
	},
	"caller's transport": func(t *testing.T, s *h2Server, opts ...koophone.Option) *koophone.Client {
		hc := &http.Client{Transport: s.Transport()}
		t.Cleanup(hc.CloseIdleConnections)
		return newClient(t, append([]koophone.Option{koophone.WithEndpoint(s.URL), koophone.WithHTTPClient(hc)}, opts...)...)
	},
	"caller's x/net http2.Transport": func(t *testing.T, s *h2Server, opts ...koophone.Option) *koophone.Client {
		tr := &http2.Transport{TLSClientConfig: &tls.Config{RootCAs: s.roots}}
		t.Cleanup(tr.CloseIdleConnections)
		return newClient(t, append([]koophone.Option{koophone.WithEndpoint(s.URL), koophone.WithHTTPClient(&http.Client{Transport: tr})}, opts...)...)
	},
}

func TestWriteReachesAnHTTP2ServerOnceAnAttempt(t *testing.T) {
	t.Parallel()
	for _, f := range h2Faults {
		for _, w := range h2Writes {
			for tname, newC := range h2Transports {
				for _, warm := range []bool{false, true} {
					name := f.name + "/" + w.name + "/" + tname
					if warm {
						name += "/reused connection"
					}
					t.Run(name, func(t *testing.T) {
						t.Parallel()
						s := newH2Server(t, func(path string, _ int) h2Misbehaviour {
							if path == w.path {
								return f.act
							}
							return h2Answer
						})
						var attempts attemptCounter
						c := newC(t, s, koophone.WithLogger(slog.New(&attempts)), koophone.WithRetryPolicy(
							koophone.RetryPolicy{MaxRetries: 2, MinBackoff: time.Microsecond, MaxBackoff: time.Millisecond}))
						ctx := timeout(t)
						if warm { // the write goes on the connection's second stream
							_, err := c.PrepareProgress(ctx, "u", "i-1")
							require.NoError(t, err)
							attempts.n.Store(0)
						}
						err := w.call(ctx, c)
						require.Error(t, err)
						assert.NotErrorIs(t, err, context.Canceled, "the caller did not cancel")
						assert.NotErrorIs(t, err, context.DeadlineExceeded)
						sends := 1
						if f.notProcessed && (w.body || f.act == h2GoAwayZero && !warm) {
							sends = 3 // retried as attempts of its own, within MaxRetries
						}
						assert.Equal(t, int64(sends), attempts.n.Load(), "attempts")
						assert.Equal(t, sends, s.Heads(w.path), "requests that reached the server, whole or not")
						assert.Equal(t, sends, s.Seen(w.path), "requests received in full")
						for _, b := range s.Bodies(w.path) {
							assert.Equal(t, s.Bodies(w.path)[0], b, "every attempt sends the whole body")
						}
					})
				}
			}
		}
	}
}

func TestReadOverHTTP2IsSentAgainAsNetHTTPDecides(t *testing.T) {
	t.Parallel()
	for _, f := range h2Faults {
		for tname, newC := range h2Transports {
			t.Run(f.name+"/"+tname, func(t *testing.T) {
				t.Parallel()
				s := newH2Server(t, func(_ string, n int) h2Misbehaviour {
					if n == 1 {
						return f.act
					}
					return h2Answer
				})
				c := newC(t, s)
				p, err := c.PrepareProgress(timeout(t), "u", "i-1")
				require.NoError(t, err)
				assert.Equal(t, koophone.PrepareReady, p.Status)
				assert.Equal(t, 2, s.Seen("/v1/instances/prepare-progress"))
			})
		}
	}
}

// TestConcurrentWritesOverOneHTTP2ConnectionEachReachTheServerOnceAnAttempt:
// the server resets no stream before it has all the calls' requests (its
// batch), and the transport keeps to one connection. Otherwise, on a slow
// machine, the first PROTOCOL_ERROR (after which net/http opens no new
// stream on the connection) would fail calls whose requests never left,
// and the SDK would rightly send those again.
func TestConcurrentWritesOverOneHTTP2ConnectionEachReachTheServerOnceAnAttempt(t *testing.T) {
	t.Parallel()
	const calls, maxRetries = 16, 2
	for _, f := range []h2Fault{h2Faults[0], h2Faults[2]} { // PROTOCOL_ERROR, REFUSED_STREAM
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			s := newH2Server(t, func(string, int) h2Misbehaviour { return f.act })
			s.batch = calls
			var attempts attemptCounter
			c := h2Transports["SDK transport"](t, s, koophone.WithLogger(slog.New(&attempts)), koophone.WithRetryPolicy(
				koophone.RetryPolicy{MaxRetries: maxRetries, MinBackoff: time.Microsecond, MaxBackoff: time.Millisecond}))
			koophone.BaseTransport(c).(*http.Transport).MaxConnsPerHost = 1 // before any call
			ctx := timeout(t)
			errs := make(chan error, calls)
			for range calls {
				go func() { _, err := c.RunCommand(ctx, "ls", []string{"i-1"}); errs <- err }()
			}
			for range calls {
				assert.Error(t, <-errs)
			}
			sends := calls
			if f.notProcessed {
				sends *= 1 + maxRetries
			}
			assert.Equal(t, int64(sends), attempts.n.Load(), "attempts")
			assert.Equal(t, sends, s.Heads("/v1/instances/sync-command"), "requests that reached the server")
		})
	}
}

// writtenThenFailed is a transport that writes each request in full, as
// net/http reports it (httptrace), and then fails with err.
type writtenThenFailed struct {
	err   error
	sends atomic.Int64
}

func (w *writtenThenFailed) RoundTrip(r *http.Request) (*http.Response, error) {
	w.sends.Add(1)
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	if trace := httptrace.ContextClientTrace(r.Context()); trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{})
	}
	return nil, w.err
}

func TestWriteIsRetriedOnlyOnErrorsThatProveTheServiceDidNotAct(t *testing.T) {
	t.Parallel()
	cannotRetry := func(cause string) error {
		return errors.New("http2: Transport: cannot retry err [" + cause + "] after Request.Body was written; define Request.GetBody to avoid this error")
	}
	const refused = "stream error: stream ID 5; REFUSED_STREAM; received from peer"
	tests := []struct {
		name    string
		err     error
		retried bool
	}{
		{"REFUSED_STREAM", cannotRetry(refused), true},
		{"REFUSED_STREAM, wrapped by the caller's transport", fmt.Errorf("proxy: %w", cannotRetry(refused)), true},
		{"REFUSED_STREAM as it is", errors.New(refused), true},
		{"GOAWAY below the stream", cannotRetry("http2: Transport received Server's graceful shutdown GOAWAY"), true},
		{"GOAWAY below the first stream, with a code", errors.New("http2: Transport received GOAWAY from server ErrCode:PROTOCOL_ERROR"), true},
		{"PROTOCOL_ERROR", cannotRetry("stream error: stream ID 5; PROTOCOL_ERROR; received from peer"), false},
		{"GOAWAY at or above the stream, debug data that quotes a refusal",
			errors.New(`http2: server sent GOAWAY and closed the connection; LastStreamID=5, ErrCode=NO_ERROR, debug="` + refused + `"`), false},
		{"a refusal with more after it", errors.New(refused + "; and more"), false},
		{"a refusal with more before it", errors.New("proxy said: " + refused), false},
		{"a refusal of a stream that is no number", errors.New("stream error: stream ID x; REFUSED_STREAM; received from peer"), false},
		{"a refusal made by the client", errors.New("stream error: stream ID 5; REFUSED_STREAM"), false},
		{"a GOAWAY code that quotes more", errors.New("http2: Transport received GOAWAY from server ErrCode:NO]; x"), false},
		{"a connection reset", syscall.ECONNRESET, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tr := &writtenThenFailed{err: tt.err}
			c := newClient(t, koophone.WithEndpoint("https://koophone.test"), koophone.WithHTTPClient(&http.Client{Transport: tr}))
			_, err := c.RunCommand(timeout(t), "ls", []string{"i-1"})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "GetBody", "net/http's advice is not the caller's")
			want := 1
			if tt.retried {
				want = retried
			}
			assert.Equal(t, int64(want), tr.sends.Load())
		})
	}
}

// hooklessTransport fails every request with err, after reading its body
// to the end when read is set, and tells the trace hooks only when told
// is set: a caller's own transport tells them nothing, and net/http's
// HTTP/2 client may fail an attempt that timed out after writing the
// request's end but before telling WroteRequest.
type hooklessTransport struct {
	read    bool
	getConn bool  // tell GetConn, as net/http does before any connection
	headers bool  // tell WroteHeaders
	told    error // WroteRequest's Err, when tell is set
	tell    bool
	err     error
	sends   atomic.Int64
	bodies  atomic.Int64 // bodies read to the end
}

func (h *hooklessTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.sends.Add(1)
	if h.read && r.Body != nil {
		if n, err := io.Copy(io.Discard, r.Body); err == nil && n > 0 { // as net/http copies it
			h.bodies.Add(1)
		}
	}
	trace := httptrace.ContextClientTrace(r.Context())
	if h.getConn && trace != nil && trace.GetConn != nil {
		trace.GetConn(r.URL.Host)
	}
	if h.headers && trace != nil && trace.WroteHeaders != nil {
		trace.WroteHeaders()
	}
	if h.tell && trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{Err: h.told})
	}
	return nil, h.err
}

// A write whose transport took the whole request and then failed, without
// saying through the trace hooks whether it wrote it, may have reached the
// service: it is not sent again. One that failed before taking it, or whose
// transport said the write failed, is.
func TestWriteTakenByATransportThatNeverSaidIsNotSentAgain(t *testing.T) {
	t.Parallel()
	reset := &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
	tests := []struct {
		name string
		tr   *hooklessTransport
		want int64
	}{
		{"took the body, said nothing", &hooklessTransport{read: true, err: reset}, 1},
		{"took the body, said nothing, then timed out", &hooklessTransport{read: true, err: context.DeadlineExceeded}, 1},
		{"never read the body", &hooklessTransport{err: reset}, retried},
		{"took the body, said the write failed", &hooklessTransport{read: true, tell: true, told: syscall.EPIPE, err: reset}, retried},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, koophone.WithEndpoint("https://koophone.test"), koophone.WithHTTPClient(&http.Client{Transport: tt.tr}))
			_, err := c.RunCommand(timeout(t), "ls", []string{"i-1"})
			require.Error(t, err)
			assert.Equal(t, tt.want, tt.tr.sends.Load())
			if tt.tr.read {
				assert.Equal(t, tt.want, tt.tr.bodies.Load(), "each attempt sends the whole body")
			}
		})
	}
	// GetDeviceToken has no body: its headers are the whole request.
	bodyless := []struct {
		name string
		tr   *hooklessTransport
		want int64
	}{
		{"wrote the headers, said nothing more", &hooklessTransport{getConn: true, headers: true, err: reset}, 1},
		{"wrote the headers, said the write failed", &hooklessTransport{getConn: true, headers: true, tell: true, told: syscall.EPIPE, err: reset}, retried},
		{"asked for a connection, wrote no headers", &hooklessTransport{getConn: true, err: reset}, retried},
		{"said nothing: it may have sent it", &hooklessTransport{err: reset}, 1},
		{"said nothing, then timed out", &hooklessTransport{err: context.DeadlineExceeded}, 1},
	}
	for _, tt := range bodyless {
		t.Run("bodyless/"+tt.name, func(t *testing.T) {
			t.Parallel()
			c := newClient(t, koophone.WithEndpoint("https://koophone.test"), koophone.WithHTTPClient(&http.Client{Transport: tt.tr}))
			_, err := c.GetDeviceToken(timeout(t), "i-1", nil)
			require.Error(t, err)
			assert.Equal(t, tt.want, tt.tr.sends.Load())
		})
	}
}

// lateTransport is a caller's RoundTripper that fails at once and goes on
// sending the body in a goroutine of its own, as the RoundTripper contract
// allows, once release is closed.
type lateTransport struct {
	release chan struct{}
	sends   atomic.Int64
	late    sync.WaitGroup
	bodies  atomic.Int64 // bodies the late goroutines read to the end
	refused atomic.Int64 // late reads the body refused
}

func (l *lateTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	l.sends.Add(1)
	l.late.Add(1)
	go func() {
		defer l.late.Done()
		<-l.release
		if _, err := io.Copy(io.Discard, r.Body); err == nil {
			l.bodies.Add(1)
		} else {
			l.refused.Add(1)
		}
	}()
	return nil, &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}
}

// A write whose transport failed before taking the body is sent again;
// the attempt it judged as not sent can no longer hand its body to a
// goroutine the transport left running, so the service gets no second copy.
func TestWriteJudgedAsNotSentCannotBeSentLater(t *testing.T) {
	t.Parallel()
	tr := &lateTransport{release: make(chan struct{})}
	c := newClient(t, koophone.WithEndpoint("https://koophone.test"), koophone.WithHTTPClient(&http.Client{Transport: tr}))
	_, err := c.RunCommand(timeout(t), "ls", []string{"i-1"})
	require.Error(t, err)
	close(tr.release)
	tr.late.Wait()
	assert.Equal(t, int64(retried), tr.sends.Load(), "an attempt whose body was not taken is retried")
	assert.Equal(t, int64(0), tr.bodies.Load(), "bodies sent after their attempt was judged as not sent")
	assert.Equal(t, int64(retried), tr.refused.Load())
}

// exactTransport is a caller's minimal HTTP/1.1 RoundTripper, as one
// could write it: on a connection of its own it writes the request's head
// and exactly ContentLength bytes of its body (io.CopyN, which never reads
// on to EOF), then reads the answer. It calls no trace hook.
type exactTransport struct{}

func (exactTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c, err := (&net.Dialer{}).DialContext(r.Context(), "tcp", r.URL.Host)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	fmt.Fprintf(c, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\nConnection: close\r\n", r.Method, r.URL.RequestURI(), r.URL.Host, r.ContentLength)
	r.Header.Write(c)
	io.WriteString(c, "\r\n")
	if r.Body != nil {
		if _, err := io.CopyN(c, r.Body, r.ContentLength); err != nil {
			return nil, err
		}
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), r)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	return resp, err
}

// h1Clients builds a client of an h1Server over the SDK's own transport or
// a caller's http.Transport.
var h1Clients = map[string]func(*testing.T, string, ...koophone.Option) *koophone.Client{
	"SDK transport": func(t *testing.T, url string, opts ...koophone.Option) *koophone.Client {
		return newClient(t, append([]koophone.Option{koophone.WithEndpoint(url)}, opts...)...)
	},
	"caller's http.Transport": func(t *testing.T, url string, opts ...koophone.Option) *koophone.Client {
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		return newClient(t, append([]koophone.Option{koophone.WithEndpoint(url), koophone.WithHTTPClient(&http.Client{Transport: tr})}, opts...)...)
	},
}

// Over HTTP/1.1, on a new or a kept-alive connection, a write the server
// read in full (or whose head it read) and then hung up on without an
// answer may have been acted on: one attempt, one request at the server.
// (A server that closes a kept-alive connection after the request was
// written looks the same to the client as one that acted and crashed.)
func TestWriteOverHTTP1ThatTheServerHungUpOnIsNotSentAgain(t *testing.T) {
	t.Parallel()
	const path = "/v1/instances/sync-command"
	for _, act := range []h1Act{h1Close, h1Reset, h1HeadReset} {
		for cname, newC := range h1Clients {
			for _, warm := range []bool{false, true} {
				name := fmt.Sprint(act) + "/" + cname
				if warm {
					name += "/reused connection"
				}
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					s := newH1Server(t, func(p string, _ int) h1Act {
						if p == path {
							return act
						}
						return h1Answer
					})
					var attempts attemptCounter
					c := newC(t, s.URL, koophone.WithLogger(slog.New(&attempts)))
					ctx := timeout(t)
					if warm {
						_, err := c.PrepareProgress(ctx, "u", "i-1")
						require.NoError(t, err)
						attempts.n.Store(0)
					}
					_, err := c.RunCommand(ctx, strings.Repeat("x", 1024), hundredAndOne()[:100])
					require.Error(t, err)
					if act == h1HeadReset {
						// Whether the reset comes before net/http has written the body
						// (WroteRequest with an error: retried) or after (not) is the
						// network's timing; the server never has the request in full.
						assert.Equal(t, 0, s.Seen(path), "requests received in full")
						assert.Equal(t, int(attempts.n.Load()), s.Heads(path), "one head per attempt")
						return
					}
					assert.Equal(t, int64(1), attempts.n.Load(), "attempts")
					assert.Equal(t, 1, s.Heads(path), "requests that reached the server")
					assert.Equal(t, 1, s.Seen(path), "requests received in full")
				})
			}
		}
	}
}

// retryingTransport is a caller's transport over an http.Transport that
// sends each request again by itself after a network error, as some
// middleware does: it reads the body once (io.ReadAll) and gives every try
// a copy, under the request's own context.
type retryingTransport struct {
	base  http.RoundTripper
	tries int
}

func (rt *retryingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			return nil, err
		}
	}
	var err error
	for range rt.tries {
		try := r.Clone(r.Context())
		if body != nil {
			try.Body = io.NopCloser(bytes.NewReader(body))
		}
		var resp *http.Response
		if resp, err = rt.base.RoundTrip(try); err == nil {
			return resp, nil
		}
	}
	return nil, err
}

// callersTransports are a caller's transports (WithHTTPClient) that may
// put a whole write on the wire with no trace hook telling the guard so:
// one that calls none (for a body, it reads every byte but not on to EOF;
// GetDeviceToken has only headers), and one that sends a write again by
// itself through net/http, under the attempt's context, which the guard's
// GotConn hook stops.
var callersTransports = map[string]func(*testing.T) http.RoundTripper{
	"hookless, copies ContentLength bytes": func(*testing.T) http.RoundTripper { return exactTransport{} },
	"retries by itself over http.Transport": func(t *testing.T) http.RoundTripper {
		base := &http.Transport{}
		t.Cleanup(base.CloseIdleConnections)
		return &retryingTransport{base: base, tries: 3}
	},
}

// A write that the server got in full through a caller's transport, and
// then hung up on without an answer, reaches it once: no send again by the
// transport, no retry by the SDK.
func TestWriteThroughACallersTransportThatTheServerHungUpOnReachesItOnce(t *testing.T) {
	t.Parallel()
	for tname, newTr := range callersTransports {
		for _, w := range h2Writes {
			for _, act := range []h1Act{h1Close, h1Reset} {
				t.Run(tname+"/"+w.name+"/"+act.String(), func(t *testing.T) {
					t.Parallel()
					s := newH1Server(t, func(string, int) h1Act { return act })
					var attempts attemptCounter
					c := newClient(t, koophone.WithEndpoint(s.URL), koophone.WithLogger(slog.New(&attempts)),
						koophone.WithHTTPClient(&http.Client{Transport: newTr(t)}))
					require.Error(t, w.call(timeout(t), c))
					assert.Equal(t, int64(1), attempts.n.Load(), "attempts")
					assert.Equal(t, 1, s.Heads(w.path), "requests that reached the server")
					assert.Equal(t, 1, s.Seen(w.path), "requests received in full")
				})
			}
		}
	}
}

// heldConn holds its second Write (net/http's HTTP/1 client flushes a
// write's headers, then writes its body) until release is closed.
type heldConn struct {
	net.Conn
	writes  int
	release <-chan struct{}
}

func (c *heldConn) Write(p []byte) (int, error) {
	if c.writes++; c.writes == 2 {
		<-c.release
	}
	return c.Conn.Write(p)
}

// Over HTTP/1.1, a server that resets the connection once it has the
// write's headers, before its body is written, makes net/http's write
// fail (WroteRequest with an error): the service cannot have acted, and
// the write is retried on a new connection, which gets it in full once.
func TestWriteWhoseBodyAResetConnectionRefusedIsRetried(t *testing.T) {
	t.Parallel()
	const path = "/v1/instances/sync-command"
	s := newH1Server(t, func(_ string, n int) h1Act {
		if n == 1 {
			return h1HeadReset
		}
		return h1Answer
	})
	s.hungUp = make(chan struct{}, 1)
	var dials atomic.Int64
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil || dials.Add(1) > 1 {
			return c, err
		}
		return &heldConn{Conn: c, release: s.hungUp}, nil
	}}
	t.Cleanup(tr.CloseIdleConnections)
	var attempts attemptCounter
	c := newClient(t, koophone.WithEndpoint(s.URL), koophone.WithLogger(slog.New(&attempts)), koophone.WithHTTPClient(&http.Client{Transport: tr}))
	_, err := c.RunCommand(timeout(t), "ls", []string{"i-1"})
	assert.ErrorContains(t, err, "malformed response", "the retry got the server's answer (a read's)")
	assert.Equal(t, int64(2), attempts.n.Load(), "attempts")
	assert.Equal(t, 2, s.Heads(path), "requests that reached the server, whole or not")
	assert.Equal(t, 1, s.Seen(path), "requests received in full")
}
