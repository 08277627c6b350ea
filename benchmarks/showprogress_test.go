package benchmarks

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// BenchmarkShowProgress makes the same ShowProgress call with each
// contender, one after another on one loopback server per protocol, from
// one goroutine and from 64. Each run starts with a new client and an
// empty pool, and reports the connections and TLS handshakes the server
// saw and the share of requests that came over HTTP/2.
//
// Its sub-benchmarks are named proto=…/goroutines=…/client=…, so that
// benchstat -col /client puts the contenders side by side.
func BenchmarkShowProgress(b *testing.B) {
	for _, proto := range protocols {
		srv := newServer(b, proto)
		for _, goroutines := range []int{1, 64} {
			for _, c := range contenders {
				name := "proto=" + proto + "/goroutines=" + strconv.Itoa(goroutines) + "/client=" + c.name
				b.Run(name, func(b *testing.B) { run(b, srv, c, goroutines) })
			}
		}
	}
}

// run is one run of contender c on srv from the given number of goroutines.
// It first makes one call from each goroutine at once, untimed, to fill the
// pool; the connections and handshakes it reports include those.
func run(b *testing.B, srv *server, c contender, goroutines int) {
	tr := srv.transport()
	defer tr.CloseIdleConnections()
	call := c.new(b, srv.URL, tr)
	ctx := context.Background()
	before := srv.snapshot()
	var wg sync.WaitGroup
	errs := make(chan error, goroutines)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- call(ctx)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	if goroutines == 1 {
		for i := 0; i < b.N; i++ {
			if err := call(ctx); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := call(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.StopTimer()
	srv.report(b, before)
}
