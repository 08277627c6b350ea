package koophone_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestResetAndBackupInstances(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		call func(*koophone.Client) (*koophone.Task, error)
		path string
	}{
		{func(c *koophone.Client) (*koophone.Task, error) {
			return c.ResetInstances(timeout(t), []string{"i-1", "i-2"})
		}, "/v1/instances/batch-reset"},
		{func(c *koophone.Client) (*koophone.Task, error) {
			return c.BackupInstances(timeout(t), []string{"i-1", "i-2"})
		}, "/v1/instances/backup"},
	} {
		c, s := setup(t, always(http.StatusOK, taskOK))
		task, err := tc.call(c)
		require.NoError(t, err)
		reqs := s.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, http.MethodPost, reqs[0].Method)
		assert.Equal(t, tc.path, reqs[0].Path)
		assert.Equal(t, map[string]any{"instance_ids": []any{"i-1", "i-2"}}, reqs[0].Body)
		assert.Equal(t, &koophone.Task{
			ID:        "RM_6837a1",
			Jobs:      []koophone.Job{{InstanceID: "i-1", JobID: "j-1"}, {InstanceID: "i-2", JobID: "j-2"}},
			RequestID: reqs[0].Header.Get("X-Request-Id"),
		}, task)
	}
}

func TestResetInstancesAnswerWithoutData(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"error_code":"0","error_msg":"OK"}`,
		`{"error_code":"0","error_msg":"OK","data":null}`,
		`{"error_code":"0","error_msg":"OK","data":{}}`,
	} {
		c, s := setup(t, always(http.StatusOK, body))
		task, err := c.ResetInstances(timeout(t), []string{"i-1"})
		require.NoError(t, err, body)
		assert.Equal(t, &koophone.Task{RequestID: s.Requests()[0].Header.Get("X-Request-Id")}, task, body)
	}
}

func TestRebootInstances(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"OK"}`))
	require.NoError(t, c.RebootInstances(timeout(t), []string{"i-1", "i-2"}))
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/instances/reboot", reqs[0].Path)
	assert.JSONEq(t, `{"instance_ids":["i-1","i-2"]}`, string(reqs[0].Raw))

	c2, _ := setup(t, always(http.StatusOK, `{"error_code":"KOOPHONE.API.5005","error_msg":"not all instances are running"}`))
	err := c2.RebootInstances(timeout(t), []string{"i-1"})
	assert.ErrorIs(t, err, koophone.ErrOperationNotAllowed)
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, koophone.CodeInstancesNotRunning, apiErr.Code)
	assert.Equal(t, "BatchRebootInstance", apiErr.Operation)
}

func TestActionsRejectBadInstanceIDs(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, taskOK))
	for _, ids := range [][]string{nil, {}, {"a", "a"}, {".."}, {"a\nb"}, hundredAndOne()} {
		_, err := c.ResetInstances(timeout(t), ids)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, ids)
		_, err = c.BackupInstances(timeout(t), ids)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, ids)
		assert.ErrorIs(t, c.RebootInstances(timeout(t), ids), koophone.ErrInvalidParameter, ids)
	}
	assert.Empty(t, s.Requests())
}

// actionCall is one of the operations of actions, commands, tasks, video
// and installs, called with valid arguments.
type actionCall struct {
	name  string // APIError.Operation
	write bool
	call  func(context.Context, *koophone.Client) error
}

var actionCalls = []actionCall{
	{"BatchReset", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.ResetInstances(ctx, []string{"i-1"})
		return err
	}},
	{"BatchRebootInstance", true, func(ctx context.Context, c *koophone.Client) error {
		return c.RebootInstances(ctx, []string{"i-1"})
	}},
	{"BatchBackupInstances", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.BackupInstances(ctx, []string{"i-1"})
		return err
	}},
	{"SyncCommand", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.RunCommand(ctx, "ls /sdcard", []string{"i-1"})
		return err
	}},
	{"AsyncCommand", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.StartCommand(ctx, "ls /sdcard", []string{"i-1"})
		return err
	}},
	{"GetTask", false, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.GetTask(ctx, "RM_1")
		return err
	}},
	{"SetVideoConfig", true, func(ctx context.Context, c *koophone.Client) error {
		return c.SetVideoConfig(ctx, []string{"i-1"}, koophone.VideoSettingsForAll(koophone.DefaultVideoSpecGroup()))
	}},
	{"InstallApp", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.InstallApp(ctx, validInstall())
		return err
	}},
}

// A write is not repeated once the service may have acted on it (a 5xx);
// it is after throttling. A read is repeated after a 5xx.
func TestActionsRetryRule(t *testing.T) {
	t.Parallel()
	for _, op := range actionCalls {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			c, s := setup(t, always(http.StatusBadGateway, ``))
			require.Error(t, op.call(timeout(t), c))
			want := 1
			if !op.write {
				want = 4 // the first attempt and three retries
			}
			assert.Len(t, s.Requests(), want, "after a 502")

			c2, s2 := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					answer(w, http.StatusTooManyRequests, `{"error_code":"APIGW.0308","error_msg":"throttled"}`)
					return
				}
				answer(w, http.StatusOK, `{"error_code":"0","error_msg":"OK","data":{"cmd_results":[],"jobs":[]}}`)
			})
			require.NoError(t, op.call(timeout(t), c2))
			assert.Len(t, s2.Requests(), 2, "after a 429")
		})
	}
}

// The codes these operations document map to their categories, whatever
// the HTTP status they come with.
func TestActionsErrorCodes(t *testing.T) {
	t.Parallel()
	codes := []struct {
		code   string
		status int
		want   error
	}{
		{"KOOPHONE.API.1000", http.StatusBadRequest, koophone.ErrInvalidParameter},
		{"KOOPHONE.API.1001", http.StatusBadRequest, koophone.ErrPermissionDenied},
		{"KOOPHONE.API.4001", http.StatusOK, koophone.ErrInstanceNotFound},
		{"KooPhone.API.1323", http.StatusOK, koophone.ErrTaskNotFound},
		{"KOOPHONE.API.5005", http.StatusOK, koophone.ErrOperationNotAllowed},
		{"KOOPHONE.API.2004", http.StatusOK, koophone.ErrOperationNotAllowed},
		{"KOOPHONE.API.2006", http.StatusOK, koophone.ErrOperationNotAllowed},
		{"KP.API.9999", http.StatusInternalServerError, koophone.ErrInternal},
		{"APIGW.0302", http.StatusForbidden, koophone.ErrPermissionDenied},
	}
	for _, op := range actionCalls {
		for _, tc := range codes {
			c, _ := setup(t, always(tc.status, `{"error_code":"`+tc.code+`","error_msg":"no"}`), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
			err := op.call(timeout(t), c)
			assert.ErrorIs(t, err, tc.want, "%s %s", op.name, tc.code)
			var apiErr *koophone.APIError
			if assert.ErrorAs(t, err, &apiErr) {
				assert.Equal(t, op.name, apiErr.Operation)
			}
		}
	}
}
