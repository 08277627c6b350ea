package koophonetest

import "time"

// Timeline is how preparing an instance unfolds: first queuing, with a
// waitingCount that counts down to 1, then restoring, then ready. Each
// phase lasts a number of polls of ShowProgress or, when a duration is
// set, that long on the server's clock ([WithClock]) from the
// BatchPrepareInstances call. The zero Timeline (the default) is three
// polls queuing (waitingCount 3, 2, 1) and two restoring: ready from the
// sixth poll on.
//
// A timeline of durations models a queue: waitingCount is the number of
// QueueSteps left until the instance reaches the front (rounded up), so it
// falls by one every QueueStep; then it restores for Restore and is ready.
type Timeline struct {
	QueuePolls   int           // polls answered "queuing"; 0 means 3
	RestorePolls int           // then polls answered "restoring"; 0 means 2
	Queue        time.Duration // if set (or Restore is), queuing lasts this long instead
	Restore      time.Duration // if set (or Queue is), restoring lasts this long instead
	QueueStep    time.Duration // with durations: waitingCount falls by one every QueueStep; 0 means 1s
}

// defaultTimeline: three polls queuing (waitingCount 3, 2, 1), two polls
// restoring, then ready from the sixth poll on.
var defaultTimeline = Timeline{QueuePolls: 3, RestorePolls: 2}

// Ready returns how long after BatchPrepareInstances a timeline of
// durations says ready (Queue + Restore); 0 for a timeline of polls.
func (t Timeline) Ready() time.Duration {
	if !t.timed() {
		return 0
	}
	return t.Queue + t.Restore
}

// At is what the fake answers, following t, at the polls-th poll
// (1-based) of ShowProgress made elapsed after BatchPrepareInstances: a
// timeline of durations looks only at elapsed, one of polls only at polls.
func (t Timeline) At(elapsed time.Duration, polls int) Step {
	if t.timed() {
		step := t.QueueStep
		if step <= 0 {
			step = time.Second
		}
		switch {
		case elapsed < t.Queue:
			left := (t.Queue - elapsed + step - 1) / step
			return Step{Status: statusQueuing, WaitingCount: int(left)}
		case elapsed < t.Queue+t.Restore:
			return Step{Status: statusRestoring}
		}
		return Step{Status: statusReady}
	}
	queue, restore := t.QueuePolls, t.RestorePolls
	if queue <= 0 {
		queue = defaultTimeline.QueuePolls
	}
	if restore <= 0 {
		restore = defaultTimeline.RestorePolls
	}
	switch {
	case polls <= queue:
		return Step{Status: statusQueuing, WaitingCount: queue - polls + 1}
	case polls <= queue+restore:
		return Step{Status: statusRestoring}
	}
	return Step{Status: statusReady}
}

// timed reports whether t is a timeline of durations.
func (t Timeline) timed() bool { return t.Queue > 0 || t.Restore > 0 }

// WithTimelines gives every instance a timeline of its own: f(instanceID),
// instead of [WithTimeline]'s one for all, for a fleet whose instances
// reach the front of the queue at different times. f is called for every
// ShowProgress answer (and every ready check) of a prepared instance,
// under the server's lock: it must return the same Timeline for the same
// id, quickly, and must not call the server. A nil f means WithTimeline's.
func WithTimelines(f func(instanceID string) Timeline) Option {
	return func(s *Server) { s.timelines = f }
}

// timelineOf is the timeline instance id follows. The caller holds s.mu.
func (s *Server) timelineOf(id string) Timeline {
	if s.timelines != nil {
		return s.timelines(id)
	}
	return s.timeline
}
