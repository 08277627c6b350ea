package koophone_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestWithWaitDefaults(t *testing.T) {
	t.Parallel()
	c, sc, clk := waitSetup(t, map[string][]step{"i-1": {st(1)}},
		koophone.WithWaitDefaults(koophone.WithMaxWait(10*time.Second), koophone.WithPollInterval(time.Second, time.Second)))
	_, err := c.WaitUntilReady(waitCtx(t), "u", "i-1", koophone.WithClock(clk))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Contains(t, err.Error(), "timed out after 10s")
	assert.Equal(t, 10, sc.Polls("i-1"), "a poll a second for 10s")

	_, err = c.WaitAllReady(waitCtx(t), "u", []string{"i-1"}, koophone.WithClock(clk), koophone.WithMaxWait(3*time.Second))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Contains(t, err.Error(), "timed out after 3s", "the wait's own option wins")
	assert.Equal(t, 13, sc.Polls("i-1"))

	for _, bad := range [][]koophone.WaitOption{{nil}, {koophone.WithMaxWait(-1)}, {koophone.WithConcurrency(0)}} {
		_, err := koophone.NewClient(koophone.WithToken("t"), koophone.WithWaitDefaults(bad...))
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	}
}
