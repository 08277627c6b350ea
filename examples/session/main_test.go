package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSessionAgainstTheFake(t *testing.T) {
	var out strings.Builder
	err := run(context.Background(), &out, func(string) string { return "" }, 5*time.Millisecond)
	require.NoError(t, err, out.String())
	s := out.String()
	assert.Contains(t, s, "   ready\n")
	assert.Contains(t, s, "   device device-demo-phone-1, signalling at wss://signaling.koophonetest.invalid/v1/demo-phone-1, for up to 1h0m0s\n")
	assert.True(t, strings.HasSuffix(s, "5. release the session\nDone.\n"), s)
	assert.NotContains(t, s, "dt-")
}
