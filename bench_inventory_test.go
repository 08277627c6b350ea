package koophone_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"

	"github.com/koophone-go/koophone"
)

// BenchmarkListInstances lists a whole fleet of 1,000 and of 10,000
// instances, 100 a page, from an httptest server serving pre-rendered
// pages. It reports the bytes and allocations per instance (the same for
// both sizes: the cost is per instance, not per listing) and live-B, the
// heap in use while the last instance is handled, over what it was before
// the listing began: one page's worth whatever the number of pages, as
// ListInstances holds one page at a time.
func BenchmarkListInstances(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) { benchmarkListInstances(b, n) })
	}
}

func benchmarkListInstances(b *testing.B, n int) {
	const size = 100
	pages := make([][]byte, (n+size-1)/size+1)
	for i := range pages {
		pages[i] = []byte(instancePageBody(min(i*size, n), min((i+1)*size, n), i+1, size, n))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
		w.Header().Set("Content-Type", "application/json")
		w.Write(pages[min(max(no, 1), len(pages))-1])
	}))
	defer srv.Close()
	c, err := koophone.NewClient(koophone.WithToken(testToken), koophone.WithEndpoint(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx, opts := context.Background(), &koophone.ListInstancesOptions{PageSize: size}

	baseline, live := heapInUse(), uint64(0)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		count := 0
		for _, err := range c.ListInstances(ctx, opts) {
			if err != nil {
				b.Fatal(err)
			}
			if count++; i == 0 && count == n {
				b.StopTimer()
				live = heapInUse()
				b.StartTimer()
			}
		}
		if count != n {
			b.Fatalf("listed %d instances, want %d", count, n)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	per := float64(b.N) * float64(n)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/instance")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/per, "allocs/instance")
	b.ReportMetric(float64(int64(live)-int64(baseline)), "live-B")
}

// heapInUse returns the bytes of live heap objects after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
