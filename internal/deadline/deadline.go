// Package deadline bounds many operations of the same length in time, as
// context.WithTimeout does, but with one timer for all of them: an
// operation's Context makes no timer, timer context or cancellation
// function, and is ready to be embedded in a longer-lived struct. Over a
// parent that cannot end it allocates only its Done channel; over one that
// can, it also watches the parent (context.AfterFunc).
//
// The SDK bounds each attempt of a call with it: every attempt of a client
// has the same timeout, so attempts end in the order they start and one
// queue ordered by start holds them all.
//
// A Context passes every Value lookup to its parent. context.Cause of an
// ended Context is its Err from Go 1.25 on; before that (golang/go#73258)
// it is the parent's cause, nil while the parent lives. net/http reads the
// cause of its own contexts derived from it, which is right on every
// version.
package deadline

import (
	"context"
	"sync"
	"time"
)

// Queue starts Contexts that end a fixed timeout after they start, and ends
// them on time. Create one with NewQueue. It is safe for concurrent use.
type Queue struct {
	timeout  time.Duration
	now      func() time.Time                       // time.Now; tests replace it
	newTimer func(time.Duration, func()) timerReset // time.AfterFunc; tests replace it

	mu         sync.Mutex
	head, tail *Context   // pending Contexts, by deadline (= by start)
	timer      timerReset // nil until the first Start
	armed      bool       // timer will fire, at or before head's deadline
}

// timerReset is the part of *time.Timer a Queue uses.
type timerReset interface{ Reset(time.Duration) bool }

// NewQueue returns a Queue whose Contexts end timeout after they start.
// timeout must be positive.
func NewQueue(timeout time.Duration) *Queue {
	return &Queue{
		timeout:  timeout,
		now:      time.Now,
		newTimer: func(d time.Duration, f func()) timerReset { return time.AfterFunc(d, f) },
	}
}

// Start makes c, which must be a zero Context never started before, a
// context that ends when parent ends, when the queue's timeout has passed,
// or when c.Stop is called, whichever comes first. Every started Context
// must be stopped.
func (q *Queue) Start(c *Context, parent context.Context) {
	c.parent, c.q = parent, q
	if err := parent.Err(); err != nil {
		c.deadline = q.now().Add(q.timeout)
		c.end(err) // at once, as context.WithTimeout over a done parent is done
		return
	}
	q.mu.Lock()
	// The time is read under the lock, so deadlines follow the queue's order.
	c.deadline = q.now().Add(q.timeout)
	c.queued = true
	c.prev = q.tail
	if q.tail != nil {
		q.tail.next = c
	} else {
		q.head = c
	}
	q.tail = c
	if !q.armed {
		q.armed = true
		if q.timer == nil {
			q.timer = q.newTimer(q.timeout, q.fire)
		} else {
			q.timer.Reset(q.timeout)
		}
	}
	q.mu.Unlock()
	if parent.Done() != nil {
		c.stopParent = context.AfterFunc(parent, c.parentDone)
	}
}

// remove takes c out of the queue if it is still in it.
func (q *Queue) remove(c *Context) {
	q.mu.Lock()
	if c.queued {
		q.unlink(c)
	}
	q.mu.Unlock()
}

// unlink takes c, which is queued, out of the queue. q.mu is held.
func (q *Queue) unlink(c *Context) {
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		q.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		q.tail = c.prev
	}
	c.prev, c.next, c.queued = nil, nil, false
}

// fire ends every Context whose deadline has passed and sets the timer for
// the next one. The timer runs it in a goroutine of its own.
func (q *Queue) fire() {
	var expired []*Context
	q.mu.Lock()
	now := q.now()
	for q.head != nil && !q.head.deadline.After(now) {
		c := q.head
		q.unlink(c)
		expired = append(expired, c)
	}
	q.armed = q.head != nil
	if q.armed {
		q.timer.Reset(q.head.deadline.Sub(now))
	}
	q.mu.Unlock()
	for _, c := range expired {
		c.end(context.DeadlineExceeded)
	}
}

// Context is the context of one operation, started by Queue.Start. It is
// made to be embedded in a longer-lived struct (the zero value is ready
// for Start) and must not be copied or started twice. Its methods are safe
// for concurrent use.
type Context struct {
	parent     context.Context
	q          *Queue
	deadline   time.Time
	prev, next *Context    // neighbours in q while queued
	queued     bool        // in q: neither expired nor stopped; guarded by q.mu
	stopParent func() bool // stops watching parent; nil when it cannot end

	mu   sync.Mutex
	done chan struct{} // made by the first Done, closed when the Context ends
	err  error         // why it ended; nil while it has not
	fn   func()        // to call when it ends: the first registered
	more []func()      // and any after it (net/http registers one)
}

// Deadline returns when the Context ends at the latest: its own deadline,
// or its parent's if that is earlier.
func (c *Context) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

// Done returns a channel closed when the Context ends.
func (c *Context) Done() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.done == nil {
		c.done = make(chan struct{})
		if c.err != nil {
			close(c.done)
		}
	}
	return c.done
}

// Err returns nil while the Context has not ended; then
// context.DeadlineExceeded if its time ran out, context.Canceled if it was
// stopped, or its parent's error if the parent ended first.
func (c *Context) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Value returns the parent's value for key.
func (c *Context) Value(key any) any { return c.parent.Value(key) }

// AfterFunc arranges for f to be called when the Context ends, in the
// goroutine that ends it (at once, in a goroutine of its own, if it has
// ended already). context.AfterFunc and the contexts derived from c
// (context.WithCancel and the like) use it instead of starting a goroutine
// each to watch c. The stop function returned does not unregister f and
// reports false; f is dropped when the Context ends, which an operation's
// Context does when the operation does.
func (c *Context) AfterFunc(f func()) (stop func() bool) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		go f()
		return stopNothing
	}
	if c.fn == nil {
		c.fn = f
	} else {
		c.more = append(c.more, f)
	}
	c.mu.Unlock()
	return stopNothing
}

func stopNothing() bool { return false }

// Stop ends the Context, if it has not ended, with context.Canceled. It
// must be called once the operation is over, as a cancel function is.
func (c *Context) Stop() {
	c.q.remove(c)
	c.end(context.Canceled)
	if c.stopParent != nil {
		c.stopParent()
	}
}

// parentDone ends the Context when its parent ends.
func (c *Context) parentDone() {
	c.q.remove(c)
	c.end(c.parent.Err())
}

// end ends the Context with err unless it has ended already, and calls
// what was registered with AfterFunc, outside the lock: they may ask for
// its Err.
func (c *Context) end(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	if c.done != nil {
		close(c.done)
	}
	fn, more := c.fn, c.more
	c.fn, c.more = nil, nil
	c.mu.Unlock()
	if fn != nil {
		fn()
	}
	for _, f := range more {
		f()
	}
}
