package koophone_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// TestHugeBodyMemory checks that a 100 MiB answer costs a bounded amount
// of memory. It does not run in parallel, so that its allocation count is
// its own.
func TestHugeBodyMemory(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(100<<20))
		chunk := strings.Repeat("x", 1<<20)
		for range 100 {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := newClient(t, koophone.WithEndpoint(srv.URL))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, koophone.ErrMalformedResponse)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(8<<20), "allocated %d bytes for a 100 MiB body", allocated)
}

// redirectingTransport follows redirects by itself, headers and all, as
// some middleware does.
type redirectingTransport struct{ next http.RoundTripper }

func (rt redirectingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := rt.next.RoundTrip(r)
	if err != nil || resp.StatusCode/100 != 3 {
		return resp, err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return nil, err
	}
	again := r.Clone(r.Context())
	again.URL, again.Host, again.Body = loc, "", http.NoBody
	return rt.next.RoundTrip(again)
}

func TestAnswersFetchedFromAnotherHostAreRefused(t *testing.T) {
	t.Parallel()
	_, other := setup(t, always(http.StatusOK, okReady))
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, other.URL+"/v1/instances/prepare-progress", http.StatusFound)
	}, koophone.WithHTTPClient(&http.Client{Transport: redirectingTransport{base}}))
	_, err := c.PrepareProgress(context.Background(), "u", "i")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the HTTP transport followed a redirect to "+strings.TrimPrefix(other.URL, "http://"))
	assert.Len(t, s.Requests(), 1, "not retried")
	// The caller's transport re-sent the request itself: the SDK cannot
	// stop that, and says so in its documentation; it does refuse the answer.
	assert.Len(t, other.Requests(), 1)
}

// net/http quotes a malformed status line in its error: a hostile server
// that echoes the token there must not get it into the error or the log,
// and the error stays bounded.
func TestNetworkErrorsAreScrubbedAndBounded(t *testing.T) {
	t.Parallel()
	url := rawServer(t, func(head string) string {
		return "BOGUS:token=" + headerValue(head, "X-Auth-Token") + ":" + strings.Repeat("A", 100000) + "\r\n\r\n"
	})
	var logs bytes.Buffer
	c := newClient(t, koophone.WithEndpoint(url), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}),
		koophone.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken)
	assert.Contains(t, err.Error(), "token=[redacted]", "the server did echo the token")
	assert.Less(t, len(err.Error()), 2048)
	assert.NotContains(t, logs.String(), testToken)
	assert.Contains(t, logs.String(), "token=[redacted]")
	assert.Contains(t, logs.String(), "koophone: attempt")
}
