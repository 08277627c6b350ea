package koophone_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

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
