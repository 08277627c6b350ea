package koophone

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/koophone-go/koophone/internal/wire"
)

// Task is work the service goes on doing after a call returns: a reset, a
// backup, an unassignment that clears a user's data, a command started
// with [Client.StartCommand], an app install. Follow it with
// [Client.WaitTask] or look at it with [Client.GetTask].
//
// Its ids are exactly as the service sent them: an answer with an id that
// cannot be kept as it is (over 128 bytes, holding a control, format or
// bidi character, only white space), a job without an id or an instance,
// or two jobs with the same id, matches [ErrMalformedResponse].
type Task struct {
	ID        string // task_id; empty when the service answered without a task
	Jobs      []Job  // cmd_jobs: one job per instance, each on an instance the call named (else the answer is malformed); hand them to the wait with [WithJobs]
	RequestID string // the X-Request-Id of the call that started it
}

// Job is the part of a [Task] that runs on one instance.
type Job struct {
	InstanceID string
	JobID      string
}

// JobStatus is the status of one job of a task. Command jobs go
// JobRunning → JobSucceeded or JobFailed; app installs go JobNotStarted →
// JobRunning → JobSucceeded or JobInstallFailed. Values the SDK does not
// know are kept as they came and are not terminal.
type JobStatus int

// The documented job statuses.
const (
	JobFailed        JobStatus = -1 // a command job failed: terminal
	JobNotStarted    JobStatus = 0  // not run yet (app installs)
	JobRunning       JobStatus = 1
	JobSucceeded     JobStatus = 2 // terminal
	JobInstallFailed JobStatus = 3 // an app install failed: terminal
)

// String returns "failed", "not-started", "running", "succeeded" or
// "install-failed", and "JobStatus(7)" for a value the SDK does not know.
func (s JobStatus) String() string {
	switch s {
	case JobFailed:
		return "failed"
	case JobNotStarted:
		return "not-started"
	case JobRunning:
		return "running"
	case JobSucceeded:
		return "succeeded"
	case JobInstallFailed:
		return "install-failed"
	}
	return "JobStatus(" + strconv.Itoa(int(s)) + ")"
}

// Terminal reports whether the job has ended: JobFailed, JobSucceeded or
// JobInstallFailed.
func (s JobStatus) Terminal() bool {
	return s == JobFailed || s == JobSucceeded || s == JobInstallFailed
}

// failed reports whether the status is one of the two failures.
func (s JobStatus) failed() bool { return s == JobFailed || s == JobInstallFailed }

// JobResult is the state of one job as [Client.GetTask] reports it.
type JobResult struct {
	JobID string
	// InstanceID is the instance the job runs on: from GetTask's answer when
	// it says (the API reference's jobs carry no instance_id), else, in a
	// wait, from the jobs handed to it with [WithJobs]; "" when neither says.
	InstanceID string
	Status     JobStatus
	Code       string // the job's error_code, e.g. "CPS0005"; kept as text
	Message    string // error_msg
	Output     string // execute_msg: what a command printed
}

// taskData is the data of an answer that starts a task. Older pages
// document no data for some of them: a task without an id is still a
// success (its ID is then empty).
type taskData wire.TaskData

// source returns where the task is: data or, as older InstallApp answers
// have it, data.data, and the name of that place.
func (d *taskData) source() (*wire.TaskData, string) {
	src := (*wire.TaskData)(d)
	if src.TaskID == "" && src.Data != nil {
		return src.Data, "data.data"
	}
	return src, "data"
}

// Validate checks the task's ids: a task_id, if there is one, and every
// job's instance_id and job_id must be ones that can be kept as sent, and
// no job_id may come twice.
func (d *taskData) Validate() error {
	src, at := d.source()
	if err := (entry{at, -1}).checkOptionalID("task_id", src.TaskID); err != nil {
		return err
	}
	seen := make(map[string]struct{}, len(src.CmdJobs))
	for i, j := range src.CmdJobs {
		job := entry{at + ".cmd_jobs", i}
		if err := job.checkID("instance_id", j.InstanceID); err != nil {
			return err
		}
		if err := checkJobID(job, j.JobID, seen); err != nil {
			return err
		}
	}
	return nil
}

// checkJobID checks the job_id of the job at job: one that can be kept as
// sent, and not in seen, to which it is added.
func checkJobID(job entry, jobID string, seen map[string]struct{}) error {
	if err := job.checkID("job_id", jobID); err != nil {
		return err
	}
	if _, dup := seen[jobID]; dup {
		return fmt.Errorf("%s %q is the id of an earlier job too", job.field("job_id"), jobID)
	}
	seen[jobID] = struct{}{}
	return nil
}

// instanceEntries returns the instances of the task's jobs; an instance
// may have more than one job.
func (d *taskData) instanceEntries() (string, []string, bool) {
	src, at := d.source()
	ids := make([]string, len(src.CmdJobs))
	for i, j := range src.CmdJobs {
		ids[i] = j.InstanceID
	}
	return at + ".cmd_jobs", ids, false
}

// task maps the checked answer to a *Task, keeping its ids as sent.
func (d *taskData) task(requestID string) *Task {
	src, _ := d.source()
	t := &Task{ID: src.TaskID, RequestID: requestID}
	if len(src.CmdJobs) > 0 {
		t.Jobs = make([]Job, len(src.CmdJobs))
		for i, j := range src.CmdJobs {
			t.Jobs[i] = Job{InstanceID: j.InstanceID, JobID: j.JobID}
		}
	}
	return t
}

// startTask sends r and returns the task its answer starts.
func (c *Client) startTask(ctx context.Context, op operation, r request) (*Task, error) {
	var out taskData
	id, err := c.do(ctx, op, r, &out)
	if err != nil {
		return nil, err
	}
	return out.task(id), nil
}

var opGetTask = operation{name: "GetTask", method: http.MethodGet}

// GetTask reports where each job of a task stands: the task that
// [Client.ResetInstances], [Client.BackupInstances], [Client.StartCommand],
// [Client.InstallApp] and the like started. It calls GET
// /v1/instances/tasks/{task_id} and, being a read, is retried on every
// transient failure.
//
// A job that failed is a result like any other: the error is nil for a
// successful answer even when jobs failed (see JobResult.Status and Code);
// [Client.WaitTask] is what turns failed jobs into errors. A task that lists
// no job yet gives an empty slice. Statuses the SDK does not know are kept.
// Codes, messages and output are sanitised; Output keeps line breaks and is
// bounded to 64 KiB. Ids are kept exactly as sent: a job without a job_id,
// two jobs with the same job_id, or an id that cannot be kept as it is
// (empty, over 128 bytes, holding a control, format or bidi character) make
// the answer malformed ([ErrMalformedResponse], retried like a broken
// envelope). A job's InstanceID is set only when the answer says.
//
// taskID must be 1 to 128 characters without control characters, and not
// "." or ".."; otherwise it returns an error matching [ErrInvalidParameter]
// and sends nothing. A task the service does not know is an [*APIError]
// with the service's code: for an app install, KOOPHONE.API.1323, which
// matches [ErrTaskNotFound]; for other tasks the API reference documents
// none (koophonetest answers KOOPHONE.API.1000, [ErrInvalidParameter]).
func (c *Client) GetTask(ctx context.Context, taskID string) ([]JobResult, error) {
	if err := checkText("task id", taskID, maxTaskIDLen); err != nil {
		return nil, err
	}
	return c.getTask(ctx, taskID)
}

// getTask is GetTask with the id already checked: what every poll of a
// task wait calls.
func (c *Client) getTask(ctx context.Context, taskID string) ([]JobResult, error) {
	var out taskJobsData
	if _, err := c.do(ctx, opGetTask, request{path: "/v1/instances/tasks/" + url.PathEscape(taskID)}, &out); err != nil {
		return nil, err
	}
	jobs := make([]JobResult, len(out.Jobs))
	for i, j := range out.Jobs {
		jobs[i] = JobResult{JobID: j.JobID, InstanceID: j.InstanceID}
		jobs[i].Status, jobs[i].Code, jobs[i].Message, jobs[i].Output = outcome(j)
	}
	return jobs, nil
}

// taskJobsData is GetTask's data, in which every job must have a status
// and an id of its own.
type taskJobsData wire.TaskJobsData

func (d *taskJobsData) scrubText(f func(string) string) {
	for i := range d.Jobs {
		d.Jobs[i].ScrubText(f)
	}
}

func (d *taskJobsData) Validate() error {
	seen := make(map[string]struct{}, len(d.Jobs))
	for i, j := range d.Jobs {
		job := entry{"data.jobs", i}
		if err := checkJobID(job, j.JobID, seen); err != nil {
			return err
		}
		if err := job.checkOptionalID("instance_id", j.InstanceID); err != nil {
			return err
		}
		if j.Status == nil {
			return errMissing(job.field("status"))
		}
	}
	return nil
}

// outcome maps what the service says of a job or a command to its status
// and its sanitised code, message and output. o.Status must be set.
func outcome(o wire.JobResult) (status JobStatus, code, message, output string) {
	return JobStatus(*o.Status), wire.SanitiseCode(string(o.ErrorCode)), wire.SanitiseMessage(o.ErrorMsg), wire.SanitiseOutput(o.ExecuteMsg)
}

// WithJobs hands [Client.WaitTask] and [Client.WaitTasks] the jobs the
// task started with ([Task].Jobs), so that each job's result and error name
// the instance it runs on: GetTask's answer does not say (when it does, the
// answer wins). The Client keeps no memory of the tasks it started.
// [Client.WaitTasks] takes the jobs of all its tasks in one WithJobs,
// matched by job id. The jobs are copied: changing the slice later changes
// nothing. Each job needs a job id and an instance id that the service
// could have sent (1 to 128 bytes, no control, format or bidi character),
// and a job id may not name two instances; otherwise the wait returns an
// error matching [ErrInvalidParameter] before anything is sent. The other
// waits ignore it; a later WithJobs replaces an earlier one.
func WithJobs(jobs []Job) WaitOption {
	names, err := jobInstances(jobs)
	return func(c *waitConfig) { c.jobs = jobNames{names: names, err: err} }
}

// jobNames is what [WithJobs] gives a wait: the instance of each job id,
// or why the jobs were refused.
type jobNames struct {
	names map[string]string
	err   error
}

// jobInstances maps each job id to its instance, checking the jobs.
func jobInstances(jobs []Job) (map[string]string, error) {
	names := make(map[string]string, len(jobs))
	for i, j := range jobs {
		if err := firstError(checkJobArg(i, "job id", j.JobID), checkJobArg(i, "instance id", j.InstanceID)); err != nil {
			return nil, err
		}
		if prev, ok := names[j.JobID]; ok && prev != j.InstanceID {
			return nil, invalidArg("WithJobs: job %d: job %q is on instance %q and on instance %q", i, j.JobID, prev, j.InstanceID)
		}
		names[j.JobID] = j.InstanceID
	}
	return names, nil
}

// checkJobArg checks one id of job i handed to WithJobs.
func checkJobArg(i int, name, id string) error {
	if err := wire.CheckID(id); err != nil {
		return invalidArg("WithJobs: job %d: %s %v", i, name, err) // not quoted: it may be long
	}
	return nil
}

// namingJobs returns poll, changed so that a job whose answer does not
// name its instance is named after the jobs handed to the wait with
// WithJobs among opts; or why those jobs were refused.
func namingJobs(poll taskPoll, opts []WaitOption) (taskPoll, error) {
	var cfg waitConfig
	for _, opt := range opts {
		if opt != nil { // a nil option is refused when the wait starts
			opt(&cfg)
		}
	}
	names := cfg.jobs.names
	if cfg.jobs.err != nil || len(names) == 0 {
		return poll, cfg.jobs.err
	}
	return func(ctx context.Context, taskID string) ([]JobResult, error) {
		jobs, err := poll(ctx, taskID)
		for i := range jobs {
			if jobs[i].InstanceID == "" {
				jobs[i].InstanceID = names[jobs[i].JobID]
			}
		}
		return jobs, err
	}, nil
}
