package koophone

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/koophone-go/koophone/internal/wire"
)

// Task is work the service goes on doing after a call returns: a reset, a
// backup, an unassignment that clears a user's data, a command started
// with [Client.StartCommand], an app install. Follow it with
// [Client.WaitTask] or look at it with [Client.GetTask].
type Task struct {
	ID        string // task_id; empty when the service answered without a task
	Jobs      []Job  // cmd_jobs: one job per instance
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
	JobID   string
	Status  JobStatus
	Code    string // the job's error_code, e.g. "CPS0005"; kept as text
	Message string // error_msg
	Output  string // execute_msg: what a command printed
}

// taskData is the data of an answer that starts a task. Older pages
// document no data for some of them: a task without an id is still a
// success (its ID is then empty).
type taskData wire.TaskData

// task maps the answer to a *Task, from data or, as older InstallApp
// answers have it, from data.data. The ids are sanitised.
func (d *taskData) task(requestID string) *Task {
	src := (*wire.TaskData)(d)
	if src.TaskID == "" && src.Data != nil {
		src = src.Data
	}
	t := &Task{ID: wire.SanitiseID(src.TaskID), RequestID: requestID}
	if len(src.CmdJobs) > 0 {
		t.Jobs = make([]Job, len(src.CmdJobs))
		for i, j := range src.CmdJobs {
			t.Jobs[i] = Job{InstanceID: wire.SanitiseID(j.InstanceID), JobID: wire.SanitiseID(j.JobID)}
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
// bounded to 64 KiB.
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
		jobs[i] = JobResult{JobID: wire.SanitiseID(j.JobID)}
		jobs[i].Status, jobs[i].Code, jobs[i].Message, jobs[i].Output = outcome(j)
	}
	return jobs, nil
}

// taskJobsData is GetTask's data, in which every job must have a status.
type taskJobsData wire.TaskJobsData

func (d *taskJobsData) scrubText(f func(string) string) {
	for i := range d.Jobs {
		d.Jobs[i].ScrubText(f)
	}
}

func (d *taskJobsData) Validate() error {
	for i, j := range d.Jobs {
		if j.Status == nil {
			return errMissing("data.jobs[" + strconv.Itoa(i) + "].status")
		}
	}
	return nil
}

// outcome maps what the service says of a job or a command to its status
// and its sanitised code, message and output. o.Status must be set.
func outcome(o wire.JobResult) (status JobStatus, code, message, output string) {
	return JobStatus(*o.Status), wire.SanitiseCode(string(o.ErrorCode)), wire.SanitiseMessage(o.ErrorMsg), wire.SanitiseOutput(o.ExecuteMsg)
}
