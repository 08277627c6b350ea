package koophonetest

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"sync"
	"time"

	"github.com/koophone-go/koophone"
)

// DefaultToken is the token a Server accepts unless [WithToken] says otherwise.
const DefaultToken = "koophonetest-token"

// maxRequestBody is the largest request body the fake reads.
const maxRequestBody = 1 << 20

// Server is a fake KooPhone service listening on loopback. Create one with
// [NewServer] and Close it when done. All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the server, http://127.0.0.1:port, for
	// koophone.WithEndpoint.
	URL string

	srv     *httptest.Server
	mux     *http.ServeMux
	ops     []string         // the operations it serves, sorted, for FailNextFor
	unknown http.HandlerFunc // the gateway's answer to a route it does not know

	// Settings from the options, fixed once NewServer returns: read
	// without s.mu.
	token        string           // WithToken
	now          func() time.Time // WithClock
	timeline     Timeline         // WithTimeline
	all200       bool             // WithBusinessErrorsAsHTTP200
	nestInstall  bool             // WithInstallAppNestedData
	taskDuration time.Duration    // WithTaskDuration
	// WithAKSK and WithTemporaryAKSK: the key pairs by access key.
	keys map[string]keyPair

	timelines func(instanceID string) Timeline // WithTimelines; nil: timeline for all

	closing   chan struct{} // closed by Close: delayed answers stop waiting
	closeOnce sync.Once

	mu        sync.Mutex
	inventory inventory
	faults    []queuedFault
	failJobs  map[string][]jobFailure // by instance id, for FailJobs
	tasks     map[string]*task
	counters  map[string]int // for the fake's predictable ids
	log       []Request
	clients   []*koophone.Client
}

// Option configures a [Server] in [NewServer].
type Option func(*Server)

// WithToken sets the token the server accepts in X-Auth-Token, [DefaultToken] by default.
// NewServer panics if token is empty: no client could send it
// ([Server.Client] would panic instead, far from the mistake).
func WithToken(token string) Option {
	return func(s *Server) {
		if token == "" {
			panic("koophonetest: WithToken: empty token")
		}
		s.token = token
	}
}

// WithTimeline sets how preparing an instance goes; see [Timeline].
func WithTimeline(t Timeline) Option { return func(s *Server) { s.timeline = t } }

// WithClock sets where the server's time comes from, for duration-based
// timelines and tasks; time.Now by default.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// WithBusinessErrorsAsHTTP200 sends every KooPhone business error with HTTP
// 200, as the service's error-code page documents, instead of the default
// of the operation pages (400 for KOOPHONE.API.1000, 1001 and 4001, 500 for
// 9999). Gateway errors keep their statuses.
func WithBusinessErrorsAsHTTP200() Option { return func(s *Server) { s.all200 = true } }

// Request is a request the server received, for assertions.
type Request struct {
	Operation string // the API operation, e.g. "ShowProgress", or "" for an unknown route
	Method    string
	Path      string
	Query     string // the raw query, e.g. "stream_type=1"
	Header    http.Header
	Body      []byte
	Fault     bool // answered by an injected fault
}

// NewServer starts a fake KooPhone service on 127.0.0.1. It panics if it
// cannot listen, as httptest.NewServer does, if an option describes an
// impossible instance (an id that is not 1 to 32 characters), or if
// [WithToken], [WithAKSK] or [WithTemporaryAKSK] is given an empty argument.
func NewServer(opts ...Option) *Server {
	s := newServer(opts...)
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// newServer is a Server that does not listen yet.
func newServer(opts ...Option) *Server {
	s := &Server{
		token: DefaultToken, timeline: defaultTimeline, now: time.Now,
		inventory: newInventory(), failJobs: map[string][]jobFailure{},
		tasks: map[string]*task{}, counters: map[string]int{}, closing: make(chan struct{}),
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.taskDuration <= 0 {
		s.taskDuration = defaultTaskDuration
	}
	s.mux = s.routes()
	return s
}

// Close shuts the server down, waits for the requests in flight, and closes
// the idle connections of the clients made by [Server.Client]. A request
// that a [Fault] is delaying is not waited for: its connection is closed
// without an answer. Calling Close again does nothing.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
	s.srv.Close()
	s.mu.Lock()
	clients := s.clients
	s.clients = nil
	s.mu.Unlock()
	for _, c := range clients {
		c.CloseIdleConnections()
	}
}

// Token returns the token the server accepts.
func (s *Server) Token() string { return s.token }

// clientRetries is the retry policy of [Server.Client]: the default number
// of retries with millisecond backoffs, so that tests stay fast.
var clientRetries = koophone.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 10 * time.Millisecond}

// clientPolls are the wait defaults of [Server.Client]: polls 1 to 10 ms
// apart, so that a wait with default options takes milliseconds.
var clientPolls = koophone.WithPollInterval(time.Millisecond, 10*time.Millisecond)

// Client returns a koophone.Client wired to the server with its token,
// retries after 1 to 10 ms, waits that poll every 1 to 10 ms
// (koophone.WithWaitDefaults: a wait's own WithPollInterval still wins),
// and then opts (which may override any of those: with
// koophone.WithAKSK and a key pair given to [WithAKSK], it signs instead of
// sending the token). A timeline of
// durations ([Timeline]) still takes its time on the server's clock. It
// panics if an option is invalid: it is meant for tests and demos, where
// that is a bug.
func (s *Server) Client(opts ...koophone.Option) *koophone.Client {
	all := append([]koophone.Option{koophone.WithEndpoint(s.URL), koophone.WithToken(s.Token()),
		koophone.WithRetryPolicy(clientRetries), koophone.WithWaitDefaults(clientPolls)}, opts...)
	c, err := koophone.NewClient(all...)
	if err != nil {
		panic("koophonetest: Server.Client: " + err.Error())
	}
	s.mu.Lock()
	s.clients = append(s.clients, c)
	s.mu.Unlock()
	return c
}

// Requests returns the requests received so far, in order. Each call
// returns copies (headers and bodies included): a test may change what it
// got without changing what the next call returns.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	reqs := make([]Request, len(s.log))
	for i, r := range s.log {
		r.Header, r.Body = r.Header.Clone(), bytes.Clone(r.Body)
		reqs[i] = r
	}
	return reqs
}

// String describes the server without its token.
func (s *Server) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("koophonetest.Server{URL: %q, instances: %d}", s.URL, len(s.inventory.byID))
}

// handler serves one operation: it gets the request, its body, and
// answers with a reply. It runs without s.mu held.
type handler func(r *http.Request, body []byte) reply

// routes maps every operation the fake serves to its handler; anything
// else is an unknown route.
func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	for _, rt := range []struct {
		pattern, op string
		h           handler
	}{
		{"POST /v1/instances/prepare-progress", "ShowProgress", s.showProgress},
		{"POST /v1/instances/prepare", "BatchPrepareInstances", s.batchPrepare},
		{"POST /v1/instances/batch-query-status", "BatchQueryStatus", s.batchQueryStatus},
		{"POST /v1/instances/{instance_id}/auth", "GetDeviceToken", s.deviceToken},
		{"POST /v1/instances/streaming/stop", "StopInstancesStreaming", s.stopStreaming},
		{"POST /v1/instances/session/release", "ReleaseInstancesSession", s.releaseSession},
		{"GET /v1/instances/batch-query", "ListInstances", s.listInstances},
		{"GET /v1/instances/sku", "BatchShowSku", s.showSKUs},
		{"POST /v1/instances/create", "CreateInstance", s.createInstances},
		{"POST /v1/instances/delete", "DeleteInstance", s.deleteInstances},
		{"POST /v1/instances/assign", "AssignInstance", s.assign},
		{"POST /v1/instances/unassign", "UnassignInstance", s.unassign},
		{"POST /v1/instances/batch-reset", "BatchReset", s.reset},
		{"POST /v1/instances/reboot", "BatchRebootInstance", s.reboot},
		{"POST /v1/instances/backup", "BatchBackupInstances", s.backup},
		{"POST /v1/instances/sync-command", "SyncCommand", s.syncCommand},
		{"POST /v1/instances/async-command", "AsyncCommand", s.asyncCommand},
		{"GET /v1/instances/tasks/{task_id}", "GetTask", s.getTask},
		{"PUT /v1/instances/video-setting", "SetVideoConfig", s.setVideo},
		{"POST /v1/instances/app/install", "InstallApp", s.installApp},
	} {
		mux.Handle(rt.pattern, s.endpoint(rt.op, rt.h))
		s.ops = append(s.ops, rt.op)
	}
	s.unknown = s.endpoint("", nil)
	mux.Handle("/", s.unknown)
	// GET /v1/instances/{instance_id}/app-list would conflict with
	// GET /v1/instances/tasks/{task_id} in a ServeMux: choose here.
	apps := s.endpoint("ListInstanceApp", s.listApps)
	s.ops = append(s.ops, "ListInstanceApp")
	slices.Sort(s.ops)
	mux.HandleFunc("GET /v1/instances/{instance_id}/{list}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("list") == "app-list" {
			apps(w, r)
			return
		}
		s.unknown(w, r)
	})
	return mux
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if p := r.URL.Path; p == "" || p[0] != '/' || (path.Clean(p) != p && path.Clean(p)+"/" != p) {
		s.unknown(w, r) // ServeMux would redirect; the gateway knows no such route
		return
	}
	s.mux.ServeHTTP(w, r)
}

// endpoint wraps the handler of operation op (nil for an unknown route)
// with what every request goes through: the request log, injected faults,
// the token and request-id checks, and the envelope.
func (s *Server) endpoint(op string, h handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
		rec := Request{Operation: op, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}

		s.mu.Lock()
		fault := s.takeFault(op, func() []string { return targetsOf(r, body) })
		rec.Fault = fault != nil
		s.log = append(s.log, rec)
		s.mu.Unlock()

		service := func() answer {
			return render(s.check(op, h, r, body), s.all200, op == "ListInstances")
		}
		if fault != nil {
			fault.serve(w, r, s.closing, op == "ListInstances", service)
			return
		}
		write(w, service())
	}
}

// check answers what the gateway and the service check on every request,
// then hands the request to h.
func (s *Server) check(op string, h handler, r *http.Request, body []byte) reply {
	if h == nil {
		return gatewayError(http.StatusNotFound, codeGatewayNotFound, "The API does not exist or has not been published in the environment")
	}
	if rep, ok := s.authenticate(r, body); !ok {
		return rep
	}
	if r.Header.Get("X-Request-Id") == "" {
		return fail(codeMissingRequestID, "missing header x-request-id")
	}
	return h(r, body)
}
