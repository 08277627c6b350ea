package koophone_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestIAMTokenSourceIssuesAndCaches(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	ts := newIAMSource(t, iam, clock, nil)

	tok, err := ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1", tok)
	want := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []any{"password"}, "password": map[string]any{
			"user": map[string]any{"name": "ops", "password": testPassword, "domain": map[string]any{"name": "acme"}}}},
		"scope": map[string]any{"project": map[string]any{"name": "cn-north-4"}},
	}}
	assert.Equal(t, want, iam.bodies[0])

	clock.Advance(23 * time.Hour) // still more than 15 minutes left
	tok, err = ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1", tok, "cached")
	assert.EqualValues(t, 1, iam.requests.Load())

	clock.Advance(46 * time.Minute) // 14 minutes left: renew ahead of expiry
	tok, err = ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-2", tok)
	assert.EqualValues(t, 2, iam.requests.Load())
}

// TestIAMTokenSourceSingleFlight: IAM answers the first request only once
// every caller has asked the source (each reads its clock once), so all of
// them ask while that request is out, however slow the machine.
func TestIAMTokenSourceSingleFlight(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	ts := newIAMSource(t, iam, clock, nil)
	tokens := make([]string, 50)
	iam.held = whenAllAsked(ts, clock, len(tokens))
	var wg sync.WaitGroup
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := ts.Token(timeout(t))
			assert.NoError(t, err)
			tokens[i] = tok
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, iam.requests.Load())
	for _, tok := range tokens {
		assert.Equal(t, "iam-token-1", tok)
	}
}

func TestIAMTokenSourceKeepsTheOldTokenWhenRenewalFails(t *testing.T) {
	t.Parallel()
	ts, iam, clock := inRenewalWindow(t, http.StatusInternalServerError, `{"error":{"code":500,"message":"busy"}}`)
	tok, err := ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1", tok, "the old token still serves")
	assert.EqualValues(t, 4, iam.requests.Load(), "one renewal: a request and two retries")

	tok, err = ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1", tok)
	assert.EqualValues(t, 4, iam.requests.Load(), "no new attempt right after a failure")

	iam.setFail(nil)
	clock.Advance(31 * time.Second)
	tok, err = ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-5", tok, "tried again later")

	iam.setFail(func(int) (int, string) { return http.StatusInternalServerError, `` })
	clock.Advance(24 * time.Hour) // expired: nothing to fall back on
	_, err = ts.Token(timeout(t))
	var iamErr *koophone.IAMError
	require.ErrorAs(t, err, &iamErr)
	assert.Equal(t, http.StatusInternalServerError, iamErr.HTTPStatus)
}

// whenAllAsked makes ts count the callers that read its clock (each Token
// call does, once, before it asks IAM or joins the request under way) and
// returns a channel closed once callers have.
func whenAllAsked(ts koophone.TokenSource, clock *koophone.FakeClock, callers int) chan struct{} {
	all := make(chan struct{})
	var asked atomic.Int32
	koophone.SetIAMClock(ts, func() time.Time {
		if asked.Add(1) == int32(callers) {
			close(all)
		}
		return clock.Now()
	})
	return all
}

func TestIAMTokenSourceHonoursTheContext(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	stalled := make(chan struct{})
	iam.stall = func(n int) bool {
		if n == 1 {
			close(stalled)
		}
		return n == 1
	}
	ts := newIAMSource(t, iam, clock, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ts.Token(ctx)
		done <- err
	}()
	<-stalled // IAM has the request
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	tok, err := ts.Token(timeout(t))
	require.NoError(t, err, "a later caller fetches again")
	assert.Equal(t, "iam-token-2", tok)
}

// TestIAMRefusalIsRemembered: IAM locks a user after a few failed logins,
// so a credential it refuses is never sent again by the source.
func TestIAMRefusalIsRemembered(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden} {
		clock := koophone.NewFakeClock(false)
		iam := newIAMServer(t, clock.Now)
		iam.setFail(func(int) (int, string) { return status, `{"error":{"message":"The username or password is wrong."}}` })
		ts := newIAMSource(t, iam, clock, nil)
		_, first := ts.Token(timeout(t))
		require.Error(t, first)
		for _, wait := range []time.Duration{0, time.Second, time.Minute, 2 * time.Hour} {
			clock.Advance(wait)
			_, err := ts.Token(timeout(t))
			assert.Equal(t, first, err, "the same error, HTTP %d", status)
		}
		assert.EqualValues(t, 1, iam.requests.Load(), "HTTP %d: asked once", status)
	}
}

// TestIAMRefusedRenewalKeepsTheOldToken: a renewal that IAM refuses is not
// tried again; the old token serves until it is no longer usable.
func TestIAMRefusedRenewalKeepsTheOldToken(t *testing.T) {
	t.Parallel()
	ts, iam, clock := inRenewalWindow(t, http.StatusUnauthorized, `{"error":{"message":"The account is locked."}}`)
	for range 3 {
		tok, err := ts.Token(timeout(t))
		require.NoError(t, err)
		assert.Equal(t, "iam-token-1", tok)
		clock.Advance(time.Minute) // past the 30 s a transient failure waits
	}
	assert.EqualValues(t, 2, iam.requests.Load(), "one refused renewal, not repeated")
	clock.Advance(time.Hour)
	_, err := ts.Token(timeout(t))
	require.ErrorIs(t, err, koophone.ErrUnauthorized)
	assert.EqualValues(t, 2, iam.requests.Load())
}

// TestIAMTimeoutIsASharedNetworkFailure: when the IAM client's own timeout
// ends a request, the callers waiting for it share the failure; it is a
// network failure, repeated twice, and not mistaken for a caller giving up
// (each caller then made its own request, one after another). The timeout
// is the http.Client's, on the wall clock; it takes effect once IAM has
// the request (heldTimeout), and IAM has the first one only once every
// caller has asked the source: all of them join it, however slow the
// machine.
func TestIAMTimeoutIsASharedNetworkFailure(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	held := newHeldTimeout(t)
	ts := newIAMSource(t, iam, clock, func(c *koophone.IAMConfig) {
		c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond, Transport: held}
	})
	errs := make([]error, 8)
	all := whenAllAsked(ts, clock, len(errs))
	iam.stall = func(int) bool {
		<-all
		held.Arrived()
		return true
	}
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = ts.Token(timeout(t))
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 3, iam.requests.Load(), "one request and two repeats, shared")
	for _, err := range errs {
		require.Error(t, err)
		assert.Equal(t, errs[0], err, "one shared outcome")
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, context.Canceled)
		assert.Equal(t, "koophone: IAM token: IAM did not answer in time", err.Error())
	}
}

// TestIAMShortLivedTokensAreReused: a token that expires sooner than the
// 15-minute renewal margin (a skewed clock) is not fetched anew for every
// call: it is renewed after 80% of its lifetime, at most once a minute.
func TestIAMShortLivedTokensAreReused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ttl        time.Duration
		kept, gone time.Duration // still used after kept; renewed after gone
	}{
		{10 * time.Minute, 7 * time.Minute, 8*time.Minute + time.Second},
		{30 * time.Second, 50 * time.Second, time.Minute + time.Second},
		{-time.Hour, 50 * time.Second, time.Minute + time.Second}, // expired already by our clock
	}
	for _, tt := range tests {
		clock := koophone.NewFakeClock(false)
		iam := newIAMServer(t, clock.Now)
		iam.ttl = tt.ttl
		ts := newIAMSource(t, iam, clock, nil)
		tok, err := ts.Token(timeout(t))
		require.NoError(t, err)
		require.Equal(t, "iam-token-1", tok)
		clock.Advance(tt.kept)
		tok, err = ts.Token(timeout(t))
		require.NoError(t, err)
		assert.Equal(t, "iam-token-1", tok, "ttl %s: kept after %s", tt.ttl, tt.kept)
		clock.Advance(tt.gone - tt.kept)
		tok, err = ts.Token(timeout(t))
		require.NoError(t, err)
		assert.Equal(t, "iam-token-2", tok, "ttl %s: renewed after %s", tt.ttl, tt.gone)
	}
}
