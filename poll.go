package koophone

import (
	"container/heap"
	"context"
	"errors"
	mrand "math/rand/v2"
	"strconv"
	"time"

	"github.com/koophone-go/koophone/internal/backoff"
)

// WaitOption configures [Client.WaitUntilReady] and [Client.WaitAllReady].
// Options are checked when the wait starts: a bad one makes it return an
// error matching [ErrInvalidParameter] before anything is sent.
type WaitOption func(*waitConfig)

type waitConfig struct {
	minInterval, maxInterval time.Duration
	maxWait                  time.Duration
	maxErrors                int
	concurrency              int
	onPoll                   func(PollEvent)
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

// WithConcurrency sets how many polls [Client.WaitAllReady] keeps in flight
// at once, 8 by default. It must be at least 1.
func WithConcurrency(n int) WaitOption {
	return func(c *waitConfig) { c.concurrency = n }
}

// WithOnPoll calls fn after every poll, successful or not, in the order the
// polls end. Calls never overlap, in WaitAllReady too, so fn needs no lock;
// the wait does not go on while fn runs, so fn should return quickly.
func WithOnPoll(fn func(PollEvent)) WaitOption {
	return func(c *waitConfig) { c.onPoll = fn }
}

// PollEvent describes one poll of a wait, for [WithOnPoll].
type PollEvent struct {
	InstanceID string
	Attempt    int           // 1-based count of this instance's polls
	Progress   Progress      // zero (which reads as ready) when Err != nil: check Err first
	Err        error         // a poll that failed (transient or final)
	Elapsed    time.Duration // since the wait began
	NextDelay  time.Duration // 0 when the wait for this instance ends after this poll
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
	}
	if cfg.clock == nil {
		cfg.clock = realClock{}
	}
	if cfg.random == nil {
		cfg.random = mrand.Float64
	}
	return cfg, nil
}

// WaitUntilReady polls [Client.PrepareProgress] until the instance is ready
// (status 0) and returns its progress. The first poll happens at once; the
// next ones back off with jitter within [WithPollInterval].
//
// It ends early:
//   - status -1: the progress and an error matching [ErrPrepareFailed];
//   - a permanent error (bad parameter, not found, no permission,
//     unauthorized): that error, at once;
//   - more transient failures in a row than [WithMaxConsecutiveErrors]: the last one;
//   - [WithMaxWait] or the context's deadline reached, or the next poll would
//     come after it: the last progress seen and an error matching both
//     [ErrWaitTimeout] and context.DeadlineExceeded;
//   - ctx cancelled: promptly, with an error matching ctx.Err().
//
// Statuses other than 0 and -1, known or not, mean "keep waiting". No
// goroutine or timer outlives the call.
func (c *Client) WaitUntilReady(ctx context.Context, userID, instanceID string, opts ...WaitOption) (Progress, error) {
	if err := checkID("user id", userID); err != nil {
		return Progress{}, err
	}
	if err := checkID("instance id", instanceID); err != nil {
		return Progress{}, err
	}
	w, err := c.newWaiter(ctx, userID, opts)
	if err != nil {
		return Progress{}, err
	}
	st := &instanceWait{id: instanceID}
	var t timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for {
		p, err := w.poll(ctx, st.id)
		delay, done, err := w.record(ctx, st, p, err)
		if done {
			return st.last, err
		}
		if t == nil {
			t = w.cfg.clock.NewTimer(delay)
		} else {
			t.Reset(delay)
		}
		select {
		case <-ctx.Done():
			return st.last, w.contextEnded(ctx, st, nil)
		case <-t.C():
		}
	}
}

// WaitAllReady waits for many instances of one user at once, as
// [Client.WaitUntilReady] does for one: each instance is polled on its own
// backoff schedule, with at most [WithConcurrency] polls in flight, within
// the client's rate limit, and finishes independently. The wait's deadline
// ([WithMaxWait], ctx) is shared.
//
// It returns the last progress of every instance that answered at least
// once (ready, failed or still waiting), and nil when all became ready;
// otherwise errors.Join of one [*InstanceError] per instance that did not,
// in the order of instanceIDs. The ids must be distinct, valid ids (any
// number of them). OnPoll calls never overlap.
func (c *Client) WaitAllReady(ctx context.Context, userID string, instanceIDs []string, opts ...WaitOption) (map[string]Progress, error) {
	if err := checkID("user id", userID); err != nil {
		return nil, err
	}
	if err := checkIDs(instanceIDs, 0); err != nil {
		return nil, err
	}
	w, err := c.newWaiter(ctx, userID, opts)
	if err != nil {
		return nil, err
	}
	states := make([]instanceWait, len(instanceIDs))
	due := make(waitHeap, len(instanceIDs))
	for i, id := range instanceIDs {
		states[i] = instanceWait{id: id, index: i, next: w.start}
		due[i] = &states[i]
	}
	heap.Init(&due)
	errs := w.schedule(ctx, &due)

	out := make(map[string]Progress, len(states))
	var joined []error
	for i := range states {
		if states[i].seen {
			out[states[i].id] = states[i].last
		}
		if errs[i] != nil {
			joined = append(joined, &InstanceError{InstanceID: states[i].id, Err: errs[i]})
		}
	}
	return out, errors.Join(joined...)
}

// waiter is the state one wait shares across its instances.
type waiter struct {
	c        *Client
	cfg      waitConfig
	userID   string
	start    time.Time
	deadline time.Time // the earlier of start+maxWait and the context's deadline
}

func (c *Client) newWaiter(ctx context.Context, userID string, opts []WaitOption) (*waiter, error) {
	if ctx == nil {
		return nil, invalidArg("ctx is nil")
	}
	cfg, err := newWaitConfig(opts)
	if err != nil {
		return nil, err
	}
	w := &waiter{c: c, cfg: cfg, userID: userID, start: cfg.clock.Now()}
	w.deadline = w.start.Add(cfg.maxWait)
	if d, ok := ctx.Deadline(); ok {
		if left := time.Until(d); w.start.Add(left).Before(w.deadline) {
			w.deadline = w.start.Add(left)
		}
	}
	return w, nil
}

// instanceWait is the progress of the wait for one instance.
type instanceWait struct {
	id       string
	index    int       // in the caller's list, and in the heap's order on ties
	attempts int       // polls so far
	failures int       // transient failures in a row
	next     time.Time // when the next poll is due
	last     Progress
	seen     bool // whether last holds an answer
}

// poll asks for the progress once, bounded by the wait's deadline.
func (w *waiter) poll(ctx context.Context, instanceID string) (Progress, error) {
	pctx, cancel := context.WithTimeout(ctx, w.deadline.Sub(w.cfg.clock.Now()))
	defer cancel()
	p, err := w.c.PrepareProgress(pctx, w.userID, instanceID)
	if err != nil && ctx.Err() == nil && pctx.Err() != nil {
		err = errPollDeadline
	}
	return p, err
}

var errPollDeadline = errors.New("the wait's deadline came during a poll")

// record takes the outcome of one poll of st: it updates st, reports the
// event, and says whether the wait for st is over (with its error) or
// when to poll next.
func (w *waiter) record(ctx context.Context, st *instanceWait, p Progress, err error) (time.Duration, bool, error) {
	now := w.cfg.clock.Now()
	st.attempts++
	ev := PollEvent{InstanceID: st.id, Attempt: st.attempts, Elapsed: now.Sub(w.start)}
	delay, done, final := w.decide(ctx, st, p, err, now)
	if err != nil {
		ev.Err = err
	} else {
		ev.Progress = p
	}
	if !done {
		ev.NextDelay = delay
	}
	if w.cfg.onPoll != nil {
		w.cfg.onPoll(ev)
	}
	return delay, done, final
}

func (w *waiter) decide(ctx context.Context, st *instanceWait, p Progress, err error, now time.Time) (time.Duration, bool, error) {
	switch {
	case err != nil && ctx.Err() != nil:
		return 0, true, w.contextEnded(ctx, st, nil)
	case errors.Is(err, errPollDeadline):
		return 0, true, w.timedOut(st, nil)
	case err != nil && !transient(err):
		return 0, true, err
	case err != nil:
		st.failures++
		if st.failures > w.cfg.maxErrors {
			return 0, true, &waitError{msg: "gave up after " + plural(st.failures, "failed poll") + " in a row", last: st.last, seen: st.seen, cause: err}
		}
	default:
		st.last, st.seen, st.failures = p, true, 0
		switch p.Status {
		case PrepareReady:
			return 0, true, nil
		case PrepareFailed:
			return 0, true, &waitError{kind: ErrPrepareFailed, msg: "preparing the instance failed (status -1)", last: p, seen: true}
		}
	}
	delay := backoff.Delay(st.attempts-1, w.cfg.minInterval, w.cfg.maxInterval, w.cfg.random())
	if !now.Add(delay).Before(w.deadline) {
		return 0, true, w.timedOut(st, nil)
	}
	return delay, false, nil
}

// contextEnded is the error for a wait whose context ended: a timeout for
// a deadline, the context's error otherwise.
func (w *waiter) contextEnded(ctx context.Context, st *instanceWait, cause error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return w.timedOut(st, cause)
	}
	return &waitError{kind: ctx.Err(), msg: "the wait was cancelled", last: st.last, seen: st.seen, cause: ctx.Err()}
}

func (w *waiter) timedOut(st *instanceWait, cause error) error {
	return &waitError{
		kind: ErrWaitTimeout,
		msg:  "timed out after " + w.deadline.Sub(w.start).Round(time.Millisecond).String() + " waiting for the instance to be ready",
		last: st.last, seen: st.seen, cause: cause,
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// pollResult is the outcome of one poll started by the scheduler.
type pollResult struct {
	st  *instanceWait
	p   Progress
	err error
}

// schedule runs WaitAllReady's polls: one loop keeps every instance's next
// poll time in a heap and starts the due ones, at most cfg.concurrency at
// once. It returns each instance's final error (nil when ready), by index.
func (w *waiter) schedule(ctx context.Context, due *waitHeap) []error {
	errs := make([]error, due.Len())
	pctx, cancelPolls := context.WithCancel(ctx)
	defer cancelPolls()
	results := make(chan pollResult, w.cfg.concurrency) // never blocks a poll's goroutine
	inflight, pending := 0, due.Len()
	var t timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()

	for pending > 0 {
		now := w.cfg.clock.Now()
		for inflight < w.cfg.concurrency && due.Len() > 0 && !(*due)[0].next.After(now) {
			st := heap.Pop(due).(*instanceWait)
			inflight++
			go func() {
				p, err := w.poll(pctx, st.id)
				results <- pollResult{st: st, p: p, err: err}
			}()
		}
		var wake <-chan time.Time
		if inflight < w.cfg.concurrency && due.Len() > 0 {
			if t == nil {
				t = w.cfg.clock.NewTimer((*due)[0].next.Sub(now))
			} else {
				t.Reset((*due)[0].next.Sub(now))
			}
			wake = t.C()
		}
		select {
		case r := <-results:
			inflight--
			delay, done, err := w.record(ctx, r.st, r.p, r.err)
			if done {
				errs[r.st.index] = err
				pending--
			} else {
				r.st.next = w.cfg.clock.Now().Add(delay)
				heap.Push(due, r.st)
			}
		case <-wake:
		case <-ctx.Done():
			cancelPolls()
			for ; inflight > 0; inflight-- {
				r := <-results // the polls end promptly: their context is cancelled
				if _, done, err := w.record(ctx, r.st, r.p, r.err); done {
					errs[r.st.index] = err
				} else {
					errs[r.st.index] = w.contextEnded(ctx, r.st, nil)
				}
			}
			for due.Len() > 0 {
				st := heap.Pop(due).(*instanceWait)
				errs[st.index] = w.contextEnded(ctx, st, nil)
			}
			return errs
		}
		if t != nil && wake != nil {
			t.Stop()
		}
	}
	return errs
}

// waitHeap orders instances by their next poll time, then by their index.
type waitHeap []*instanceWait

func (h waitHeap) Len() int { return len(h) }
func (h waitHeap) Less(i, j int) bool {
	if h[i].next.Equal(h[j].next) {
		return h[i].index < h[j].index
	}
	return h[i].next.Before(h[j].next)
}
func (h waitHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *waitHeap) Push(x any)   { *h = append(*h, x.(*instanceWait)) }
func (h *waitHeap) Pop() any {
	old := *h
	n := len(old)
	st := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return st
}

// clock is what the waits need of time; tests inject a fake one.
type clock interface {
	Now() time.Time
	NewTimer(d time.Duration) timer
}

// timer is a *time.Timer behind an interface.
type timer interface {
	C() <-chan time.Time
	Stop() bool
	Reset(d time.Duration) bool
}

type realClock struct{}

func (realClock) Now() time.Time                 { return time.Now() }
func (realClock) NewTimer(d time.Duration) timer { return realTimer{time.NewTimer(d)} }

type realTimer struct{ *time.Timer }

func (t realTimer) C() <-chan time.Time { return t.Timer.C }
