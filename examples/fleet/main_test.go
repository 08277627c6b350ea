package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/koophone-go/koophone/koophonetest"
)

func TestFleetAgainstTheFake(t *testing.T) {
	var out strings.Builder
	code := run(context.Background(), &out, func(string) string { return "" }, 10*time.Millisecond)
	assert.Equal(t, 0, code, out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Contains(t, lines[0], "Using the fake KooPhone service")
	assert.Contains(t, out.String(), "5 instances.")
	assert.Regexp(t, `phone-vip +vip +running +bob`, out.String(), "an assigned instance shows its user")
	assert.Contains(t, out.String(), "Assigning fleet-00001 to alice...")
	assert.Equal(t, "Instance fleet-00001 is ready: alice can stream it now.", lines[len(lines)-1])
}

// Against the real service (here a fake standing in for it) the example
// assigns the instance it is told to, not the first free one.
func TestFleetAssignsTheNamedInstanceOfARealService(t *testing.T) {
	stand := koophonetest.NewServer(koophonetest.WithFleet(3),
		koophonetest.WithTimeline(koophonetest.Timeline{Queue: time.Millisecond, Restore: time.Millisecond}))
	defer stand.Close()
	t.Setenv("KOOPHONE_TOKEN", stand.Token())
	env := map[string]string{"KOOPHONE_USER_ID": "carol", "KOOPHONE_INSTANCE_ID": "fleet-00003", "KOOPHONE_ENDPOINT": stand.URL}
	var out strings.Builder
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code := run(ctx, &out, func(k string) string { return env[k] }, time.Millisecond)
	assert.Equal(t, 0, code, out.String())
	assert.Contains(t, out.String(), "3 instances.")
	assert.Contains(t, out.String(), "Assigning fleet-00003 to carol...")
	in, ok := stand.Instance("fleet-00003")
	assert.True(t, ok)
	assert.Equal(t, "carol", in.User)
}

func TestFleetNeedsAnInstanceWithARealService(t *testing.T) {
	var out strings.Builder
	env := map[string]string{"KOOPHONE_USER_ID": "u"}
	code := run(context.Background(), &out, func(k string) string { return env[k] }, time.Millisecond)
	assert.Equal(t, 2, code)
	assert.Contains(t, out.String(), "KOOPHONE_INSTANCE_ID")
}
