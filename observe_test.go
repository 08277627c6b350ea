package koophone_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// recorder is an Observer that writes down what it is told, one line an
// event, and marks the contexts it returns so that a test can see them
// handed on.
type recorder struct {
	koophone.NopObserver
	mu     sync.Mutex
	events []string
	errs   []error
}

type markKey struct{}

func (r *recorder) add(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, fmt.Sprintf(format, args...))
}

func (r *recorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.events...)
}

func mark(ctx context.Context) string { s, _ := ctx.Value(markKey{}).(string); return s }

func (r *recorder) StartCall(ctx context.Context, c koophone.CallInfo) context.Context {
	r.add("start %s %s %s in %q", c.Operation, c.Method, c.Path, mark(ctx))
	return context.WithValue(ctx, markKey{}, "call")
}

func (r *recorder) StartAttempt(ctx context.Context, _ koophone.CallInfo, a koophone.AttemptStart) {
	if a.Previous == nil {
		r.add("attempt %d in %q", a.Attempt, mark(ctx))
		return
	}
	r.add("attempt %d after %d (delay>0 %v) in %q", a.Attempt, a.Previous.Status, a.Delay > 0, mark(ctx))
}

func (r *recorder) EndAttempt(ctx context.Context, _ koophone.CallInfo, a koophone.AttemptEnd) {
	r.add("attempt %d ended %d err=%v retry=%v", a.Attempt, a.Status, a.Err != nil, a.Retry)
	if a.Err != nil {
		r.mu.Lock()
		r.errs = append(r.errs, a.Err)
		r.mu.Unlock()
	}
}

func (r *recorder) EndCall(ctx context.Context, c koophone.CallInfo, res koophone.CallResult) {
	r.add("end %s attempts=%d status=%d err=%v in %q", c.Operation, res.Attempts, res.Status, res.Err != nil, mark(ctx))
}

func (r *recorder) StartWait(ctx context.Context, w koophone.WaitInfo) context.Context {
	r.add("wait %s targets=%d", w.Method, w.Targets)
	return context.WithValue(ctx, markKey{}, "wait")
}

func (r *recorder) EndWait(ctx context.Context, w koophone.WaitInfo, res koophone.WaitResult) {
	r.add("wait %s ended polls=%d err=%v in %q", w.Method, res.Polls, res.Err != nil, mark(ctx))
}

func TestObserverSeesEveryAttemptOfACall(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusServiceUnavailable, `{"error_code":"KOOPHONE.API.9999","error_msg":"`+testToken+`"}`)
			return
		}
		answer(w, http.StatusOK, okReady)
	}, koophone.WithObserver(rec))
	_, err := c.PrepareProgress(timeout(t), "u", "i-1")
	require.NoError(t, err)
	assert.Equal(t, []string{
		`start ShowProgress POST /v1/instances/prepare-progress in ""`,
		`attempt 1 in "call"`,
		`attempt 1 ended 503 err=true retry=true`,
		`attempt 2 after 503 (delay>0 true) in "call"`,
		`attempt 2 ended 200 err=false retry=false`,
		`end ShowProgress attempts=2 status=200 err=false in "call"`,
	}, rec.lines())
	require.Len(t, rec.errs, 1)
	assert.NotContains(t, rec.errs[0].Error(), testToken, "an Observer gets the errors the caller gets, secrets removed")
}

func TestObserverIsNotToldOfRefusedCalls(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c, s := setup(t, always(http.StatusOK, okReady), koophone.WithObserver(rec))
	_, err := c.PrepareProgress(timeout(t), "u", "")
	require.ErrorIs(t, err, koophone.ErrInvalidParameter)
	_, err = c.WaitAllReady(timeout(t), "u", []string{"a", "a"})
	require.ErrorIs(t, err, koophone.ErrInvalidParameter)
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.PrepareProgress(ended, "u", "i-1")
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, rec.lines())
	assert.Empty(t, s.Requests())
}

func TestObserverSeesWaitsAndTheirPolls(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c, sc, clk := waitSetup(t, map[string][]step{"a": {st(1), st(0)}, "b": {st(0)}}, koophone.WithObserver(rec))
	_, err := c.WaitAllReady(waitCtx(t), "u", []string{"a", "b"}, koophone.WithClock(clk))
	require.NoError(t, err)
	lines := rec.lines()
	assert.Equal(t, "wait WaitAllReady targets=2", lines[0])
	assert.Equal(t, `wait WaitAllReady ended polls=3 err=false in "wait"`, lines[len(lines)-1])
	assert.Equal(t, 3, sc.Polls("a")+sc.Polls("b"))
	var polls int
	for _, l := range lines {
		if strings.HasPrefix(l, "start ShowProgress") {
			polls++
			assert.Equal(t, `start ShowProgress POST /v1/instances/prepare-progress in "wait"`, l, "a poll is a child of its wait")
		}
	}
	assert.Equal(t, 3, polls)
}

func TestObserverSeesAFailedWait(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c, _, clk := waitSetup(t, map[string][]step{"a": {st(-1)}}, koophone.WithObserver(rec))
	_, err := c.WaitUntilReady(waitCtx(t), "u", "a", koophone.WithClock(clk))
	require.ErrorIs(t, err, koophone.ErrPrepareFailed)
	lines := rec.lines()
	assert.Equal(t, `wait WaitUntilReady ended polls=1 err=true in "wait"`, lines[len(lines)-1])
}

// TestLoggerAndObserverTogether: the logger's records still come when an
// Observer is given too, and both see the same attempt.
func TestLoggerAndObserverTogether(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	var buf bytes.Buffer // one call, attempts one after another: no race
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := setup(t, always(http.StatusOK, okReady), koophone.WithObserver(rec), koophone.WithLogger(logger))
	_, err := c.PrepareProgress(timeout(t), "u", "i-1")
	require.NoError(t, err)
	assert.Contains(t, buf.String(), "koophone: attempt")
	assert.Contains(t, rec.lines(), "attempt 1 ended 200 err=false retry=false")
}

// nilContexts is an Observer whose Start methods return a nil context.
type nilContexts struct{ koophone.NopObserver }

func (nilContexts) StartCall(context.Context, koophone.CallInfo) context.Context { return nil }
func (nilContexts) StartWait(context.Context, koophone.WaitInfo) context.Context { return nil }

// TestObserverReturningNilContexts: an Observer that returns no context
// leaves the call and the wait with theirs; nothing crashes.
func TestObserverReturningNilContexts(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, always(http.StatusOK, okReady), koophone.WithObserver(nilContexts{}))
	_, err := c.PrepareProgress(timeout(t), "u", "i-1")
	require.NoError(t, err)
	_, err = c.WaitUntilReady(timeout(t), "u", "i-1")
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.WaitUntilReady(ctx, "u", "i-1")
	require.ErrorIs(t, err, context.Canceled, "the wait keeps the caller's context")
}

// counter is an Observer that counts what it is told, from any goroutine.
type counter struct {
	koophone.NopObserver
	calls, attempts, ends, waits atomic.Int64
}

func (o *counter) StartCall(ctx context.Context, _ koophone.CallInfo) context.Context {
	o.calls.Add(1)
	return context.WithValue(ctx, markKey{}, "call")
}

func (o *counter) EndAttempt(ctx context.Context, _ koophone.CallInfo, _ koophone.AttemptEnd) {
	if mark(ctx) == "call" {
		o.attempts.Add(1)
	}
}

func (o *counter) EndCall(context.Context, koophone.CallInfo, koophone.CallResult) { o.ends.Add(1) }

func (o *counter) EndWait(context.Context, koophone.WaitInfo, koophone.WaitResult) { o.waits.Add(1) }

// TestObserverAndLimiterUnderConcurrentCalls: many goroutines share one
// client with an Observer and a limiter (run with -race): every call and
// attempt is told once, in its own context, and the limiter is asked once
// per attempt.
func TestObserverAndLimiterUnderConcurrentCalls(t *testing.T) {
	t.Parallel()
	obs, lim := &counter{}, &recordingLimiter{}
	c, s := setup(t, always(http.StatusOK, okReady), koophone.WithObserver(obs), koophone.WithLimiter(lim))
	const goroutines, calls = 8, 10
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				_, err := c.PrepareProgress(timeout(t), "u", "i-1")
				assert.NoError(t, err)
			}
			_, err := c.WaitAllReady(timeout(t), "u", []string{"a", "b"})
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	const want = goroutines * (calls + 2) // each wait polls two instances once
	assert.Equal(t, int64(want), obs.calls.Load())
	assert.Equal(t, int64(want), obs.attempts.Load())
	assert.Equal(t, int64(want), obs.ends.Load())
	assert.Equal(t, int64(goroutines), obs.waits.Load())
	assert.Len(t, lim.asked(), want)
	assert.Len(t, s.Requests(), want)
}

// TestObserverIsNotToldOfRefusedWaits: a wait refused before its first
// poll (a bad option, a nil context) is not observed, and an Observer
// does not turn a nil context into a panic.
func TestObserverIsNotToldOfRefusedWaits(t *testing.T) {
	t.Parallel()
	rec := &recorder{}
	c, s := setup(t, always(http.StatusOK, okReady), koophone.WithObserver(rec))
	bad := koophone.WithMaxWait(-time.Second)
	for _, ctx := range []context.Context{timeout(t), nil} {
		opt := bad
		if ctx == nil {
			opt = koophone.WithMaxWait(time.Second)
		}
		_, err := c.WaitUntilReady(ctx, "u", "a", opt)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		_, err = c.WaitAllReady(ctx, "u", []string{"a"}, opt)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		_, err = c.WaitTask(ctx, "t", opt)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		_, err = c.WaitTasks(ctx, []string{"t"}, opt)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	}
	assert.Empty(t, rec.lines())
	assert.Empty(t, s.Requests())
}

// panicking is an Observer that panics as an attempt starts.
type panicking struct{ koophone.NopObserver }

func (panicking) StartAttempt(context.Context, koophone.CallInfo, koophone.AttemptStart) {
	panic("observer bug")
}

// TestObserverPanicReachesTheCaller: the client does not recover an
// Observer's panic (as documented): it reaches the goroutine that called.
func TestObserverPanicReachesTheCaller(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, always(http.StatusOK, okReady), koophone.WithObserver(panicking{}))
	assert.PanicsWithValue(t, "observer bug", func() { _, _ = c.PrepareProgress(timeout(t), "u", "i-1") })
}

// callInfos records the CallInfo of every call.
type callInfos struct {
	koophone.NopObserver
	mu    sync.Mutex
	calls []koophone.CallInfo
}

func (o *callInfos) StartCall(ctx context.Context, c koophone.CallInfo) context.Context {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, c)
	return ctx
}

// TestCallInfoNamesTheEndpoint: the host (and port) and the path with the
// endpoint's prefix, never a query or user information.
func TestCallInfoNamesTheEndpoint(t *testing.T) {
	t.Parallel()
	obs := &callInfos{}
	_, s := setup(t, always(http.StatusOK, okReady))
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	c := newClient(t, koophone.WithEndpoint(s.URL+"/gw"), koophone.WithObserver(obs))
	_, _ = c.PrepareProgress(timeout(t), "u", "i-1")
	require.Len(t, obs.calls, 1)
	assert.Equal(t, koophone.CallInfo{Operation: "ShowProgress", RequestID: obs.calls[0].RequestID, Method: http.MethodPost,
		Path: "/gw/v1/instances/prepare-progress", Host: u.Host}, obs.calls[0])
}
