package koophonetest_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return c
}

// safetyNet bounds a wait for what must happen, so that a bug fails the
// test instead of hanging it. It is never what a test measures, and a slow
// machine only makes the wait longer: it is generous.
const safetyNet = time.Minute

// newServer starts a server closed when the test ends.
func newServer(t *testing.T, opts ...koophonetest.Option) *koophonetest.Server {
	srv := koophonetest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

var quick = koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 3, MinBackoff: time.Microsecond, MaxBackoff: time.Millisecond})

func TestPrepareThenProgressFollowsTheTimeline(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("alice", "phone-1"))
	c := srv.Client()

	states, err := c.PrepareInstances(ctx(t), "alice", []string{"phone-1"})
	require.NoError(t, err)
	assert.Equal(t, []koophone.InstanceState{{InstanceID: "phone-1", Status: koophone.InstanceToBeRestored}}, states)

	want := []koophone.Progress{
		{Status: koophone.PrepareQueuing, WaitingCount: 3},
		{Status: koophone.PrepareQueuing, WaitingCount: 2},
		{Status: koophone.PrepareQueuing, WaitingCount: 1},
		{Status: koophone.PrepareRestoring},
		{Status: koophone.PrepareRestoring},
		{Status: koophone.PrepareReady},
		{Status: koophone.PrepareReady},
	}
	for i, w := range want {
		p, err := c.PrepareProgress(ctx(t), "alice", "phone-1")
		require.NoError(t, err)
		assert.Equal(t, w.Status, p.Status, "poll %d", i+1)
		assert.Equal(t, w.WaitingCount, p.WaitingCount, "poll %d", i+1)
	}
	assert.Equal(t, 7, srv.Polls("phone-1"))

	states, err = c.PrepareInstances(ctx(t), "alice", []string{"phone-1"})
	require.NoError(t, err)
	assert.Equal(t, koophone.InstanceReady, states[0].Status, "a prepared, ready instance stays ready")
}

func TestTimelineByDuration(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := newServer(t, koophonetest.WithInstances("u", "i"), koophonetest.WithClock(clock.Now),
		koophonetest.WithTimeline(koophonetest.Timeline{Queue: 10 * time.Second, Restore: 5 * time.Second}))
	c := srv.Client()
	_, err := c.PrepareInstances(ctx(t), "u", []string{"i"})
	require.NoError(t, err)

	for _, step := range []struct {
		after   time.Duration
		status  koophone.PrepareStatus
		waiting int
	}{{0, koophone.PrepareQueuing, 10}, {3500 * time.Millisecond, koophone.PrepareQueuing, 7}, {6500 * time.Millisecond, koophone.PrepareRestoring, 0}, {5 * time.Second, koophone.PrepareReady, 0}} {
		clock.Advance(step.after)
		p, err := c.PrepareProgress(ctx(t), "u", "i")
		require.NoError(t, err)
		assert.Equal(t, step.status, p.Status)
		assert.Equal(t, step.waiting, p.WaitingCount)
	}
}

func TestScriptedStatuses(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.Script("i-1", koophone.PrepareQueuing, koophone.PrepareStatus(42), koophone.PrepareFailed)
	srv.ScriptSteps("i-2", koophonetest.Step{Status: koophone.PrepareQueuing, WaitingCount: 9})
	c := srv.Client()
	var got []koophone.PrepareStatus
	for range 4 {
		p, err := c.PrepareProgress(ctx(t), "anyone", "i-1")
		require.NoError(t, err)
		got = append(got, p.Status)
	}
	assert.Equal(t, []koophone.PrepareStatus{1, 42, -1, -1}, got, "the last step repeats")
	p, err := c.PrepareProgress(ctx(t), "u", "i-2")
	require.NoError(t, err)
	assert.Equal(t, 9, p.WaitingCount)
}

func TestChecksLikeTheService(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("alice", "phone-1"))

	_, err := srv.Client().PrepareProgress(ctx(t), "alice", "phone-9")
	assert.ErrorIs(t, err, koophone.ErrInstanceNotFound)
	_, err = srv.Client().PrepareProgress(ctx(t), "bob", "phone-1")
	assert.ErrorIs(t, err, koophone.ErrPermissionDenied)
	_, err = srv.Client().PrepareInstances(ctx(t), "bob", []string{"phone-1"})
	assert.ErrorIs(t, err, koophone.ErrPermissionDenied)

	_, err = srv.Client(koophone.WithToken("wrong")).PrepareProgress(ctx(t), "alice", "phone-1")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusUnauthorized, apiErr.HTTPStatus)
	assert.Equal(t, koophone.CodeGatewayUnauthorized, apiErr.Code)
	assert.NotEmpty(t, apiErr.RequestID)
}

func TestRawRequestChecks(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	auth := map[string]string{"X-Auth-Token": srv.Token(), "X-Request-Id": "r-1"}
	tests := []struct {
		name, path, body string
		header           map[string]string
		status           int
		code             string
	}{
		{"no token", "/v1/instances/prepare-progress", `{"user_id":"u","instance_id":"i"}`, map[string]string{"X-Request-Id": "r"}, 401, "APIGW.0301"},
		{"no request id", "/v1/instances/prepare-progress", `{"user_id":"u","instance_id":"i"}`, map[string]string{"X-Auth-Token": srv.Token()}, 200, "KOOPHONE.API.0002"},
		{"not JSON", "/v1/instances/prepare-progress", `user=u`, auth, 400, "KOOPHONE.API.1000"},
		{"missing field", "/v1/instances/prepare-progress", `{"user_id":"u"}`, auth, 400, "KOOPHONE.API.1000"},
		{"id too long", "/v1/instances/prepare-progress", `{"user_id":"u","instance_id":"` + strings.Repeat("i", 33) + `"}`, auth, 400, "KOOPHONE.API.1000"},
		{"no ids", "/v1/instances/prepare", `{"user_id":"u","instance_ids":[]}`, auth, 400, "KOOPHONE.API.1000"},
		{"empty id in list", "/v1/instances/prepare", `{"user_id":"u","instance_ids":[""]}`, auth, 400, "KOOPHONE.API.1000"},
		{"unknown route", "/v1/instances/nothing", `{}`, auth, 404, "APIGW.0101"},
		{"query status: no ids", "/v1/instances/batch-query-status", `{"instance_ids":[]}`, auth, 400, "KOOPHONE.API.1000"},
		{"query status: unknown", "/v1/instances/batch-query-status", `{"instance_ids":["zz"]}`, auth, 400, "KOOPHONE.API.4001"},
		{"query status", "/v1/instances/batch-query-status", `{"instance_ids":["i"]}`, auth, 200, `"status_results":[{"instance_id":"i","status":2}]`}, // running
		{"device token: bad stream type", "/v1/instances/i/auth?stream_type=7", ``, auth, 400, "KOOPHONE.API.1000"},
		{"device token: never prepared", "/v1/instances/i/auth", ``, auth, 200, `"device_token":"dt-`},
		{"device token: a string list", "/v1/instances/i/auth", ``, auth, 200, `"app_ip_synchronize_list":"198.51.100.20"`},
		{"device token: unknown", "/v1/instances/zz/auth", ``, auth, 400, "KOOPHONE.API.4001"},
		{"stop: no id", "/v1/instances/streaming/stop", `{}`, auth, 400, "KOOPHONE.API.1000"},
		{"stop: unknown", "/v1/instances/streaming/stop", `{"instance_id":"zz"}`, auth, 400, "KOOPHONE.API.4001"},
		{"release", "/v1/instances/session/release", `{"instance_id":"i"}`, auth, 200, `"error_code":"0"`},
		{"fine", "/v1/instances/prepare-progress", `{"user_id":"u","instance_id":"i"}`, auth, 200, `"error_code":"0"`},
	}
	for _, tt := range tests {
		status, body := send(t, srv, http.MethodPost, tt.path, tt.body, tt.header)
		assert.Equal(t, tt.status, status, tt.name)
		assert.Contains(t, string(body), tt.code, tt.name)
	}
}

func TestFaults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    koophonetest.Fault
		n        int
		check    func(t *testing.T, err error)
		attempts int
	}{
		{"API error then success", koophonetest.APIError(500, koophone.CodeInternal, "internal"), 2,
			func(t *testing.T, err error) { assert.NoError(t, err) }, 3},
		{"HTML 502 page", koophonetest.HTMLPage(502), 9, func(t *testing.T, err error) {
			var apiErr *koophone.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 502, apiErr.HTTPStatus)
			assert.Equal(t, "Bad Gateway", apiErr.Message)
		}, 4},
		{"throttled with Retry-After", koophonetest.Throttle("0"), 1, func(t *testing.T, err error) { assert.NoError(t, err) }, 2},
		{"throttled for good", koophonetest.Throttle("1"), 9, func(t *testing.T, err error) { assert.ErrorIs(t, err, koophone.ErrThrottled) }, 4},
		{"dropped connection", koophonetest.DropConnection(), 9, func(t *testing.T, err error) {
			assert.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), "koophone: ShowProgress: "), err.Error())
		}, 4},
		{"truncated body", koophonetest.TruncatedBody(), 1, func(t *testing.T, err error) { assert.NoError(t, err) }, 2},
		{"latency", koophonetest.Latency(time.Millisecond), 1, func(t *testing.T, err error) { assert.NoError(t, err) }, 1},
		{"raw body", koophonetest.Fault{Status: 200, Body: `{"data":{"status":"x"},"error_code":"0"}`}, 9,
			func(t *testing.T, err error) { assert.ErrorIs(t, err, koophone.ErrMalformedResponse) }, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, koophonetest.WithInstances("u", "i"))
			srv.FailNext(tt.n, tt.fault)
			_, err := srv.Client(quick).PrepareProgress(ctx(t), "u", "i")
			tt.check(t, err)
			reqs := srv.Requests()
			assert.Len(t, reqs, tt.attempts)
			for i, r := range reqs {
				assert.Equal(t, i < tt.n, r.Fault)
				assert.Equal(t, "ShowProgress", r.Operation)
			}
		})
	}
}

// TestFailFromNowOn: FailNext(math.MaxInt, f), "fail from now on", queued
// that many copies of f and ran out of memory. The queue keeps a count;
// a reused Header map is the fault's own once queued.
func TestFailFromNowOn(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	header := http.Header{"X-Fault": {"queued"}}
	srv.FailNext(math.MaxInt, koophonetest.Fault{Status: 503, Body: "down", Header: header})
	srv.FailNext(1, koophonetest.HTMLPage(502)) // behind it: never used
	header.Set("X-Fault", "changed after")
	status, h := head(t, srv)
	assert.Equal(t, 503, status)
	assert.Equal(t, "queued", h.Get("X-Fault"))
	for range 3 {
		_, err := srv.Client(quick).BatchQueryStatus(ctx(t), []string{"i"})
		var apiErr *koophone.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, 503, apiErr.HTTPStatus)
	}
	reqs := srv.Requests()
	assert.Len(t, reqs, 13, "4 attempts each")
	for _, r := range reqs {
		assert.True(t, r.Fault)
	}
	srv.FailNext(0, koophonetest.HTMLPage(502))
	srv.FailNext(-1, koophonetest.HTMLPage(502))
}

// head sends a raw ShowProgress and returns the answer's status and headers.
func head(t *testing.T, srv *koophonetest.Server) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), http.MethodPost, srv.URL+"/v1/instances/prepare-progress", strings.NewReader(`{}`))
	require.NoError(t, err)
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode, resp.Header
}

// TestFaultWithoutAnHTTPStatusPanics: a Fault whose Status net/http cannot
// send made the handler panic in the server's goroutine, far from the test.
func TestFaultWithoutAnHTTPStatusPanics(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, f := range []koophonetest.Fault{{Status: 42}, koophonetest.HTMLPage(1000), koophonetest.APIError(-1, "X", "y")} {
		assert.PanicsWithValue(t, fmt.Sprintf("koophonetest: FailNextFor: Fault.Status %d is not an HTTP status", f.Status),
			func() { srv.FailNext(1, f) })
	}
}

func TestLatencyEndsWhenTheClientGivesUp(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	srv.FailNext(1, koophonetest.Latency(time.Hour))
	c := srv.Client(koophone.WithRequestTimeout(10*time.Millisecond), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
	_, err := c.PrepareProgress(ctx(t), "u", "i")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no answer within 10ms")
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "a", "b"))
	c := srv.Client()
	_, err := c.PrepareInstances(ctx(t), "u", []string{"a", "b"})
	require.NoError(t, err)
	_, err = c.PrepareProgress(ctx(t), "u", "a")
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "BatchPrepareInstances", reqs[0].Operation)
	assert.Equal(t, "/v1/instances/prepare", reqs[0].Path)
	assert.JSONEq(t, `{"user_id":"u","instance_ids":["a","b"]}`, string(reqs[0].Body))
	assert.Equal(t, "ShowProgress", reqs[1].Operation)
	assert.Equal(t, srv.Token(), reqs[1].Header.Get("X-Auth-Token"))
	assert.NotContains(t, srv.String(), srv.Token())
}

func TestConcurrentUse(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithToken("custom"))
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = "i-" + string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	srv.AddInstance("u", ids...)
	c := srv.Client()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.PrepareInstances(ctx(t), "u", []string{id})
			assert.NoError(t, err)
			p, err := c.WaitUntilReady(ctx(t), "u", id, koophone.WithPollInterval(time.Microsecond, time.Millisecond))
			assert.NoError(t, err)
			assert.Equal(t, koophone.PrepareReady, p.Status)
		}()
	}
	wg.Wait()
	assert.Len(t, srv.Requests(), 40*7)
}

func TestClientPanicsOnABadOption(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	assert.PanicsWithValue(t, "koophonetest: Server.Client: koophone: invalid parameter: request timeout 0s must be positive", func() {
		srv.Client(koophone.WithRequestTimeout(0))
	})
}

// TestCloseDoesNotWaitForADelayedAnswer: Close waited for a request that
// Latency was holding until the client's request timeout (30 s) or the
// delay ran out, so a suite's cleanup hung on a call it had abandoned.
func TestCloseDoesNotWaitForADelayedAnswer(t *testing.T) {
	t.Parallel()
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	srv.FailNext(1, koophonetest.Latency(time.Hour))
	c := srv.Client(koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
	called := make(chan error, 1)
	go func() {
		_, err := c.BatchQueryStatus(context.Background(), []string{"phone-1"})
		called <- err
	}()
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.Len(c, srv.Requests(), 1) }, safetyNet, time.Millisecond)

	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(safetyNet): // far below the answer's delay of an hour
		t.Fatal("Close is waiting for the delayed answer")
	}
	assert.Error(t, <-called, "the connection is closed without an answer")
	srv.Close() // again: nothing
}

// A test that changes the requests it got (a header, a body byte) must not
// change what Requests returns next, to itself or to a parallel test.
func TestRequestsReturnsCopies(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	_, err := srv.Client().PrepareInstances(ctx(t), "u", []string{"i"})
	require.NoError(t, err)
	first := srv.Requests()
	require.Len(t, first, 1)
	first[0].Header.Set("X-Auth-Token", "changed")
	first[0].Body[0] = 'X'

	again := srv.Requests()[0]
	assert.Equal(t, srv.Token(), again.Header.Get("X-Auth-Token"))
	assert.JSONEq(t, `{"user_id":"u","instance_ids":["i"]}`, string(again.Body))
}

// TestImpossibleSetupPanicsWhereItIsWritten: an instance no client could
// name, or a token no client could send, is the test's bug: it panics in
// the call that made it, not later in Server.Client or never.
func TestImpossibleSetupPanicsWhereItIsWritten(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 33)
	for name, opt := range map[string]koophonetest.Option{
		"koophonetest: WithToken: empty token":                                               koophonetest.WithToken(""),
		`koophonetest: WithInstances: instance id "" must be 1 to 32 characters`:             koophonetest.WithInstances("u", "ok", ""),
		`koophonetest: WithInstances: instance id "` + long + `" must be 1 to 32 characters`: koophonetest.WithInstances("u", long),
		`koophonetest: WithInstance: instance id "" must be 1 to 32 characters`:              koophonetest.WithInstance(koophonetest.Instance{}),
	} {
		assert.PanicsWithValue(t, name, func() { koophonetest.NewServer(opt).Close() })
	}
	srv := newServer(t)
	assert.PanicsWithValue(t, `koophonetest: AddInstance: instance id "" must be 1 to 32 characters`, func() { srv.AddInstance("u", "") })
	assert.PanicsWithValue(t, `koophonetest: Script: instance id "`+long+`" must be 1 to 32 characters`, func() { srv.Script(long) })
	assert.NotPanics(t, func() { srv.AddInstance("", "free-1") }, "an unassigned instance")
	_, known := srv.Instance("free-1")
	assert.True(t, known)
}

// TestScriptWithoutStatusesRemovesTheScript: what the doc says a test
// gets from srv.Script(id) with no status.
func TestScriptWithoutStatusesRemovesTheScript(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	c := srv.Client()
	_, err := c.PrepareInstances(ctx(t), "u", []string{"i"})
	require.NoError(t, err)
	srv.Script("i", koophone.PrepareFailed)
	p, err := c.PrepareProgress(ctx(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareFailed, p.Status)
	srv.Script("i")
	assert.Zero(t, srv.Polls("i"))
	p, err = c.PrepareProgress(ctx(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, koophonetest.Timeline{}.At(0, 1), koophonetest.Step{Status: p.Status, WaitingCount: p.WaitingCount}, "the timeline, from its first poll")
}
