package koophone_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestGetTask(t *testing.T) {
	t.Parallel()
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusServiceUnavailable, `<html>busy</html>`) // a read: retried
			return
		}
		answer(w, http.StatusOK, `{"error_code":"0","error_msg":"ok","data":{"jobs":[
			{"job_id":"j-1","status":2,"error_code":"","error_msg":"","execute_msg":"uid=0(root)\n"},
			{"job_id":"j-2","status":-1,"error_code":"CPS0005","error_msg":"Phone not found.","execute_msg":""},
			{"job_id":"j-3","status":"0"},
			{"job_id":"j-4","status":3,"error_code":1001},
			{"job_id":"j-5","status":7}]}}`)
	})
	jobs, err := c.GetTask(timeout(t), "RM_6837/a b")
	require.NoError(t, err, "failed jobs are not an error")
	assert.Equal(t, []koophone.JobResult{
		{JobID: "j-1", Status: koophone.JobSucceeded, Output: "uid=0(root)\n"},
		{JobID: "j-2", Status: koophone.JobFailed, Code: "CPS0005", Message: "Phone not found."},
		{JobID: "j-3", Status: koophone.JobNotStarted},
		{JobID: "j-4", Status: koophone.JobInstallFailed, Code: "1001"},
		{JobID: "j-5", Status: koophone.JobStatus(7)},
	}, jobs)
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodGet, reqs[1].Method)
	assert.Equal(t, "/v1/instances/tasks/RM_6837/a b", reqs[1].Path)
	assert.Empty(t, reqs[1].Raw)
	assert.Equal(t, reqs[0].Header.Get("X-Request-Id"), reqs[1].Header.Get("X-Request-Id"))
}

func TestGetTaskEscapesTheTaskID(t *testing.T) {
	t.Parallel()
	var rawPath string
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		rawPath = r.URL.EscapedPath()
		answer(w, http.StatusOK, `{"error_code":"0","data":{"jobs":[]}}`)
	})
	jobs, err := c.GetTask(timeout(t), "ZGCA/../x?y#z")
	require.NoError(t, err)
	assert.Empty(t, jobs)
	assert.Equal(t, "/v1/instances/tasks/ZGCA%2F..%2Fx%3Fy%23z", rawPath)
}

func TestGetTaskWithoutJobs(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"error_code":"0","data":{"jobs":[]}}`,
		`{"error_code":"0","data":{"jobs":null}}`,
		`{"error_code":"0","data":{}}`,
		`{"error_code":"0"}`,
	} {
		c, _ := setup(t, always(http.StatusOK, body))
		jobs, err := c.GetTask(timeout(t), "t")
		require.NoError(t, err, body)
		assert.Empty(t, jobs, body)
	}
}

func TestGetTaskMalformedAnswers(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"error_code":"0","data":{"jobs":[{"job_id":"j"}]}}`:              "data.jobs[0].status is missing",
		`{"error_code":"0","data":{"jobs":[{"job_id":"j","status":1.5}]}}`: "data.jobs.status is a JSON number",
		`{"error_code":"0","data":{"jobs":{"job_id":"j"}}}`:                "data.jobs is a JSON object",
	} {
		c, _ := setup(t, always(http.StatusOK, body))
		_, err := c.GetTask(timeout(t), "t")
		assert.ErrorIs(t, err, koophone.ErrMalformedResponse, body)
		assert.ErrorContains(t, err, want, body)
	}
}

func TestGetTaskRejectsBadTaskIDs(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","data":{"jobs":[]}}`))
	for id, want := range map[string]string{
		"":                       "task id is empty",
		".":                      `task id "." is not allowed`,
		"..":                     `task id ".." is not allowed`,
		strings.Repeat("t", 129): "task id has 129 characters; at most 128",
		"t\n1":                   "control character",
		"t\u202e1":               "control character",
		"t\xff":                  "not valid UTF-8",
	} {
		_, err := c.GetTask(timeout(t), id)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, id)
		assert.ErrorContains(t, err, want, id)
	}
	assert.Empty(t, s.Requests())
	_, err := c.GetTask(timeout(t), strings.Repeat("t", 128))
	require.NoError(t, err, "128 characters are allowed")
}

func TestGetTaskUnknownTask(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"KOOPHONE.API.1323","error_msg":"task not exist"}`))
	_, err := c.GetTask(timeout(t), "ZGCA1")
	assert.ErrorIs(t, err, koophone.ErrTaskNotFound)
	assert.ErrorContains(t, err, "koophone: GetTask: KOOPHONE.API.1323")
	assert.Len(t, s.Requests(), 1, "a permanent error is not retried")
}

func TestJobStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s        koophone.JobStatus
		name     string
		terminal bool
	}{
		{koophone.JobFailed, "failed", true},
		{koophone.JobNotStarted, "not-started", false},
		{koophone.JobRunning, "running", false},
		{koophone.JobSucceeded, "succeeded", true},
		{koophone.JobInstallFailed, "install-failed", true},
		{koophone.JobStatus(7), "JobStatus(7)", false},
		{koophone.JobStatus(-2), "JobStatus(-2)", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.name, tt.s.String())
		assert.Equal(t, tt.terminal, tt.s.Terminal(), tt.name)
	}
}
