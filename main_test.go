package koophone_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"

	"github.com/koophone-go/koophone"
)

// The helpers that test files share live here (a file's own helpers stay
// in it): the recording test server (setup), the wait scripts, listing
// pages, a fake IAM and a misbehaving HTTP/2 server.

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testToken = "tok-S3CR3T-4f9a2c"

// fastRetries keeps retry tests quick: tiny backoffs, three retries.
var fastRetries = koophone.RetryPolicy{MaxRetries: 3, MinBackoff: time.Microsecond, MaxBackoff: time.Millisecond}

// received is one request as the test server saw it.
type received struct {
	Method, Path string
	Header       http.Header
	Raw          []byte
	Body         map[string]any
}

// server is an httptest server that records requests and answers with a
// per-test handler that knows the request's number (1-based).
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

// Requests returns what the server received so far.
func (s *server) Requests() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.reqs...)
}

// answer writes a JSON body with a status.
func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

const (
	okQueuing = `{"data":{"status":1,"waitingCount":3},"error_code":"0","error_msg":"OK"}`
	okReady   = `{"data":{"status":0,"waitingCount":0},"error_code":"0","error_msg":"OK"}`
)

// setup starts a test server with handler and returns a client wired to it
// with the test token and fast retries; opts come last and override.
func setup(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, n int), opts ...koophone.Option) (*koophone.Client, *server) {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw)) // for the handler
		rec := received{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Raw: raw}
		_ = json.Unmarshal(raw, &rec.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, rec)
		n := len(s.reqs)
		s.mu.Unlock()
		handler(w, r, n)
	}))
	t.Cleanup(s.Close)
	c := newClient(t, append([]koophone.Option{koophone.WithEndpoint(s.URL)}, opts...)...)
	return c, s
}

// newClient builds a client with the test token and fast retries, closing
// its idle connections when the test ends.
func newClient(t *testing.T, opts ...koophone.Option) *koophone.Client {
	t.Helper()
	all := append([]koophone.Option{koophone.WithToken(testToken), koophone.WithRetryPolicy(fastRetries)}, opts...)
	c, err := koophone.NewClient(all...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// always answers every request the same way.
func always(status int, body string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) { answer(w, status, body) }
}

// timeout bounds a test's calls so that a bug fails the test instead of hanging it.
func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// heldTimeout is a caller's transport, over a real one, for servers that
// never answer in time: the attempt's timeout (the SDK's deadline, or an
// http.Client's Timeout, on the request's context) reaches net/http only
// once net/http has written the request and the server has it (its handler
// called Arrived). On a loaded machine a short timeout could otherwise end
// an attempt before its request left (and a write that never left is
// rightly sent again) or before the server counted it. With it the attempt
// ends as it does on a fast machine, and slowness only makes it end later.
// Every request must reach the server, and the server must call Arrived
// once for each.
type heldTimeout struct {
	base    *http.Transport
	arrived chan struct{}
	ended   chan struct{} // closed when the test ends: no goroutine waits on
}

func newHeldTimeout(t *testing.T) *heldTimeout {
	h := &heldTimeout{base: http.DefaultTransport.(*http.Transport).Clone(),
		arrived: make(chan struct{}, 64), ended: make(chan struct{})}
	t.Cleanup(func() { close(h.ended) })
	return h
}

// Arrived is the server's word that it has a request.
func (h *heldTimeout) Arrived() { h.arrived <- struct{}{} }

func (h *heldTimeout) CloseIdleConnections() { h.base.CloseIdleConnections() }

func (h *heldTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	attempt := req.Context()
	written := make(chan struct{})
	var once sync.Once
	ctx, cancel := context.WithCancelCause(context.WithoutCancel(attempt))
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteRequest: func(httptrace.WroteRequestInfo) { once.Do(func() { close(written) }) },
	})
	context.AfterFunc(attempt, func() {
		for _, c := range []chan struct{}{written, h.arrived} {
			select {
			case <-c:
			case <-h.ended:
			}
		}
		cancel(context.Cause(attempt)) // net/http returns the cause: DeadlineExceeded
	})
	held := req.WithContext(ctx)
	//lint:ignore SA1019 an http.Client's Timeout closes it too, at once, over a transport that is not net/http's
	held.Cancel = nil
	return h.base.RoundTrip(held)
}

// decodeJSON decodes a request's JSON body.
func decodeJSON(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }

// hundredAndOne returns 101 distinct instance ids: one more than a batch takes.
func hundredAndOne() []string {
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-%d", i)
	}
	return ids
}

// validInstall is an InstallApp request that passes every check.
func validInstall() koophone.InstallAppRequest {
	return koophone.InstallAppRequest{
		InstanceIDs: []string{"i-1", "i-2"},
		PackageName: "com.example.app",
		FileName:    "app.apk",
		Version:     "1.2.3",
		SizeMB:      12.5,
		PackageURL:  "https://bucket.obs.cn-north-4.myhuaweicloud.com/app.apk",
	}
}

// A signed package URL whose every secret part holds "SECRET": its access
// key, its expiry-bound signature (base64: "+", "/" and "=" escaped in the
// query) and the query as a whole.
const (
	signedURL    = "https://bucket.obs.example.com/app.apk?AccessKeyId=AKSECRET0001&Expires=1767225600&Signature=Zm9vSECRET%2Bc2ln%2FYmFy%3D"
	signedQuery  = "AccessKeyId=AKSECRET0001&Expires=1767225600&Signature=Zm9vSECRET%2Bc2ln%2FYmFy%3D"
	plainSig     = "Zm9vSECRET+c2ln/YmFy="
	specialToken = "tokSECRET+a/b=c&d<e>f%g"
)

// echoForms are the ways a server may echo a secret in its text, each
// applied to the secret (or to the text holding it).
var echoForms = map[string]func(string) string{
	"as sent":                  func(s string) string { return s },
	"percent-encoded":          url.QueryEscape,
	"percent-encoded, %20":     func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") },
	"lower-case escapes":       func(s string) string { return lowerEscapes(url.QueryEscape(s)) },
	"path-escaped":             url.PathEscape,
	"query-escaped, + a space": func(s string) string { return url.QueryEscape(s + " x") },
	"JSON-escaped":             func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) },
	"JSON-escaped, \\/": func(s string) string {
		b, _ := json.Marshal(s)
		return strings.ReplaceAll(string(b[1:len(b)-1]), "/", `\/`)
	},
	"HTML-escaped":         html.EscapeString,
	"HTML-escaped, &quot;": func(s string) string { return strings.ReplaceAll(html.EscapeString(s+`"`), "&#34;", "&quot;") },
}

// lowerEscapes lower-cases the hex digits of every percent escape in s.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = byte(strings.ToLower(string(b[i+1]))[0]), byte(strings.ToLower(string(b[i+2]))[0])
		}
	}
	return string(b)
}

// rawServer answers every connection with what reply makes of the request
// head, bypassing net/http's server, as a hostile peer can.
func rawServer(t *testing.T, reply func(head string) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				br := bufio.NewReader(c)
				var head strings.Builder
				for {
					l, err := br.ReadString('\n')
					head.WriteString(l)
					if err != nil || l == "\r\n" {
						break
					}
				}
				io.WriteString(c, reply(head.String()))
			}(c)
		}
	}()
	return "http://" + ln.Addr().String()
}

// headerValue returns the value of header name in a raw request head.
func headerValue(head, name string) string {
	for _, l := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

const retried = 4 // 1 + fastRetries.MaxRetries

// step is one scripted answer: an HTTP status and a body.
type step struct {
	code int
	body string
}

// st is a successful answer with a status and a waitingCount of 2.
func st(status int) step {
	return step{200, fmt.Sprintf(`{"data":{"status":%d,"waitingCount":2},"error_code":"0","error_msg":"OK"}`, status)}
}

var (
	unavailable = step{503, ``}
	notFound    = step{200, `{"error_code":"KOOPHONE.API.4001","error_msg":"instance not exist"}`}
)

// script answers each target's polls with its steps in order, repeating
// the last one, and counts the polls of each target: the service a wait
// polls, scripted. S is one answer: a step of PrepareProgress (served over
// HTTP by serveProgress), an answerStep of GetTask (see taskScript).
type script[S any] struct {
	mu    sync.Mutex
	steps map[string][]S
	polls map[string]int
}

func newScript[S any](steps map[string][]S) *script[S] {
	return &script[S]{steps: steps, polls: map[string]int{}}
}

// next counts a poll of id and returns its answer; ok is false for an id
// without steps.
func (s *script[S]) next(id string) (a S, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	steps := s.steps[id]
	n := s.polls[id]
	s.polls[id]++
	if len(steps) == 0 {
		return a, false
	}
	return steps[min(n, len(steps)-1)], true
}

func (s *script[S]) Polls(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.polls[id]
}

// serveProgress answers PrepareProgress from sc; an instance without
// steps is not found.
func serveProgress(sc *script[step]) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		var body struct {
			InstanceID string `json:"instance_id"`
		}
		_ = decodeJSON(r, &body)
		next, ok := sc.next(body.InstanceID)
		if !ok {
			next = notFound
		}
		answer(w, next.code, next.body)
	}
}

// waitSetup returns a client without retries (so each poll is one request)
// talking to a scripted server, and a fake clock that runs waits at once.
func waitSetup(t *testing.T, steps map[string][]step, opts ...koophone.Option) (*koophone.Client, *script[step], *koophone.FakeClock) {
	t.Helper()
	sc := newScript(steps)
	opts = append([]koophone.Option{koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1})}, opts...)
	c, _ := setup(t, serveProgress(sc), opts...)
	return c, sc, koophone.NewFakeClock(true)
}

// waitCtx is the context of a wait on a fake clock. Its deadline counts
// for the wait too, so it is far enough not to matter; it only keeps a bug
// from hanging the test run.
func waitCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 24*time.Hour)
	t.Cleanup(cancel)
	return ctx
}

// noJitter makes the backoff deterministic: with 1s..15s the delays are
// 1s, 2s, 4s, 7.5s, 7.5s, ...
func noJitter() float64 { return 0 }

// answerStep is one scripted answer of GetTask: jobs, or an error.
type answerStep struct {
	jobs []koophone.JobResult
	err  error
}

// jobs is a successful answer listing jobs "j1", "j2", … with these statuses.
func jobs(statuses ...koophone.JobStatus) answerStep {
	out := make([]koophone.JobResult, len(statuses))
	for i, s := range statuses {
		out[i] = koophone.JobResult{JobID: fmt.Sprintf("j%d", i+1), Status: s}
	}
	return answerStep{jobs: out}
}

var (
	// taskUnavailable is a failed poll that returns jobs too: the wait must
	// neither keep them nor show them in its event.
	taskUnavailable = answerStep{jobs: jobs(koophone.JobRunning).jobs, err: &koophone.APIError{Operation: "GetTask", HTTPStatus: 503, Message: "unavailable"}}
	taskNotFound    = answerStep{err: &koophone.APIError{Operation: "GetTask", HTTPStatus: 400, Code: koophone.CodeInvalidParameter, Message: "task not exist"}}
)

// taskScript stands in for GetTask: a script of its answers.
type taskScript struct{ *script[answerStep] }

func newTaskScript(steps map[string][]answerStep) *taskScript {
	return &taskScript{newScript(steps)}
}

func (s *taskScript) getTask(ctx context.Context, taskID string) ([]koophone.JobResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	next, ok := s.next(taskID)
	if !ok {
		return nil, taskNotFound.err
	}
	return next.jobs, next.err
}

// getTaskBody is a GetTask answer listing the jobs, given as JSON objects.
func getTaskBody(jobs ...string) string {
	return `{"error_code":"0","data":{"jobs":[` + strings.Join(jobs, ",") + `]}}`
}

// busiestSecond is the most of the (sorted) times that fall in any
// half-open window of one second.
func busiestSecond(times []time.Duration) int {
	most, lo := 0, 0
	for hi, t := range times {
		for times[lo] <= t-time.Second {
			lo++
		}
		most = max(most, hi-lo+1)
	}
	return most
}

// codeCase is a documented error code and the category it must match.
type codeCase struct {
	code string
	want error
}

// assertCodes answers call with each code, in the envelope body(code)
// builds, with HTTP 200, and checks the error it returns.
func assertCodes(t *testing.T, body func(code string) string, call func(context.Context, *koophone.Client) error, cases []codeCase) {
	t.Helper()
	for _, tc := range cases {
		c, s := setup(t, always(http.StatusOK, body(tc.code)))
		err := call(timeout(t), c)
		var apiErr *koophone.APIError
		require.ErrorAs(t, err, &apiErr, tc.code)
		want := strings.Replace(strings.ToUpper(tc.code), "KP.API.", "KOOPHONE.API.", 1)
		assert.Equal(t, want, apiErr.Code, "the code in its canonical spelling")
		assert.ErrorIs(t, err, tc.want, tc.code)
		if tc.want != koophone.ErrInternal { // reads retry KOOPHONE.API.9999
			assert.Len(t, s.Requests(), 1, "a business error is not retried: %s", tc.code)
		}
	}
}

// topLevel is the usual envelope of an error answer.
func topLevel(code string) string {
	return `{"error_code":"` + code + `","error_msg":"documented error"}`
}

// queryLog records the query of every request a test server receives.
type queryLog struct {
	mu      sync.Mutex
	queries []url.Values
}

func (l *queryLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queries = append(l.queries, r.URL.Query())
}

func (l *queryLog) all() []url.Values {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]url.Values(nil), l.queries...)
}

// instancePageBody is a ListInstances answer with instances from to to-1.
func instancePageBody(from, to, no, size, total int) string {
	var b strings.Builder
	b.WriteString(`{"data":{"result":[`)
	for i := from; i < to; i++ {
		if i > from {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"instance_id":"i-%05d","instance_name":"phone-%05d","region":"cn-north-4","running_status":2,"assign_status":0}`, i, i)
	}
	fmt.Fprintf(&b, `],"page_no":%d,"page_size":%d,"total_count":%d,"error_code":"0","error_msg":"ok"}}`, no, size, total)
	return b.String()
}

// collectIDs ranges over seq and returns the ids and errors it yields.
func collectIDs(seq func(func(koophone.Instance, error) bool)) ([]string, []error) {
	var ids []string
	var errs []error
	for in, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, in.InstanceID)
	}
	return ids, errs
}

// iamServer is a fake IAM that issues numbered tokens valid for ttl.
type iamServer struct {
	*httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	bodies   []map[string]any
	ttl      time.Duration
	now      func() time.Time
	fail     func(n int) (status int, body string) // non-nil: answer this instead
	held     chan struct{}                         // non-nil: every answer waits until it is closed
	stall    func(n int) bool                      // true: request n gets no answer until the client gives up; it may block
	header   http.Header                           // sent with every answer
}

func newIAMServer(t *testing.T, now func() time.Time) *iamServer {
	s := &iamServer{ttl: 24 * time.Hour, now: now}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.requests.Add(1))
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.mu.Lock()
		s.bodies = append(s.bodies, body)
		fail, held, stall := s.fail, s.held, s.stall
		for k, v := range s.header {
			w.Header()[k] = v
		}
		s.mu.Unlock()
		if stall != nil && stall(n) {
			<-r.Context().Done()
			return
		}
		if held != nil {
			<-held
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v3/auth/tokens" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if fail != nil {
			if status, msg := fail(n); status != 0 {
				w.WriteHeader(status)
				io.WriteString(w, msg)
				return
			}
		}
		w.Header().Set("X-Subject-Token", fmt.Sprintf("iam-token-%d", n))
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":{"expires_at":%q,"methods":["password"]}}`, s.now().Add(s.ttl).UTC().Format("2006-01-02T15:04:05.000000Z"))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *iamServer) setFail(f func(n int) (int, string)) { s.mu.Lock(); s.fail = f; s.mu.Unlock() }

func newIAMSource(t *testing.T, iam *iamServer, clock *koophone.FakeClock, edit func(*koophone.IAMConfig)) koophone.TokenSource {
	t.Helper()
	cfg := koophone.IAMConfig{
		Endpoint: iam.URL, DomainName: "acme", UserName: "ops", Password: testPassword, ProjectName: "cn-north-4",
	}
	if edit != nil {
		edit(&cfg)
	}
	ts, err := koophone.NewIAMTokenSource(cfg)
	require.NoError(t, err)
	koophone.SetIAMClock(ts, clock.Now)
	return ts
}

// inRenewalWindow returns a source whose token, iam-token-1, is due for
// renewal but still valid, from an IAM that now answers status and body.
func inRenewalWindow(t *testing.T, status int, body string) (koophone.TokenSource, *iamServer, *koophone.FakeClock) {
	t.Helper()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	ts := newIAMSource(t, iam, clock, nil)
	_, err := ts.Token(timeout(t))
	require.NoError(t, err)
	iam.setFail(func(int) (int, string) { return status, body })
	clock.Advance(24*time.Hour - 10*time.Minute)
	return ts, iam, clock
}

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
	batch  int                                     // set before any request: a connection acts on its first batch requests once all have come
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
	id   uint32
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
	s.mu.Lock()
	batch := h2Batch{n: s.batch}
	s.mu.Unlock()
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
		done.id = f.Header().StreamID
		delete(streams, done.id)
		for _, st := range batch.add(done) {
			if !closing && !s.respond(fr, st.id, st) {
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
}

// h2Batch holds a connection's first n requests received in full until
// all of them have come.
type h2Batch struct {
	n    int
	held []*h2Stream
}

// add takes a request received in full and returns those to act on now.
func (b *h2Batch) add(st *h2Stream) []*h2Stream {
	if b.n == 0 {
		return []*h2Stream{st}
	}
	if b.held = append(b.held, st); len(b.held) < b.n {
		return nil
	}
	act := b.held
	b.n, b.held = 0, nil // from now on, each at once
	return act
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

const taskOK = `{"error_code":"0","error_msg":"ok","data":{"task_id":"RM_6837a1","cmd_jobs":[
	{"instance_id":"i-1","job_id":"j-1"},{"instance_id":"i-2","job_id":"j-2"}]}}`

// assertRedacted checks that v shows none of the secrets through fmt,
// encoding/json or log/slog.
func assertRedacted(t *testing.T, v any, secrets ...string) {
	t.Helper()
	var out []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out = append(out, fmt.Sprintf(verb, v))
	}
	j, err := json.Marshal(v)
	require.NoError(t, err)
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("m", "v", v)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("m", "v", v)
	out = append(out, string(j), logs.String())
	for _, s := range out {
		for _, secret := range secrets {
			assert.NotContains(t, s, secret)
		}
	}
}

// createRequest is a valid CreateInstancesRequest.
func createRequest() koophone.CreateInstancesRequest {
	return koophone.CreateInstancesRequest{
		OS: "AOSP11", SKUID: "sku-1", BandSKUID: "band-1", RegionID: "cn-north-4", NamePrefix: "fleet",
		BandwidthMbps: 4, Count: 2, Charge: koophone.ChargeParam{Unit: koophone.PeriodMonth, Count: 3, AutoPay: true},
	}
}

const prepareOK = `{"data":{"status_list":[{"instance_id":"i-1","status":0}]},"error_code":"0","error_msg":"OK"}`

var discardLog = log.New(io.Discard, "", 0)

// h1Act is what h1Server does with a request.
type h1Act int

const (
	h1Answer    h1Act = iota // read it in full, answer 200 okReady, keep the connection
	h1Close                  // read it in full, close the connection without an answer
	h1Reset                  // read it in full, reset the connection (RST) without an answer
	h1HeadReset              // read its head only, then reset the connection
)

func (a h1Act) String() string {
	return [...]string{"answer", "close after the request", "reset after the request", "reset after the head"}[a]
}

// h1Server is a raw HTTP/1.1 server (net/http's request parser, no
// net/http server) that counts by path the requests whose head reached it
// and those it read in full, and then does what its script says.
type h1Server struct {
	URL    string
	mu     sync.Mutex
	heads  map[string]int
	seen   map[string]int
	script func(path string, n int) h1Act // n: the path's count of heads, 1-based
	hungUp chan struct{}                  // if set, told each time h1HeadReset has reset a connection
}

// newH1Server starts an h1Server that follows script, closed when the test ends.
func newH1Server(t *testing.T, script func(path string, n int) h1Act) *h1Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &h1Server{URL: "http://" + ln.Addr().String(), heads: map[string]int{}, seen: map[string]int{}, script: script}
	var wg sync.WaitGroup
	t.Cleanup(func() { ln.Close(); wg.Wait() })
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() { defer wg.Done(); s.serve(c) }()
		}
	}()
	return s
}

func (s *h1Server) serve(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	for {
		req, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		s.mu.Lock()
		s.heads[req.URL.Path]++
		act := s.script(req.URL.Path, s.heads[req.URL.Path])
		s.mu.Unlock()
		if act == h1HeadReset {
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
			if s.hungUp != nil {
				s.hungUp <- struct{}{}
			}
			return
		}
		if body, err := io.ReadAll(req.Body); err != nil || int64(len(body)) != req.ContentLength {
			return
		}
		s.mu.Lock()
		s.seen[req.URL.Path]++
		s.mu.Unlock()
		switch act {
		case h1Reset:
			c.(*net.TCPConn).SetLinger(0)
			return
		case h1Close:
			return
		}
		fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(okReady), okReady)
	}
}

// Heads returns how many requests to path reached the server, whole or not.
func (s *h1Server) Heads(path string) int { s.mu.Lock(); defer s.mu.Unlock(); return s.heads[path] }

// Seen returns how many requests to path the server received in full.
func (s *h1Server) Seen(path string) int { s.mu.Lock(); defer s.mu.Unlock(); return s.seen[path] }
