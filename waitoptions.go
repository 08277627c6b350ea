package koophone

import (
	mrand "math/rand/v2"
	"time"
)

// WaitOption configures the waits: [Client.WaitUntilReady],
// [Client.WaitAllReady], [Client.WaitTask] and [Client.WaitTasks].
// Options are checked when the wait starts: a bad one makes it return an
// error matching [ErrInvalidParameter] before anything is sent.
type WaitOption func(*waitConfig)

type waitConfig struct {
	minInterval, maxInterval time.Duration
	maxWait                  time.Duration
	maxErrors                int
	concurrency              int
	pollRate                 float64 // WithPollRate's; 0: no cap
	pollRateSet              bool
	onPoll                   func(PollEvent)
	jobs                     jobNames       // WithJobs
	clock                    clock          // nil: the real clock
	random                   func() float64 // nil: math/rand/v2
}

// Defaults of the wait options.
const (
	DefaultMinPollInterval      = time.Second
	DefaultMaxPollInterval      = 15 * time.Second
	DefaultMaxWait              = 10 * time.Minute
	DefaultMaxConsecutiveErrors = 5
	DefaultConcurrency          = 8
)

// WithPollInterval sets the bounds of the backoff between polls, 1s to 15s
// by default. The delay grows exponentially with jitter from min to max.
// min must be positive and max at least min.
func WithPollInterval(min, max time.Duration) WaitOption {
	return func(c *waitConfig) { c.minInterval, c.maxInterval = min, max }
}

// WithMaxWait bounds the whole wait, 10 minutes by default; the context's
// deadline applies too, whichever is earlier. It must be positive.
func WithMaxWait(d time.Duration) WaitOption {
	return func(c *waitConfig) { c.maxWait = d }
}

// WithMaxConsecutiveErrors sets how many transient poll failures in a row
// are tolerated, 5 by default; 0 ends the wait at the first failure. A
// successful poll resets the count. Each poll is itself retried by the
// client's [RetryPolicy] before it counts as failed.
func WithMaxConsecutiveErrors(n int) WaitOption {
	return func(c *waitConfig) { c.maxErrors = n }
}

// WithConcurrency sets how many polls a wait for many targets
// ([Client.WaitAllReady], [Client.WaitTasks]) keeps in flight at once, 8 by
// default. It must be at least 1; a number above the number of targets
// counts as that number, so any int is safe.
func WithConcurrency(n int) WaitOption {
	return func(c *waitConfig) { c.concurrency = n }
}

// WithOnPoll calls fn after every poll, successful or not, in the order the
// polls end. Calls never overlap, in WaitAllReady too, so fn needs no lock;
// the wait does not go on while fn runs, so fn should return quickly. The
// event's Jobs slice is the wait's own: fn must not modify it.
func WithOnPoll(fn func(PollEvent)) WaitOption {
	return func(c *waitConfig) { c.onPoll = fn }
}

// PollEvent describes one poll of a wait, for [WithOnPoll]. A wait for
// instances sets InstanceID and Progress; a wait for tasks sets TaskID and
// Jobs, and leaves InstanceID and Progress zero.
type PollEvent struct {
	InstanceID string
	TaskID     string
	Attempt    int           // 1-based count of this instance's (or task's) polls
	Progress   Progress      // zero (which reads as ready) when Err != nil: check Err first
	Jobs       []JobResult   // the task's jobs as this poll saw them; nil when Err != nil
	Err        error         // a poll that failed (transient or final)
	Elapsed    time.Duration // since the wait began
	NextDelay  time.Duration // 0 when the wait for this instance (or task) ends after this poll
}

func newWaitConfig(opts []WaitOption) (waitConfig, error) {
	cfg := waitConfig{
		minInterval: DefaultMinPollInterval,
		maxInterval: DefaultMaxPollInterval,
		maxWait:     DefaultMaxWait,
		maxErrors:   DefaultMaxConsecutiveErrors,
		concurrency: DefaultConcurrency,
	}
	for i, opt := range opts {
		if opt == nil {
			return cfg, invalidArg("wait option %d is nil", i)
		}
		opt(&cfg)
	}
	switch {
	case cfg.minInterval <= 0 || cfg.maxInterval < cfg.minInterval:
		return cfg, invalidArg("poll interval %s..%s: min must be positive and max at least min", cfg.minInterval, cfg.maxInterval)
	case cfg.maxWait <= 0:
		return cfg, invalidArg("max wait %s must be positive", cfg.maxWait)
	case cfg.maxErrors < 0:
		return cfg, invalidArg("max consecutive errors %d must not be negative", cfg.maxErrors)
	case cfg.concurrency < 1:
		return cfg, invalidArg("concurrency %d must be at least 1", cfg.concurrency)
	case cfg.pollRateSet:
		if err := checkPollRate(cfg.pollRate); err != nil {
			return cfg, err
		}
	}
	if cfg.clock == nil {
		cfg.clock = realClock{}
	}
	if cfg.random == nil {
		cfg.random = mrand.Float64
	}
	return cfg, nil
}
