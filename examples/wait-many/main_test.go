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
	assert.Equal(t, 1, code, "one instance fails")
	s := out.String()
	assert.Contains(t, s, "ready 29 · waiting 0 · failed 1")
	assert.Contains(t, s, "30 of 30 instances answered.")
	assert.Contains(t, s, "phone-030 did not become ready")
	assert.Contains(t, s, "(prepare failed: true)")
}
