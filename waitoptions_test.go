package koophone_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestWaitRejectsBadOptions(t *testing.T) {
	t.Parallel()
	c, sc, _ := waitSetup(t, map[string][]step{"i-1": {st(0)}})
	for _, opt := range []koophone.WaitOption{
		koophone.WithPollInterval(0, time.Second),
		koophone.WithPollInterval(2*time.Second, time.Second),
		koophone.WithMaxWait(0),
		koophone.WithMaxConsecutiveErrors(-1),
		koophone.WithConcurrency(0),
		nil,
	} {
		_, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", opt)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		_, err = c.WaitAllReady(waitCtx(t), "u", []string{"i-1"}, opt)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	}
	_, err := c.WaitUntilReady(waitCtx(t), "", "i-1")
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	_, err = c.WaitAllReady(waitCtx(t), "u", []string{"i-1", "i-1"})
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	_, err = c.WaitAllReady(waitCtx(t), "u", nil)
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	assert.Zero(t, sc.Polls("i-1"), "nothing was sent")
}

func TestWaitConcurrencyAnyInt(t *testing.T) {
	t.Parallel()
	for _, n := range []int{math.MaxInt, 1 << 40} {
		c, sc, clk := waitSetup(t, map[string][]step{"a": {st(0)}, "b": {st(1), st(0)}})
		got, err := c.WaitAllReady(waitCtx(t), "u", []string{"a", "b"}, koophone.WithClock(clk), koophone.WithConcurrency(n))
		require.NoError(t, err, "concurrency %d", n)
		assert.Len(t, got, 2)
		assert.Equal(t, 2, sc.Polls("b"))
		_, err = c.WaitUntilReady(waitCtx(t), "u", "a", koophone.WithClock(clk), koophone.WithConcurrency(n))
		require.NoError(t, err)
	}
}

func TestWaitOptionsAtTheirLimits(t *testing.T) {
	t.Parallel()
	c, sc, _ := waitSetup(t, map[string][]step{"i-1": {st(1), st(0)}})
	// The real clock: its monotonic reading must survive a deadline that
	// saturates. The first delay is at least 1ns and at most 2ns.
	p, err := c.WaitUntilReady(context.Background(), "u", "i-1", koophone.WithMaxWait(math.MaxInt64),
		koophone.WithPollInterval(1, math.MaxInt64), koophone.WithMaxConsecutiveErrors(math.MaxInt))
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareReady, p.Status)
	assert.Equal(t, 2, sc.Polls("i-1"))
}
