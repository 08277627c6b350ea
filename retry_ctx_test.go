package koophone_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// cancelOnEnd is an Observer that ends the call's context as the first
// attempt ends, after its answer was read and before the retry check.
type cancelOnEnd struct {
	koophone.NopObserver
	cancel context.CancelFunc
}

func (o cancelOnEnd) EndAttempt(context.Context, koophone.CallInfo, koophone.AttemptEnd) { o.cancel() }

// A call whose context ends while a retry is due says that the caller gave
// up, not what the last attempt got.
func TestContextEndedBeforeARetryIsTheCallsError(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c, s := setup(t, always(http.StatusServiceUnavailable, ``), koophone.WithObserver(cancelOnEnd{cancel: cancel}))
	_, err := c.PrepareProgress(ctx, "u", "i-1")
	require.ErrorIs(t, err, context.Canceled)
	var apiErr *koophone.APIError
	assert.NotErrorAs(t, err, &apiErr)
	assert.Len(t, s.Requests(), 1)
}
