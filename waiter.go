package koophone

import (
	"container/heap"
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/koophone-go/koophone/internal/backoff"
)

// The generic poller behind every wait. A wait polls one or more targets of
// one kind (instances, tasks), each on its own backoff schedule, and decides
// after each poll: done (ready or failed), keep going, or a failed poll
// (transient: counted; permanent: the end). A subject polls and judges
// the kind, a wording says what errors and events say of it (both belong
// to the wait's owner); the waiter knows nothing of progress or jobs.

// subject is the kind of thing a wait polls, as far as scheduling goes; R
// is the result of one poll.
type subject[R any] interface {
	// poll asks for the state of target id once; prev is its last result
	// (the zero R before one came).
	poll(ctx context.Context, id string, prev R) (R, error)
	// judge says whether r ends the wait for id, and with which error
	// (nil: success).
	judge(id string, r R) (done bool, err error)
}

// wording is how the owner of a wait (poll.go, polltask.go) speaks of its
// targets, in the errors the waiter ends a wait with and in its events.
type wording[R any] interface {
	// waitingFor names what a wait for id waits for, as in "timed out
	// waiting for …".
	waitingFor(id string) string
	// describe describes the last result for an error ("last status …")
	// and returns the request id it came with, if any.
	describe(r R) (last, requestID string)
	// event fills in the fields of a poll event that name id and hold r
	// (r is the zero R for a failed poll).
	event(ev *PollEvent, id string, r R)
}

// waiter is the state one wait shares across its targets.
type waiter[R any] struct {
	subject  subject[R]
	words    wording[R]
	cfg      waitConfig
	start    time.Time
	deadline time.Time // the earlier of start+maxWait and the context's deadline
	budget   budget    // WithPollRate's; with it, polls follow the targets' phases
	fleet    fleet     // what the polls taught, with a budget
}

func newWaiter[R any](ctx context.Context, s subject[R], words wording[R], opts []WaitOption) (*waiter[R], error) {
	if ctx == nil {
		return nil, invalidArg("ctx is nil")
	}
	cfg, err := newWaitConfig(opts)
	if err != nil {
		return nil, err
	}
	w := &waiter[R]{subject: s, words: words, cfg: cfg, start: cfg.clock.Now(), budget: newBudget(cfg.pollRate)}
	w.deadline = w.start.Add(cfg.maxWait)
	if d, ok := ctx.Deadline(); ok {
		if left := time.Until(d); w.start.Add(left).Before(w.deadline) {
			w.deadline = w.start.Add(left)
		}
	}
	return w, nil
}

// target is the progress of the wait for one target.
type target[R any] struct {
	id       string
	index    int       // in the caller's list, and in the heap's order on ties
	attempts int       // polls so far
	failures int       // transient failures in a row
	failed   error     // the error of the last poll when the polls since the last result failed; else nil
	next     time.Time // when the next poll is due
	last     R         // the last result
	seen     bool      // whether last holds a result
	err      error     // how the wait for it ended; nil: success
	track    track     // its phases, with a budget
	urgent   bool      // with a budget: its answer likely changes by next
	polled   time.Time // when its last poll began
}

// run waits for every id and returns their ends, in the order of ids.
func (w *waiter[R]) run(ctx context.Context, ids []string) []target[R] {
	targets := make([]target[R], len(ids))
	due := &dueQueue[R]{routine: make(waitHeap[R], len(ids)), lead: w.cfg.minInterval / 2}
	for i, id := range ids {
		targets[i] = target[R]{id: id, index: i, next: w.firstPoll(i)}
		due.routine[i] = &targets[i]
	}
	heap.Init(&due.routine)
	w.schedule(ctx, due)
	return targets
}

// lastResults returns the last result of every target that answered at
// least once, by id, and joinErrors of wrap(id, err) for every target
// whose wait ended with an error, in the order of targets: the answer of
// a wait for many.
func lastResults[R any](targets []target[R], wrap func(id string, err error) error) (map[string]R, error) {
	out := make(map[string]R, len(targets))
	var errs []error
	for _, t := range targets {
		if t.seen {
			out[t.id] = t.last
		}
		if t.err != nil {
			errs = append(errs, wrap(t.id, t.err))
		}
	}
	return out, joinErrors(errs)
}

// pollResult is the outcome of one poll started by the scheduler.
type pollResult[R any] struct {
	t   *target[R]
	r   R
	err error
}

// schedule runs the polls: one loop keeps every target's next poll time in
// a heap and starts the due ones, at most cfg.concurrency at once, until
// each target's wait has ended. Only this loop calls record, so OnPoll
// calls never overlap.
func (w *waiter[R]) schedule(ctx context.Context, due *dueQueue[R]) {
	pctx, cancelPolls := context.WithCancel(ctx)
	defer cancelPolls()
	limit := min(w.cfg.concurrency, due.Len()) // what depends on it is sized by the targets
	results := make(chan pollResult[R], limit) // never blocks a poll's goroutine
	inflight := 0
	var t timer
	defer func() {
		if t != nil {
			t.Stop()
		}
	}()
	for inflight > 0 || due.Len() > 0 {
		now := w.cfg.clock.Now()
		for inflight < limit && due.Len() > 0 {
			tg := w.pick(now, due)
			if tg == nil {
				break
			}
			tg.polled = now
			inflight++
			prev := tg.last // a target is never polled twice at once
			go func() {
				r, err := w.poll(pctx, tg.id, prev)
				results <- pollResult[R]{t: tg, r: r, err: err}
			}()
		}
		var wake <-chan time.Time
		if inflight < limit && due.Len() > 0 {
			at := later(due.earliest(w.spare()), w.budget.next(now))
			if !at.Before(w.deadline) { // the budget holds every poll past the deadline
				if inflight == 0 {
					w.expire(due)
					return
				}
			} else {
				t = w.arm(t, at.Sub(now))
				wake = t.C()
			}
		}
		select {
		case r := <-results:
			inflight--
			if !w.record(ctx, r) {
				due.push(r.t)
			}
		case <-wake:
		case <-ctx.Done():
			cancelPolls()
			w.drain(ctx, results, inflight, due)
			return
		}
		if wake != nil {
			t.Stop()
		}
	}
}

// arm sets t (made on first use) to fire after d.
func (w *waiter[R]) arm(t timer, d time.Duration) timer {
	if t == nil {
		return w.cfg.clock.NewTimer(d)
	}
	t.Reset(d)
	return t
}

// drain ends a wait whose context ended: it waits for the polls in flight
// (they end promptly: their context is cancelled) and ends every target.
func (w *waiter[R]) drain(ctx context.Context, results <-chan pollResult[R], inflight int, due *dueQueue[R]) {
	for ; inflight > 0; inflight-- {
		w.record(ctx, <-results) // ends the target: ctx is done
	}
	for _, tg := range due.clear() {
		tg.err = w.contextEnded(ctx, tg)
	}
}

// poll polls a target once, bounded by the wait's deadline. A poll that
// cannot finish before the deadline (its context ran out, or the client's
// rate limit would not let it through in time) becomes a *pollDeadlineError.
func (w *waiter[R]) poll(ctx context.Context, id string, prev R) (R, error) {
	pctx, cancel := context.WithTimeout(ctx, w.deadline.Sub(w.cfg.clock.Now()))
	defer cancel()
	r, err := w.subject.poll(pctx, id, prev)
	if err != nil && ctx.Err() == nil &&
		(pctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) && !transient(err)) {
		// A transient error matching DeadlineExceeded is one attempt's
		// timeout, not the wait's.
		err = &pollDeadlineError{cause: err}
	}
	return r, err
}

// pollDeadlineError is a poll that the wait's deadline cut short.
type pollDeadlineError struct{ cause error }

func (e *pollDeadlineError) Error() string {
	return "the wait's deadline came during a poll: " + e.cause.Error()
}

func (e *pollDeadlineError) Unwrap() error { return e.cause }

// record takes the outcome of one poll: it updates the target, reports
// the event, and says whether the wait for the target is over (its error
// is then in t.err); if not, it sets when to poll it next.
func (w *waiter[R]) record(ctx context.Context, res pollResult[R]) bool {
	tg := res.t
	if res.err != nil {
		var zero R
		res.r = zero // what a failed poll returned is neither kept nor shown
	}
	now := w.cfg.clock.Now()
	tg.attempts++
	delay, done, final := w.decide(ctx, tg, res.r, res.err, now)
	ev := PollEvent{Attempt: tg.attempts, Err: res.err, Elapsed: now.Sub(w.start)}
	w.words.event(&ev, tg.id, res.r)
	if done {
		tg.err = final
	} else {
		ev.NextDelay = delay
		tg.next = now.Add(delay)
	}
	if w.cfg.onPoll != nil {
		w.cfg.onPoll(ev)
	}
	return done
}

// decide is the state machine of one target's wait.
func (w *waiter[R]) decide(ctx context.Context, tg *target[R], r R, err error, now time.Time) (time.Duration, bool, error) {
	var late *pollDeadlineError
	switch {
	case err != nil && ctx.Err() != nil:
		if failedAttempt(err) {
			tg.failed = err // the poll the wait's end cut short had failed an attempt first
		}
		return 0, true, w.contextEnded(ctx, tg)
	case errors.As(err, &late):
		return 0, true, w.timedOut(tg, late.cause)
	case err != nil && !transient(err):
		return 0, true, err
	case err != nil:
		tg.failures++
		tg.failed = err
		if tg.failures > w.cfg.maxErrors {
			return 0, true, w.ended(tg, nil, "gave up after "+plural(tg.failures, "failed poll")+" in a row", err)
		}
	default:
		tg.last, tg.seen, tg.failures, tg.failed = r, true, 0, nil
		if done, err := w.subject.judge(tg.id, r); done {
			if err == nil && w.budget.capped() {
				w.fleet.finished(&tg.track, now)
			}
			return 0, true, err
		}
	}
	if ctx.Err() != nil { // a poll that ended well after the wait was cancelled
		return 0, true, w.contextEnded(ctx, tg)
	}
	delay := backoff.Delay(tg.attempts-1, w.cfg.minInterval, w.cfg.maxInterval, w.cfg.random())
	if w.budget.capped() && err == nil {
		delay = w.paced(tg, r, now, delay)
	}
	if !now.Add(delay).Before(w.deadline) {
		return 0, true, w.timedOut(tg, nil) // don't sleep to fail
	}
	return delay, false, nil
}

// contextEnded is the error for a wait whose context ended: a timeout for
// a deadline, the context's error otherwise.
func (w *waiter[R]) contextEnded(ctx context.Context, tg *target[R]) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return w.timedOut(tg, nil)
	}
	return w.ended(tg, ctx.Err(), "the wait was cancelled", ctx.Err())
}

// timedOut is the error for a wait out of time; its cause is cause, else
// the poll that failed last, if the polls since the last result failed.
func (w *waiter[R]) timedOut(tg *target[R], cause error) error {
	if cause == nil {
		cause = tg.failed
	}
	spent := w.deadline.Sub(w.start).Round(time.Millisecond)
	return w.ended(tg, ErrWaitTimeout, "timed out after "+spent.String()+" waiting for "+w.words.waitingFor(tg.id), cause)
}

// failedAttempt reports whether err, a poll's error, is its context's end
// after an attempt that failed (a *callError that says what it got).
func failedAttempt(err error) bool {
	var ce *callError
	return errors.As(err, &ce) && ce.last != nil
}

// ended is the error for a wait that ended without success: msg says what
// happened; it matches kind, and wraps cause.
func (w *waiter[R]) ended(tg *target[R], kind error, msg string, cause error) error {
	e := &waitEndError{kind: kind, msg: msg, last: "no status was seen", cause: cause}
	if tg.seen {
		e.last, e.requestID = w.words.describe(tg.last)
	}
	return e
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// waitEndError is how a wait ended without success: the target failed,
// time ran out, the context was cancelled, or too many polls failed in a
// row. Its text comes from the wait's subject.
type waitEndError struct {
	kind      error  // the sentinel or context error it matches, if any
	msg       string // what happened
	last      string // the last result seen, e.g. "last status queuing (waitingCount 2)"; may be empty
	requestID string // the request id of the last result, if any
	cause     error  // the error behind it, if any
}

func (e *waitEndError) Error() string {
	var b strings.Builder
	b.WriteString("koophone: ")
	b.WriteString(e.msg)
	if e.last != "" {
		b.WriteString("; ")
		b.WriteString(e.last)
	}
	if e.requestID != "" {
		b.WriteString(" (request id " + e.requestID + ")")
	}
	if e.cause != nil && e.cause != e.kind {
		b.WriteString(": ")
		b.WriteString(strings.TrimPrefix(e.cause.Error(), "koophone: "))
	}
	return b.String()
}

// Is matches the wait's kind; a timeout matches context.DeadlineExceeded too.
func (e *waitEndError) Is(target error) bool {
	if e.kind != nil && target == e.kind {
		return true
	}
	return e.kind == ErrWaitTimeout && target == context.DeadlineExceeded
}

func (e *waitEndError) Unwrap() error { return e.cause }
