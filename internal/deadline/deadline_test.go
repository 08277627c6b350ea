package deadline

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// fakeTimer records how its queue arms it; tests call Queue.fire themselves.
type fakeTimer struct{ armed []time.Duration }

func (f *fakeTimer) Reset(d time.Duration) bool {
	f.armed = append(f.armed, d)
	return false
}

// fakeQueue returns a queue with a timeout of one second on a clock the
// test moves, and its timer.
func fakeQueue() (*Queue, *time.Time, *fakeTimer) {
	now := time.Now() // parents' deadlines are on the real clock
	timer := &fakeTimer{}
	q := NewQueue(time.Second)
	q.now = func() time.Time { return now }
	q.newTimer = func(d time.Duration, _ func()) timerReset {
		timer.armed = append(timer.armed, d)
		return timer
	}
	return q, &now, timer
}

func ended(c *Context) bool {
	select {
	case <-c.Done():
		return true
	default:
		return false
	}
}

func TestContextEndsAtItsDeadline(t *testing.T) {
	q, now, timer := fakeQueue()
	var a, b Context
	q.Start(&a, context.Background())
	*now = now.Add(300 * time.Millisecond)
	q.Start(&b, context.Background())
	defer a.Stop()
	defer b.Stop()
	assert.Equal(t, []time.Duration{time.Second}, timer.armed, "one timer, armed once, for the first deadline")

	var calls []string
	a.AfterFunc(func() { calls = append(calls, "a") })
	b.AfterFunc(func() { calls = append(calls, "b") })
	d, ok := b.Deadline()
	assert.True(t, ok)
	assert.Equal(t, now.Add(time.Second), d)

	*now = now.Add(699 * time.Millisecond) // a's deadline is 1 ms away
	q.fire()
	assert.False(t, ended(&a))
	assert.Equal(t, time.Millisecond, timer.armed[len(timer.armed)-1], "re-armed for the head")

	*now = now.Add(time.Millisecond)
	q.fire()
	require.True(t, ended(&a))
	assert.ErrorIs(t, a.Err(), context.DeadlineExceeded)
	assert.ErrorIs(t, context.Cause(&a), context.DeadlineExceeded)
	assert.False(t, ended(&b))
	assert.NoError(t, b.Err())
	assert.Equal(t, 300*time.Millisecond, timer.armed[len(timer.armed)-1], "re-armed for b")
	assert.Equal(t, []string{"a"}, calls)

	*now = now.Add(300 * time.Millisecond)
	q.fire()
	assert.ErrorIs(t, b.Err(), context.DeadlineExceeded)
	assert.Equal(t, []string{"a", "b"}, calls)
	assert.Nil(t, q.head)
	assert.False(t, q.armed, "nothing left to wait for")
}

func TestStopEndsTheContextAndLeavesTheQueue(t *testing.T) {
	q, now, timer := fakeQueue()
	var a, b Context
	q.Start(&a, context.Background())
	q.Start(&b, context.Background())
	called := false
	a.AfterFunc(func() { called = true })

	a.Stop()
	assert.True(t, ended(&a))
	assert.ErrorIs(t, a.Err(), context.Canceled)
	assert.True(t, called)
	assert.Same(t, &b, q.head)
	assert.Nil(t, b.prev)

	b.Stop()
	assert.Nil(t, q.head)
	assert.Nil(t, q.tail)
	*now = now.Add(time.Hour)
	q.fire() // the timer armed for a fires late: nothing to do
	assert.ErrorIs(t, a.Err(), context.Canceled, "a stopped Context keeps its error")
	assert.False(t, q.armed)

	var c Context
	q.Start(&c, context.Background())
	defer c.Stop()
	assert.Equal(t, []time.Duration{time.Second, time.Second}, timer.armed, "armed again by the next Start")
}

func TestStopInTheMiddleOfTheQueue(t *testing.T) {
	q, _, _ := fakeQueue()
	var a, b, c Context
	for _, x := range []*Context{&a, &b, &c} {
		q.Start(x, context.Background())
	}
	b.Stop()
	assert.Same(t, &c, a.next)
	assert.Same(t, &a, c.prev)
	a.Stop()
	c.Stop()
	assert.Nil(t, q.head)
	assert.Nil(t, q.tail)
}

func TestParentEndsTheContext(t *testing.T) {
	defer goleak.VerifyNone(t)
	q, _, _ := fakeQueue()
	parent, cancel := context.WithCancelCause(context.Background())
	var c Context
	q.Start(&c, parent)
	defer c.Stop()
	boom := errors.New("boom")
	cancel(boom)
	<-c.Done()
	assert.ErrorIs(t, c.Err(), context.Canceled)
	assert.Nil(t, q.head, "it left the queue")
}

func TestParentEndedBeforeStart(t *testing.T) {
	q, _, _ := fakeQueue()
	parent, cancel := context.WithCancel(context.Background())
	cancel()
	var c Context
	q.Start(&c, parent)
	defer c.Stop()
	assert.ErrorIs(t, c.Err(), context.Canceled, "ended at once, before anything can use it")
	assert.True(t, ended(&c))
	assert.Nil(t, q.head, "never queued")
	d, ok := c.Deadline()
	assert.True(t, ok)
	assert.False(t, d.IsZero())
}

// watchedParent is a parent context that counts who watches it.
type watchedParent struct {
	context.Context
	mu                  sync.Mutex
	watching, unwatched int
}

func (p *watchedParent) Done() <-chan struct{} { return make(chan struct{}) } // never ends

func (p *watchedParent) AfterFunc(func()) func() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.watching++
	return func() bool {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.unwatched++
		return true
	}
}

func TestStopReleasesTheParent(t *testing.T) {
	q := NewQueue(time.Hour)
	parent := &watchedParent{Context: context.Background()}
	for range 100 {
		var c Context
		q.Start(&c, parent)
		c.Stop()
	}
	assert.Equal(t, 100, parent.watching)
	assert.Equal(t, 100, parent.unwatched, "a long-lived parent holds nothing of stopped Contexts")
}

func TestDeadlineIsTheParentsWhenEarlier(t *testing.T) {
	q, now, _ := fakeQueue()
	early := now.Add(500 * time.Millisecond) // before the Context's own, a second away
	parent, cancel := context.WithDeadline(context.Background(), early)
	defer cancel()
	var c Context
	q.Start(&c, parent)
	defer c.Stop()
	d, ok := c.Deadline()
	assert.True(t, ok)
	assert.Equal(t, early, d)
}

func TestValuesComeFromTheParent(t *testing.T) {
	type key struct{}
	q, _, _ := fakeQueue()
	var c Context
	q.Start(&c, context.WithValue(context.Background(), key{}, "v"))
	defer c.Stop()
	assert.Equal(t, "v", c.Value(key{}))
}

func TestDerivedContextsAreWatchedWithoutAGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	q, now, _ := fakeQueue()
	var c Context
	q.Start(&c, context.Background())
	defer c.Stop()
	child, cancel := context.WithCancel(&c) // as net/http does for every request
	defer cancel()
	assert.NotNil(t, c.fn, "registered through AfterFunc")
	*now = now.Add(time.Second)
	q.fire()
	<-child.Done()
	assert.ErrorIs(t, child.Err(), context.DeadlineExceeded)
	assert.ErrorIs(t, context.Cause(child), context.DeadlineExceeded)
}

func TestAfterFuncOnAnEndedContextRunsAtOnce(t *testing.T) {
	q, _, _ := fakeQueue()
	var c Context
	q.Start(&c, context.Background())
	c.Stop()
	ran := make(chan struct{})
	assert.False(t, c.AfterFunc(func() { close(ran) })())
	<-ran
}

func TestDoneAfterTheEnd(t *testing.T) {
	q, _, _ := fakeQueue()
	var c Context
	q.Start(&c, context.Background())
	c.Stop()
	assert.True(t, ended(&c), "a channel made after the end is closed")
}

func TestStartAndStopAllocateNothing(t *testing.T) {
	q := NewQueue(time.Hour)
	var c Context
	q.Start(&c, context.Background())
	c.Stop() // the queue's timer is made once
	allocs := testing.AllocsPerRun(100, func() {
		c = Context{}
		q.Start(&c, context.Background())
		c.Stop()
	})
	assert.Zero(t, allocs)
}

func TestRealTimerUnderLoad(t *testing.T) {
	defer goleak.VerifyNone(t)
	q := NewQueue(5 * time.Millisecond)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				c := new(Context)
				q.Start(c, context.Background())
				if (i+j)%2 == 0 {
					<-c.Done() // waits for the timer
					assert.ErrorIs(t, c.Err(), context.DeadlineExceeded)
				}
				c.Stop()
			}
		}()
	}
	wg.Wait()
	q.mu.Lock()
	defer q.mu.Unlock()
	assert.Nil(t, q.head)
}
