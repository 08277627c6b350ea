package koophone

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// WaitTask polls [Client.GetTask] until every job of the task has ended
// ([JobStatus.Terminal]) and returns every job's last result. The first
// poll happens at once; the next ones back off within [WithPollInterval].
// A task that lists no job yet keeps the wait going.
//
// When every job has ended, the error is nil if all succeeded, and
// otherwise errors.Join of one [*JobError] per failed job, in the order
// of the results (they match [ErrTaskFailed]; [JobErrors] lists them; past
// ten, the error's text shows ten and counts the rest).
// A job that disappears from an answer keeps its last result.
// The wait ends early as [Client.WaitUntilReady]'s does: a permanent error
// (an unknown task) at once, with that error; too many transient failures
// in a row; [WithMaxWait] or ctx's deadline, with the last results and an
// error matching both [ErrWaitTimeout] and context.DeadlineExceeded; ctx
// cancelled, with an error matching ctx.Err(). [WithOnPoll] events carry
// TaskID and Jobs. With [WithJobs](task.Jobs), each result and failed job
// names its instance (GetTask's answer does not).
//
// taskID must be 1 to 128 characters without control characters, and not
// "." or ".."; otherwise it returns an error matching [ErrInvalidParameter]
// and sends nothing.
func (c *Client) WaitTask(ctx context.Context, taskID string, opts ...WaitOption) ([]JobResult, error) {
	if err := checkText("task id", taskID, maxTaskIDLen); err != nil {
		return nil, err
	}
	return waitTask(ctx, taskID, c.getTask, c.waitOptions(opts), c.startWait)
}

// waitTask is WaitTask polling with getTask; start observes it once its arguments pass.
func waitTask(ctx context.Context, taskID string, getTask taskPoll, opts []WaitOption, start startWaitFunc) (_ []JobResult, err error) {
	getTask, err = namingJobs(getTask, opts)
	if err != nil {
		return nil, err
	}
	w, err := newWaiter[[]JobResult](ctx, taskSubject{get: getTask}, taskWords{}, opts)
	if err != nil {
		return nil, err
	}
	ctx, end := start(ctx, "WaitTask", 1)
	defer func() { end(err) }()
	t := w.run(ctx, []string{taskID})[0]
	return t.last, t.err
}

// WaitTasks waits for many tasks at once, as [Client.WaitTask] does for
// one: each task is polled on its own backoff schedule, with at most
// [WithConcurrency] polls in flight, and finishes independently; the
// wait's deadline ([WithMaxWait], ctx) is shared. OnPoll calls never
// overlap.
//
// It returns the last results of every task that answered at least once,
// and nil when every job of every task succeeded. Otherwise the error
// joins, in the order of taskIDs (its text shows ten and counts the rest;
// errors.Is and errors.As see every one): for a task whose jobs ended
// with failures, one [*JobError] per failed job (each names its task;
// [JobErrors] lists them all); for a task whose wait ended otherwise, an
// error that names the task ("koophone: task \"id\": …") and wraps the
// cause, which errors.Is and errors.As reach ([ErrWaitTimeout], ctx's
// error, an [*APIError]). The ids must be distinct and valid, as for WaitTask.
// [WithJobs] takes the jobs of all the tasks, matched by job id.
func (c *Client) WaitTasks(ctx context.Context, taskIDs []string, opts ...WaitOption) (map[string][]JobResult, error) {
	if err := checkList("task ids", taskIDs, 0, maxTaskIDLen); err != nil {
		return nil, err
	}
	return waitTasks(ctx, taskIDs, c.getTask, c.waitOptions(opts), c.startWait)
}

// waitTasks is WaitTasks polling with getTask; start observes it once its arguments pass.
func waitTasks(ctx context.Context, taskIDs []string, getTask taskPoll, opts []WaitOption, start startWaitFunc) (_ map[string][]JobResult, err error) {
	getTask, err = namingJobs(getTask, opts)
	if err != nil {
		return nil, err
	}
	w, err := newWaiter[[]JobResult](ctx, taskSubject{get: getTask}, taskWords{many: true}, opts)
	if err != nil {
		return nil, err
	}
	ctx, end := start(ctx, "WaitTasks", len(taskIDs))
	defer func() { end(err) }()
	return lastResults(w.run(ctx, taskIDs), func(id string, err error) error {
		if errors.Is(err, ErrTaskFailed) { // *JobErrors: they name the task
			return err
		}
		return &taskWaitError{taskID: id, err: err}
	})
}

// taskPoll is what a task wait polls: Client.getTask, or a test's stand-in.
type taskPoll func(ctx context.Context, taskID string) ([]JobResult, error)

// taskSubject waits for tasks to end.
type taskSubject struct {
	get taskPoll
}

// poll asks for the task's jobs and keeps every job it ever listed: a job
// that disappears from an answer keeps its last result from prev (so a
// task cannot end by dropping a running job), and new jobs are added in
// order.
func (s taskSubject) poll(ctx context.Context, id string, prev []JobResult) ([]JobResult, error) {
	jobs, err := s.get(ctx, id)
	if err != nil || len(prev) == 0 {
		return jobs, err
	}
	listed := make(map[string]bool, len(jobs))
	for _, j := range jobs {
		listed[j.JobID] = true
	}
	for _, j := range prev {
		if !listed[j.JobID] {
			jobs = append(jobs, j)
		}
	}
	return jobs, nil
}

func (taskSubject) judge(id string, jobs []JobResult) (bool, error) {
	if len(jobs) == 0 {
		return false, nil // no job listed yet
	}
	var errs []error
	for _, j := range jobs {
		if !j.Status.Terminal() {
			return false, nil
		}
		if j.Status.failed() {
			errs = append(errs, &JobError{TaskID: id, JobID: j.JobID, InstanceID: j.InstanceID, Status: j.Status, Code: j.Code, Message: j.Message})
		}
	}
	return true, joinErrors(errs)
}

// taskWords is how a wait for tasks speaks of them.
type taskWords struct {
	many bool // a wait for many tasks, whose errors name the task anyway
}

func (s taskWords) waitingFor(id string) string {
	if s.many {
		return "the task to end"
	}
	return fmt.Sprintf("task %q", id)
}

// maxStatusesShown bounds the statuses a wait's error names: a task may
// list thousands of jobs in as many unknown statuses.
const maxStatusesShown = 5

// describe counts the jobs by status, in the order the statuses first
// appear: "last job statuses: 2 running, 1 succeeded".
func (taskWords) describe(jobs []JobResult) (string, string) {
	if len(jobs) == 0 {
		return "the task listed no job yet", ""
	}
	var order []JobStatus
	count := make(map[JobStatus]int)
	for _, j := range jobs {
		if count[j.Status] == 0 {
			order = append(order, j.Status)
		}
		count[j.Status]++
	}
	parts := make([]string, 0, min(len(order), maxStatusesShown)+1)
	for _, st := range order[:min(len(order), maxStatusesShown)] {
		parts = append(parts, fmt.Sprintf("%d %s", count[st], st))
	}
	if more := len(order) - maxStatusesShown; more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more statuses", more))
	}
	return "last job statuses: " + strings.Join(parts, ", "), ""
}

func (taskWords) event(ev *PollEvent, id string, jobs []JobResult) {
	ev.TaskID, ev.Jobs = id, jobs
}

// taskWaitError is how the wait for one task of [Client.WaitTasks] ended,
// other than with failed jobs: it names the task and wraps the cause.
type taskWaitError struct {
	taskID string
	err    error
}

func (e *taskWaitError) Error() string {
	return fmt.Sprintf("koophone: task %q: %s", e.taskID, strings.TrimPrefix(e.err.Error(), "koophone: "))
}

func (e *taskWaitError) Unwrap() error { return e.err }
