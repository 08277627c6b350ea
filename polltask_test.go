package koophone_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestWaitTaskFollowsTheJobs(t *testing.T) {
	t.Parallel()
	sc := newTaskScript(map[string][]answerStep{"t-1": {
		jobs(), // the task lists no job yet
		jobs(koophone.JobNotStarted, koophone.JobRunning),
		jobs(koophone.JobSucceeded, koophone.JobStatus(7)), // unknown: not terminal
		jobs(koophone.JobSucceeded, koophone.JobSucceeded),
	}})
	clk := koophone.NewFakeClock(true)
	var events []koophone.PollEvent
	got, err := koophone.WaitTaskUsing(waitCtx(t), "t-1", sc.getTask, koophone.WithClock(clk), koophone.WithRandom(noJitter),
		koophone.WithOnPoll(func(e koophone.PollEvent) { events = append(events, e) }))
	require.NoError(t, err)
	assert.Equal(t, jobs(koophone.JobSucceeded, koophone.JobSucceeded).jobs, got)
	assert.Equal(t, 4, sc.Polls("t-1"))
	s := time.Second
	assert.Equal(t, []time.Duration{s, 2 * s, 4 * s}, clk.Sleeps())
	require.Len(t, events, 4)
	for i, e := range events {
		assert.Equal(t, "t-1", e.TaskID)
		assert.Empty(t, e.InstanceID)
		assert.Zero(t, e.Progress)
		assert.Equal(t, i+1, e.Attempt)
		assert.NoError(t, e.Err)
	}
	assert.Len(t, events[1].Jobs, 2)
	assert.Equal(t, koophone.JobRunning, events[1].Jobs[1].Status)
	assert.Equal(t, 7*s, events[3].Elapsed)
	assert.Zero(t, events[3].NextDelay, "the last event says the wait ends")
}

func TestWaitTaskFailedJobs(t *testing.T) {
	t.Parallel()
	last := []koophone.JobResult{
		{JobID: "j1", Status: koophone.JobFailed, Code: "CPS0005", Message: "command failed"},
		{JobID: "j2", Status: koophone.JobSucceeded, Output: "ok"},
		{JobID: "j3", Status: koophone.JobInstallFailed, Code: "CPS0100", Message: "no space"},
	}
	sc := newTaskScript(map[string][]answerStep{"t-1": {jobs(koophone.JobRunning, koophone.JobRunning, koophone.JobNotStarted), {jobs: last}}})
	got, err := koophone.WaitTaskUsing(waitCtx(t), "t-1", sc.getTask, koophone.WithClock(koophone.NewFakeClock(true)))
	assert.Equal(t, last, got, "every job's last result")
	require.ErrorIs(t, err, koophone.ErrTaskFailed)
	assert.NotErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Equal(t, []*koophone.JobError{
		{TaskID: "t-1", JobID: "j1", Status: koophone.JobFailed, Code: "CPS0005", Message: "command failed"},
		{TaskID: "t-1", JobID: "j3", Status: koophone.JobInstallFailed, Code: "CPS0100", Message: "no space"},
	}, koophone.JobErrors(err))
	assert.Equal(t, 2, sc.Polls("t-1"))
}

func TestWaitTaskMaxWait(t *testing.T) {
	t.Parallel()
	sc := newTaskScript(map[string][]answerStep{"t-1": {jobs(koophone.JobRunning, koophone.JobSucceeded)}})
	clk := koophone.NewFakeClock(true)
	got, err := koophone.WaitTaskUsing(waitCtx(t), "t-1", sc.getTask, koophone.WithClock(clk), koophone.WithRandom(noJitter),
		koophone.WithMaxWait(10*time.Second))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, jobs(koophone.JobRunning, koophone.JobSucceeded).jobs, got, "the last results")
	assert.Equal(t, `koophone: timed out after 10s waiting for task "t-1"; last job statuses: 1 running, 1 succeeded`, err.Error())
	assert.Equal(t, 4, sc.Polls("t-1"), "polls at 0s, 1s, 3s and 7s; 14.5s is past the deadline")
}

func TestWaitTaskToleratesTransientFailures(t *testing.T) {
	t.Parallel()
	sc := newTaskScript(map[string][]answerStep{
		// Two failures in a row at most: a success resets the count.
		"within": {taskUnavailable, jobs(koophone.JobRunning), taskUnavailable, taskUnavailable, jobs(koophone.JobSucceeded)},
		"over":   {taskUnavailable, taskUnavailable, taskUnavailable, jobs(koophone.JobSucceeded)},
	})
	var failedWithJobs int
	opts := []koophone.WaitOption{koophone.WithClock(koophone.NewFakeClock(true)), koophone.WithMaxConsecutiveErrors(2),
		koophone.WithOnPoll(func(e koophone.PollEvent) {
			if e.Err != nil && e.Jobs != nil {
				failedWithJobs++
			}
		})}
	got, err := koophone.WaitTaskUsing(waitCtx(t), "within", sc.getTask, opts...)
	require.NoError(t, err)
	assert.Equal(t, jobs(koophone.JobSucceeded).jobs, got)
	assert.Equal(t, 5, sc.Polls("within"))

	_, err = koophone.WaitTaskUsing(waitCtx(t), "over", sc.getTask, opts...)
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.HTTPStatus)
	assert.Contains(t, err.Error(), "gave up after 3 failed polls in a row; no status was seen")
	assert.Equal(t, 3, sc.Polls("over"))
	assert.Zero(t, failedWithJobs, "no jobs with an error")
}

func TestWaitTaskStopsAtAnUnknownTask(t *testing.T) {
	t.Parallel()
	sc := newTaskScript(map[string][]answerStep{"t-1": {jobs(koophone.JobRunning), taskNotFound}})
	got, err := koophone.WaitTaskUsing(waitCtx(t), "t-1", sc.getTask, koophone.WithClock(koophone.NewFakeClock(true)))
	assert.Same(t, taskNotFound.err, err, "returned as it is")
	assert.Equal(t, jobs(koophone.JobRunning).jobs, got, "the last results seen")
	assert.Equal(t, 2, sc.Polls("t-1"))
}

func TestWaitTaskCancelled(t *testing.T) {
	t.Parallel()
	sc := newTaskScript(map[string][]answerStep{"t-1": {jobs(koophone.JobRunning)}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, err := koophone.WaitTaskUsing(ctx, "t-1", sc.getTask, koophone.WithClock(koophone.NewFakeClock(false)),
		koophone.WithOnPoll(func(koophone.PollEvent) { cancel() }))
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Equal(t, "koophone: the wait was cancelled; last job statuses: 1 running", err.Error())
	assert.Equal(t, 1, sc.Polls("t-1"))
}

func TestWaitTaskRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(_ http.ResponseWriter, _ *http.Request, _ int) {
		t.Error("nothing is sent")
	})
	for _, id := range []string{"", ".", "..", "t\n1", strings.Repeat("t", 129)} {
		_, err := c.WaitTask(waitCtx(t), id)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, "%q", id)
		_, err = c.WaitTasks(waitCtx(t), []string{"t-1", id})
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, "%q", id)
	}
	_, err := c.WaitTasks(waitCtx(t), []string{"t-1", "t-1"})
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	_, err = c.WaitTasks(waitCtx(t), nil)
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	_, err = c.WaitTask(waitCtx(t), strings.Repeat("t", 128), koophone.WithMaxWait(0))
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter, "128 characters are fine; the option is not")
}

func TestWaitTasksResults(t *testing.T) {
	t.Parallel()
	sc := newTaskScript(map[string][]answerStep{
		"done":    {jobs(koophone.JobRunning), jobs(koophone.JobSucceeded)},
		"failed":  {jobs(koophone.JobRunning, koophone.JobRunning), jobs(koophone.JobFailed, koophone.JobInstallFailed)},
		"running": {jobs(koophone.JobRunning)},
	})
	ids := []string{"done", "failed", "missing", "running"}
	got, err := koophone.WaitTasksUsing(waitCtx(t), ids, sc.getTask, koophone.WithClock(koophone.NewFakeClock(true)),
		koophone.WithMaxWait(time.Minute), koophone.WithConcurrency(1))

	assert.Equal(t, map[string][]koophone.JobResult{
		"done":    jobs(koophone.JobSucceeded).jobs,
		"failed":  jobs(koophone.JobFailed, koophone.JobInstallFailed).jobs,
		"running": jobs(koophone.JobRunning).jobs,
	}, got, "no results were ever seen for the missing task")
	require.Error(t, err)
	errs := err.(interface{ Unwrap() []error }).Unwrap()
	require.Len(t, errs, 3, "one per task that did not succeed, in order")
	assert.Len(t, koophone.JobErrors(errs[0]), 2)
	for _, je := range koophone.JobErrors(err) {
		assert.Equal(t, "failed", je.TaskID)
	}
	assert.Same(t, taskNotFound.err, errors.Unwrap(errs[1]))
	assert.Equal(t, `koophone: task "missing": GetTask: KOOPHONE.API.1000 (HTTP 400): task not exist`, errs[1].Error())
	assert.ErrorIs(t, errs[2], koophone.ErrWaitTimeout)
	assert.ErrorIs(t, errs[2], context.DeadlineExceeded)
	assert.True(t, strings.HasPrefix(errs[2].Error(), `koophone: task "running": timed out after 1m0s waiting for the task to end; last job statuses: 1 running`), errs[2].Error())
}

func TestWaitTasksAllSucceed(t *testing.T) {
	t.Parallel()
	steps := map[string][]answerStep{}
	var ids []string
	for i := range 20 {
		id := fmt.Sprintf("t-%02d", i)
		ids = append(ids, id)
		steps[id] = []answerStep{jobs(), jobs(koophone.JobRunning), jobs(koophone.JobSucceeded)}
	}
	sc := newTaskScript(steps)
	got, err := koophone.WaitTasksUsing(waitCtx(t), ids, sc.getTask, koophone.WithClock(koophone.NewFakeClock(true)))
	require.NoError(t, err)
	require.Len(t, got, 20)
	for _, id := range ids {
		assert.Equal(t, 3, sc.Polls(id), "no wasted polls")
	}
}

// BenchmarkWaitTask waits for a task that ends on its N-th poll, on a fake
// clock with a GetTask stand-in that costs nothing, so what it measures is
// the waiter's own cost per poll.
func BenchmarkWaitTask(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("polls=%d", n), func(b *testing.B) {
			running, done := jobs(koophone.JobRunning).jobs, jobs(koophone.JobSucceeded).jobs
			ctx := context.Background()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				polls := 0
				getTask := func(context.Context, string) ([]koophone.JobResult, error) {
					if polls++; polls < n {
						return running, nil
					}
					return done, nil
				}
				if _, err := koophone.WaitTaskUsing(ctx, "t-1", getTask,
					koophone.WithClock(koophone.NewFakeClock(true)), koophone.WithMaxWait(time.Hour)); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			runtime.ReadMemStats(&after)
			perPoll := float64(b.N * n)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perPoll, "ns/poll")
			b.ReportMetric(float64(after.Mallocs-before.Mallocs)/perPoll, "allocs/poll")
		})
	}
}

// A job that disappears from an answer keeps its last result: a task cannot
// end by dropping a running job, and the results still list it.
func TestWaitTaskKeepsJobsThatDisappear(t *testing.T) {
	t.Parallel()
	sc := newTaskScript(map[string][]answerStep{"t-1": {
		jobs(koophone.JobRunning, koophone.JobRunning),
		jobs(koophone.JobSucceeded), // j2 is gone
	}})
	got, err := koophone.WaitTaskUsing(waitCtx(t), "t-1", sc.getTask, koophone.WithClock(koophone.NewFakeClock(true)),
		koophone.WithRandom(noJitter), koophone.WithMaxWait(10*time.Second))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout, "j2 never ended")
	assert.Equal(t, []koophone.JobResult{{JobID: "j1", Status: koophone.JobSucceeded}, {JobID: "j2", Status: koophone.JobRunning}}, got)
}

// A timeout's text names a bounded number of statuses, however many jobs in
// however many unknown statuses the task lists.
func TestWaitTaskTimeoutTextIsBounded(t *testing.T) {
	t.Parallel()
	many := make([]koophone.JobResult, 10000)
	for i := range many {
		many[i] = koophone.JobResult{JobID: fmt.Sprintf("j%d", i), Status: koophone.JobStatus(100 + i)}
	}
	sc := newTaskScript(map[string][]answerStep{"t-1": {{jobs: many}}})
	_, err := koophone.WaitTaskUsing(waitCtx(t), "t-1", sc.getTask, koophone.WithClock(koophone.NewFakeClock(true)),
		koophone.WithMaxWait(10*time.Second))
	require.ErrorIs(t, err, koophone.ErrWaitTimeout)
	assert.Less(t, len(err.Error()), 2048)
	assert.Contains(t, err.Error(), "and 9995 more statuses")
}

// Thousands of failed jobs give one *JobError each, but an error text
// that shows ten and counts the rest.
func TestWaitTaskManyFailedJobs(t *testing.T) {
	t.Parallel()
	failed := make([]koophone.JobStatus, 3000)
	for i := range failed {
		failed[i] = koophone.JobFailed
	}
	sc := newTaskScript(map[string][]answerStep{"t-1": {jobs(failed...)}})
	_, err := koophone.WaitTaskUsing(waitCtx(t), "t-1", sc.getTask, koophone.WithClock(koophone.NewFakeClock(true)))
	require.ErrorIs(t, err, koophone.ErrTaskFailed)
	assert.Len(t, koophone.JobErrors(err), 3000)
	var je *koophone.JobError
	require.ErrorAs(t, err, &je)
	assert.Equal(t, "j1", je.JobID)
	assert.Less(t, len(err.Error()), 2048)
	assert.Contains(t, err.Error(), "and 2990 more errors (3000 in all)")
	assert.Equal(t, 11, strings.Count(err.Error(), "\n")+1)
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
