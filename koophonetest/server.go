package koophonetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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

	srv *httptest.Server
	now func() time.Time

	mu        sync.Mutex
	token     string
	timeline  Timeline
	instances map[string]*instance
	faults    []Fault
	log       []Request
	clients   []*koophone.Client
}

// Option configures a [Server] in [NewServer].
type Option func(*Server)

// WithToken sets the token the server accepts in X-Auth-Token, [DefaultToken] by default.
func WithToken(token string) Option { return func(s *Server) { s.token = token } }

// WithInstances registers instances owned by owner, as [Server.AddInstance] does.
func WithInstances(owner string, instanceIDs ...string) Option {
	return func(s *Server) { s.addInstances(owner, instanceIDs) }
}

// WithTimeline sets how preparing an instance goes; see [Timeline].
func WithTimeline(t Timeline) Option { return func(s *Server) { s.timeline = t } }

// WithClock sets where the server's time comes from, for duration-based
// timelines; time.Now by default.
func WithClock(now func() time.Time) Option { return func(s *Server) { s.now = now } }

// Timeline is how preparing an instance unfolds: first queuing, with a
// waitingCount that counts down to 1, then restoring, then ready. Each
// phase lasts a number of polls of ShowProgress, or, when its duration is
// set, that long from the BatchPrepareInstances call. The zero Timeline
// (the default) is three polls queuing (waitingCount 3, 2, 1) and two
// restoring: ready from the sixth poll on.
type Timeline struct {
	QueuePolls   int           // polls answered "queuing"; 0 means 3
	RestorePolls int           // then polls answered "restoring"; 0 means 2
	Queue        time.Duration // if set, queuing lasts this long instead
	Restore      time.Duration // if set, restoring lasts this long instead
}

// defaultTimeline: three polls queuing (waitingCount 3, 2, 1), two polls
// restoring, then ready from the sixth poll on.
var defaultTimeline = Timeline{QueuePolls: 3, RestorePolls: 2}

// Step is one scripted answer of ShowProgress.
type Step struct {
	Status       koophone.PrepareStatus
	WaitingCount int
}

// Request is a request the server received, for assertions.
type Request struct {
	Operation string // "ShowProgress", "BatchPrepareInstances", or "" for an unknown route
	Method    string
	Path      string
	Query     string // the raw query, e.g. "stream_type=1"
	Header    http.Header
	Body      []byte
	Fault     bool // answered by an injected fault
}

// instance is the fake's state of one instance.
type instance struct {
	owner      string // "" for an instance only scripted: any user may use it
	script     []Step
	prepared   bool
	preparedAt time.Time
	polls      int  // ShowProgress polls since it was prepared, or of its script
	streaming  bool // a device token was issued and streaming not stopped
}

// NewServer starts a fake KooPhone service on 127.0.0.1. It panics only if
// it cannot listen, as httptest.NewServer does.
func NewServer(opts ...Option) *Server {
	s := &Server{token: DefaultToken, timeline: defaultTimeline, instances: map[string]*instance{}, now: time.Now}
	for _, opt := range opts {
		opt(s)
	}
	if s.timeline.QueuePolls <= 0 {
		s.timeline.QueuePolls = defaultTimeline.QueuePolls
	}
	if s.timeline.RestorePolls <= 0 {
		s.timeline.RestorePolls = defaultTimeline.RestorePolls
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down, waits for the requests in flight, and closes
// the idle connections of the clients made by [Server.Client].
func (s *Server) Close() {
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
func (s *Server) Token() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// Client returns a koophone.Client wired to the server with its token and
// then opts (which may override either). It panics if an option is
// invalid: it is meant for tests and demos, where that is a bug.
func (s *Server) Client(opts ...koophone.Option) *koophone.Client {
	all := append([]koophone.Option{koophone.WithEndpoint(s.URL), koophone.WithToken(s.Token())}, opts...)
	c, err := koophone.NewClient(all...)
	if err != nil {
		panic("koophonetest: Server.Client: " + err.Error())
	}
	s.mu.Lock()
	s.clients = append(s.clients, c)
	s.mu.Unlock()
	return c
}

// AddInstance registers instances owned by owner; other users get
// KOOPHONE.API.1001 for them. Registering an instance again resets it.
func (s *Server) AddInstance(owner string, instanceIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addInstances(owner, instanceIDs)
}

func (s *Server) addInstances(owner string, ids []string) {
	for _, id := range ids {
		s.instances[id] = &instance{owner: owner}
	}
}

// Script makes ShowProgress answer the given statuses for instanceID, one
// per poll, repeating the last, whether or not it was prepared. Any status
// may be scripted: -1, undocumented values. An instance not registered
// before is registered for any user.
func (s *Server) Script(instanceID string, statuses ...koophone.PrepareStatus) {
	steps := make([]Step, len(statuses))
	for i, st := range statuses {
		steps[i] = Step{Status: st}
	}
	s.ScriptSteps(instanceID, steps...)
}

// ScriptSteps is [Server.Script] with a waitingCount for each answer.
func (s *Server) ScriptSteps(instanceID string, steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.instances[instanceID]
	if !ok {
		in = &instance{}
		s.instances[instanceID] = in
	}
	in.script = append([]Step(nil), steps...)
	in.polls = 0
}

// Polls returns how many times ShowProgress answered for instanceID (since
// it was prepared or scripted).
func (s *Server) Polls(instanceID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.instances[instanceID]; ok {
		return in.polls
	}
	return 0
}

// FailNext makes the next n requests, whatever their route, be answered by
// f instead of the service; see [Fault]. Faults queue up in order.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// Requests returns the requests received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// Operations that the server serves, by route.
var routes = map[string]string{
	"POST /v1/instances/prepare-progress":   "ShowProgress",
	"POST /v1/instances/prepare":            "BatchPrepareInstances",
	"POST /v1/instances/batch-query-status": "BatchQueryStatus",
	"POST /v1/instances/streaming/stop":     "StopInstancesStreaming",
	"POST /v1/instances/session/release":    "ReleaseInstancesSession",
}

// route names the operation of a request, "" for an unknown route.
func route(r *http.Request) string {
	if op, ok := routes[r.Method+" "+r.URL.Path]; ok {
		return op
	}
	if id, ok := deviceTokenPath(r.URL.EscapedPath()); ok && r.Method == http.MethodPost && id != "" {
		return "GetDeviceToken"
	}
	return ""
}

// deviceTokenPath returns the instance id of an escaped path
// /v1/instances/{id}/auth.
func deviceTokenPath(escapedPath string) (string, bool) {
	rest, ok := strings.CutPrefix(escapedPath, "/v1/instances/")
	if !ok {
		return "", false
	}
	escaped, ok := strings.CutSuffix(rest, "/auth")
	if !ok || strings.Contains(escaped, "/") {
		return "", false
	}
	id, err := url.PathUnescape(escaped)
	return id, err == nil
}

// answer is a response before it is written.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	op := route(r)
	rec := Request{Operation: op, Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}

	s.mu.Lock()
	var fault *Fault
	if len(s.faults) > 0 {
		fault = &s.faults[0]
		s.faults = s.faults[1:]
		rec.Fault = true
	}
	s.log = append(s.log, rec)
	s.mu.Unlock()

	if fault != nil {
		fault.serve(w, r, func() answer { return s.answer(op, r, body) })
		return
	}
	write(w, s.answer(op, r, body))
}

func write(w http.ResponseWriter, a answer) {
	for k, v := range a.header {
		w.Header()[k] = v
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// answer computes the service's answer to a request.
func (s *Server) answer(op string, r *http.Request, body []byte) answer {
	if op == "" {
		return gatewayError(http.StatusNotFound, koophone.CodeGatewayAPINotFound, "The API does not exist or has not been published in the environment")
	}
	if r.Header.Get("X-Auth-Token") != s.Token() {
		return gatewayError(http.StatusUnauthorized, koophone.CodeGatewayUnauthorized, "Incorrect IAM authentication information: verify aksk or token failed")
	}
	if r.Header.Get("X-Request-Id") == "" {
		return businessError(koophone.CodeMissingRequestID, "missing header x-request-id")
	}
	switch op {
	case "ShowProgress":
		return s.showProgress(body)
	case "BatchPrepareInstances":
		return s.batchPrepare(body)
	case "BatchQueryStatus":
		return s.batchQueryStatus(body)
	case "GetDeviceToken":
		return s.deviceToken(r)
	default:
		return s.endSession(op, body)
	}
}

func (s *Server) showProgress(body []byte) answer {
	var in struct {
		UserID     *string `json:"user_id"`
		InstanceID *string `json:"instance_id"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return businessError(koophone.CodeInvalidParameter, "request body is not valid JSON")
	}
	if msg := checkID("user_id", in.UserID); msg != "" {
		return businessError(koophone.CodeInvalidParameter, msg)
	}
	if msg := checkID("instance_id", in.InstanceID); msg != "" {
		return businessError(koophone.CodeInvalidParameter, msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, errAnswer := s.lookup(*in.UserID, *in.InstanceID)
	if inst == nil {
		return errAnswer
	}
	step := s.progress(inst)
	return success(map[string]any{"status": int(step.Status), "waitingCount": step.WaitingCount})
}

// progress counts a poll of an instance and returns what it reports.
// The caller holds s.mu.
func (s *Server) progress(in *instance) Step {
	in.polls++
	return s.stepAt(in, in.polls)
}

// stepAt is what an instance reports at its n-th poll (1-based). The
// caller holds s.mu.
func (s *Server) stepAt(in *instance, n int) Step {
	if len(in.script) > 0 {
		return in.script[min(max(n, 1), len(in.script))-1]
	}
	if !in.prepared {
		return Step{Status: koophone.PrepareReady}
	}
	t := s.timeline
	if t.Queue > 0 || t.Restore > 0 {
		elapsed := s.now().Sub(in.preparedAt)
		switch {
		case elapsed < t.Queue:
			left := int((t.Queue - elapsed + time.Second - 1) / time.Second)
			return Step{Status: koophone.PrepareQueuing, WaitingCount: left}
		case elapsed < t.Queue+t.Restore:
			return Step{Status: koophone.PrepareRestoring}
		}
		return Step{Status: koophone.PrepareReady}
	}
	switch {
	case n <= t.QueuePolls:
		return Step{Status: koophone.PrepareQueuing, WaitingCount: t.QueuePolls - max(n, 1) + 1}
	case n <= t.QueuePolls+t.RestorePolls:
		return Step{Status: koophone.PrepareRestoring}
	}
	return Step{Status: koophone.PrepareReady}
}

func (s *Server) batchPrepare(body []byte) answer {
	var in struct {
		UserID      *string  `json:"user_id"`
		InstanceIDs []string `json:"instance_ids"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return businessError(koophone.CodeInvalidParameter, "request body is not valid JSON")
	}
	if msg := checkID("user_id", in.UserID); msg != "" {
		return businessError(koophone.CodeInvalidParameter, msg)
	}
	if msg := checkIDList(in.InstanceIDs); msg != "" {
		return businessError(koophone.CodeInvalidParameter, msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range in.InstanceIDs { // all or nothing, as one call
		if inst, errAnswer := s.lookup(*in.UserID, id); inst == nil {
			return errAnswer
		}
	}
	list := make([]map[string]any, 0, len(in.InstanceIDs))
	for _, id := range in.InstanceIDs {
		inst := s.instances[id]
		status := koophone.InstanceToBeRestored
		switch {
		case inst.prepared && s.stepAt(inst, inst.polls).Status == koophone.PrepareReady:
			status = koophone.InstanceReady // prepared before and done
		case !inst.prepared:
			inst.prepared, inst.preparedAt = true, s.now()
			if len(inst.script) == 0 {
				inst.polls = 0
			}
		}
		list = append(list, map[string]any{"instance_id": id, "status": int(status)})
	}
	return success(map[string]any{"status_list": list})
}

// lookup finds an instance the user may use, or the error answer.
// The caller holds s.mu.
func (s *Server) lookup(userID, instanceID string) (*instance, answer) {
	inst, ok := s.instances[instanceID]
	if !ok {
		return nil, businessError(koophone.CodeInstanceNotFound, "instance not exist")
	}
	if inst.owner != "" && inst.owner != userID {
		return nil, businessError(koophone.CodePermissionDenied, "no permission on the instance")
	}
	return inst, answer{}
}

// checkID returns what is wrong with a required id field, or "".
func checkID(field string, v *string) string {
	switch {
	case v == nil:
		return field + " is required"
	case *v == "":
		return field + " must not be empty"
	case utf8.RuneCountInString(*v) > 32:
		return field + " must be at most 32 characters"
	}
	return ""
}

func success(data any) answer {
	return jsonAnswer(http.StatusOK, map[string]any{"error_code": "0", "error_msg": "OK", "data": data})
}

// businessError is a KooPhone error, sent with HTTP 200 as the current
// error-code page documents.
func businessError(code, msg string) answer {
	return jsonAnswer(http.StatusOK, map[string]any{"error_code": code, "error_msg": msg})
}

// gatewayError is an API gateway error, which carries a request_id.
func gatewayError(status int, code, msg string) answer {
	return jsonAnswer(status, map[string]any{"error_code": code, "error_msg": msg, "request_id": newGatewayID()})
}

func jsonAnswer(status int, v any) answer {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v) // maps of strings and numbers always encode
	return answer{status: status, header: http.Header{"Content-Type": {"application/json;charset=UTF-8"}}, body: bytes.TrimRight(buf.Bytes(), "\n")}
}

// newGatewayID returns a random request id in the gateway's style.
func newGatewayID() string { return randomHex(16) }

// String describes the server without its token.
func (s *Server) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("koophonetest.Server{URL: %q, instances: %d}", s.URL, len(s.instances))
}
