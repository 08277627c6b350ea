package koophone

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestBudgetNeverExceedsItsRate tries to take polls at random times and at
// the times next names, and checks every sliding one-second window.
func TestBudgetNeverExceedsItsRate(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 3))
	for _, perSecond := range []float64{0.5, 1, 2.5, 3, 100, 1000, MaxPollRate} {
		b := newBudget(perSecond)
		gap := time.Duration(float64(time.Second) / perSecond)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var taken []time.Time
		for range 5000 {
			if rng.IntN(2) == 0 {
				now = b.next(now) // as the wait's loop does
			} else {
				now = now.Add(time.Duration(rng.Float64() * 2 * float64(gap)))
			}
			if b.take(now) {
				taken = append(taken, now)
			} else if !b.next(now).After(now) {
				t.Fatalf("rate %v: no poll at %v, yet next says now", perSecond, now)
			}
		}
		most := int(math.Ceil(perSecond))
		for i, at := range taken {
			if i > 0 && at.Sub(taken[i-1]) < gap-time.Nanosecond {
				t.Fatalf("rate %v: polls %s apart", perSecond, at.Sub(taken[i-1]))
			}
			if j := i + most; j < len(taken) && taken[j].Sub(at) < time.Second {
				t.Fatalf("rate %v: %d polls within %s", perSecond, most+1, taken[j].Sub(at))
			}
		}
		if len(taken) < 1000 {
			t.Errorf("rate %v: only %d polls taken", perSecond, len(taken))
		}
	}
}

func TestNoBudgetTakesEverything(t *testing.T) {
	t.Parallel()
	b := newBudget(0)
	now := time.Now()
	for range 10 {
		if !b.take(now) || !b.next(now).Equal(now) || b.capped() {
			t.Fatal("an empty budget holds a poll back")
		}
	}
}
