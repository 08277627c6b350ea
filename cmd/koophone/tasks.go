package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

// taskFlags are the flags of a command that starts a task: --wait and,
// for the wait, --timeout and --interval.
type taskFlags struct {
	wait  bool
	flags waitFlags
	fs    *pflag.FlagSet // where they were registered
}

// register adds the task flags to fs.
func (t *taskFlags) register(fs *pflag.FlagSet) {
	fs.BoolVar(&t.wait, "wait", false, "wait until every job of the task has ended (exit 1 if one failed)")
	t.flags.registerTimes(fs)
	t.fs = fs
}

// check returns a usage error for --timeout or --interval given without
// --wait, which would do nothing, and for values the SDK would refuse.
func (t *taskFlags) check() error {
	if !t.wait {
		var stray string
		t.fs.Visit(func(f *pflag.Flag) {
			if f.Name == "timeout" || f.Name == "interval" {
				stray = f.Name
			}
		})
		if stray != "" {
			return usageErrorf("--%s needs --wait", stray)
		}
	}
	return t.flags.check()
}

// runOn checks ids (1 to 100) and the task flags, reporting every problem
// at once, then runs start on them as run does.
func (t *taskFlags) runOn(ctx context.Context, s *session, ids *idList, start func(*koophone.Client, []string) (*koophone.Task, error)) (*output, error) {
	var errs problems
	errs.add(ids.batch())
	errs.add(t.check())
	if err := errs.err(); err != nil {
		return nil, err
	}
	return t.run(ctx, s, seed{ids: ids.ids}, func(c *koophone.Client) (*koophone.Task, error) { return start(c, ids.ids) })
}

// run checks the task flags, starts a task with start on the session's
// client (simulated as sd says), and prints the task or, with --wait, how
// each of its jobs ended.
func (t *taskFlags) run(ctx context.Context, s *session, sd seed, start func(*koophone.Client) (*koophone.Task, error)) (*output, error) {
	if err := t.check(); err != nil {
		return nil, err
	}
	c, err := s.client(ctx, sd)
	if err != nil {
		return nil, err
	}
	task, err := start(c)
	switch {
	case err != nil:
		return nil, err
	case !t.wait:
		return taskOutput(task), nil
	case task.ID == "":
		fmt.Fprintf(s.stderr, "koophone %s: the service answered without a task: there is nothing to wait for\n", s.name)
		return taskOutput(task), nil
	}
	return waitTask(ctx, s, c, task.ID, task.Jobs, &t.flags)
}

// taskOutput is a task just started: its id, then one line per job.
func taskOutput(task *koophone.Task) *output {
	out := rowsOf("jobs", make([][]value, len(task.Jobs)))
	out.top = []value{field("task_id", task.ID), jsonOnly("request_id", task.RequestID)}
	for i, j := range task.Jobs {
		out.rows[i] = []value{field("instance_id", j.InstanceID), field("job_id", j.JobID)}
	}
	return out
}

// waitTask waits for taskID and returns how each job ended: exit 1 when a
// job failed, 4 when the wait ran out of time (the task answered or not),
// 130 (with the jobs' last statuses) when it was interrupted.
// jobs, when known, name each job's instance.
func waitTask(ctx context.Context, s *session, c *koophone.Client, taskID string, jobs []koophone.Job, w *waitFlags) (*output, error) {
	polls := newPollPrinter(s, 1)
	start := time.Now()
	results, err := c.WaitTask(ctx, taskID, taskWaitOptions(w, jobs, polls.event)...)
	spent := time.Since(start)
	polls.finish()
	failures := koophone.JobErrors(err)
	ranOut := errors.Is(err, koophone.ErrWaitTimeout) // print the task even if it never answered
	interrupted := exitCode(err) == exitInterrupted   // Ctrl-C: print the task and where its jobs stood
	if err != nil && failures == nil && !ranOut && !interrupted {
		return nil, err
	}
	out := jobsOutput(taskID, results)
	if err != nil {
		out.code = exitCode(err)
		msg := fmt.Sprintf("%d of %d jobs failed", len(failures), len(results))
		switch {
		case interrupted:
			msg = clean(trimPrefix(err.Error()))
		case failures == nil:
			msg = "waiting for the task: " + timedOut(spent, w.timeout)
			if results == nil {
				msg += "; no status was seen"
			}
		}
		out.top = append(out.top, jsonOnly("error", msg))
		fmt.Fprintf(s.stderr, "koophone %s: %s\n", s.name, msg)
	}
	return out, nil
}

// taskWaitOptions are the options of a wait for a task; jobs, the task's
// jobs as it started (nil for task wait TASK_ID), name each job's instance
// in the SDK's results.
func taskWaitOptions(w *waitFlags, jobs []koophone.Job, onPoll func(koophone.PollEvent)) []koophone.WaitOption {
	opts := w.options(onPoll)
	if len(jobs) > 0 {
		opts = append(opts, koophone.WithJobs(jobs))
	}
	return opts
}

// jobsOutput is where the jobs of taskID stand: the task id, then one
// line per job, with the job's instance when the task's start or the
// service named it.
func jobsOutput(taskID string, results []koophone.JobResult) *output {
	named := false
	for _, r := range results {
		named = named || r.InstanceID != ""
	}
	out := rowsOf("jobs", make([][]value, len(results)))
	out.top = []value{field("task_id", taskID)}
	for i, r := range results {
		row := []value{field("job_id", r.JobID)}
		if named {
			row = append(row, field("instance_id", r.InstanceID))
		}
		out.rows[i] = append(row, jobValues(r.Status, r.Code, r.Message, r.Output)...)
	}
	return out
}

// jobValues are how a job ended, or what a command did on one instance.
// The output keeps its line breaks in JSON.
func jobValues(status koophone.JobStatus, code, message, out string) []value {
	return []value{jsonOnly("status", int(status)), field("status_name", status.String()),
		field("code", code), field("message", message), multiline("output", out)}
}

// jobFailed reports whether a job, or a command on one instance, ended
// failed.
func jobFailed(st koophone.JobStatus) bool {
	return st == koophone.JobFailed || st == koophone.JobInstallFailed
}
