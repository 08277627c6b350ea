package redislimit_test

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone/redislimit"
)

// scriptCounter is a go-redis hook that counts the scripts a client runs:
// the limiter's requests to Redis.
type scriptCounter struct{ n atomic.Int64 }

func (h *scriptCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *scriptCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if name := cmd.Name(); (name == "evalsha" || name == "eval") && ctx.Err() == nil { // else not sent
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h *scriptCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// countScripts makes rdb count its scripts.
func countScripts(rdb redis.UniversalClient) *scriptCounter {
	h := new(scriptCounter)
	rdb.AddHook(h)
	return h
}

// TestTenantsNeverShareAKey: prefixes that hold tenant ids keep each
// tenant's quotas apart, whatever the ids: "t1" + "ShowProgress" and
// "t1Show" + "Progress" would both be "t1ShowProgress" without the ":"
// between prefix and operation.
func TestTenantsNeverShareAKey(t *testing.T) {
	t.Parallel()
	clients, prefix := redisClients(t, 1)
	t1 := redislimit.New(clients[0], 1, redislimit.WithKeyPrefix(prefix+"t1"))
	t1Show := redislimit.New(clients[0], 1, redislimit.WithKeyPrefix(prefix+"t1Show"))
	require.NoError(t, t1.Wait(timeout(t, time.Second), "ShowProgress"))
	require.NoError(t, t1Show.Wait(timeout(t, 300*time.Millisecond), "Progress"), "a quota of its own")

	keys, err := clients[0].Keys(context.Background(), "rate:"+prefix+"*").Result()
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"rate:" + prefix + "t1:ShowProgress", "rate:" + prefix + "t1Show:Progress"}, keys)

	same := redislimit.New(clients[0], 1, redislimit.WithKeyPrefix(prefix+"t1:"))
	err = same.Wait(timeout(t, 300*time.Millisecond), "ShowProgress")
	require.ErrorIs(t, err, context.DeadlineExceeded, `"t1:" is the prefix "t1" spelt out`)
}

// TestOperationNamesAreChecked: a name that is not an API's (one with a
// ":" could reach another prefix's key) is an error, and Redis is not
// asked.
func TestOperationNamesAreChecked(t *testing.T) {
	t.Parallel()
	clients, prefix := redisClients(t, 1)
	scripts := countScripts(clients[0])
	lim := redislimit.New(clients[0], 10, redislimit.WithKeyPrefix(prefix))
	for _, op := range []string{"", "t2:ShowProgress", "Show Progress", "ShowProgress\r\nFLUSHALL", "ShowProgress*",
		"Sh\u00f6wProgress", strings.Repeat("A", 65)} {
		err := lim.Wait(timeout(t, time.Second), op)
		require.Error(t, err, "%q", op)
		assert.True(t, strings.HasPrefix(err.Error(), "koophone: redislimit: operation "), err.Error())
		assert.Less(t, len(err.Error()), 200, "a long name is not quoted in full")
	}
	assert.Zero(t, scripts.n.Load())
	require.NoError(t, lim.Wait(timeout(t, time.Second), strings.Repeat("A", 64)))
	require.NoError(t, lim.Wait(timeout(t, time.Second), "ShowProgress"))
}
