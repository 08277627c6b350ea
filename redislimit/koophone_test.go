package redislimit_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
	"github.com/koophone-go/koophone/redislimit"
)

var _ koophone.Limiter = (*redislimit.Limiter)(nil)

// TestKooPhoneClientWithTheLimiter: a client whose operation's quota is
// spent fails its call unsent, with an error that matches the context's
// deadline, while another operation still goes through.
func TestKooPhoneClientWithTheLimiter(t *testing.T) {
	t.Parallel()
	clients, prefix := redisClients(t, 1)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	client := srv.Client(koophone.WithLimiter(redislimit.New(clients[0], 1, redislimit.WithKeyPrefix(prefix))))

	_, err := client.PrepareProgress(timeout(t, 5*time.Second), "alice", "phone-1")
	require.NoError(t, err)
	_, err = client.PrepareProgress(timeout(t, 300*time.Millisecond), "alice", "phone-1")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "ShowProgress quota")
	_, err = client.ListInstancesPage(timeout(t, 5*time.Second), 1, nil)
	require.NoError(t, err, "ListInstances has a quota of its own")
	assert.Len(t, srv.Requests(), 2, "the refused call sent nothing")
}

// TestKooPhoneCallWhenRedisIsDown: the call fails unsent, with an error
// that names Redis, and is not retried.
func TestKooPhoneCallWhenRedisIsDown(t *testing.T) {
	t.Parallel()
	rdb := redis.NewClient(&redis.Options{Addr: deadAddr(t)}) // go-redis's default retries
	defer rdb.Close()
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	client := srv.Client(koophone.WithLimiter(redislimit.New(rdb, 100)))

	_, err := client.PrepareProgress(timeout(t, 10*time.Second), "alice", "phone-1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Redis")
	var opErr *net.OpError
	assert.ErrorAs(t, err, &opErr, "go-redis's error is wrapped")
	assert.ErrorIs(t, err, koophone.ErrLimiter)
	assert.Equal(t, 1, strings.Count(err.Error(), "koophone: "), err.Error())
	assert.Empty(t, srv.Requests())
}
