package koophone

import (
	"math"
	"time"
)

// Where a wait with a poll budget ([WithPollRate]) spends it. The heap of
// waiter.go still orders the targets by the time they are next due; this
// file only chooses that time, from what the target's last answer said
// (its phase) and what the wait has learned from all its targets so far.
// Every step is O(1), so a poll costs the heap's O(log n).

// phaseKind is where a target is on its way to the end, as far as the
// scheduler cares.
type phaseKind int

const (
	phaseOther     phaseKind = iota // nothing known: back off as without a budget
	phaseQueuing                    // waiting in a queue, at a position
	phaseRestoring                  // on its last stretch
)

// phase is what one result says about when the target's answer may change.
type phase struct {
	kind     phaseKind
	position int // phaseQueuing: the queue position (waitingCount)
}

// phaser is implemented by subjects whose results have phases (instances).
type phaser[R any] interface {
	phase(r R) phase
}

// learnFraction: a queuing target whose queue's pace is not known yet is
// polled again after this fraction of the max poll interval (and never
// later than its backoff), so that the pace is learnt early.
const learnFraction = 8

// minPaceSteps is how many queue positions must have been seen to fall
// before a pace is trusted: one step alone is mostly rounding.
const minPaceSteps = 2

// track is what the scheduler remembers of one target.
type track struct {
	queuedAt    time.Time // the last poll that saw it queuing; zero: none
	position    int       // its queue position then
	pace        paceSum   // its own queue's pace
	entered     time.Time // when it is thought to have begun restoring; zero: unknown
	restoringAt time.Time // the last poll that saw it restoring
	guess       bool      // its next poll was set before its queue's pace was known
}

// paceSum is time spent over queue positions fallen: the pace of a queue.
type paceSum struct {
	spent time.Duration
	steps int
}

// per is the time one queue position takes, if known.
func (p paceSum) per() (time.Duration, bool) {
	if p.steps < minPaceSteps {
		return 0, false
	}
	return p.spent / time.Duration(p.steps), true
}

// fleet is what one wait learns across its targets.
type fleet struct {
	pace     paceSum       // every target's queue, together
	restored time.Duration // restoring phases seen, in all
	restores int           // how many
}

// restore is how long restoring takes, if seen.
func (f *fleet) restore() (time.Duration, bool) {
	if f.restores == 0 {
		return 0, false
	}
	return f.restored / time.Duration(f.restores), true
}

// paceOf is the pace of tr's queue: its own when seen, else the fleet's.
func (f *fleet) paceOf(tr *track) (time.Duration, bool) {
	if p, ok := tr.pace.per(); ok {
		return p, true
	}
	return f.pace.per()
}

// plan learns from a poll at now that saw ph and returns when to poll the
// target next: a delay, and whether it rests on what was learnt (sure);
// a delay that is not sure is only a bound, which the caller may shorten.
func (f *fleet) plan(tr *track, ph phase, now time.Time, maxInterval time.Duration) (time.Duration, bool) {
	switch ph.kind {
	case phaseQueuing:
		f.queued(tr, ph.position, now)
		d, ok := f.untilReady(tr)
		tr.guess = !ok
		if !ok {
			return maxInterval / learnFraction, false
		}
		return d, true
	case phaseRestoring:
		f.restoring(tr, now)
		if l, ok := f.restore(); ok && !tr.entered.IsZero() {
			return tr.entered.Add(l).Sub(now), true
		}
		return 0, false // as soon as the poll interval allows
	}
	return maxInterval, false
}

// untilReady is how long after its last poll a queuing target tr should
// be ready (or at the front, while no restore was seen), if its queue's
// pace is known.
func (f *fleet) untilReady(tr *track) (time.Duration, bool) {
	pace, ok := f.paceOf(tr)
	if !ok {
		return 0, false
	}
	d := times(tr.position, pace) - pace/2 // the position is rounded up
	if l, ok := f.restore(); ok {
		d += l
	}
	return d, true
}

// replan moves the next poll of a queuing target that was due only to
// learn its queue's pace, now that the pace is known from the others: to
// when its last queue position says. It reports the new time, if later
// than now.
func (f *fleet) replan(tr *track, now time.Time) (time.Time, bool) {
	if !tr.guess {
		return time.Time{}, false
	}
	d, ok := f.untilReady(tr)
	if !ok {
		return time.Time{}, false
	}
	tr.guess = false
	at := tr.queuedAt.Add(d)
	return at, at.After(now)
}

// queued records that tr was at position at now, and the pace since the
// last time it was seen queuing.
func (f *fleet) queued(tr *track, position int, now time.Time) {
	if !tr.queuedAt.IsZero() && position <= tr.position {
		step := paceSum{now.Sub(tr.queuedAt), tr.position - position}
		tr.pace.spent += step.spent
		tr.pace.steps += step.steps
		f.pace.spent += step.spent
		f.pace.steps += step.steps
	}
	tr.queuedAt, tr.position = now, position
}

// restoring records that tr was restoring at now, and when it began: just
// after the last poll that saw it queuing, as its pace says, or halfway
// between that poll and this one.
func (f *fleet) restoring(tr *track, now time.Time) {
	tr.restoringAt = now
	if !tr.entered.IsZero() || tr.queuedAt.IsZero() {
		return // known, or unknowable: it was restoring when first seen
	}
	front := now.Sub(tr.queuedAt) / 2
	if pace, ok := f.paceOf(tr); ok {
		front = min(times(tr.position, pace)-pace/2, now.Sub(tr.queuedAt))
	}
	tr.entered = tr.queuedAt.Add(max(front, 0))
}

// finished records that tr was seen ready at now: how long it restored.
func (f *fleet) finished(tr *track, now time.Time) {
	if tr.entered.IsZero() {
		return
	}
	// It became ready between the last poll that saw it restoring and now.
	ready := tr.restoringAt.Add(now.Sub(tr.restoringAt) / 2)
	if ready.After(tr.entered) {
		f.restored += ready.Sub(tr.entered)
		f.restores++
	}
}

// times is n·d, saturated: a queue position comes from the server.
func times(n int, d time.Duration) time.Duration {
	return time.Duration(min(float64(n)*float64(d), math.MaxInt64/2))
}
