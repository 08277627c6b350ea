package koophone

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// Limiter decides when a call may make its next attempt. The client asks
// it once per attempt, before anything is sent, with the API reference's
// name of the operation (such as "ShowProgress" or "CreateInstance"), so
// that a limiter can keep one quota per API as the service's gateway does
// (200 calls per second per API, per tenant).
//
// A Limiter is used by every goroutine that uses the client: its Wait must
// be safe for concurrent use. The module
// github.com/koophone-go/koophone/redislimit has one that shares each
// operation's quota among every process that uses the same Redis.
type Limiter interface {
	// Wait blocks until the operation may make one more attempt, or
	// returns ctx's error. Any error ends the call at once, with nothing
	// sent and no retry; the call's error wraps it and matches
	// [ErrLimiter].
	Wait(ctx context.Context, operation string) error
}

// WithLimiter makes every attempt of every call wait for l first (see
// [Limiter]). It excludes [WithRateLimit]; giving both, or a nil l, is
// [ErrInvalidParameter]. The default is no limit.
func WithLimiter(l Limiter) Option {
	return func(cfg *clientConfig) error {
		if l == nil {
			return invalidArg("limiter is nil")
		}
		if cfg.limiter != nil {
			return invalidArg("WithLimiter and WithRateLimit exclude each other, and each may be given once")
		}
		cfg.limiter = l
		return nil
	}
}

// WithRateLimit caps the attempts of each operation at perSecond, with
// bursts of up to burst, as the service's gateway counts (per API): polls
// of ShowProgress do not slow a CreateInstance down. Attempts over the
// cap wait, within their context. The quota is this client's own; to share
// it among processes, give [WithLimiter] a shared limiter instead (the two
// exclude each other). The default is no cap. The gateway allows 200 calls
// per second per API.
func WithRateLimit(perSecond float64, burst int) Option {
	return func(cfg *clientConfig) error {
		if !(perSecond > 0) || math.IsInf(perSecond, 0) {
			return invalidArg("rate limit %v must be a positive number", perSecond)
		}
		if burst < 1 {
			return invalidArg("rate limit burst %d must be at least 1", burst)
		}
		if cfg.limiter != nil {
			return invalidArg("WithLimiter and WithRateLimit exclude each other, and each may be given once")
		}
		cfg.limiter = &operationLimiter{limit: rate.Limit(perSecond), burst: burst}
		return nil
	}
}

// operationLimiter is WithRateLimit's [Limiter]: a token bucket for each
// operation, made when the operation is first called.
type operationLimiter struct {
	limit rate.Limit
	burst int

	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// Wait waits for op's bucket. A wait that cannot end before ctx's deadline
// fails at once with an error matching context.DeadlineExceeded.
func (l *operationLimiter) Wait(ctx context.Context, op string) error {
	if err := l.bucket(op).Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// rate.Limiter says so before the deadline, in an error of its own.
		return fmt.Errorf("the %s rate limit would hold the call past its deadline: %w", op, context.DeadlineExceeded)
	}
	return nil
}

func (l *operationLimiter) bucket(op string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[op]
	if !ok {
		if l.buckets == nil {
			l.buckets = make(map[string]*rate.Limiter)
		}
		b = rate.NewLimiter(l.limit, l.burst)
		l.buckets[op] = b
	}
	return b
}

// waitLimiter asks the client's limiter, if any, for one attempt of op. Its
// error is a *limiterError.
func (c *Client) waitLimiter(ctx context.Context, op string) error {
	if c.limiter == nil {
		return nil
	}
	if err := c.limiter.Wait(ctx, op); err != nil {
		return &limiterError{err: err, ctxErr: ctx.Err()}
	}
	return nil
}

// limiterError is why a limiter refused an attempt. It matches ErrLimiter,
// and wraps the limiter's error and, when the call's context had ended,
// the context's error too.
type limiterError struct{ err, ctxErr error }

func (e *limiterError) Error() string {
	// The call's error starts with "koophone: " already: a limiter's
	// error that does too (redislimit's) does not say it twice.
	msg := "waiting for the rate limit: " + strings.TrimPrefix(e.err.Error(), "koophone: ")
	if e.ctxErr != nil && !errors.Is(e.err, e.ctxErr) {
		msg += " (" + e.ctxErr.Error() + ")"
	}
	return msg
}

func (e *limiterError) Is(target error) bool { return target == ErrLimiter }

func (e *limiterError) Unwrap() []error {
	if e.ctxErr == nil {
		return []error{e.err}
	}
	return []error{e.err, e.ctxErr}
}

// limited reports whether err is a limiter's refusal: the call's error then
// says so, rather than only that the context ended.
func limited(err error) bool {
	var le *limiterError
	return errors.As(err, &le)
}
