package koophone

import (
	"math"
	"time"

	"golang.org/x/time/rate"
)

// MaxPollRate is the highest rate [WithPollRate] takes: far above what the
// gateway allows one API (200 calls per second), and low enough that the
// spacing of polls stays well above the clock's resolution.
const MaxPollRate = 100_000

// WithPollRate caps how many polls per second one wait makes, all its
// targets together: [Client.WaitAllReady], [Client.WaitTasks], and the
// waits for one target too. Polls are spaced at least 1/perSecond apart,
// so no one-second window (a sliding one, not a calendar second) holds more
// than perSecond of them (⌈perSecond⌉ for a fractional rate). Retries of
// one poll (the client's [RetryPolicy]) are not counted again: bound the
// attempts with [WithRateLimit] (or a client-wide limiter).
//
// Without it a wait makes as many polls as its targets' backoffs and
// [WithConcurrency] allow, as before. With it, the wait also spends its
// polls where an answer most likely changed: an instance that said
// "restoring" around the time the fleet's restores have been taking, a
// queuing instance when its waitingCount, falling at the pace seen so far
// for it (or for the other instances), says it reaches the front;
// anything else, and a queuing instance while no pace is known yet, at a
// fraction of [WithPollInterval]'s max, then along the usual backoff; and
// a poll the budget has to spare goes to a restoring or about-to-be-ready
// instance. [WithPollInterval]'s min still spaces each target's own polls,
// and a prediction further off than its max is checked halfway.
//
// What to expect, on the fake's clock: 300 instances ready 1 to 5 s after
// they were prepared (queue position falling every 300 ms, then a second
// restoring) at 100 polls/s are noticed 0.73 s late on average, p95 1.8 s
// (today's backoff: 1.9 s and 5.4 s, with 300 polls in the first second);
// 10,000 instances ready over 1 to 6 minutes, about a minute of it
// restoring, 12.5 s late on average at 100 polls/s, a quarter of the 50 s
// of polling them in turn (N/(2·rate)); a single instance no later than
// without it, with more polls. See the README's Performance section.
//
// perSecond must be a positive, finite number of at most [MaxPollRate];
// otherwise the wait returns an error matching [ErrInvalidParameter] and
// sends nothing.
func WithPollRate(perSecond float64) WaitOption {
	return func(c *waitConfig) { c.pollRate, c.pollRateSet = perSecond, true }
}

// checkPollRate checks WithPollRate's argument.
func checkPollRate(perSecond float64) error {
	if math.IsNaN(perSecond) || perSecond <= 0 || perSecond > MaxPollRate {
		return invalidArg("poll rate %v must be above 0 and at most %d per second", perSecond, MaxPollRate)
	}
	return nil
}

// budget is WithPollRate's cap on the polls of one wait, on the wait's
// clock. It is a token bucket of one token (golang.org/x/time/rate, driven
// with the clock's times): one poll at most every 1/rate, which bounds any
// sliding one-second window, as a bucket of more tokens would not. Only
// the wait's scheduling loop uses it.
type budget struct {
	lim *rate.Limiter // nil: no cap
}

func newBudget(perSecond float64) budget {
	if perSecond == 0 {
		return budget{}
	}
	return budget{lim: rate.NewLimiter(rate.Limit(perSecond), 1)}
}

// take spends a poll at now, if the budget has one.
func (b budget) take(now time.Time) bool { return b.lim == nil || b.lim.AllowN(now, 1) }

// next is the earliest time after now when take can succeed.
func (b budget) next(now time.Time) time.Time {
	if b.lim == nil {
		return now
	}
	missing := 1 - b.lim.TokensAt(now)
	if missing <= 0 {
		return now
	}
	// Round up: a wake a nanosecond early would find no token yet.
	return now.Add(nanoseconds(math.Ceil(missing / float64(b.lim.Limit()) * 1e9)))
}

// capped reports whether there is a cap.
func (b budget) capped() bool { return b.lim != nil }

// nanoseconds is ns nanoseconds as a Duration, saturated: a tiny rate makes
// the gaps between polls longer than a Duration holds.
func nanoseconds(ns float64) time.Duration { return time.Duration(min(ns, math.MaxInt64/2)) }
