package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestCommandsAgainstTheFake(t *testing.T) {
	var out strings.Builder
	env := map[string]string{"KOOPHONE_COMMAND": "echo hi"}
	code := run(context.Background(), &out, func(k string) string { return env[k] }, 10*time.Millisecond)
	assert.Equal(t, 0, code, out.String())
	text := out.String()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	assert.Contains(t, lines[0], "Using the fake KooPhone service")
	assert.Contains(t, text, `Starting "echo hi" on 3 instances...`)
	assert.Contains(t, text, "3 jobs: 3 succeeded")
	for _, id := range []string{"demo-phone-1", "demo-phone-2", "demo-phone-3"} {
		assert.Contains(t, text, id+": succeeded\n  | echo hi\n")
	}
	assert.Equal(t, "The command succeeded on every instance.", lines[len(lines)-1])
}

func TestCommandsReportsAFailedJob(t *testing.T) {
	var out strings.Builder
	env := map[string]string{"KOOPHONE_DEMO_FAIL": "demo-phone-2"}
	code := run(context.Background(), &out, func(k string) string { return env[k] }, 10*time.Millisecond)
	assert.Equal(t, 1, code, out.String())
	text := out.String()
	assert.Contains(t, text, `Starting "getprop ro.build.version.release"`)
	assert.Contains(t, text, "demo-phone-1: succeeded\n  | getprop ro.build.version.release\n")
	assert.Contains(t, text, "demo-phone-2: failed\n  error: CPS0005 Phone not found.\n")
	assert.Contains(t, text, "The command failed on 1 of 3 instances:\n  demo-phone-2\n")
}

func TestCommandsNeedsInstancesWithTheRealService(t *testing.T) {
	var out strings.Builder
	env := map[string]string{"KOOPHONE_USER_ID": "u", "KOOPHONE_TOKEN": "t"}
	code := run(context.Background(), &out, func(k string) string { return env[k] }, time.Millisecond)
	assert.Equal(t, 2, code)
	assert.Contains(t, out.String(), "KOOPHONE_INSTANCE_ID")
}
