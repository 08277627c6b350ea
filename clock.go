package koophone

import "time"

// clock is what the waits need of time. A wait takes its clock from its
// options (the real one by default), so tests inject a fake one per wait;
// there is no package-level clock.
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
