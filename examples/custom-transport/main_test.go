package main

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCustomTransport(t *testing.T) {
	var out strings.Builder
	assert.Equal(t, 0, run(context.Background(), &out))
	assert.Equal(t, "status ready after 2 requests through the custom transport\n", out.String())
}
