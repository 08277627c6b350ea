package koophone_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// recordingLimiter records the operations it is asked about and answers
// with err.
type recordingLimiter struct {
	mu  sync.Mutex
	ops []string
	err error
}

func (l *recordingLimiter) Wait(_ context.Context, op string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ops = append(l.ops, op)
	return l.err
}

func (l *recordingLimiter) asked() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.ops...)
}

func TestLimiterIsAskedOncePerAttemptWithTheOperation(t *testing.T) {
	t.Parallel()
	lim := &recordingLimiter{}
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusServiceUnavailable, ``)
			return
		}
		answer(w, http.StatusOK, okReady)
	}, koophone.WithLimiter(lim))
	_, err := c.PrepareProgress(timeout(t), "u", "i-1")
	require.NoError(t, err)
	assert.Len(t, s.Requests(), 2)
	assert.Equal(t, []string{"ShowProgress", "ShowProgress"}, lim.asked())

	_, err = c.BatchQueryStatus(timeout(t), []string{"i-1"})
	_ = err // the answer does not matter: the limiter was asked first
	assert.Equal(t, "BatchQueryStatus", lim.asked()[2])
}

func TestLimiterErrorEndsTheCallUnsent(t *testing.T) {
	t.Parallel()
	quota := errors.New("quota store unreachable")
	lim := &recordingLimiter{err: quota}
	c, s := setup(t, always(http.StatusOK, okReady), koophone.WithLimiter(lim))
	_, err := c.PrepareProgress(timeout(t), "u", "i-1")
	require.ErrorIs(t, err, quota)
	assert.ErrorIs(t, err, koophone.ErrLimiter)
	assert.NotErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "quota store unreachable")
	assert.Empty(t, s.Requests(), "nothing is sent")
	assert.Len(t, lim.asked(), 1, "not retried")
}

// TestOnlyALimitersRefusalMatchesErrLimiter: the service's answers, the
// network and the caller's own deadline do not match ErrLimiter; the
// rate limit of WithRateLimit does.
func TestOnlyALimitersRefusalMatchesErrLimiter(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, always(http.StatusOK, `{"error_code":"KOOPHONE.API.4001","error_msg":"no"}`))
	_, err := c.PrepareProgress(timeout(t), "u", "i-1")
	require.ErrorIs(t, err, koophone.ErrInstanceNotFound)
	assert.NotErrorIs(t, err, koophone.ErrLimiter)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.PrepareProgress(ctx, "u", "i-1")
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, koophone.ErrLimiter)

	limited, _ := setup(t, always(http.StatusOK, okReady), koophone.WithRateLimit(0.001, 1))
	_, err = limited.PrepareProgress(timeout(t), "u", "i-1")
	require.NoError(t, err)
	_, err = limited.PrepareProgress(timeout(t), "u", "i-1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, koophone.ErrLimiter)
}

// TestLimiterErrorSaysKoophoneOnce: a limiter whose errors start with
// "koophone: ", as redislimit's do, does not make the call's error say it
// twice.
func TestLimiterErrorSaysKoophoneOnce(t *testing.T) {
	t.Parallel()
	lim := &recordingLimiter{err: errors.New("koophone: redislimit: asking Redis: connection refused")}
	c, _ := setup(t, always(http.StatusOK, okReady), koophone.WithLimiter(lim))
	_, err := c.PrepareProgress(timeout(t), "u", "i-1")
	require.Error(t, err)
	assert.Equal(t, 1, strings.Count(err.Error(), "koophone: "), err.Error())
	assert.Contains(t, err.Error(), "koophone: ShowProgress: waiting for the rate limit: redislimit: asking Redis: connection refused")
}

// cancellingLimiter ends the call's context while the call waits for it,
// and fails with an error of its own that does not wrap the context's.
type cancellingLimiter struct{ cancel context.CancelFunc }

func (l cancellingLimiter) Wait(ctx context.Context, _ string) error {
	l.cancel()
	<-ctx.Done()
	return errors.New("gave up")
}

func TestLimiterErrorMatchesTheEndedContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, s := setup(t, always(http.StatusOK, okReady), koophone.WithLimiter(cancellingLimiter{cancel}))
	_, err := c.PrepareProgress(ctx, "u", "i-1")
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, koophone.ErrLimiter)
	assert.Contains(t, err.Error(), "gave up")
	assert.Empty(t, s.Requests())
}

// TestRateLimitIsPerOperation: the gateway counts per API, so one
// operation's exhausted quota does not hold another operation back.
func TestRateLimitIsPerOperation(t *testing.T) {
	t.Parallel()
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path == "/v1/instances/prepare-progress" {
			answer(w, http.StatusOK, okReady)
			return
		}
		answer(w, http.StatusOK, `{"error_code":"0","error_msg":"OK","data":[]}`)
	}, koophone.WithRateLimit(0.001, 1))

	_, err := c.PrepareProgress(timeout(t), "u", "i-1")
	require.NoError(t, err, "the burst lets the first call through")

	// ShowProgress's bucket is empty for the next 1000 s: the call fails at
	// once, as its deadline comes first, and sends nothing.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err = c.PrepareProgress(ctx, "u", "i-1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "ShowProgress rate limit")
	assert.Len(t, s.Requests(), 1)

	// Another operation has a bucket of its own.
	_, err = c.BatchQueryStatus(timeout(t), []string{"i-1"})
	_ = err
	assert.Len(t, s.Requests(), 2, "BatchQueryStatus is not held back by ShowProgress's quota")
}

func TestLimiterOptionsAreChecked(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string][]koophone.Option{
		"nil limiter":         {koophone.WithLimiter(nil)},
		"limiter, rate limit": {koophone.WithLimiter(&recordingLimiter{}), koophone.WithRateLimit(1, 1)},
		"rate limit, limiter": {koophone.WithRateLimit(1, 1), koophone.WithLimiter(&recordingLimiter{})},
		"two limiters":        {koophone.WithLimiter(&recordingLimiter{}), koophone.WithLimiter(&recordingLimiter{})},
	} {
		_, err := koophone.NewClient(append([]koophone.Option{koophone.WithToken("t")}, opts...)...)
		require.ErrorIs(t, err, koophone.ErrInvalidParameter, name)
		assert.Contains(t, strings.ToLower(err.Error()), "limiter", name)
	}
}
