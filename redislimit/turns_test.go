package redislimit_test

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone/redislimit"
)

// TestGoroutinesOfAReplicaAskRedisInTurn: thirty goroutines waiting for
// one spent quota do not each ask Redis every time an attempt is due:
// Redis sees about one request per attempt granted, not one per goroutine.
func TestGoroutinesOfAReplicaAskRedisInTurn(t *testing.T) {
	t.Parallel()
	clients, prefix := redisClients(t, 1)
	scripts := countScripts(clients[0])
	lim := redislimit.New(clients[0], 20, redislimit.WithKeyPrefix(prefix))
	// Cancelled rather than a deadline: a wait that sees the quota would
	// pass its deadline fails at once, after asking Redis once, which
	// thirty goroutines would all do at the end.
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(400*time.Millisecond, cancel)
	var granted atomic.Int64
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lim.Wait(ctx, "ShowProgress") == nil {
				granted.Add(1)
			}
		}()
	}
	wg.Wait()
	require.Greater(t, granted.Load(), int64(20), "the burst and more")
	// Each grant after the burst takes a refusal and a request when due;
	// thirty goroutines asking on their own would make ten times that.
	assert.LessOrEqual(t, scripts.n.Load(), 2*granted.Load()+5, "%d grants", granted.Load())
}

// TestQueuedWaitEndsWithItsContext: a goroutine queued behind another
// that sleeps until the quota is due returns at its own deadline, not
// after the other's sleep.
func TestQueuedWaitEndsWithItsContext(t *testing.T) {
	t.Parallel()
	clients, prefix := redisClients(t, 1)
	scripts := countScripts(clients[0])
	lim := redislimit.New(clients[0], 1, redislimit.WithKeyPrefix(prefix))
	require.NoError(t, lim.Wait(timeout(t, time.Second), "ShowProgress"))
	sleeping := make(chan error, 1)
	go func() { sleeping <- lim.Wait(timeout(t, 5*time.Second), "ShowProgress") }() // due in a second
	require.Eventually(t, func() bool { return scripts.n.Load() >= 2 }, 5*time.Second, time.Millisecond,
		"the other goroutine asked Redis: it holds the turn until the quota is due")

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	err := lim.Wait(ctx, "ShowProgress")
	require.ErrorIs(t, err, context.Canceled)
	select {
	case <-sleeping:
		t.Fatal("the queued wait returned only once the other's turn had ended")
	default:
	}
	assert.True(t, strings.HasPrefix(err.Error(), "koophone: redislimit: waiting for the ShowProgress quota"), err.Error())
	require.NoError(t, <-sleeping)
}
