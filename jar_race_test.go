//go:build race

package koophone_test

import (
	"context"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// stallingConn blocks its writes once stall is set, as a connection whose
// send buffer is full does, until it is closed or released.
type stallingConn struct {
	net.Conn
	stall   *atomic.Bool
	release chan struct{}
	closed  chan struct{}
	once    sync.Once
}

func (c *stallingConn) Write(p []byte) (int, error) {
	if c.stall.Load() {
		select {
		case <-c.closed:
		case <-c.release:
			c.Conn.Close()
		}
		return 0, net.ErrClosed
	}
	return c.Conn.Write(p)
}

func (c *stallingConn) Close() error {
	c.once.Do(func() { close(c.closed) })
	return c.Conn.Close()
}

// The first attempt sends the call's own header map. Over HTTP/2, net/http
// encodes the headers in a goroutine of its own (clientStream.doRequest)
// and RoundTrip returns on the attempt's timeout without waiting for it.
// The second attempt then starts in net/http's Client, which adds the
// jar's cookies to that same map (Request.AddCookie): a data race on the
// map, which can also be the fatal "concurrent map read and map write".
// Run with -race.
func TestCookieJarDoesNotRaceWithALingeringHTTP2Attempt(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		answer(w, http.StatusOK, okReady)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	var stall atomic.Bool
	release := make(chan struct{})
	tr := srv.Client().Transport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &stallingConn{Conn: conn, stall: &stall, release: release, closed: make(chan struct{})}, nil
	}
	defer tr.CloseIdleConnections()
	defer close(release)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	jar.SetCookies(u, []*http.Cookie{{Name: "sid", Value: "abc"}})
	hc := &http.Client{Jar: jar, Transport: tr}
	// The warm-up opens the HTTP/2 connection, on a client of the same
	// transport with the default timeout: a slow machine only delays it.
	_, err = newClient(t, koophone.WithEndpoint(srv.URL), koophone.WithHTTPClient(hc)).PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err, "warm-up over HTTP/2")

	c := newClient(t, koophone.WithEndpoint(srv.URL), koophone.WithHTTPClient(hc),
		koophone.WithRequestTimeout(100*time.Millisecond),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	stall.Store(true) // the next request's frames never leave
	_, err = c.PrepareProgress(timeout(t), "u", "i")
	require.ErrorContains(t, err, "no answer within 100ms")
}
