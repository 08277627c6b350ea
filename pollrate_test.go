package koophone_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// fakeFleet starts a koophonetest server on clk whose instances follow m,
// prepares them all at the clock's present time, and returns a client
// without retries (so a poll is one request) and with the SDK's default
// wait options.
func fakeFleet(t *testing.T, m fleetModel, clk *koophone.FakeClock) (*koophonetest.Server, *koophone.Client) {
	t.Helper()
	srv := koophonetest.NewServer(koophonetest.WithClock(clk.Now), koophonetest.WithInstances("user-1", m.ids...),
		koophonetest.WithTimelines(func(id string) koophonetest.Timeline { return m.timelines[id] }))
	t.Cleanup(srv.Close)
	// The SDK's default wait options, not Server.Client's fast ones.
	c := srv.Client(koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}), koophone.WithWaitDefaults())
	for i := 0; i < len(m.ids); i += 100 {
		_, err := c.PrepareInstances(context.Background(), "user-1", m.ids[i:min(i+100, len(m.ids))])
		require.NoError(t, err)
	}
	return srv, c
}

// TestPollRateFleetOf300 is the goal: 300 instances ready 1 to 5 s
// after they were prepared, queue positions falling every 300 ms, one
// second of restoring, 100 polls per second.
func TestPollRateFleetOf300(t *testing.T) {
	t.Parallel()
	m := queueModel(300, time.Second, 5*time.Second, time.Second, time.Second, 300*time.Millisecond, 1)
	clk := koophone.NewFakeClock(true)
	srv, c := fakeFleet(t, m, clk)

	st := runFleet(t, c, m, clk, nil, koophone.WithPollRate(100))
	t.Log(st)
	assert.Equal(t, 300, st.detected, "every instance is seen ready")
	assert.Zero(t, st.errors, "no poll failed (no 429)")
	assert.LessOrEqual(t, st.busiest, 100, "never over 100 polls in a second")
	assert.LessOrEqual(t, st.mean, 900*time.Millisecond)
	assert.LessOrEqual(t, st.p95, 2200*time.Millisecond)
	for _, r := range srv.Requests() {
		assert.False(t, r.Fault)
	}
}

func TestWithPollRateRejectsBadRates(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(0)}, "q-1": {st(1)}, "q-2": {st(1)}})
	tasks := newTaskScript(map[string][]answerStep{"t-1": {jobs(koophone.JobSucceeded)}})
	for _, rate := range []float64{math.NaN(), 0, -1, math.Inf(1), math.Inf(-1), koophone.MaxPollRate * 1.0001, math.MaxFloat64} {
		opt := koophone.WithPollRate(rate)
		_, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", opt)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, "rate %v", rate)
		_, err = c.WaitAllReady(waitCtx(t), "u", []string{"i-1"}, opt)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, "rate %v", rate)
		_, err = koophone.WaitTasksUsing(waitCtx(t), []string{"t-1"}, tasks.getTask, opt)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, "rate %v", rate)
		_, err = koophone.NewClient(koophone.WithToken("t"), koophone.WithWaitDefaults(opt))
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, "rate %v", rate)
	}
	assert.Zero(t, sc.Polls("i-1"), "nothing was sent")
	assert.Zero(t, tasks.Polls("t-1"))

	for _, rate := range []float64{koophone.MaxPollRate, 1e-9, 0.5, 1e-300, math.SmallestNonzeroFloat64} {
		_, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk), koophone.WithPollRate(rate))
		assert.NoError(t, err, "rate %v", rate)
		// A rate so low that the second poll would come after the deadline:
		// the wait ends with a timeout, it does not spin or overflow.
		got, err := c.WaitAllReady(waitCtx(t), "u", []string{"i-1", "q-1", "q-2"}, koophone.WithClock(clk), koophone.WithPollRate(rate))
		if rate < 0.001 {
			assert.ErrorIs(t, err, koophone.ErrWaitTimeout, "rate %v", rate)
			assert.Len(t, got, 1, "rate %v: one poll", rate)
		}
	}
}

// TestPollRateBoundsWaitTasks: 200 tasks that never end, at 10 polls a
// second: without the cap the first round alone is 200 polls at once.
func TestPollRateBoundsWaitTasks(t *testing.T) {
	t.Parallel()
	const n = 200
	steps := map[string][]answerStep{}
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("t-%03d", i)
		steps[ids[i]] = []answerStep{jobs(koophone.JobRunning)}
	}
	tasks := newTaskScript(steps)
	clk := koophone.NewFakeClock(true)
	var times []time.Duration
	start := clk.Now()
	_, err := koophone.WaitTasksUsing(waitCtx(t), ids, func(ctx context.Context, id string) ([]koophone.JobResult, error) {
		times = append(times, clk.Now().Sub(start)) // one poll at a time: no lock needed
		return tasks.getTask(ctx, id)
	}, koophone.WithClock(clk), koophone.WithConcurrency(1), koophone.WithMaxWait(time.Minute), koophone.WithPollRate(10))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.LessOrEqual(t, busiestSecond(times), 10)
	assert.InDelta(t, 600, len(times), 10, "the budget is spent, not wasted: 10 a second for a minute")
	for _, id := range ids {
		assert.Positive(t, tasks.Polls(id), "every task is polled")
	}
}

// TestPollRateOneInstanceNoSlowerThanToday: a wait for one instance with a
// budget sees it ready no later than today's backoff does, whatever its
// timeline.
func TestPollRateOneInstanceNoSlowerThanToday(t *testing.T) {
	t.Parallel()
	for _, tl := range []koophonetest.Timeline{
		{},
		{Queue: 10 * time.Second, Restore: 30 * time.Second},
		{Queue: 3 * time.Second, Restore: time.Second, QueueStep: 300 * time.Millisecond},
		{Queue: 40 * time.Second, Restore: 60 * time.Second, QueueStep: 2 * time.Second},
		{Queue: 5 * time.Minute, Restore: 50 * time.Second, QueueStep: 10 * time.Second},
		{Restore: 20 * time.Second},
		{Queue: 90 * time.Second},
	} {
		m := fleetModel{ids: []string{"fleet-00001"}, timelines: map[string]koophonetest.Timeline{"fleet-00001": tl}}
		detect := func(opts ...koophone.WaitOption) (time.Duration, int) {
			clk := koophone.NewFakeClock(true)
			srv, c := fakeFleet(t, m, clk)
			st := runFleet(t, c, m, clk, nil, append(opts, koophone.WithRandom(noJitter))...)
			return st.waitElapsed, srv.Polls("fleet-00001")
		}
		today, todayPolls := detect()
		budget, budgetPolls := detect(koophone.WithPollRate(100))
		assert.LessOrEqual(t, budget, today, "%+v", tl)
		t.Logf("%+v: ready seen after %s in %d polls; today %s in %d", tl, budget, budgetPolls, today, todayPolls)
	}
}

func TestWithWaitDefaults(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(1)}},
		koophone.WithWaitDefaults(koophone.WithMaxWait(10*time.Second), koophone.WithPollInterval(time.Second, time.Second)))
	_, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Contains(t, err.Error(), "timed out after 10s")
	assert.Equal(t, 10, sc.Polls("i-1"), "a poll a second for 10s")

	_, err = c.WaitAllReady(waitCtx(t), "u", []string{"i-1"}, koophone.WithClock(clk), koophone.WithMaxWait(3*time.Second))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Contains(t, err.Error(), "timed out after 3s", "the wait's own option wins")
	assert.Equal(t, 13, sc.Polls("i-1"))

	for _, bad := range [][]koophone.WaitOption{{nil}, {koophone.WithMaxWait(-1)}, {koophone.WithConcurrency(0)}} {
		_, err := koophone.NewClient(koophone.WithToken("t"), koophone.WithWaitDefaults(bad...))
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	}
}

// progressStep answers ShowProgress with status and waitingCount as text.
func progressStep(status int, waiting string) step {
	return step{200, fmt.Sprintf(`{"data":{"status":%d,"waitingCount":%s},"error_code":"0","error_msg":"OK"}`, status, waiting)}
}

// TestPollRateSurvivesHostileQueues: queue positions at the ends of int,
// negative, jumping up and down, and phases flapping never make a wait
// with a budget panic, hang, poll faster than its budget or the min
// interval, or end before its deadline.
func TestPollRateSurvivesHostileQueues(t *testing.T) {
	t.Parallel()
	flap := []step{progressStep(1, "9223372036854775807"), progressStep(1, "-9223372036854775808"), progressStep(2, "0"),
		progressStep(1, "5"), progressStep(1, "1000000000000"), progressStep(2, "3"), progressStep(1, "1"), progressStep(1, "2")}
	for len(flap) < 400 {
		flap = append(flap, flap[len(flap)%8])
	}
	steps := map[string][]step{"flap": flap, "max": {progressStep(1, "9223372036854775807")}, "neg": {progressStep(1, "-5")},
		"down": {progressStep(1, "100"), progressStep(1, "90"), progressStep(1, "80"), progressStep(1, "1"), progressStep(2, "0")}}
	c, sc, clk := waitSetup(t, steps)
	var times []time.Duration
	last := map[string]time.Duration{}
	_, err := c.WaitAllReady(waitCtx(t), "u", []string{"flap", "max", "neg", "down"}, koophone.WithClock(clk),
		koophone.WithConcurrency(1), koophone.WithPollRate(2), koophone.WithMaxWait(10*time.Minute),
		koophone.WithOnPoll(func(e koophone.PollEvent) {
			if at, ok := last[e.InstanceID]; ok {
				assert.GreaterOrEqual(t, e.Elapsed-at, time.Second, "%s polled again after %s", e.InstanceID, e.Elapsed-at)
			}
			last[e.InstanceID] = e.Elapsed
			times = append(times, e.Elapsed)
		}))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Len(t, koophone.InstanceErrors(err), 4, "none is ever ready")
	assert.LessOrEqual(t, busiestSecond(times), 2)
	for id := range steps {
		assert.Greater(t, sc.Polls(id), 5, "%s is polled on", id)
		assert.Greater(t, last[id], 9*time.Minute, "%s is polled until near the deadline", id)
	}
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

// TestPollRateWithConcurrentPolls: a budget with several polls in flight,
// on the real clock (fast: 1000 polls a second, 1-2 ms apart).
func TestPollRateWithConcurrentPolls(t *testing.T) {
	t.Parallel()
	steps := map[string][]step{}
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-%02d", i)
		steps[ids[i]] = []step{st(1), st(2), st(0)}
	}
	c, sc, _ := waitSetup(t, steps)
	start := time.Now()
	got, err := c.WaitAllReady(waitCtx(t), "u", ids, koophone.WithConcurrency(8), koophone.WithPollRate(1000),
		koophone.WithPollInterval(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	assert.Len(t, got, 40)
	for _, id := range ids {
		assert.Equal(t, 3, sc.Polls(id), "no poll wasted on %s", id)
	}
	assert.GreaterOrEqual(t, time.Since(start), 119*time.Millisecond, "120 polls at most 1 ms apart")
}
