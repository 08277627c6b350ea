package redislimit_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone/redislimit"
)

// keyPrefixes gives each test a prefix of its own, so that tests sharing
// one real Redis do not share quotas.
var keyPrefixes atomic.Int64

// redisClients returns n clients of one Redis, as n replicas of a service
// would have, and a key prefix of the test's own. The Redis is the real
// server at REDIS_ADDR when it is set (CI starts one), else an in-process
// miniredis.
func redisClients(t *testing.T, n int) ([]redis.UniversalClient, string) {
	t.Helper()
	addr := os.Getenv("REDIS_ADDR")
	if addr == "" {
		addr = miniredis.RunT(t).Addr()
	}
	clients := make([]redis.UniversalClient, n)
	for i := range clients {
		rdb := redis.NewClient(&redis.Options{Addr: addr})
		t.Cleanup(func() { rdb.Close() })
		clients[i] = rdb
	}
	return clients, fmt.Sprintf("test:%s:%d:%d:", t.Name(), time.Now().UnixNano(), keyPrefixes.Add(1))
}

func timeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

// TestReplicasShareTheQuota: two replicas, each with four goroutines
// calling as fast as they may, together stay within perSecond·t +
// perSecond attempts in every interval of t seconds, and use the quota.
func TestReplicasShareTheQuota(t *testing.T) {
	t.Parallel()
	const perSecond = 40
	clients, prefix := redisClients(t, 2)
	ctx := timeout(t, 1500*time.Millisecond)

	// Each grant happened between its Wait's call and its return, however
	// slowly the goroutines ran: the grants whose Waits were called at or
	// after "from" and returned by "to" all happened within [from, to].
	type grant struct{ called, returned time.Time }
	var mu sync.Mutex
	var granted []grant
	var wg sync.WaitGroup
	for _, rdb := range clients {
		lim := redislimit.New(rdb, perSecond, redislimit.WithKeyPrefix(prefix))
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for called := time.Now(); lim.Wait(ctx, "ShowProgress") == nil; called = time.Now() {
					mu.Lock()
					granted = append(granted, grant{called, time.Now()})
					mu.Unlock()
				}
			}()
		}
	}
	wg.Wait()
	for _, from := range granted {
		for _, to := range granted {
			if to.returned.Before(from.called) {
				continue
			}
			n := 0
			for _, g := range granted {
				if !g.called.Before(from.called) && !g.returned.After(to.returned) {
					n++
				}
			}
			span := to.returned.Sub(from.called)
			require.LessOrEqualf(t, float64(n), perSecond*span.Seconds()+perSecond, "%d attempts within %v", n, span)
		}
	}
	// 1.5 s allow a burst of 40 and about 60 more: well over 60 in all
	// shows the quota was used, not just respected.
	assert.Greater(t, len(granted), 60)
}

// TestQuotasArePerOperationAndPrefix: one operation's spent quota holds
// neither another operation nor another prefix back.
func TestQuotasArePerOperationAndPrefix(t *testing.T) {
	t.Parallel()
	clients, prefix := redisClients(t, 1)
	lim := redislimit.New(clients[0], 1, redislimit.WithKeyPrefix(prefix))
	require.NoError(t, lim.Wait(timeout(t, time.Second), "ShowProgress"))

	// The next ShowProgress is due in a second: a shorter deadline fails at once.
	ctx := timeout(t, 900*time.Millisecond)
	err := lim.Wait(ctx, "ShowProgress")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "ShowProgress quota")
	assert.NoError(t, ctx.Err(), "it did not sit out the deadline")

	require.NoError(t, lim.Wait(timeout(t, time.Second), "CreateInstance"))
	other := redislimit.New(clients[0], 1, redislimit.WithKeyPrefix(prefix+"other:"))
	require.NoError(t, other.Wait(timeout(t, time.Second), "ShowProgress"))
}

// TestWaitsForTheNextAttempt: a spent quota makes Wait wait, not fail,
// when the context allows.
func TestWaitsForTheNextAttempt(t *testing.T) {
	t.Parallel()
	clients, prefix := redisClients(t, 1)
	lim := redislimit.New(clients[0], 10, redislimit.WithKeyPrefix(prefix))
	ctx := timeout(t, 5*time.Second)
	for range 11 { // the burst of 10, then one more a tenth of a second later
		require.NoError(t, lim.Wait(ctx, "ShowProgress"))
	}
}

// deadAddr returns a loopback address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestRedisDownFailsTheCall: nothing listens at the address.
func TestRedisDownFailsTheCall(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: deadAddr(t), MaxRetries: -1})
	defer rdb.Close()
	err := redislimit.New(rdb, 100).Wait(timeout(t, 5*time.Second), "ShowProgress")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Redis")
	assert.True(t, strings.HasPrefix(err.Error(), "koophone: "), err.Error())
}

// TestRedisSilentFailsWithinTheContext: a Redis that accepts connections
// and never answers, behind a client built without any timeout: the wait
// still ends with the context, with an error that names Redis, for the
// goroutine that asked it and those that waited their turn.
func TestRedisSilentFailsWithinTheContext(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	defer close(stop)
	addr := tcpServer(t, func(c net.Conn) { <-stop; c.Close() })
	rdb := redis.NewClient(&redis.Options{Addr: addr, ReadTimeout: -1, WriteTimeout: -1,
		ContextTimeoutEnabled: false, MaxRetries: 10, Protocol: 2})
	defer rdb.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	lim := redislimit.New(rdb, 100)
	errs := make(chan error, 3) // three goroutines: two of them wait their turn
	for range cap(errs) {
		go func() { errs <- lim.Wait(ctx, "ShowProgress") }()
	}
	for range cap(errs) {
		err := <-errs
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "asking Redis for the ShowProgress quota")
	}
}

func TestBadArgumentsFailEveryWait(t *testing.T) {
	t.Parallel()
	clients, _ := redisClients(t, 1)
	for name, lim := range map[string]*redislimit.Limiter{
		"nil client":   redislimit.New(nil, 10),
		"zero quota":   redislimit.New(clients[0], 0),
		"empty prefix": redislimit.New(clients[0], 10, redislimit.WithKeyPrefix("")),
		"nil limiter":  nil,
		"zero limiter": new(redislimit.Limiter),
	} {
		err := lim.Wait(context.Background(), "ShowProgress")
		require.Error(t, err, name)
		assert.True(t, strings.HasPrefix(err.Error(), "koophone: redislimit: "), name)
		assert.False(t, errors.Is(err, context.DeadlineExceeded), name)
	}
	//lint:ignore SA1012 a nil context is the point
	err := redislimit.New(clients[0], 10).Wait(nil, "ShowProgress")
	require.Error(t, err)
	assert.Equal(t, "koophone: redislimit: nil context", err.Error())
}

// TestHugeQuotaLimitsNextToNothing: a perSecond far past anything Redis's
// floating-point arithmetic can tell apart still works, and lets every
// attempt go.
func TestHugeQuotaLimitsNextToNothing(t *testing.T) {
	t.Parallel()
	clients, prefix := redisClients(t, 1)
	lim := redislimit.New(clients[0], math.MaxInt, redislimit.WithKeyPrefix(prefix))
	ctx := timeout(t, 5*time.Second)
	for range 200 {
		require.NoError(t, lim.Wait(ctx, "ShowProgress"))
	}
}
