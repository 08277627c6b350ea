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

// getTaskBody is a GetTask answer listing the jobs, given as JSON objects.
func getTaskBody(jobs ...string) string {
	return `{"error_code":"0","data":{"jobs":[` + strings.Join(jobs, ",") + `]}}`
}

// TestWaitTaskNeverLosesARunningJob: jobs without a job_id, with long ids
// that were the same once cut at 128 bytes, or with ids that differ by a
// zero-width character, let a running job vanish from the wait, which then
// reported success. Such an answer is now malformed: the wait never ends in
// success on it.
func TestWaitTaskNeverLosesARunningJob(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("j", 127)
	for name, ids := range map[string][2]string{
		"no job_id":           {`"status":1`, `"status":1`},
		"empty job_id":        {`"job_id":"","status":1`, `"job_id":"","status":1`},
		"the same job_id":     {`"job_id":"j1","status":1`, `"job_id":"j1","status":1`},
		"cut at 128 bytes":    {`"job_id":"` + long + `AAAA","status":1`, `"job_id":"` + long + `BBBB","status":1`},
		"a zero-width space":  {`"job_id":"j1","status":1`, `"job_id":"j\u200b1","status":1`},
		"a zero-width joiner": {`"job_id":"j\u200d1","status":1`, `"job_id":"j1","status":1`},
	} {
		first := getTaskBody("{"+ids[0]+"}", "{"+ids[1]+"}")
		later := getTaskBody("{" + strings.Replace(ids[0], `"status":1`, `"status":2`, 1) + "}")
		c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
			if n <= 1+fastRetries.MaxRetries { // every attempt of the first poll
				answer(w, http.StatusOK, first) // two jobs running
				return
			}
			answer(w, http.StatusOK, later) // one of them succeeded, the other is gone
		})
		got, err := c.WaitTask(waitCtx(t), "t-1", koophone.WithClock(koophone.NewFakeClock(true)), koophone.WithMaxConsecutiveErrors(0))
		require.ErrorIs(t, err, koophone.ErrMalformedResponse, name)
		assert.Empty(t, got, name)
		assert.Len(t, s.Requests(), 1+fastRetries.MaxRetries, "%s: retried like a broken envelope", name)
	}
}

// TestWaitTaskKeepsAJobThatDisappears: with ids the service keeps, a job
// missing from a later answer keeps its last result.
func TestWaitTaskKeepsAJobThatDisappears(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusOK, getTaskBody(`{"job_id":"j1","status":1}`, `{"job_id":"j`+"\u00e9"+`1","status":1}`))
			return
		}
		answer(w, http.StatusOK, getTaskBody(`{"job_id":"j1","status":2}`))
	})
	ctx := waitCtx(t)
	got, err := c.WaitTask(ctx, "t-1", koophone.WithClock(koophone.NewFakeClock(true)), koophone.WithMaxWait(koophone.DefaultMaxWait))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout, "the vanished job is still running")
	assert.Equal(t, []koophone.JobResult{{JobID: "j1", Status: koophone.JobSucceeded}, {JobID: "jé1", Status: koophone.JobRunning}}, got)
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
