// Package backoff holds the delay maths shared by the transport's retries
// and the waiting loops: pure functions, tested in tables.
package backoff

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Delay returns the wait before retry or poll number attempt (0-based),
// exponential with jitter and always within [lo, hi]:
// the ceiling doubles from 2·lo with each attempt up to hi, and the delay is
// drawn uniformly from the upper half of [lo, ceiling] using r in [0, 1).
// So attempt 0 waits between lo and 2·lo, and late attempts between hi/2 and hi.
// A non-positive lo or hi is taken as 0; hi below lo is taken as lo.
func Delay(attempt int, lo, hi time.Duration, r float64) time.Duration {
	if lo < 0 {
		lo = 0
	}
	if hi < lo {
		hi = lo
	}
	if attempt < 0 {
		attempt = 0
	}
	if r < 0 || r >= 1 {
		r = 0
	}
	ceiling := hi
	if lo > 0 && attempt < 62 {
		if c := lo << (attempt + 1); c > 0 && c < hi && c>>(attempt+1) == lo {
			ceiling = c
		}
	}
	floor := ceiling / 2
	if floor < lo {
		floor = lo
	}
	return floor + time.Duration(r*float64(ceiling-floor))
}

// RetryAfter parses a Retry-After header value, in seconds or as an HTTP
// date relative to now. It reports false for a missing or unparsable value;
// a date in the past gives 0.
func RetryAfter(value string, now time.Time) (time.Duration, bool) {
	value = strings.TrimSpace(value)
	if value == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(value, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		if secs > int64(maxDuration/time.Second) {
			return maxDuration, true
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(value)
	if err != nil {
		return 0, false
	}
	d := at.Sub(now)
	if d < 0 {
		d = 0
	}
	return d, true
}

const maxDuration = time.Duration(1<<63 - 1)
