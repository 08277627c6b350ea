package koophone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/koophone-go/koophone"
)

// memService is an in-memory KooPhone for benchmarks: an http.RoundTripper
// that readies each instance on its readyAfter-th poll.
type memService struct {
	readyAfter int
	mu         sync.Mutex
	polls      map[string]int
	requests   int
}

func (m *memService) RoundTrip(r *http.Request) (*http.Response, error) {
	var in struct {
		InstanceID string `json:"instance_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		return nil, err
	}
	r.Body.Close()
	m.mu.Lock()
	m.requests++
	m.polls[in.InstanceID]++
	n := m.polls[in.InstanceID]
	m.mu.Unlock()
	status, waiting := 1, m.readyAfter-n
	if n >= m.readyAfter {
		status, waiting = 0, 0
	}
	body := fmt.Sprintf(`{"data":{"status":%d,"waitingCount":%d},"error_code":"0","error_msg":"OK"}`, status, waiting)
	return &http.Response{
		StatusCode: http.StatusOK,
		Header:     http.Header{"Content-Type": {"application/json"}},
		Body:       io.NopCloser(strings.NewReader(body)),
		Request:    r,
	}, nil
}

// BenchmarkWaitAllReady waits for 100, 1,000 and 10,000 instances that each
// become ready on their third poll, on a fake clock and an in-memory
// transport. It reports requests per instance (3 means no wasted poll),
// the heap the wait holds per instance while it runs, and the bytes it
// allocates per instance in all.
func BenchmarkWaitAllReady(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) {
			ids := make([]string, n)
			for i := range ids {
				ids[i] = fmt.Sprintf("instance-%08d", i)
			}
			var requests, held, allocated float64
			for i := 0; i < b.N; i++ {
				svc := &memService{readyAfter: 3, polls: make(map[string]int, n)}
				c, err := koophone.NewClient(koophone.WithToken("t"), koophone.WithEndpoint("https://koophone.test"),
					koophone.WithHTTPClient(&http.Client{Transport: svc}))
				if err != nil {
					b.Fatal(err)
				}
				var before, during, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				events := 0
				_, err = c.WaitAllReady(context.Background(), "user", ids, koophone.WithClock(koophone.NewFakeClock(true)),
					koophone.WithOnPoll(func(koophone.PollEvent) {
						events++
						if events == n { // every instance has been polled once and is waiting
							runtime.GC()
							runtime.ReadMemStats(&during)
						}
					}))
				runtime.ReadMemStats(&after)
				if err != nil {
					b.Fatal(err)
				}
				// svc.polls grows with the instances too; it is the fake's, not the wait's.
				requests += float64(svc.requests) / float64(n)
				held += (float64(during.HeapAlloc) - float64(before.HeapAlloc)) / float64(n)
				allocated += float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
			}
			b.ReportMetric(requests/float64(b.N), "requests/instance")
			b.ReportMetric(held/float64(b.N), "heap-B/instance")
			b.ReportMetric(allocated/float64(b.N), "alloc-B/instance")
		})
	}
}
