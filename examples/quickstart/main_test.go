package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/koophone-go/koophone/koophonetest"
)

func TestQuickstartAgainstTheFake(t *testing.T) {
	var out strings.Builder
	const pace = time.Millisecond
	code := run(context.Background(), &out, func(string) string { return "" }, pace, koophonetest.WithClock(tickingClock(pace)))
	assert.Equal(t, 0, code, out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Contains(t, lines[0], "Using the fake KooPhone service")
	assert.Regexp(t, `(?s)\] queuing \(waitingCount 1\)\n.*\] restoring \(waitingCount 0\)\n.*\] ready \(waitingCount 0\)\n`, out.String())
	assert.Equal(t, "Instance demo-phone-1 is ready: it can stream now.", lines[len(lines)-1])
}

// tickingClock is a clock for the fake service that moves on by step each
// time the fake reads it: once when it prepares the instance, once per
// poll. The timeline (queuing 3 steps, restoring 2) then unfolds poll by
// poll, every phase seen however fast or slow the machine is; on the wall
// clock a slow first poll saw the instance ready at once.
func tickingClock(step time.Duration) func() time.Time {
	var mu sync.Mutex
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		now = now.Add(step)
		return now
	}
}

func TestQuickstartNeedsAnInstanceWithAUser(t *testing.T) {
	var out strings.Builder
	env := map[string]string{"KOOPHONE_USER_ID": "u", "KOOPHONE_TOKEN": "t"}
	code := run(context.Background(), &out, func(k string) string { return env[k] }, time.Millisecond)
	assert.Equal(t, 2, code)
	assert.Contains(t, out.String(), "KOOPHONE_INSTANCE_ID")
}
