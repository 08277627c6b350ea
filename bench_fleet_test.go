package koophone_test

import (
	"flag"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/koophone-go/koophone"
)

// fleetFull makes BenchmarkWaitFleet run today's backoff at 10,000
// instances too: about 250,000 polls, 10 s on two cores, too long for CI's
// run of every benchmark once.
var fleetFull = flag.Bool("fleet.full", false, "BenchmarkWaitFleet: also run today's backoff at 10,000 instances (about 10 s)")

// benchRate is the poll budget of BenchmarkWaitFleet: half the gateway's
// 200 calls per second for one API.
const benchRate = 100

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
