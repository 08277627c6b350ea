package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestWaitMany(t *testing.T) {
	var out strings.Builder
	code := run(context.Background(), &out, 30, time.Millisecond)
	assert.Equal(t, 0, code, "the one scripted failure is what the example shows")
	s := out.String()
	assert.Contains(t, s, "phone-030 is scripted to fail")
	assert.Contains(t, s, "As intended: every instance is ready but phone-030")
	assert.Contains(t, s, "ready 29 · waiting 0 · failed 1")
	assert.Contains(t, s, "30 of 30 instances answered.")
	assert.Contains(t, s, "phone-030 did not become ready")
	assert.Contains(t, s, "(prepare failed: true)")
}

// TestWaitManyFailsWhenMoreGoesWrong: anything but the scripted failure
// exits 1.
func TestWaitManyFailsWhenMoreGoesWrong(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out strings.Builder
	assert.Equal(t, 1, run(ctx, &out, 3, time.Millisecond), out.String())
	assert.NotContains(t, out.String(), "As intended")
}
