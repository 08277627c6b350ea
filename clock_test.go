package koophone

import (
	"context"
	"sync"
	"time"
)

// FakeClock is a clock for tests. An automatic one moves its time forward
// to every timer's expiry as soon as the timer is set, so waits run in
// microseconds; a manual one fires timers only in Advance.
type FakeClock struct {
	mu     sync.Mutex
	now    time.Time
	auto   bool
	timers []*fakeTimer
	sleeps []time.Duration
}

// NewFakeClock returns a fake clock that starts at a fixed time.
func NewFakeClock(auto bool) *FakeClock {
	return &FakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), auto: auto}
}

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleeps returns the durations timers were set for, in order.
func (c *FakeClock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// Advance moves the time forward by d and fires the timers due by then.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for _, t := range c.timers {
		if t.armed && !t.at.After(c.now) {
			t.fire()
		}
	}
}

func (c *FakeClock) NewTimer(d time.Duration) timer {
	t := &fakeTimer{c: c, ch: make(chan time.Time, 1)}
	c.mu.Lock()
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	t.Reset(d)
	return t
}

type fakeTimer struct {
	c     *FakeClock
	ch    chan time.Time
	at    time.Time
	armed bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

// fire sends the time; the caller holds the clock's lock.
func (t *fakeTimer) fire() {
	t.armed = false
	select {
	case t.ch <- t.c.now:
	default:
	}
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := t.armed
	t.armed = false
	select {
	case <-t.ch:
	default:
	}
	return was
}

func (t *fakeTimer) Reset(d time.Duration) bool {
	was := t.Stop()
	c := t.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	if c.auto {
		c.now = c.now.Add(d)
	}
	t.at, t.armed = c.now.Add(d), true
	if !t.at.After(c.now) || c.auto {
		t.at = c.now
		t.fire()
	}
	return was
}

// WithClock makes a wait use c instead of the real clock.
func WithClock(c *FakeClock) WaitOption { return func(w *waitConfig) { w.clock = c } }

// WithRandom makes a wait draw its jitter from f.
func WithRandom(f func() float64) WaitOption { return func(w *waitConfig) { w.random = f } }

// WaitTaskUsing is [Client.WaitTask] polling getTask instead of GetTask
// (and without checking the id).
func WaitTaskUsing(ctx context.Context, taskID string, getTask func(context.Context, string) ([]JobResult, error), opts ...WaitOption) ([]JobResult, error) {
	return waitTask(ctx, taskID, getTask, opts, new(Client).startWait)
}

// WaitTasksUsing is [Client.WaitTasks] polling getTask instead of GetTask
// (and without checking the ids).
func WaitTasksUsing(ctx context.Context, taskIDs []string, getTask func(context.Context, string) ([]JobResult, error), opts ...WaitOption) (map[string][]JobResult, error) {
	return waitTasks(ctx, taskIDs, getTask, opts, new(Client).startWait)
}
