package backoff

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestDelay(t *testing.T) {
	t.Parallel()
	const s = time.Second
	tests := []struct {
		attempt int
		lo, hi  time.Duration
		r       float64
		want    time.Duration
	}{
		{0, s, 15 * s, 0, s},                         // attempt 0: from lo ...
		{0, s, 15 * s, 0.5, 1500 * time.Millisecond}, // ... halfway ...
		{0, s, 15 * s, 0.999999999, 2*s - 1},         // ... to just under 2·lo
		{1, s, 15 * s, 0, 2 * s},                     // ceiling 4s: upper half [2s, 4s]
		{1, s, 15 * s, 0.5, 3 * s},
		{2, s, 15 * s, 0, 4 * s},                   // ceiling 8s
		{3, s, 15 * s, 0, 7500 * time.Millisecond}, // ceiling capped at 15s: [7.5s, 15s]
		{3, s, 15 * s, 0.5, 11250 * time.Millisecond},
		{50, s, 15 * s, 0, 7500 * time.Millisecond}, // late attempts stay capped
		{1000, s, 15 * s, 0.99, 14925 * time.Millisecond},
		{61, s, 15 * s, 0, 7500 * time.Millisecond}, // no overflow near the shift limit
		{62, s, 15 * s, 0, 7500 * time.Millisecond},
		{0, s, s, 0.7, s}, // lo == hi: exactly that
		{5, s, s, 0.7, s},
		{0, 0, 0, 0.5, 0},         // zero bounds: no wait
		{0, 2 * s, s, 0.5, 2 * s}, // hi below lo is taken as lo
		{-3, s, 15 * s, 0, s},     // negative attempt is attempt 0
		{0, -s, 4 * s, 0, 2 * s},  // negative lo is 0: ceiling hi, floor hi/2
		{0, s, 15 * s, 1, s},      // r outside [0,1) is taken as 0
		{0, s, 15 * s, -0.5, s},
		{0, 200 * time.Millisecond, 5 * s, 0.25, 250 * time.Millisecond},
	}
	for _, tt := range tests {
		got := Delay(tt.attempt, tt.lo, tt.hi, tt.r)
		assert.Equal(t, tt.want, got, "Delay(%d, %s, %s, %v)", tt.attempt, tt.lo, tt.hi, tt.r)
	}
}

func TestDelayStaysWithinBounds(t *testing.T) {
	t.Parallel()
	for attempt := range 100 {
		for _, r := range []float64{0, 0.1, 0.5, 0.9, 0.999} {
			d := Delay(attempt, 10*time.Millisecond, 3*time.Second, r)
			assert.GreaterOrEqual(t, d, 10*time.Millisecond)
			assert.LessOrEqual(t, d, 3*time.Second)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"", 0, false},
		{"  ", 0, false},
		{"0", 0, true},
		{"7", 7 * time.Second, true},
		{" 12 ", 12 * time.Second, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999", maxDuration, true},
		{"Wed, 25 Nov 2026 12:00:30 GMT", 30 * time.Second, true},
		{"Wednesday, 25-Nov-26 12:01:00 GMT", time.Minute, true},
		{"Wed Nov 25 12:00:05 2026", 5 * time.Second, true},
		{"Wed, 25 Nov 2026 11:00:00 GMT", 0, true},
	}
	for _, tt := range tests {
		got, ok := RetryAfter(tt.value, now)
		assert.Equal(t, tt.ok, ok, tt.value)
		assert.Equal(t, tt.want, got, tt.value)
	}
}

func FuzzRetryAfter(f *testing.F) {
	for _, seed := range []string{"0", "120", "-5", "Wed, 25 Nov 2026 12:00:30 GMT", "x", "99999999999999999999"} {
		f.Add(seed)
	}
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, value string) {
		d, ok := RetryAfter(value, now)
		if d < 0 || (!ok && d != 0) {
			t.Fatalf("RetryAfter(%q) = %s, %v", value, d, ok)
		}
	})
}
