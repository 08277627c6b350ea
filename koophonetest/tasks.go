package koophonetest

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/koophone-go/koophone"
)

// defaultTaskDuration is how long a task's job runs unless WithTaskDuration says otherwise.
const defaultTaskDuration = 20 * time.Millisecond

// WithTaskDuration sets how long each job of a task runs, from the call
// that started it to its end, on the server's clock ([WithClock]): command
// jobs are running (1) until then; app installs are not started (0) for
// the first half and running (1) for the second. 20 ms by default; zero
// or negative means the default.
func WithTaskDuration(d time.Duration) Option { return func(s *Server) { s.taskDuration = d } }

// Job statuses of GetTask.
const (
	jobFailed        = -1
	jobNotStarted    = 0
	jobRunning       = 1
	jobSucceeded     = 2
	jobInstallFailed = 3
)

// jobKind says which statuses a job goes through.
type jobKind int

const (
	commandJob jobKind = iota // 1 → 2, or -1
	installJob                // 0 → 1 → 2, or 3
)

// jobFailure is how a job will fail, from FailJobs.
type jobFailure struct{ code, message string }

// jobSpec says what the jobs of a new task do.
type jobSpec struct {
	kind     jobKind
	activity koophone.PrepareStatus // what ShowProgress reports while it runs; 0 = nothing
	output   string                 // execute_msg once it succeeded
	// effect changes the instance once the job has ended, at end.
	effect func(in *instance, failed bool, end time.Time)
}

// job is one instance's part of a task.
type job struct {
	jobSpec
	id, instanceID string
	start          time.Time
	failure        *jobFailure // nil: it succeeds
}

// task is a task that GetTask can follow.
type task struct {
	id   string
	jobs []*job
}

// taskJSON is the data of an answer that starts a task.
type taskJSON struct {
	TaskID  string       `json:"task_id"`
	CmdJobs []cmdJobJSON `json:"cmd_jobs"`
}

type cmdJobJSON struct {
	InstanceID string `json:"instance_id"`
	JobID      string `json:"job_id"`
}

// jobJSON is an item of GetTask's jobs.
type jobJSON struct {
	JobID      string `json:"job_id"`
	Status     int    `json:"status"`
	ErrorCode  string `json:"error_code"`
	ErrorMsg   string `json:"error_msg"`
	ExecuteMsg string `json:"execute_msg"`
}

// FailJobs makes the next job on instanceID fail with code and message
// (e.g. "CPS0005", "Phone not found."): a job of any task started after
// the call, or a SyncCommand result. Calls queue up, one per job.
func (s *Server) FailJobs(instanceID, code, message string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failJobs[instanceID] = append(s.failJobs[instanceID], jobFailure{code: code, message: message})
}

// takeJobFailure returns how the next job on an instance fails, or nil.
// The caller holds s.mu.
func (s *Server) takeJobFailure(instanceID string) *jobFailure {
	q := s.failJobs[instanceID]
	if len(q) == 0 {
		return nil
	}
	s.failJobs[instanceID] = q[1:]
	return &q[0]
}

// startTask starts a task of one job per instance; its id is prefix and
// random hex. The caller holds s.mu.
func (s *Server) startTask(prefix string, insts []*instance, spec jobSpec) taskJSON {
	t := &task{id: prefix + randomHex(16)}
	out := taskJSON{TaskID: t.id, CmdJobs: make([]cmdJobJSON, len(insts))}
	for i, in := range insts {
		j := &job{jobSpec: spec, id: "job-" + randomHex(8), instanceID: in.ID, start: s.now(), failure: s.takeJobFailure(in.ID)}
		t.jobs = append(t.jobs, j)
		in.pending = append(in.pending, j)
		out.CmdJobs[i] = cmdJobJSON{InstanceID: in.ID, JobID: j.id}
	}
	s.tasks[t.id] = t
	return out
}

// jobStatus is where a job has got on the server's clock. The caller holds s.mu.
func (s *Server) jobStatus(j *job) int {
	elapsed, d := s.now().Sub(j.start), s.taskDuration
	switch {
	case j.kind == installJob && elapsed < d/2:
		return jobNotStarted
	case elapsed < d:
		return jobRunning
	case j.failure != nil && j.kind == installJob:
		return jobInstallFailed
	case j.failure != nil:
		return jobFailed
	}
	return jobSucceeded
}

func terminal(status int) bool {
	return status == jobFailed || status == jobSucceeded || status == jobInstallFailed
}

// busy returns what ShowProgress reports while a job backs the instance
// up or resets it. The caller holds s.mu.
func (s *Server) busy(in *instance) (koophone.PrepareStatus, bool) {
	for _, j := range in.pending {
		if j.activity != 0 && !terminal(s.jobStatus(j)) {
			return j.activity, true
		}
	}
	return 0, false
}

// settle applies the effects of the instance's jobs that have ended. The
// caller holds s.mu.
func (s *Server) settle(in *instance) {
	in.pending = slices.DeleteFunc(in.pending, func(j *job) bool {
		if !terminal(s.jobStatus(j)) {
			return false
		}
		if j.effect != nil {
			j.effect(in, j.failure != nil, j.start.Add(s.taskDuration))
		}
		return true
	})
}

// getTask answers GetTask: GET /v1/instances/tasks/{task_id}. An unknown
// app-install task ("ZGCA…") gets KOOPHONE.API.1323, any other unknown
// task KOOPHONE.API.1000. Its jobs carry no instance_id, as the official
// model's do not: a wait learns the instances from the task's cmd_jobs
// (koophone.WithJobs).
func (s *Server) getTask(r *http.Request, _ []byte) reply {
	id := r.PathValue("task_id")
	if msg := checkLen("task_id", id, 1, 128); msg != "" {
		return invalid("%s", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tasks[id]
	switch {
	case !ok && strings.HasPrefix(id, installTaskPrefix):
		return fail(codeInstallNotFound, "app install task does not exist: %s", id)
	case !ok:
		return invalid("task does not exist: %s", id)
	}
	jobs := make([]jobJSON, len(t.jobs))
	for i, j := range t.jobs {
		st := s.jobStatus(j)
		jobs[i] = jobJSON{JobID: j.id, Status: st}
		switch {
		case terminal(st) && j.failure != nil:
			jobs[i].ErrorCode, jobs[i].ErrorMsg = j.failure.code, j.failure.message
		case terminal(st):
			jobs[i].ExecuteMsg = j.output
		}
	}
	return success(map[string]any{"jobs": jobs})
}
