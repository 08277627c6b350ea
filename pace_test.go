package koophone_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// progressStep answers ShowProgress with status and waitingCount as text.
func progressStep(status int, waiting string) step {
	return step{200, fmt.Sprintf(`{"data":{"status":%d,"waitingCount":%s},"error_code":"0","error_msg":"OK"}`, status, waiting)}
}

// TestPollRateSurvivesHostileQueues: queue positions at the ends of int,
// negative, jumping up and down, and phases flapping never make a wait
// with a budget panic, hang, poll faster than its budget or the min
// interval, or end before its deadline.
func TestPollRateSurvivesHostileQueues(t *testing.T) {
	t.Parallel()
	flap := []step{progressStep(1, "9223372036854775807"), progressStep(1, "-9223372036854775808"), progressStep(2, "0"),
		progressStep(1, "5"), progressStep(1, "1000000000000"), progressStep(2, "3"), progressStep(1, "1"), progressStep(1, "2")}
	for len(flap) < 400 {
		flap = append(flap, flap[len(flap)%8])
	}
	steps := map[string][]step{"flap": flap, "max": {progressStep(1, "9223372036854775807")}, "neg": {progressStep(1, "-5")},
		"down": {progressStep(1, "100"), progressStep(1, "90"), progressStep(1, "80"), progressStep(1, "1"), progressStep(2, "0")}}
	c, sc, clk := waitSetup(t, steps)
	var times []time.Duration
	last := map[string]time.Duration{}
	_, err := c.WaitAllReady(waitCtx(t), "u", []string{"flap", "max", "neg", "down"}, koophone.WithClock(clk),
		koophone.WithConcurrency(1), koophone.WithPollRate(2), koophone.WithMaxWait(10*time.Minute),
		koophone.WithOnPoll(func(e koophone.PollEvent) {
			if at, ok := last[e.InstanceID]; ok {
				assert.GreaterOrEqual(t, e.Elapsed-at, time.Second, "%s polled again after %s", e.InstanceID, e.Elapsed-at)
			}
			last[e.InstanceID] = e.Elapsed
			times = append(times, e.Elapsed)
		}))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Len(t, koophone.InstanceErrors(err), 4, "none is ever ready")
	assert.LessOrEqual(t, busiestSecond(times), 2)
	for id := range steps {
		assert.Greater(t, sc.Polls(id), 5, "%s is polled on", id)
		assert.Greater(t, last[id], 9*time.Minute, "%s is polled until near the deadline", id)
	}
}
