//go:build go1.25

package koophonetest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// TestClientRetriesWithinMilliseconds: Server.Client retries after 1 to
// 10 ms, not after the SDK's default backoffs (200 ms and more). The calls
// run in a synctest bubble, on its fake clock, over an in-memory transport
// to the fake's handler: the time a call takes is the sum of its backoffs,
// however fast or slow the machine is. (Timed on the wall clock, a call
// with 1 to 10 ms backoffs took 737 ms on a loaded machine.)
func TestClientRetriesWithinMilliseconds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newServer(WithInstances("u", "i"))
		s.URL = "http://127.0.0.1" // Server.Client's endpoint; the transport never dials it
		inMemory := []koophone.Option{koophone.WithHTTPClient(&http.Client{Transport: handlerTransport{s.serveHTTP}})}
		took := func(c *koophone.Client) time.Duration {
			s.FailNext(3, HTMLPage(503))
			before, start := len(s.Requests()), time.Now()
			_, err := c.PrepareProgress(context.Background(), "u", "i")
			require.NoError(t, err)
			require.Len(t, s.Requests(), before+4, "three retries")
			return time.Since(start)
		}
		assert.LessOrEqual(t, took(s.Client(inMemory...)), 30*time.Millisecond, "three backoffs of 10 ms at most")
		assert.GreaterOrEqual(t, took(s.Client(append(inMemory, koophone.WithRetryPolicy(koophone.RetryPolicy{}))...)),
			600*time.Millisecond, "the default: three backoffs of 200 ms at least")
	})
}

// TestClientWaitsInMilliseconds: a wait with default options against the
// fake's default timeline (five polls before ready) took 33 s when
// Server.Client polled at the SDK's default pace. In a synctest bubble, as
// above, the time it takes is the sum of its pauses between polls.
func TestClientWaitsInMilliseconds(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := newServer(WithInstances("u", "i", "j"))
		s.URL = "http://127.0.0.1"
		c := s.Client(koophone.WithHTTPClient(&http.Client{Transport: handlerTransport{s.serveHTTP}}))
		ctx := context.Background()
		_, err := c.PrepareInstances(ctx, "u", []string{"i", "j"})
		require.NoError(t, err)
		start := time.Now()
		p, err := c.WaitUntilReady(ctx, "u", "i")
		require.NoError(t, err)
		assert.Equal(t, koophone.PrepareReady, p.Status)
		assert.Equal(t, 6, s.Polls("i"))
		assert.LessOrEqual(t, time.Since(start), 50*time.Millisecond, "five pauses of 10 ms at most")

		// A wait's own options still win over the client's defaults: 1s at
		// least between polls, so this wait times out after its first poll.
		_, err = c.WaitUntilReady(ctx, "u", "j", koophone.WithPollInterval(time.Second, time.Second), koophone.WithMaxWait(500*time.Millisecond))
		require.ErrorIs(t, err, koophone.ErrWaitTimeout)
		assert.Equal(t, 1, s.Polls("j"))
	})
}

// handlerTransport answers every request in memory with its handler.
type handlerTransport struct{ serve http.HandlerFunc }

func (h handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	defer in.Body.Close()
	rec := httptest.NewRecorder()
	h.serve(rec, in)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}
