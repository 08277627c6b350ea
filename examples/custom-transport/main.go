// Command custom-transport shows how to bring your own *http.Client: a
// transport that goes through a proxy, carries tracing, or counts
// requests, as here. The koophone client copies the *http.Client and
// never changes it; it still adds the token, request id and user agent,
// retries, and refuses redirects.
//
// It runs against an in-process fake KooPhone service.
//
//	go run ./examples/custom-transport
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// countingTransport counts requests and their time, then hands them to next.
type countingTransport struct {
	next     http.RoundTripper
	requests atomic.Int64
	total    atomic.Int64 // nanoseconds
}

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(r)
	t.requests.Add(1)
	t.total.Add(int64(time.Since(start)))
	return resp, err
}

func main() { os.Exit(run(context.Background(), os.Stdout)) }

func run(ctx context.Context, out io.Writer) int {
	srv := koophonetest.NewServer(koophonetest.WithInstances("demo-user", "phone-1"))
	defer srv.Close()
	// One transient fault, to show that retries go through your transport too.
	srv.FailNext(1, koophonetest.HTMLPage(503))

	base := &http.Transport{
		Proxy:               http.ProxyFromEnvironment, // HTTPS_PROXY, NO_PROXY, ...
		MaxIdleConnsPerHost: 32,
		IdleConnTimeout:     90 * time.Second,
	}
	defer base.CloseIdleConnections()
	counting := &countingTransport{next: base}
	client, err := koophone.NewClient(
		koophone.WithEndpoint(srv.URL),
		koophone.WithToken(srv.Token()),
		koophone.WithHTTPClient(&http.Client{Transport: counting, Timeout: 10 * time.Second}),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 2, MinBackoff: 10 * time.Millisecond}),
	)
	if err != nil {
		fmt.Fprintln(out, err)
		return 1
	}
	p, err := client.PrepareProgress(ctx, "demo-user", "phone-1")
	if err != nil {
		fmt.Fprintln(out, err)
		return 1
	}
	fmt.Fprintf(out, "status %s after %d requests through the custom transport\n", p.Status, counting.requests.Load())
	return 0
}
