package koophone_test

import (
	"fmt"
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

// TestWithJobsNamesEachJobsInstance: the jobs handed to the wait name each
// result's and each failed job's instance; an instance GetTask names wins.
func TestWithJobsNamesEachJobsInstance(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, always(http.StatusOK, getTaskBody(
		`{"job_id":"j1","status":2}`,
		`{"job_id":"j2","status":-1,"error_code":"CPS0005","error_msg":"no such file"}`,
		`{"job_id":"j3","instance_id":"i-from-answer","status":2}`,
		`{"job_id":"j4","status":2}`)))
	task := &koophone.Task{ID: "t-1", Jobs: []koophone.Job{
		{InstanceID: "i-1", JobID: "j1"}, {InstanceID: "i-2", JobID: "j2"}, {InstanceID: "i-3", JobID: "j3"},
	}}
	got, err := c.WaitTask(waitCtx(t), task.ID, koophone.WithJobs(task.Jobs))
	assert.Equal(t, []string{"i-1", "i-2", "i-from-answer", ""}, ids(got, func(j koophone.JobResult) string { return j.InstanceID }),
		"from WithJobs, from the answer, and empty where neither says")
	jobErrs := koophone.JobErrors(err)
	require.Len(t, jobErrs, 1)
	assert.Equal(t, "i-2", jobErrs[0].InstanceID)
	assert.EqualError(t, jobErrs[0], `koophone: task "t-1" job "j2" on instance "i-2" failed: CPS0005: no such file`)

	got, err = c.WaitTask(waitCtx(t), task.ID)
	assert.Equal(t, []string{"", "", "i-from-answer", ""}, ids(got, func(j koophone.JobResult) string { return j.InstanceID }), "without WithJobs")
	assert.EqualError(t, koophone.JobErrors(err)[0], `koophone: task "t-1" job "j2" failed: CPS0005: no such file`)
}

// TestWithJobsAcrossTasks: WaitTasks takes the jobs of all its tasks in
// one WithJobs, matched by job id.
func TestWithJobsAcrossTasks(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		task := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
		answer(w, http.StatusOK, getTaskBody(fmt.Sprintf(`{"job_id":"%s-j","status":-1}`, task)))
	})
	jobs := []koophone.Job{{InstanceID: "i-a", JobID: "a-j"}, {InstanceID: "i-b", JobID: "b-j"}}
	got, err := c.WaitTasks(waitCtx(t), []string{"a", "b"}, koophone.WithJobs(jobs))
	assert.Equal(t, "i-a", got["a"][0].InstanceID)
	assert.Equal(t, "i-b", got["b"][0].InstanceID)
	jobErrs := koophone.JobErrors(err)
	require.Len(t, jobErrs, 2)
	assert.Equal(t, []string{"i-a", "i-b"}, []string{jobErrs[0].InstanceID, jobErrs[1].InstanceID})
}

// TestWithJobsRefusesBadJobs: a job without an id, or one job on two
// instances, is refused before anything is sent; the slice is copied.
func TestWithJobsRefusesBadJobs(t *testing.T) {
	t.Parallel()
	for name, jobs := range map[string][]koophone.Job{
		"no job id":           {{InstanceID: "i-1"}},
		"no instance id":      {{JobID: "j1"}},
		"a zero-width job id": {{InstanceID: "i-1", JobID: "j\u200b1"}},
		"one job, two places": {{InstanceID: "i-1", JobID: "j1"}, {InstanceID: "i-2", JobID: "j1"}},
		"a 100 KiB job id":    {{InstanceID: "i-1", JobID: strings.Repeat("j", 100<<10)}},
	} {
		c, s := setup(t, always(http.StatusOK, getTaskBody(`{"job_id":"j1","status":2}`)))
		_, err := c.WaitTask(waitCtx(t), "t-1", koophone.WithJobs(jobs))
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, name)
		assert.ErrorContains(t, err, "WithJobs: job", name)
		assert.Less(t, len(err.Error()), 300, "%s: the error does not quote a long id", name)
		_, err = c.WaitTasks(waitCtx(t), []string{"t-1"}, koophone.WithJobs(jobs))
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, name)
		assert.Empty(t, s.Requests(), name)
	}

	c, _ := setup(t, always(http.StatusOK, getTaskBody(`{"job_id":"j1","status":2}`)))
	jobs := []koophone.Job{{InstanceID: "i-1", JobID: "j1"}, {InstanceID: "i-1", JobID: "j1"}}
	opt := koophone.WithJobs(jobs)
	jobs[0].InstanceID = "changed later"
	got, err := c.WaitTask(waitCtx(t), "t-1", opt)
	require.NoError(t, err, "the same job twice on one instance is fine")
	assert.Equal(t, "i-1", got[0].InstanceID, "WithJobs copied the jobs")
}

// TestTaskAnswersNameEachJobOnce: a task started with two jobs of one id,
// or a GetTask job naming an instance id that cannot be kept, is a
// malformed answer.
func TestTaskAnswersNameEachJobOnce(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","data":{"task_id":"T1","cmd_jobs":[
		{"instance_id":"i-1","job_id":"j1"},{"instance_id":"i-2","job_id":"j1"}]}}`))
	_, err := c.StartCommand(timeout(t), "ls", []string{"i-1", "i-2"})
	assert.ErrorIs(t, err, koophone.ErrMalformedResponse)
	assert.ErrorContains(t, err, `data.cmd_jobs[1].job_id "j1" is the id of an earlier job too`)
	assert.Len(t, s.Requests(), 1, "a write is not repeated")

	c, _ = setup(t, always(http.StatusOK, getTaskBody(`{"job_id":"j1","instance_id":"i\u200b1","status":2}`)))
	_, err = c.GetTask(timeout(t), "T1")
	assert.ErrorIs(t, err, koophone.ErrMalformedResponse)
	assert.ErrorContains(t, err, "data.jobs[0].instance_id holds U+200B")
}
