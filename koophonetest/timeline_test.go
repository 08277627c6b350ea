package koophonetest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

func TestTimelineAt(t *testing.T) {
	t.Parallel()
	queue := koophonetest.Timeline{Queue: 900 * time.Millisecond, Restore: time.Second, QueueStep: 300 * time.Millisecond}
	q, r, ok := koophone.PrepareQueuing, koophone.PrepareRestoring, koophone.PrepareReady
	for _, c := range []struct {
		tl      koophonetest.Timeline
		elapsed time.Duration
		polls   int
		want    koophonetest.Step
	}{
		{koophonetest.Timeline{}, time.Hour, 1, koophonetest.Step{Status: q, WaitingCount: 3}},
		{koophonetest.Timeline{}, 0, 3, koophonetest.Step{Status: q, WaitingCount: 1}},
		{koophonetest.Timeline{}, 0, 5, koophonetest.Step{Status: r}},
		{koophonetest.Timeline{}, 0, 6, koophonetest.Step{Status: ok}},
		{koophonetest.Timeline{QueuePolls: 1, RestorePolls: 1}, 0, 2, koophonetest.Step{Status: r}},
		{queue, 0, 99, koophonetest.Step{Status: q, WaitingCount: 3}},
		{queue, 1, 0, koophonetest.Step{Status: q, WaitingCount: 3}},
		{queue, 601 * time.Millisecond, 0, koophonetest.Step{Status: q, WaitingCount: 1}},
		{queue, 900 * time.Millisecond, 0, koophonetest.Step{Status: r}},
		{queue, 1899 * time.Millisecond, 0, koophonetest.Step{Status: r}},
		{queue, 1900 * time.Millisecond, 0, koophonetest.Step{Status: ok}},
		{koophonetest.Timeline{Restore: time.Second}, 0, 0, koophonetest.Step{Status: r}},
		{koophonetest.Timeline{Queue: 2500 * time.Millisecond}, 0, 0, koophonetest.Step{Status: q, WaitingCount: 3}},
	} {
		assert.Equal(t, c.want, c.tl.At(c.elapsed, c.polls), "%+v at %s, poll %d", c.tl, c.elapsed, c.polls)
	}
	assert.Equal(t, 1900*time.Millisecond, queue.Ready())
	assert.Zero(t, koophonetest.Timeline{}.Ready(), "a timeline of polls")
}

func TestWithTimelinesGivesEachInstanceItsOwn(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := newServer(t, koophonetest.WithInstances("u", "a", "b", "c"), koophonetest.WithClock(clock.Now),
		koophonetest.WithTimelines(func(id string) koophonetest.Timeline {
			if id == "a" {
				return koophonetest.Timeline{Queue: 2 * time.Second, Restore: time.Second, QueueStep: 500 * time.Millisecond}
			}
			if id == "b" {
				return koophonetest.Timeline{Restore: 500 * time.Millisecond}
			}
			return koophonetest.Timeline{QueuePolls: 1, RestorePolls: 1} // of polls
		}))
	c := srv.Client()
	_, err := c.PrepareInstances(ctx(t), "u", []string{"a", "b", "c"})
	require.NoError(t, err)
	status := func(id string) koophonetest.Step {
		p, err := c.PrepareProgress(ctx(t), "u", id)
		require.NoError(t, err)
		return koophonetest.Step{Status: p.Status, WaitingCount: p.WaitingCount}
	}
	assert.Equal(t, koophonetest.Step{Status: koophone.PrepareQueuing, WaitingCount: 4}, status("a"))
	assert.Equal(t, koophonetest.Step{Status: koophone.PrepareRestoring}, status("b"))
	assert.Equal(t, koophonetest.Step{Status: koophone.PrepareQueuing, WaitingCount: 1}, status("c"))
	clock.Advance(time.Second)
	assert.Equal(t, koophonetest.Step{Status: koophone.PrepareQueuing, WaitingCount: 2}, status("a"))
	assert.Equal(t, koophonetest.Step{Status: koophone.PrepareReady}, status("b"))
	assert.Equal(t, koophonetest.Step{Status: koophone.PrepareRestoring}, status("c"))
	clock.Advance(2 * time.Second)
	assert.Equal(t, koophonetest.Step{Status: koophone.PrepareReady}, status("a"))
	assert.Equal(t, koophonetest.Step{Status: koophone.PrepareReady}, status("c"))
}

// A fleet whose instances reach the front of the queue at different
// times: the queue position falls every 300 ms, then each restores for a
// second, on the server's clock.
func ExampleWithTimelines() {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now } // a clock the example moves by hand
	srv := koophonetest.NewServer(
		koophonetest.WithInstances("alice", "phone-1", "phone-2"),
		koophonetest.WithClock(clock),
		koophonetest.WithTimelines(func(id string) koophonetest.Timeline {
			queue := map[string]time.Duration{"phone-1": 600 * time.Millisecond, "phone-2": 1500 * time.Millisecond}[id]
			return koophonetest.Timeline{Queue: queue, QueueStep: 300 * time.Millisecond, Restore: time.Second}
		}),
	)
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()
	if _, err := client.PrepareInstances(ctx, "alice", []string{"phone-1", "phone-2"}); err != nil {
		fmt.Println(err)
		return
	}
	for range 4 {
		p1, _ := client.PrepareProgress(ctx, "alice", "phone-1")
		p2, _ := client.PrepareProgress(ctx, "alice", "phone-2")
		fmt.Printf("%s: %s %d, %s %d\n", now.Format("05.0s"), p1.Status, p1.WaitingCount, p2.Status, p2.WaitingCount)
		now = now.Add(600 * time.Millisecond)
	}
	// Output:
	// 00.0s: queuing 2, queuing 5
	// 00.6s: restoring 0, queuing 3
	// 01.2s: restoring 0, queuing 1
	// 01.8s: ready 0, restoring 0
}
