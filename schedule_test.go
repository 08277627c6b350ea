package koophone_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// TestPollRateWithConcurrentPolls: a budget with several polls in flight,
// on the real clock (fast: 1000 polls a second, 1-2 ms apart).
func TestPollRateWithConcurrentPolls(t *testing.T) {
	t.Parallel()
	steps := map[string][]step{}
	ids := make([]string, 40)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-%02d", i)
		steps[ids[i]] = []step{st(1), st(2), st(0)}
	}
	c, sc, _ := waitSetup(t, steps)
	start := time.Now()
	got, err := c.WaitAllReady(waitCtx(t), "u", ids, koophone.WithConcurrency(8), koophone.WithPollRate(1000),
		koophone.WithPollInterval(time.Millisecond, 2*time.Millisecond))
	require.NoError(t, err)
	assert.Len(t, got, 40)
	for _, id := range ids {
		assert.Equal(t, 3, sc.Polls(id), "no poll wasted on %s", id)
	}
	assert.GreaterOrEqual(t, time.Since(start), 119*time.Millisecond, "120 polls at most 1 ms apart")
}
