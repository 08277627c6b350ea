package koophone_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// A server that echoes the token in a failed job's error_msg must not get
// it into the error WaitTask returns: "Tokens ... never appear in errors
// ... even when a server echoes them" (README, Security).
func TestAttackEchoedTokenInJobErrorIsScrubbed(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, always(200, `{"error_code":"0","error_msg":"ok","data":{"jobs":[`+
		`{"job_id":"j1","status":-1,"error_code":"CPS0005","error_msg":"auth failed for X-Auth-Token `+testToken+`"}]}}`))
	_, err := c.WaitTask(timeout(t), "CMD_1", koophone.WithMaxWait(time.Second))
	require.ErrorIs(t, err, koophone.ErrTaskFailed)
	assert.NotContains(t, err.Error(), testToken, "the echoed token reaches the error")
	for _, je := range koophone.JobErrors(err) {
		assert.NotContains(t, fmt.Sprintf("%+v", je), testToken)
	}
}
