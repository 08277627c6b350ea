package koophone

import (
	"container/heap"
	"time"
)

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
