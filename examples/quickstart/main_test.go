package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestQuickstartAgainstTheFake(t *testing.T) {
	var out strings.Builder
	code := run(context.Background(), &out, func(string) string { return "" }, 100*time.Millisecond) // queuing lasts 300ms: long enough to be seen on a busy machine
	assert.Equal(t, 0, code, out.String())
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Contains(t, lines[0], "Using the fake KooPhone service")
	assert.Contains(t, out.String(), "queuing (waitingCount ")
	assert.Contains(t, out.String(), "restoring (waitingCount 0)")
	assert.Equal(t, "Instance demo-phone-1 is ready: it can stream now.", lines[len(lines)-1])
}

func TestQuickstartNeedsAnInstanceWithAUser(t *testing.T) {
	var out strings.Builder
	env := map[string]string{"KOOPHONE_USER_ID": "u", "KOOPHONE_TOKEN": "t"}
	code := run(context.Background(), &out, func(k string) string { return env[k] }, time.Millisecond)
	assert.Equal(t, 2, code)
	assert.Contains(t, out.String(), "KOOPHONE_INSTANCE_ID")
}
