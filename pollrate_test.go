package koophone_test

import (
	"context"
	"flag"
	"fmt"
	"io"
	"maps"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
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

// pollsByGroup prepares ten instances on each group's Timeline, waits for
// them all under WithPollRate(rate) on a fake clock, and counts the polls
// of each group in the wait's first span.
func pollsByGroup(t *testing.T, groups map[string]koophonetest.Timeline, rate float64, span time.Duration) map[string]int {
	t.Helper()
	m := fleetModel{timelines: map[string]koophonetest.Timeline{}}
	group := map[string]string{}
	for i := range 10 {
		for _, name := range slices.Sorted(maps.Keys(groups)) {
			id := fmt.Sprintf("%s-%d", name, i)
			m.ids, m.timelines[id], group[id] = append(m.ids, id), groups[name], name
		}
	}
	clk := koophone.NewFakeClock(true)
	_, c := fakeFleet(t, m, clk)
	polls := map[string]int{}
	runFleet(t, c, m, clk, func(e koophone.PollEvent) {
		if e.Elapsed < span {
			polls[group[e.InstanceID]]++
		}
	}, koophone.WithPollRate(rate))
	t.Log(polls)
	return polls
}

// TestPollRateSpendsItsBudgetOnRestoringInstancesFirst: with a budget far
// below what the instances' own intervals allow, an instance restoring is
// polled more often than one queuing, whether its queue falls fast or slowly.
func TestPollRateSpendsItsBudgetOnRestoringInstancesFirst(t *testing.T) {
	t.Parallel()
	polls := pollsByGroup(t, map[string]koophonetest.Timeline{
		"restoring":      {Queue: time.Millisecond, Restore: time.Minute},
		"queuing (fast)": {Queue: time.Minute, QueueStep: time.Second, Restore: time.Second},
		"queuing (slow)": {Queue: time.Minute, QueueStep: 10 * time.Second, Restore: time.Second},
	}, 3, 55*time.Second) // before anything is ready
	assert.Greater(t, polls["restoring"], polls["queuing (fast)"]+polls["queuing (slow)"], "restoring before queuing")
	assert.LessOrEqual(t, polls["restoring"]+polls["queuing (fast)"]+polls["queuing (slow)"], 3*55+3, "within the budget")
}

// TestPollRateFavoursAQueueThatMoves: two queues of the same length, one
// falling ten times as fast: its instances are polled more often.
func TestPollRateFavoursAQueueThatMoves(t *testing.T) {
	t.Parallel()
	polls := pollsByGroup(t, map[string]koophonetest.Timeline{
		"fast": {Queue: 30 * time.Second, QueueStep: time.Second, Restore: time.Second},
		"slow": {Queue: 300 * time.Second, QueueStep: 10 * time.Second, Restore: time.Second},
	}, 2, 25*time.Second) // both queues still 5 or more long
	assert.Greater(t, polls["fast"], polls["slow"])
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

// fleetModel is a fleet of instances prepared at once, each following a
// koophonetest.Timeline of durations from the start of the wait.
type fleetModel struct {
	ids       []string
	timelines map[string]koophonetest.Timeline
}

// queueModel is the model: n instances ready uniformly between lo
// and hi after they are prepared, the last restore of them restoring (a
// duration drawn in [restoreLo, restoreHi]) and, before that, queuing
// with a position that falls by one every step.
func queueModel(n int, lo, hi, restoreLo, restoreHi, step time.Duration, seed uint64) fleetModel {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := fleetModel{ids: make([]string, n), timelines: make(map[string]koophonetest.Timeline, n)}
	for i := range m.ids {
		id := fmt.Sprintf("fleet-%05d", i+1)
		ready := lo + time.Duration(rng.Float64()*float64(hi-lo))
		restore := min(ready, restoreLo+time.Duration(rng.Float64()*float64(restoreHi-restoreLo)))
		m.ids[i] = id
		m.timelines[id] = koophonetest.Timeline{Queue: ready - restore, Restore: restore, QueueStep: step}
	}
	return m
}

// fleetStats is how one wait for a fleetModel went.
type fleetStats struct {
	detected    int             // instances seen ready
	errors      int             // polls that failed
	polls       int             // all polls
	mean, p95   time.Duration   // detection delay: from ready to the poll that saw it
	busiest     int             // the most polls in any sliding one-second window
	delays      []time.Duration // by instance, in the order of ids
	pollTimes   []time.Duration // every poll's start, since the wait began
	waitElapsed time.Duration
}

func (s fleetStats) String() string {
	return fmt.Sprintf("detected %d, mean %s, p95 %s, %.1f polls/instance, busiest second %d, %d errors",
		s.detected, s.mean, s.p95, float64(s.polls)/float64(max(1, len(s.delays))), s.busiest, s.errors)
}

// runFleet waits for every instance of m with c on clk (which the answers
// follow too) and reports how it went. One poll is in flight at a time,
// so the fake clock, which jumps to each timer, never moves during a poll:
// polls take no time, and the run is deterministic.
// also, if not nil, sees every poll event too.
func runFleet(tb testing.TB, c *koophone.Client, m fleetModel, clk *koophone.FakeClock, also func(koophone.PollEvent), opts ...koophone.WaitOption) fleetStats {
	tb.Helper()
	seenAt := make(map[string]time.Duration, len(m.ids))
	var st fleetStats
	opts = append([]koophone.WaitOption{koophone.WithClock(clk), koophone.WithConcurrency(1),
		koophone.WithRandom(rand.New(rand.NewPCG(7, 7)).Float64), koophone.WithMaxWait(time.Hour),
		koophone.WithOnPoll(func(e koophone.PollEvent) {
			if also != nil {
				also(e)
			}
			st.pollTimes = append(st.pollTimes, e.Elapsed)
			if e.Err != nil {
				st.errors++
			} else if e.Progress.Status == koophone.PrepareReady {
				seenAt[e.InstanceID] = e.Elapsed
			}
		})}, opts...)
	start := clk.Now()
	_, err := c.WaitAllReady(context.Background(), "user-1", m.ids, opts...)
	if err != nil {
		tb.Fatalf("the wait failed: %v", err)
	}
	st.waitElapsed = clk.Now().Sub(start)
	st.polls = len(st.pollTimes)
	var sum time.Duration
	for _, id := range m.ids {
		at, ok := seenAt[id]
		if !ok {
			continue
		}
		st.detected++
		d := at - m.timelines[id].Ready()
		st.delays = append(st.delays, d)
		sum += d
	}
	if len(st.delays) > 0 {
		st.mean = sum / time.Duration(len(st.delays))
		sorted := slices.Sorted(slices.Values(st.delays))
		st.p95 = sorted[(len(sorted)*95+99)/100-1]
	}
	st.busiest = busiestSecond(st.pollTimes)
	return st
}

// timelineService answers ShowProgress from each instance's
// koophonetest.Timeline on a clock, in memory: what the fake answers,
// without its request log or a socket, for benchmarks of many thousand
// polls.
type timelineService struct {
	m     fleetModel
	now   func() time.Time
	start time.Time
	mu    sync.Mutex
}

func (s *timelineService) RoundTrip(r *http.Request) (*http.Response, error) {
	b, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	// The body is {"user_id":"…","instance_id":"…"}: the id is its last string.
	parts := strings.Split(string(b), `"`)
	id := parts[len(parts)-2]
	s.mu.Lock()
	step := s.m.timelines[id].At(s.now().Sub(s.start), 0)
	s.mu.Unlock()
	body := fmt.Sprintf(`{"data":{"status":%d,"waitingCount":%d},"error_code":"0","error_msg":"OK"}`, step.Status, step.WaitingCount)
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// benchRate is the poll budget of BenchmarkWaitFleet: half the gateway's
// 200 calls per second for one API.
const benchRate = 100

// fleetFull makes BenchmarkWaitFleet run today's backoff at 10,000
// instances too: about 250,000 polls, 10 s on two cores, too long for CI's
// run of every benchmark once.
var fleetFull = flag.Bool("fleet.full", false, "BenchmarkWaitFleet: also run today's backoff at 10,000 instances (about 10 s)")

// BenchmarkWaitFleet waits for fleets of 100, 1,000 and 10,000 instances
// prepared at once, on a fake clock (no wall-clock time passes) against an
// in-memory service that answers from each instance's koophonetest.Timeline:
// ready uniformly between 1 and 6 minutes after the start, the last 45 to
// 75 s of it restoring and the rest queuing, the queue position falling by
// one a second. It compares today's backoff (no cap) with WithPollRate(100)
// and reports the detection delay (from ready to the poll that saw it,
// mean and p95, in seconds), polls per instance, the most polls in any
// one-second window, and the status-blind bound: polling every instance
// in turn at the budget, N/(2·rate). One poll is in flight at a time and
// polls take no time, so runs are deterministic. It fails if the budget
// is exceeded, or if from 1,000 instances on (where the budget binds) the
// mean delay is not below the bound. Today's backoff at
// 10,000 instances runs only with -fleet.full.
func BenchmarkWaitFleet(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		m := queueModel(n, time.Minute, 6*time.Minute, 45*time.Second, 75*time.Second, time.Second, 1)
		for _, wait := range []struct {
			name string
			opts []koophone.WaitOption
		}{{"today", nil}, {"pollrate", []koophone.WaitOption{koophone.WithPollRate(benchRate)}}} {
			b.Run(fmt.Sprintf("instances=%d/wait=%s", n, wait.name), func(b *testing.B) {
				if n == 10000 && wait.opts == nil && !*fleetFull {
					b.Skip("today's backoff at 10,000 instances takes 10 s: run with -fleet.full")
				}
				var st fleetStats
				for range b.N {
					clk := koophone.NewFakeClock(true)
					svc := &timelineService{m: m, now: clk.Now, start: clk.Now()}
					c, err := koophone.NewClient(koophone.WithToken("t"), koophone.WithEndpoint("https://koophone.test"),
						koophone.WithHTTPClient(&http.Client{Transport: svc}))
					if err != nil {
						b.Fatal(err)
					}
					st = runFleet(b, c, m, clk, nil, wait.opts...)
					if st.detected != n || st.errors != 0 {
						b.Fatalf("%d of %d detected, %d failed polls", st.detected, n, st.errors)
					}
				}
				bound := time.Duration(float64(n) / (2 * benchRate) * float64(time.Second))
				if wait.opts != nil && (st.busiest > benchRate || n >= 1000 && st.mean >= bound) {
					b.Fatalf("the budget's promise is broken: %v (status-blind bound %s)", st, bound)
				}
				b.ReportMetric(st.mean.Seconds(), "delay-mean-s")
				b.ReportMetric(st.p95.Seconds(), "delay-p95-s")
				b.ReportMetric(float64(st.polls)/float64(n), "polls/instance")
				b.ReportMetric(float64(st.busiest), "busiest-second")
				b.ReportMetric(float64(n)/(2*benchRate), "blind-bound-s")
			})
		}
	}
}
