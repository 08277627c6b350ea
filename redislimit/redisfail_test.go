package redislimit_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone/redislimit"
)

// TestRedisRestartedMidRun: while Redis is away the calls fail (never
// unlimited), with an error that names Redis; once it is back, they go
// through again on the same client.
func TestRedisRestartedMidRun(t *testing.T) {
	t.Parallel()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr(), MaxRetries: -1})
	defer rdb.Close()
	lim := redislimit.New(rdb, 100)
	require.NoError(t, lim.Wait(timeout(t, time.Second), "ShowProgress"))

	mr.Close()
	err := lim.Wait(timeout(t, 5*time.Second), "ShowProgress")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Redis")

	require.NoError(t, mr.Restart())
	require.NoError(t, lim.Wait(timeout(t, 5*time.Second), "ShowProgress"))
}

// tcpServer serves each connection to a loopback address with serve,
// until the test ends, and returns the address.
func tcpServer(t *testing.T, serve func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c)
		}
	}()
	return ln.Addr().String()
}

// fakeRedis is a server that speaks RESP and answers every script with
// reply: a server that only looks like Redis.
func fakeRedis(t *testing.T, reply string) string {
	return tcpServer(t, func(c net.Conn) { serveRESP(c, func() string { return reply }) })
}

// serveRESP reads commands (arrays of bulk strings) from c and answers
// what script returns to EVALSHA and EVAL, an error to HELLO and +OK to
// the rest.
func serveRESP(c net.Conn, script func() string) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		var n int
		if _, err := fmt.Fscanf(r, "*%d\r\n", &n); err != nil {
			return
		}
		var name string
		for i := range n {
			var size int
			if _, err := fmt.Fscanf(r, "$%d\r\n", &size); err != nil {
				return
			}
			b := make([]byte, size+2)
			if _, err := io.ReadFull(r, b); err != nil {
				return
			}
			if i == 0 {
				name = strings.ToUpper(string(b[:size]))
			}
		}
		answer := "+OK\r\n"
		switch name {
		case "HELLO": // as a Redis before 6 answers: go-redis then speaks RESP2
			answer = "-ERR unknown command 'HELLO'\r\n"
		case "EVALSHA", "EVAL":
			answer = script()
		}
		if _, err := c.Write([]byte(answer)); err != nil {
			return
		}
	}
}

// TestRedisFailingFailsTheGoroutinesInLineAtOnce: when Redis fails the
// request of the goroutine whose turn it is, those that waited their turn
// fail with it, instead of each asking in turn and waiting as long: a
// hundred calls during an outage would otherwise take a hundred times
// as long to fail.
func TestRedisFailingFailsTheGoroutinesInLineAtOnce(t *testing.T) {
	t.Parallel()
	var scripts atomic.Int64
	started := make(chan struct{}, 4) // a goroutine is about to call Wait
	allStarted := make(chan struct{})
	addr := tcpServer(t, func(c net.Conn) {
		serveRESP(c, func() string {
			scripts.Add(1)
			<-allStarted
			// A slow failure, while the goroutines that have started line up:
			// from Go's scheduler's point of view they are a few instructions
			// from the queue.
			time.Sleep(100 * time.Millisecond)
			return "-ERR out of memory\r\n"
		})
	})
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: 2, DisableIdentity: true, MaxRetries: -1})
	defer rdb.Close()
	lim := redislimit.New(rdb, 10)
	errs := make(chan error, cap(started))
	for range cap(errs) {
		go func() {
			started <- struct{}{}
			errs <- lim.Wait(timeout(t, 10*time.Second), "ShowProgress")
		}()
	}
	for range cap(started) {
		<-started
	}
	close(allStarted)
	for range cap(errs) {
		err := <-errs
		require.Error(t, err)
		assert.Contains(t, err.Error(), "asking Redis for the ShowProgress quota")
		assert.Contains(t, err.Error(), "out of memory")
	}
	assert.Equal(t, int64(1), scripts.Load(), "Redis was asked once")
}

// TestRedisAnswerItCannotReadIsAnError: redis_rate panics over a script's
// answer of the wrong shape, on a goroutine the caller could not recover;
// the wait fails with an error instead.
func TestRedisAnswerItCannotReadIsAnError(t *testing.T) {
	t.Parallel()
	for name, reply := range map[string]string{
		"strings, not numbers": "*4\r\n$1\r\n1\r\n$1\r\n0\r\n$2\r\n-1\r\n$1\r\n0\r\n",
		"not an array":         ":1\r\n",
		"too short":            "*1\r\n:1\r\n",
	} {
		rdb := redis.NewClient(&redis.Options{Addr: fakeRedis(t, reply), Protocol: 2, DisableIdentity: true, MaxRetries: -1})
		t.Cleanup(func() { rdb.Close() })
		err := redislimit.New(rdb, 10).Wait(timeout(t, 5*time.Second), "ShowProgress")
		require.Error(t, err, name)
		assert.Contains(t, err.Error(), "asking Redis for the ShowProgress quota", name)
	}
}
