package koophone

import (
	"math"
	"time"
)

// Where a wait with a poll budget ([WithPollRate]) spends it. The heaps of
// schedule.go order the targets by the time they are next due; this file
// only chooses that time, and whether it is urgent, from what the
// target's last answer said (its phase) and what the wait has learned
// from all its targets so far (the queue's pace, the restore length).
// Every step is O(1), so a poll costs the heaps' O(log n).

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
	queuing     bool      // the last poll saw it queuing
	knew        knowledge // what the wait knew when it planned the next poll
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

// next is when to poll a target again, as the scheduler plans it.
type next struct {
	delay  time.Duration
	sure   bool // it rests on what was learnt; else it is a bound the caller may shorten
	urgent bool // the answer likely changes by then
}

// plan learns from a poll at now that saw ph and plans the next one.
func (f *fleet) plan(tr *track, ph phase, now time.Time, maxInterval time.Duration) next {
	switch ph.kind {
	case phaseQueuing:
		f.queued(tr, ph.position, now)
	case phaseRestoring:
		f.restoring(tr, now)
	default:
		tr.queuing, tr.knew = false, knowAll
		return next{delay: maxInterval}
	}
	return f.ahead(tr, now, maxInterval)
}

// ahead plans tr's next poll at now from what is known. Without a
// prediction: soon, to learn (a queuing target; a restoring one after half
// as long as it has been restoring, or at once). With one: then, or halfway there when it is
// further than maxInterval (so that a long prediction is checked, and the
// pace measured over a longer span); after it, half as long again as it
// has been overdue, so that a longer restore than usual costs a few polls,
// not one a second.
func (f *fleet) ahead(tr *track, now time.Time, maxInterval time.Duration) next {
	at, ok := f.predict(tr)
	switch {
	case !ok && tr.queuing:
		return next{delay: maxInterval / learnFraction}
	case !ok && !tr.entered.IsZero():
		return next{delay: now.Sub(tr.entered) / 2, urgent: true}
	case !ok:
		return next{urgent: true} // restoring since before it was first polled
	}
	d := at.Sub(now)
	switch {
	case d > maxInterval:
		return next{delay: d / 2, sure: true}
	case d > 0:
		return next{delay: d, sure: true, urgent: true}
	}
	return next{delay: min(-d/2, maxInterval), sure: true, urgent: true}
}

// predict is when tr should be ready, from its last poll: for a queuing
// target, when its position and its queue's pace say it reaches the front,
// plus the restore length; for a restoring one, when it began plus the
// restore length. ok is false when the pace is not known (queuing), or the
// restore length or its start is not (restoring): then poll it soon to
// learn. Where only the restore length is missing, a queuing target is
// predicted to be at the front then. tr.knew records what was known.
func (f *fleet) predict(tr *track) (at time.Time, ok bool) {
	tr.knew = f.knows(tr)
	l, known := f.restore()
	if !tr.queuing {
		if !known || tr.entered.IsZero() {
			return time.Time{}, false
		}
		return tr.entered.Add(l), true
	}
	pace, ok := f.paceOf(tr)
	if !ok {
		return time.Time{}, false
	}
	return tr.queuedAt.Add(times(tr.position, pace) - pace/2 + l), true // the position is rounded up
}

// knowledge is what a prediction rests on.
type knowledge uint8

const (
	knowPace    knowledge = 1 << iota // the pace of the target's queue
	knowRestore                       // how long restoring takes
	knowAll     = knowPace | knowRestore
)

// knows is what the wait knows for tr's prediction.
func (f *fleet) knows(tr *track) knowledge {
	var k knowledge
	if _, ok := f.paceOf(tr); ok {
		k |= knowPace
	}
	if _, ok := f.restore(); ok {
		k |= knowRestore
	}
	return k
}

// replan plans again, at now, the next poll of a target that was planned
// while the wait knew less (its queue's pace, or the restore length),
// if what it knows now says to poll it later.
func (f *fleet) replan(tr *track, now time.Time, maxInterval time.Duration) (next, bool) {
	if f.knows(tr)&^tr.knew == 0 {
		return next{}, false
	}
	if at, ok := f.predict(tr); !ok || !at.After(now) {
		return next{}, false
	}
	return f.ahead(tr, now, maxInterval), true
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
	tr.queuedAt, tr.position, tr.queuing = now, position, true
}

// restoring records that tr was restoring at now, and when it began: just
// after the last poll that saw it queuing, as its pace says, or halfway
// between that poll and this one.
func (f *fleet) restoring(tr *track, now time.Time) {
	tr.restoringAt, tr.queuing = now, false
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

// maxPosition bounds the queue position the scheduler takes from an
// answer: a hostile waitingCount must not overflow its arithmetic.
const maxPosition = 1 << 30

func (instanceSubject) phase(p Progress) phase {
	switch p.Status {
	case PrepareQueuing:
		return phase{kind: phaseQueuing, position: min(max(p.WaitingCount, 0), maxPosition)}
	case PrepareRestoring:
		return phase{kind: phaseRestoring}
	}
	return phase{}
}
