package koophone

import (
	"container/heap"
	"time"
)

// How the wait's loop (waiter.schedule) chooses its next poll: the targets
// wait in a dueQueue; pick takes the one to poll, within the budget of
// WithPollRate; paced and replan set when a target is due again, from
// what pace.go predicts.

// dueQueue holds the targets of a wait between their polls, in two heaps
// ordered by when each target is next due: urgent ones, whose last answer
// says the next one likely differs (restoring, or predicted ready: only
// with a budget, [WithPollRate]), and the others. When both have a target
// due, the urgent one is polled first; so with a budget, the polls go
// where an answer most likely changed, and without one the order is as
// it was, by time alone. Every operation is O(log n).
type dueQueue[R any] struct {
	urgent, routine waitHeap[R]
	lead            time.Duration // how far ahead of the routine ones an urgent target may jump
}

func (q *dueQueue[R]) Len() int { return q.urgent.Len() + q.routine.Len() }

// push adds tg to the heap its urgent flag names.
func (q *dueQueue[R]) push(tg *target[R]) {
	if tg.urgent {
		heap.Push(&q.urgent, tg)
	} else {
		heap.Push(&q.routine, tg)
	}
}

// first returns the heap whose top is to be polled next, at now or when
// it is due: the urgent heap if its top is due, else the routine one if
// its top is, else whichever top is due first; when both are due, an
// urgent target goes first unless a routine one has waited longer by
// more than lead (half the min poll interval: the first round of a big
// wait keeps going while predicted-ready ones are polled). The queue must
// not be empty.
func (q *dueQueue[R]) first(now time.Time) *waitHeap[R] {
	switch {
	case q.urgent.Len() == 0:
		return &q.routine
	case q.routine.Len() == 0:
		return &q.urgent
	}
	u, r := q.urgent[0].next, q.routine[0].next
	if !u.After(now) && !r.After(now) { // both due: the urgent one jumps ahead by lead
		u = u.Add(-q.lead)
	}
	if r.Before(u) {
		return &q.routine
	}
	return &q.urgent
}

// spare returns the urgent heap if its top may be polled at now before it
// is due, with a poll to spare: gap (non-zero) after its last poll; else nil.
func (q *dueQueue[R]) spare(now time.Time, gap time.Duration) *waitHeap[R] {
	if gap > 0 && q.urgent.Len() > 0 && !q.urgent[0].polled.Add(gap).After(now) {
		return &q.urgent
	}
	return nil
}

// earliest is when the first target is due, or the top urgent one may be
// polled early (see spare). The queue must not be empty.
func (q *dueQueue[R]) earliest(gap time.Duration) time.Time {
	if q.urgent.Len() == 0 {
		return q.routine[0].next
	}
	at := q.urgent[0].next
	if gap > 0 {
		at = earlier(at, q.urgent[0].polled.Add(gap))
	}
	if q.routine.Len() == 0 {
		return at
	}
	return earlier(at, q.routine[0].next)
}

// clear empties the queue and returns its targets.
func (q *dueQueue[R]) clear() []*target[R] {
	all := append(q.urgent, q.routine...)
	q.urgent, q.routine = nil, nil
	return all
}

// waitHeap orders targets by their next poll time, then by their index.
type waitHeap[R any] []*target[R]

func (h waitHeap[R]) Len() int { return len(h) }
func (h waitHeap[R]) Less(i, j int) bool {
	if h[i].next.Equal(h[j].next) {
		return h[i].index < h[j].index
	}
	return h[i].next.Before(h[j].next)
}
func (h waitHeap[R]) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *waitHeap[R]) Push(x any)   { *h = append(*h, x.(*target[R])) }
func (h *waitHeap[R]) Pop() any {
	old := *h
	n := len(old)
	tg := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return tg
}

// pick takes the target to poll at now out of due, or returns nil when
// none is to be polled yet: the first due one (see dueQueue.first), unless
// what the wait has learnt moves it later (replan); with a budget to
// spare, an urgent target before it is due (see dueQueue.spare).
func (w *waiter[R]) pick(now time.Time, due *dueQueue[R]) *target[R] {
	for due.Len() > 0 {
		h := due.first(now)
		if (*h)[0].next.After(now) {
			h = due.spare(now, w.spare())
		} else if w.replan((*h)[0], now) {
			due.push(heap.Pop(h).(*target[R]))
			continue
		}
		if h == nil || !w.budget.take(now) {
			return nil
		}
		return heap.Pop(h).(*target[R])
	}
	return nil
}

// spare is how long after its last poll an urgent target may be polled
// early, when the budget has a poll to spare; 0: never (no budget).
func (w *waiter[R]) spare() time.Duration {
	if !w.budget.capped() {
		return 0
	}
	return w.cfg.minInterval
}

// replan moves tg's next poll, due at now, later if it was set only to
// learn what the wait has learnt since (see fleet.replan). It reports
// whether it moved.
func (w *waiter[R]) replan(tg *target[R], now time.Time) bool {
	if !w.budget.capped() {
		return false
	}
	nx, ok := w.fleet.replan(&tg.track, now, w.cfg.maxInterval)
	if !ok {
		return false
	}
	tg.next, tg.urgent = now.Add(min(nx.delay, w.deadline.Sub(now)/2)), nx.urgent
	return true
}

func earlier(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// firstPoll is when the target at index i of the wait is first polled: at
// once, or with a budget, in turn at its pace, so that the first round
// leaves room for polls that answers since then call for.
func (w *waiter[R]) firstPoll(i int) time.Time {
	if !w.budget.capped() {
		return w.start
	}
	return w.start.Add(nanoseconds(float64(i) / w.cfg.pollRate * 1e9))
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// expire ends the wait of every target not polled yet: the budget would
// hold their next polls past the deadline.
func (w *waiter[R]) expire(due *dueQueue[R]) {
	for _, tg := range due.clear() {
		tg.err = w.timedOut(tg, nil)
	}
}

// paced is the delay before the next poll of a target, with a budget,
// after a poll at now that answered r: what its phase calls for (see
// fleet.plan), else at most its backoff, and never under the min poll
// interval. A prediction past the deadline is polled halfway there first.
func (w *waiter[R]) paced(tg *target[R], r R, now time.Time, backoff time.Duration) time.Duration {
	var ph phase
	if p, ok := w.subject.(phaser[R]); ok {
		ph = p.phase(r)
	}
	nx := w.fleet.plan(&tg.track, ph, now, w.cfg.maxInterval)
	tg.urgent = nx.urgent
	if nx.sure {
		nx.delay = min(nx.delay, w.deadline.Sub(now)/2)
	} else {
		nx.delay = min(nx.delay, backoff)
	}
	return max(nx.delay, w.cfg.minInterval)
}
