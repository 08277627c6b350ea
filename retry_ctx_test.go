package koophone_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// cancelOnEnd is an Observer that ends the call's context as the first
// attempt ends, after its answer was read and before the retry check.
type cancelOnEnd struct {
	koophone.NopObserver
	cancel context.CancelFunc
}

func (o cancelOnEnd) EndAttempt(context.Context, koophone.CallInfo, koophone.AttemptEnd) { o.cancel() }

// A call whose context ends while a retry is due says that the caller gave
// up, not what the last attempt got.
func TestContextEndedBeforeARetryIsTheCallsError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, s := setup(t, always(http.StatusServiceUnavailable, ``), koophone.WithObserver(cancelOnEnd{cancel: cancel}))
	_, err := c.PrepareProgress(ctx, "u", "i-1")
	require.ErrorIs(t, err, context.Canceled)
	var apiErr *koophone.APIError
	assert.NotErrorAs(t, err, &apiErr)
	assert.Len(t, s.Requests(), 1)
}

// A call whose caller gives up after a failed attempt says so, and says
// what that attempt got: "context canceled" alone explains nothing.
func TestCallerGivingUpSaysWhatTheLastAttemptGot(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(timeout(t))
	fail := stubTransport(func(*http.Request) (*http.Response, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	})
	c := newClient(t, koophone.WithEndpoint("https://koophone.example"), koophone.WithHTTPClient(&http.Client{Transport: fail}),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 3, MinBackoff: time.Hour, MaxBackoff: time.Hour}),
		koophone.WithObserver(cancelOnEnd{cancel: cancel}))
	_, err := c.PrepareProgress(ctx, "u", "i")
	require.ErrorIs(t, err, context.Canceled)
	assert.Regexp(t, `^koophone: ShowProgress: context canceled; the last attempt: dial tcp: connect: connection refused \(request id [0-9a-f-]{36}\)$`, err.Error())
	assert.False(t, koophone.Transient(err), "the caller gave up: not the service's fault")

	// A 503 first: the last attempt is the service's answer.
	ctx, cancel = context.WithCancel(timeout(t))
	_, s := setup(t, always(http.StatusServiceUnavailable, `{"error_code":"KOOPHONE.API.9999","error_msg":"busy"}`))
	c = newClient(t, koophone.WithEndpoint(s.URL), koophone.WithObserver(cancelOnEnd{cancel: cancel}),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 3, MinBackoff: time.Hour, MaxBackoff: time.Hour}))
	_, err = c.PrepareProgress(ctx, "u", "i")
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "context canceled; the last attempt: KOOPHONE.API.9999 (HTTP 503): busy")
	assert.Equal(t, 1, strings.Count(err.Error(), "koophone: "))
	assert.Equal(t, 1, strings.Count(err.Error(), "(request id "), "the request id once: %v", err)

	// A gateway's own request id in the answer is the attempt's, and kept.
	ctx, cancel = context.WithCancel(timeout(t))
	_, s = setup(t, always(http.StatusServiceUnavailable, `{"error_code":"KOOPHONE.API.9999","error_msg":"busy","request_id":"gw-1"}`))
	c = newClient(t, koophone.WithEndpoint(s.URL), koophone.WithObserver(cancelOnEnd{cancel: cancel}),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 3, MinBackoff: time.Hour, MaxBackoff: time.Hour}))
	_, err = c.PrepareProgress(ctx, "u", "i")
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "busy (request id gw-1) (request id ")
}

// An attempt the caller cut short has nothing to add.
func TestCallerCuttingAnAttemptShortSaysOnlyThat(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(timeout(t))
	hang := stubTransport(func(r *http.Request) (*http.Response, error) {
		cancel()
		<-r.Context().Done()
		return nil, r.Context().Err()
	})
	c := newClient(t, koophone.WithEndpoint("https://koophone.example"), koophone.WithHTTPClient(&http.Client{Transport: hang}))
	_, err := c.PrepareProgress(ctx, "u", "i")
	require.ErrorIs(t, err, context.Canceled)
	assert.Regexp(t, `^koophone: ShowProgress: context canceled \(request id [0-9a-f-]{36}\)$`, err.Error())
}
