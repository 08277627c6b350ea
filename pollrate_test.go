package koophone_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// fakeFleet starts a koophonetest server on clk whose instances follow m,
// prepares them all at the clock's present time, and returns a client
// without retries (so a poll is one request).
func fakeFleet(t *testing.T, m fleetModel, clk *koophone.FakeClock) (*koophonetest.Server, *koophone.Client) {
	t.Helper()
	srv := koophonetest.NewServer(koophonetest.WithClock(clk.Now), koophonetest.WithInstances("user-1", m.ids...),
		koophonetest.WithTimelines(func(id string) koophonetest.Timeline { return m.timelines[id] }))
	t.Cleanup(srv.Close)
	c := srv.Client(koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
	for i := 0; i < len(m.ids); i += 100 {
		_, err := c.PrepareInstances(context.Background(), "user-1", m.ids[i:min(i+100, len(m.ids))])
		require.NoError(t, err)
	}
	return srv, c
}

// TestPollRateFleetOf300 is the goal: 300 instances ready 1 to 5 s
// after they were prepared, queue positions falling every 300 ms, one
// second of restoring, 100 polls per second.
func TestPollRateFleetOf300(t *testing.T) {
	t.Parallel()
	m := queueModel(300, time.Second, 5*time.Second, time.Second, time.Second, 300*time.Millisecond, 1)
	clk := koophone.NewFakeClock(true)
	srv, c := fakeFleet(t, m, clk)

	st := runFleet(t, c, m, clk, nil, koophone.WithPollRate(100))
	t.Log(st)
	assert.Equal(t, 300, st.detected, "every instance is seen ready")
	assert.Zero(t, st.errors, "no poll failed (no 429)")
	assert.LessOrEqual(t, st.busiest, 100, "never over 100 polls in a second")
	assert.LessOrEqual(t, st.mean, 900*time.Millisecond)
	assert.LessOrEqual(t, st.p95, 2200*time.Millisecond)
	for _, r := range srv.Requests() {
		assert.False(t, r.Fault)
	}
}
