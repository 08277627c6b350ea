package koophone

import (
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
// answers have it, from data.data.
func (d *taskData) task(requestID string) *Task {
	src := (*wire.TaskData)(d)
	if src.TaskID == "" && src.Data != nil {
		src = src.Data
	}
	t := &Task{ID: src.TaskID, RequestID: requestID}
	if len(src.CmdJobs) > 0 {
		t.Jobs = make([]Job, len(src.CmdJobs))
		for i, j := range src.CmdJobs {
			t.Jobs[i] = Job{InstanceID: j.InstanceID, JobID: j.JobID}
		}
	}
	return t
}
