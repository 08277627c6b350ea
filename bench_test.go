package koophone_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// benchServer is a loopback server that answers every call with the
// documented ShowProgress answer and counts the connections it accepts.
func benchServer(b *testing.B) (*httptest.Server, *atomic.Int64) {
	b.Helper()
	var conns atomic.Int64
	body := []byte(`{"data":{"status":1,"waitingCount":3},"error_code":"0","error_msg":"OK"}`)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	b.Cleanup(srv.Close)
	return srv, &conns
}

// rawClient is the hand-written call the SDK is measured against: a tuned,
// honest net/http client (keep-alive, a pool as large as the SDK's, bodies
// read to the end) with encoding/json.
type rawClient struct {
	hc       *http.Client
	endpoint string
	token    string
}

func newRawClient(endpoint string) *rawClient {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = 256, 64
	return &rawClient{hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}, endpoint: endpoint, token: "t"}
}

func (rc *rawClient) progress(ctx context.Context, userID, instanceID string) (int, error) {
	body, err := json.Marshal(map[string]string{"user_id": userID, "instance_id": instanceID})
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rc.endpoint+"/v1/instances/prepare-progress", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	var id [16]byte
	rand.Read(id[:])
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Auth-Token", rc.token)
	req.Header.Set("X-Request-Id", hex.EncodeToString(id[:]))
	req.Header.Set("User-Agent", "raw/1.0")
	resp, err := rc.hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return 0, err
	}
	var env struct {
		ErrorCode string `json:"error_code"`
		Data      struct {
			Status       int `json:"status"`
			WaitingCount int `json:"waitingCount"`
		} `json:"data"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return 0, err
	}
	if env.ErrorCode != "0" {
		return 0, fmt.Errorf("error %s", env.ErrorCode)
	}
	return env.Data.Status, nil
}

func benchClient(b *testing.B, endpoint string, creds ...koophone.Option) *koophone.Client {
	b.Helper()
	if len(creds) == 0 {
		creds = []koophone.Option{koophone.WithToken("t")}
	}
	c, err := koophone.NewClient(append(creds, koophone.WithEndpoint(endpoint))...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return c
}

// BenchmarkPrepareProgress is one SDK call on a warm connection; compare it
// with BenchmarkRawNetHTTP, the same call written by hand.
func BenchmarkPrepareProgress(b *testing.B) { benchCalls(b) }

// BenchmarkPrepareProgressAKSK is BenchmarkPrepareProgress signed with an
// access key pair instead of a token; every call is signed afresh.
func BenchmarkPrepareProgressAKSK(b *testing.B) {
	benchCalls(b, koophone.WithAKSK("HPUAEXAMPLEACCESSKEY", "example/secret+key/0123456789abcdefghijklmn", "0123456789abcdef0123456789abcdef"))
}

// benchCalls makes b.N calls, one after another, with a client of creds
// (a token when none).
func benchCalls(b *testing.B, creds ...koophone.Option) {
	srv, conns := benchServer(b)
	c := benchClient(b, srv.URL, creds...)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.PrepareProgress(ctx, "user-1", "instance-1"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(conns.Load()), "conns")
}

// BenchmarkRawNetHTTP is the baseline for BenchmarkPrepareProgress.
func BenchmarkRawNetHTTP(b *testing.B) {
	srv, conns := benchServer(b)
	rc := newRawClient(srv.URL)
	b.Cleanup(rc.hc.CloseIdleConnections)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := rc.progress(ctx, "user-1", "instance-1"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(conns.Load()), "conns")
}

// parallel64 makes b.RunParallel use about 64 goroutines.
func parallel64(b *testing.B) { b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0))) }

// BenchmarkPrepareProgressParallel makes SDK calls from 64 goroutines and
// reports the connections the server accepted.
func BenchmarkPrepareProgressParallel(b *testing.B) {
	srv, conns := benchServer(b)
	c := benchClient(b, srv.URL)
	parallel64(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.PrepareProgress(context.Background(), "user-1", "instance-1"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(conns.Load()), "conns")
}

// BenchmarkRawNetHTTPParallel is the baseline for BenchmarkPrepareProgressParallel.
func BenchmarkRawNetHTTPParallel(b *testing.B) {
	srv, conns := benchServer(b)
	rc := newRawClient(srv.URL)
	b.Cleanup(rc.hc.CloseIdleConnections)
	parallel64(b)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := rc.progress(context.Background(), "user-1", "instance-1"); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(conns.Load()), "conns")
}
