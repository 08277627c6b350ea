package koophone_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestWaitUntilReadyToleratesTransientFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		steps     []step
		maxErrors int
		polls     int
		wantErr   bool
	}{
		{"within the limit", []step{unavailable, unavailable, st(0)}, 2, 3, false},
		{"over the limit", []step{unavailable, unavailable, unavailable, st(0)}, 2, 3, true},
		{"a success resets the count", []step{unavailable, unavailable, st(1), unavailable, unavailable, st(0)}, 2, 6, false},
		{"zero tolerates none", []step{unavailable, st(0)}, 0, 1, true},
		{"malformed bodies are transient", []step{{200, `{"data":{}}`}, {200, `<html>`}, st(0)}, 2, 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, sc, clk := waitSetup(t, map[string][]step{"i-1": tt.steps})
			var failed []error
			_, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk),
				koophone.WithMaxConsecutiveErrors(tt.maxErrors),
				koophone.WithOnPoll(func(e koophone.PollEvent) {
					if e.Err != nil {
						assert.Zero(t, e.Progress, "no progress with an error")
						failed = append(failed, e.Err)
					}
				}))
			assert.Equal(t, tt.polls, sc.Polls("i-1"))
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			var apiErr *koophone.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, 503, apiErr.HTTPStatus)
			assert.Contains(t, err.Error(), "in a row")
			assert.NotEmpty(t, failed)
		})
	}
}

func TestWaitUntilReadyStopsAtPermanentErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		step     step
		sentinel error
	}{
		{notFound, koophone.ErrInstanceNotFound},
		{step{200, `{"error_code":"KOOPHONE.API.1001","error_msg":"no permission"}`}, koophone.ErrPermissionDenied},
		{step{200, `{"error_code":"KOOPHONE.API.1000","error_msg":"bad"}`}, koophone.ErrInvalidParameter},
		{step{401, `{"error_code":"APIGW.0301","error_msg":"auth"}`}, koophone.ErrUnauthorized},
	} {
		c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(1), tc.step}})
		var events []koophone.PollEvent
		p, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk),
			koophone.WithOnPoll(func(e koophone.PollEvent) { events = append(events, e) }))
		require.ErrorIs(t, err, tc.sentinel)
		var apiErr *koophone.APIError
		require.ErrorAs(t, err, &apiErr, "returned as it is")
		assert.Equal(t, koophone.PrepareQueuing, p.Status, "the last progress seen")
		assert.Equal(t, 2, sc.Polls("i-1"))
		require.Len(t, events, 2)
		assert.Same(t, apiErr, events[1].Err.(*koophone.APIError))
		assert.Zero(t, events[1].NextDelay)
	}
}

func TestWaitUntilReadyMaxWait(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(1)}})
	var last koophone.PollEvent
	p, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk), koophone.WithRandom(noJitter),
		koophone.WithMaxWait(10*time.Second), koophone.WithOnPoll(func(e koophone.PollEvent) { last = e }))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, koophone.PrepareQueuing, p.Status)
	assert.Contains(t, err.Error(), "timed out after 10s")
	assert.Contains(t, err.Error(), "last status queuing (waitingCount 2)")
	// Polls at 0s, 1s, 3s and 7s; the next would come at 14.5s, past the
	// deadline, so the wait stops at 7s instead of sleeping to fail.
	assert.Equal(t, 4, sc.Polls("i-1"))
	assert.Equal(t, 7*time.Second, last.Elapsed)
	assert.Zero(t, last.NextDelay)
	assert.Equal(t, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second}, clk.Sleeps())
}

func TestWaitUntilReadyContextDeadline(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(2)}})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := c.WaitUntilReady(ctx, "u", "i-1", koophone.WithClock(clk), koophone.WithRandom(noJitter))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, koophone.PrepareRestoring, p.Status)
	// Polls at 0, 1, 3, 7, 14.5, 22 and 29.5s; 37s would pass the context's deadline.
	assert.Equal(t, 7, sc.Polls("i-1"))
}

func TestWaitUntilReadyCancelledWhileSleeping(t *testing.T) {
	t.Parallel()
	c, sc, _ := waitSetup(t, map[string][]step{"i-1": {st(1)}})
	manual := koophone.NewFakeClock(false) // its timers never fire on their own
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	p, err := c.WaitUntilReady(ctx, "u", "i-1", koophone.WithClock(manual),
		koophone.WithOnPoll(func(koophone.PollEvent) { cancel() }))
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Equal(t, koophone.PrepareQueuing, p.Status)
	assert.Contains(t, err.Error(), "the wait was cancelled; last status queuing")
	assert.Equal(t, 1, sc.Polls("i-1"))
}

func TestWaitUntilReadyCancelledDuringAPoll(t *testing.T) {
	t.Parallel()
	polled := make(chan struct{})
	c, _ := setup(t, func(_ http.ResponseWriter, r *http.Request, _ int) {
		close(polled)
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.WaitUntilReady(ctx, "u", "i-1")
		done <- err
	}()
	<-polled
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		assert.Contains(t, err.Error(), "no status was seen")
	case <-time.After(5 * time.Second):
		t.Fatal("the wait did not end when its context was cancelled")
	}
}

// TestWaitAllReadyConcurrencyBound holds requests at the server until as
// many as the bound allows are in flight, gives one more (wrongly launched)
// poll a moment to arrive, and records the most it saw at once. Time is the
// only way to see that something does not happen; a correct client passes
// whatever the timing.
func TestWaitAllReadyConcurrencyBound(t *testing.T) {
	t.Parallel()
	const total, bound, grace = 20, 3, 20 * time.Millisecond
	var (
		mu       sync.Mutex
		cond     = sync.NewCond(&mu)
		inflight int
		most     int
		arrived  int
		gen      int
	)
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		mu.Lock()
		arrived++
		inflight++
		most = max(most, inflight)
		mine := gen
		if inflight >= bound || arrived == total {
			mu.Unlock()
			time.Sleep(grace)
			mu.Lock()
			gen++ // release this batch
			cond.Broadcast()
		}
		for gen == mine {
			cond.Wait()
		}
		inflight--
		mu.Unlock()
		answer(w, 200, okReady)
	})
	ids := make([]string, total)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-%d", i)
	}
	got, err := c.WaitAllReady(waitCtx(t), "u", ids, koophone.WithConcurrency(bound), koophone.WithClock(koophone.NewFakeClock(true)))
	require.NoError(t, err)
	assert.Len(t, got, total)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, bound, most)
	assert.Equal(t, total, arrived)
}

func TestWaitAllReadyRespectsTheRateLimit(t *testing.T) {
	t.Parallel()
	// One attempt per 1000 seconds: the burst lets the first poll through;
	// the second cannot happen within the wait.
	c, sc, clk := waitSetup(t, map[string][]step{"a": {st(0)}, "b": {st(0)}}, koophone.WithRateLimit(0.001, 1))
	got, err := c.WaitAllReady(waitCtx(t), "u", []string{"a", "b"}, koophone.WithClock(clk), koophone.WithMaxWait(time.Minute))
	assert.Equal(t, 1, sc.Polls("a")+sc.Polls("b"))
	assert.Len(t, got, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rate limit")
}

func TestWaitAllReadyCancelled(t *testing.T) {
	t.Parallel()
	c, _, _ := waitSetup(t, map[string][]step{"a": {st(1)}, "b": {st(1)}, "c": {st(1)}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var events int
	got, err := c.WaitAllReady(ctx, "u", []string{"a", "b", "c"}, koophone.WithConcurrency(1),
		koophone.WithClock(koophone.NewFakeClock(false)),
		koophone.WithOnPoll(func(koophone.PollEvent) {
			events++
			if events == 2 {
				cancel()
			}
		}))
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, koophone.ErrWaitTimeout)
	errs := err.(interface{ Unwrap() []error }).Unwrap()
	assert.Len(t, errs, 3, "every instance ends with the cancellation")
	for _, e := range errs {
		assert.ErrorIs(t, e, context.Canceled)
	}
	assert.Len(t, got, 2, "the progress of the instances polled before the cancellation")
}

// TestWaitUntilReadyRateLimitedPastTheDeadline: the client's rate limit
// lets the first poll through and would hold the second far past the
// wait's deadline. That is the wait timing out, with the last progress.
func TestWaitUntilReadyRateLimitedPastTheDeadline(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(1)}}, koophone.WithRateLimit(0.001, 1))
	p, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk), koophone.WithMaxWait(time.Minute))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, koophone.PrepareQueuing, p.Status)
	assert.Contains(t, err.Error(), "timed out after 1m0s waiting for the instance to be ready; last status queuing")
	assert.Contains(t, err.Error(), "rate limit", "the cause is kept")
	assert.Equal(t, 1, sc.Polls("i-1"))

	got, err := c.WaitAllReady(waitCtx(t), "u", []string{"i-1"}, koophone.WithClock(clk), koophone.WithMaxWait(time.Minute))
	assert.Empty(t, got, "the limiter lets nothing through")
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Len(t, koophone.InstanceErrors(err), 1)
}

// TestWaitUntilReadyAttemptTimeoutIsTransient: one request that times out
// (the client's request timeout) is a transient poll failure, not the
// wait's deadline, though both match context.DeadlineExceeded. The first
// request gets no answer until its attempt's timeout ends it; the others
// are answered from memory at once, so the timeout never reaches them.
func TestWaitUntilReadyAttemptTimeoutIsTransient(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	var polls atomic.Int32 // httpmock runs each responder in a goroutine of its own
	mock.RegisterResponder(http.MethodPost, "https://koophone.test/v1/instances/prepare-progress",
		func(r *http.Request) (*http.Response, error) {
			if polls.Add(1) == 1 {
				<-r.Context().Done() // the client gives up on this one
				return nil, r.Context().Err()
			}
			return httpmock.NewStringResponse(http.StatusOK, okReady), nil
		})
	c := newClient(t, koophone.WithEndpoint("https://koophone.test"), koophone.WithHTTPClient(&http.Client{Transport: mock}),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}), koophone.WithRequestTimeout(20*time.Millisecond))
	var first error
	p, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(koophone.NewFakeClock(true)),
		koophone.WithOnPoll(func(e koophone.PollEvent) {
			if e.Attempt == 1 {
				first = e.Err
			}
		}))
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareReady, p.Status)
	assert.ErrorIs(t, first, context.DeadlineExceeded)
	assert.True(t, koophone.Transient(first))
}

// TestPollRateWaitCancelledWhileBudgetHolds: a wait whose next poll the
// budget holds back ends at once when its context is cancelled.
func TestPollRateWaitCancelledWhileBudgetHolds(t *testing.T) {
	t.Parallel()
	c, sc, _ := waitSetup(t, map[string][]step{"a": {st(1)}, "b": {st(1)}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := c.WaitAllReady(ctx, "u", []string{"a", "b"}, koophone.WithClock(koophone.NewFakeClock(false)),
			koophone.WithPollRate(0.01), koophone.WithOnPoll(func(koophone.PollEvent) { cancel() }))
		done <- err
	}()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
		assert.Len(t, koophone.InstanceErrors(err), 2)
	case <-time.After(5 * time.Second):
		t.Fatal("the wait did not end when its context was cancelled")
	}
	assert.Equal(t, 1, sc.Polls("a")+sc.Polls("b"), "one poll: the budget holds the other")
}

// A wait that runs out of time while its polls fail says what the last
// failed poll got, after the last status it saw.
func TestWaitUntilReadyTimeoutSaysWhyThePollsFailed(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(1), unavailable}})
	_, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk), koophone.WithRandom(noJitter),
		koophone.WithMaxWait(10*time.Second))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Regexp(t, `^koophone: timed out after 10s waiting for the instance to be ready; last status queuing \(waitingCount 2\) \(request id [0-9a-f-]{36}\): ShowProgress: \(HTTP 503\): Service Unavailable`, err.Error())
	assert.Equal(t, 4, sc.Polls("i-1"))

	// A poll that succeeds again clears it.
	c, _, clk = waitSetup(t, map[string][]step{"i-1": {unavailable, st(1)}})
	_, err = c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk), koophone.WithMaxWait(10*time.Second))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.NotContains(t, err.Error(), "503")
}
