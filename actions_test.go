package koophone_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

const taskOK = `{"error_code":"0","error_msg":"ok","data":{"task_id":"RM_6837a1","cmd_jobs":[
	{"instance_id":"i-1","job_id":"j-1"},{"instance_id":"i-2","job_id":"j-2"}]}}`

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
