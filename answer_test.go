package koophone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
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

// Each form of the token, echoed in an error's message, a job's message or
// a command's output, is redacted.
func TestEveryFormOfAnEchoedTokenIsRedacted(t *testing.T) {
	t.Parallel()
	places := map[string]struct {
		answer func(echo string) (int, any)
		call   func(ctx context.Context, c *koophone.Client) []string
	}{
		"error message": {
			func(echo string) (int, any) {
				return http.StatusUnauthorized, map[string]string{"error_code": "APIGW.0301", "error_msg": "bad token " + echo}
			},
			func(ctx context.Context, c *koophone.Client) []string {
				_, err := c.PrepareProgress(ctx, "u", "i")
				return []string{err.Error()}
			},
		},
		"job message": {
			func(echo string) (int, any) {
				return http.StatusOK, map[string]any{"error_code": "0", "data": map[string]any{"jobs": []any{
					map[string]any{"job_id": "j-1", "status": -1, "error_code": "E1", "error_msg": "token " + echo, "execute_msg": "$ echo " + echo},
				}}}
			},
			func(ctx context.Context, c *koophone.Client) []string {
				jobs, err := c.GetTask(ctx, "t-1")
				if err != nil || len(jobs) != 1 {
					return []string{"unexpected", err.Error()}
				}
				return []string{jobs[0].Message, jobs[0].Output}
			},
		},
		"command output": {
			func(echo string) (int, any) {
				return http.StatusOK, map[string]any{"error_code": "0", "data": map[string]any{"cmd_results": []any{
					map[string]any{"instance_id": "i-1", "status": 2, "error_msg": "token " + echo, "execute_msg": "X-Auth-Token: " + echo},
				}}}
			},
			func(ctx context.Context, c *koophone.Client) []string {
				results, err := c.RunCommand(ctx, "env", []string{"i-1"})
				if err != nil || len(results) != 1 {
					return []string{"unexpected", err.Error()}
				}
				return []string{results[0].Message, results[0].Output}
			},
		},
	}
	for form, encode := range echoForms {
		for place, p := range places {
			echo := encode(specialToken)
			c, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				status, v := p.answer(echo)
				body, _ := json.Marshal(v)
				answer(w, status, string(body))
			}, koophone.WithToken(specialToken))
			for _, text := range p.call(timeout(t), c) {
				assert.NotContains(t, text, "SECRET", "%s in the %s", form, place)
				assert.Contains(t, text, "[redacted]", "%s in the %s", form, place)
			}
		}
	}
}

// A token of any length that a server echoes is scrubbed.
func TestShortEchoedTokenIsScrubbed(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		answer(w, http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"token `+r.Header.Get("X-Auth-Token")+` is invalid"}`)
	}, koophone.WithToken("tok1234"))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "tok1234")
	assert.Contains(t, err.Error(), "token [redacted] is invalid", "the server did echo the token")
}
