// Package redislimit shares the KooPhone gateway's per-API quota among every
// process of a service, through Redis.
//
// The gateway counts calls per API and per tenant, across every process the
// tenant runs: ten replicas that each keep to 200 calls per second make
// 2,000. A [Limiter] keeps one quota per operation in Redis, with the
// generic cell rate algorithm of github.com/go-redis/redis_rate, so every
// process that builds one on the same Redis and key prefix draws from the
// same quota:
//
//	rdb := redis.NewClient(&redis.Options{Addr: "redis:6379"})
//	client, err := koophone.NewClient(koophone.WithEnvCredentials(),
//		koophone.WithLimiter(redislimit.New(rdb, 80, redislimit.WithKeyPrefix("koophone:tenant-a:"))))
//
// When Redis is down or slow, a call waits for it only within its context
// and then fails with an error that names Redis: it never goes unlimited.
package redislimit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// DefaultKeyPrefix is the prefix of the Redis keys a Limiter uses unless
// [WithKeyPrefix] says otherwise. redis_rate puts "rate:" before it, so
// the quota of ShowProgress lives at "rate:koophone:ShowProgress".
const DefaultKeyPrefix = "koophone:"

// maxOperation bounds an operation's name: the API reference's are far
// shorter.
const maxOperation = 64

// Limiter is a koophone.Limiter whose quotas live in Redis: in any interval
// of t seconds, all the processes that share its Redis and key prefix
// together make at most perSecond·t + perSecond attempts of an operation
// (a burst of perSecond, then perSecond a second): after a quiet spell, up
// to 2·perSecond within one second. A perSecond of 100 keeps every second
// at or under the gateway's 200 calls per API.
//
// Its zero value is not usable (its Wait returns an error): build one with
// [New]. A Limiter is safe for concurrent use by any number of goroutines.
// Of those that wait for one operation, only one at a time asks Redis and
// sleeps until the quota is due; the others queue behind it in the
// process, so that Redis sees about one request per attempt and per
// replica, not one per goroutine. A process then makes at most one
// attempt of an operation per round trip to Redis: a thousand a second
// at 1 ms, far above the gateway's 200 unless Redis is far away. When
// Redis fails that goroutine's request, those in the queue fail with it.
// It keeps nothing else but a small gate for each operation it was asked
// about.
//
// A Wait whose context ends while Redis has not answered returns at once;
// its request goes on in a goroutine until the Redis client gives up, and
// its answer is dropped. Give the Redis client timeouts (go-redis's
// ReadTimeout and WriteTimeout): without them a Redis that stops answering
// keeps such a goroutine for each connection of the client's pool.
type Limiter struct {
	limiter *redis_rate.Limiter
	limit   redis_rate.Limit
	prefix  string
	err     error // a bad argument to New: every Wait returns it

	mu    sync.Mutex
	gates map[string]*gate // by operation
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithKeyPrefix sets the prefix of the Limiter's Redis keys (default
// [DefaultKeyPrefix]). Processes share a quota when they share Redis and
// the prefix: put the tenant or project id here when one Redis serves
// several tenants, since the gateway counts per tenant. A ":" is added
// when the prefix does not end with one, and an operation's name holds
// none, so no two prefixes (whatever the ids in them) share a key:
// "koophone:tenant-a" and "koophone:tenant-a:" are the same prefix. An
// empty prefix is an error that every Wait returns.
func WithKeyPrefix(prefix string) Option {
	return func(l *Limiter) {
		if prefix == "" {
			l.err = errors.New("koophone: redislimit: the key prefix is empty")
		}
		if !strings.HasSuffix(prefix, ":") {
			prefix += ":"
		}
		l.prefix = prefix
	}
}

// New returns a Limiter that allows each operation perSecond attempts a
// second, shared through rdb. New never fails and does no I/O: a nil rdb,
// a perSecond below 1 or a bad option makes every Wait return an error
// (the calls fail, rather than go unlimited); a nil Option is ignored. A
// perSecond far above the gateway's 200 is allowed, and limits next to
// nothing.
func New(rdb redis.UniversalClient, perSecond int, opts ...Option) *Limiter {
	l := &Limiter{limit: redis_rate.PerSecond(perSecond), prefix: DefaultKeyPrefix}
	switch {
	case rdb == nil:
		l.err = errors.New("koophone: redislimit: the Redis client is nil")
	case perSecond < 1:
		l.err = fmt.Errorf("koophone: redislimit: %d calls per second: the quota must be at least 1", perSecond)
	default:
		l.limiter = redis_rate.NewLimiter(rdb)
	}
	for _, opt := range opts {
		if opt != nil {
			opt(l)
		}
	}
	return l
}

// Wait blocks until operation may make one more attempt, taking it from
// the shared quota, or until ctx ends. Its goroutine asks Redis once, and
// again each time the quota says the next attempt is due, after waiting
// its turn among the goroutines of this Limiter that wait for operation.
//
// operation is the API reference's name of the operation (letters and
// digits, such as "ShowProgress"); any other name is an error, as are a
// nil ctx and a Limiter that New did not make, or made with bad
// arguments.
//
// Every error's text starts with "koophone: redislimit: ". It names Redis
// when Redis failed or did not answer before ctx ended, whatever timeouts
// the Redis client was built with; it matches ctx's error when ctx ended,
// and context.DeadlineExceeded when the quota would hold the attempt past
// ctx's deadline.
func (l *Limiter) Wait(ctx context.Context, operation string) error {
	switch {
	case l == nil || l.limiter == nil && l.err == nil:
		return errors.New("koophone: redislimit: a nil or zero Limiter: use New")
	case l.err != nil:
		return l.err
	case ctx == nil:
		return errors.New("koophone: redislimit: nil context")
	}
	if err := checkOperation(operation); err != nil {
		return err
	}
	g := l.gate(operation)
	if err := g.take(ctx, operation); err != nil {
		return err
	}
	defer func() { <-g.turn }()
	key := l.prefix + operation
	for {
		g.asking.Store(true)
		res, err := l.allow(ctx, key)
		if err != nil {
			if ctx.Err() == nil {
				g.fail(err)
			}
			return fmt.Errorf("koophone: redislimit: asking Redis for the %s quota: %w", operation, err)
		}
		g.asking.Store(false) // Redis answered
		if res.Allowed > 0 {
			return nil
		}
		if err := sleep(ctx, res.RetryAfter); err != nil {
			return fmt.Errorf("koophone: redislimit: waiting for the %s quota: %w", operation, err)
		}
	}
}

// checkOperation reports an operation name that is not an API's: one
// with a ":" (or anything but letters and digits) could share a key with
// another prefix's operation.
func checkOperation(op string) error {
	ok := op != "" && len(op) <= maxOperation
	for i := 0; ok && i < len(op); i++ {
		c := op[i]
		ok = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	if !ok {
		return fmt.Errorf("koophone: redislimit: operation %.64q is not an API name (letters and digits, at most %d)", op, maxOperation)
	}
	return nil
}

// allow asks Redis for one attempt, and stops waiting for the answer when
// ctx ends: a Redis client built without timeouts, or with retries, may
// take longer than ctx allows. The answer is then dropped. A panic of
// redis_rate over an answer it cannot read (a server that only looks like
// Redis) is an error, not the end of the program.
func (l *Limiter) allow(ctx context.Context, key string) (*redis_rate.Result, error) {
	type answer struct {
		res *redis_rate.Result
		err error
	}
	done := make(chan answer, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				done <- answer{err: fmt.Errorf("an answer redis_rate could not read: %v", p)}
			}
		}()
		res, err := l.limiter.Allow(ctx, key, l.limit)
		done <- answer{res, err}
	}()
	select {
	case a := <-done:
		return a.res, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// sleep waits for d, or until ctx ends. It fails at once when ctx's
// deadline comes before d is over.
func sleep(ctx context.Context, d time.Duration) error {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < d {
		return fmt.Errorf("the next attempt is due in %v, after the context's deadline: %w", d, context.DeadlineExceeded)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
