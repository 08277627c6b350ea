package koophone_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestWaitUntilReadyFollowsTheStatuses(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(1), st(1), st(2), st(3), st(7), st(0)}})
	var events []koophone.PollEvent
	p, err := c.WaitUntilReady(waitCtx(t), "u", "i-1",
		koophone.WithClock(clk), koophone.WithRandom(noJitter),
		koophone.WithOnPoll(func(e koophone.PollEvent) { events = append(events, e) }))
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareReady, p.Status)
	assert.NotEmpty(t, p.RequestID)
	assert.Equal(t, 6, sc.Polls("i-1"))

	s := time.Second
	assert.Equal(t, []time.Duration{s, 2 * s, 4 * s, 7500 * time.Millisecond, 7500 * time.Millisecond}, clk.Sleeps())
	require.Len(t, events, 6)
	wantStatus := []koophone.PrepareStatus{1, 1, 2, 3, 7, 0}
	wantElapsed := []time.Duration{0, s, 3 * s, 7 * s, 14500 * time.Millisecond, 22 * s}
	for i, e := range events {
		assert.Equal(t, "i-1", e.InstanceID)
		assert.Equal(t, i+1, e.Attempt)
		assert.NoError(t, e.Err)
		assert.Equal(t, wantStatus[i], e.Progress.Status)
		assert.Equal(t, 2, e.Progress.WaitingCount)
		assert.Equal(t, wantElapsed[i], e.Elapsed, "event %d", i)
		if i < 5 {
			assert.Equal(t, clk.Sleeps()[i], e.NextDelay)
		}
	}
	assert.Zero(t, events[5].NextDelay, "the last event says the wait ends")
}

func TestWaitUntilReadyFailed(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(1), st(-1)}})
	p, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk))
	require.ErrorIs(t, err, koophone.ErrPrepareFailed)
	assert.NotErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Equal(t, koophone.PrepareFailed, p.Status)
	assert.Contains(t, err.Error(), "koophone: preparing the instance failed (status -1) (request id "+p.RequestID+")")
	assert.Equal(t, 2, sc.Polls("i-1"))
}

func TestWaitAllReadyResults(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{
		"ready":   {st(1), st(2), st(0)},
		"failed":  {st(1), st(-1)},
		"queuing": {st(1)},
		"flaky":   {unavailable, st(3), unavailable, st(0)},
	})
	ids := []string{"ready", "failed", "missing", "queuing", "flaky"}
	// One poll at a time: with the fake clock jumping to each due poll, a
	// poll in flight would otherwise seem to take minutes.
	got, err := c.WaitAllReady(waitCtx(t), "u", ids, koophone.WithClock(clk), koophone.WithMaxWait(time.Minute), koophone.WithConcurrency(1))

	assert.Equal(t, koophone.PrepareReady, got["ready"].Status)
	assert.Equal(t, koophone.PrepareFailed, got["failed"].Status)
	assert.Equal(t, koophone.PrepareQueuing, got["queuing"].Status)
	assert.Equal(t, koophone.PrepareReady, got["flaky"].Status)
	assert.NotContains(t, got, "missing", "no progress was ever seen for it")
	assert.Len(t, got, 4)
	assert.Equal(t, 3, sc.Polls("ready"))
	assert.Equal(t, 2, sc.Polls("failed"))
	assert.Equal(t, 1, sc.Polls("missing"))
	assert.Equal(t, 4, sc.Polls("flaky"))

	require.Error(t, err)
	joined, ok := err.(interface{ Unwrap() []error })
	require.True(t, ok, "errors.Join of the instances' errors")
	errs := joined.Unwrap()
	require.Len(t, errs, 3)
	want := []struct {
		id       string
		sentinel error
	}{{"failed", koophone.ErrPrepareFailed}, {"missing", koophone.ErrInstanceNotFound}, {"queuing", koophone.ErrWaitTimeout}}
	for i, w := range want {
		var ie *koophone.InstanceError
		require.ErrorAs(t, errs[i], &ie)
		assert.Equal(t, w.id, ie.InstanceID)
		assert.ErrorIs(t, ie, w.sentinel)
	}
	assert.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func TestWaitAllReadyAllReady(t *testing.T) {
	t.Parallel()
	steps := map[string][]step{}
	var ids []string
	for i := range 50 {
		id := fmt.Sprintf("i-%02d", i)
		ids = append(ids, id)
		steps[id] = []step{st(1), st(2), st(0)}
	}
	c, sc, clk := waitSetup(t, steps)
	var inCallback atomic.Bool
	attempts := map[string]int{}
	got, err := c.WaitAllReady(waitCtx(t), "u", ids, koophone.WithClock(clk), koophone.WithConcurrency(8),
		koophone.WithOnPoll(func(e koophone.PollEvent) {
			require.False(t, inCallback.Swap(true), "OnPoll calls overlap")
			defer inCallback.Store(false)
			attempts[e.InstanceID]++ // no lock: calls never overlap
			assert.Equal(t, attempts[e.InstanceID], e.Attempt, "in order")
		}))
	require.NoError(t, err)
	require.Len(t, got, 50)
	for _, id := range ids {
		assert.Equal(t, koophone.PrepareReady, got[id].Status)
		assert.Equal(t, 3, sc.Polls(id), "no wasted polls")
		assert.Equal(t, 3, attempts[id])
	}
}

func TestWaitUntilReadyNeverSeesReadyWhenTheStatusIsUnknown(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(4), st(5), st(6), st(99)}})
	p, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk), koophone.WithMaxWait(time.Hour))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Equal(t, koophone.PrepareStatus(99), p.Status)
	assert.Greater(t, sc.Polls("i-1"), 4)
	assert.Contains(t, err.Error(), "last status PrepareStatus(99)")
	assert.False(t, errors.Is(err, koophone.ErrPrepareFailed))
}
