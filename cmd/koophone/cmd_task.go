package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var taskGetCmd = command{
	name:  "task get",
	short: "show where each job of a task stands",
	long: "Show where each job of a task stands (GET /v1/instances/tasks/{task_id}): one line per job with its " +
		"status, error code, message and output. A failed job is shown, not an error: see task wait. " +
		"With --simulate, TASK_ID may be left out: the fake service starts a command task to look at.",
	examples: []string{"koophone task get TASK_ID", "koophone task get --json TASK_ID"},
	exits:    callExits,
	args:     "TASK_ID",
	flags: func(*pflag.FlagSet) runFunc {
		return func(ctx context.Context, s *session) (*output, error) {
			c, id, err := taskClient(ctx, s)
			if err != nil {
				return nil, err
			}
			results, err := c.GetTask(ctx, id)
			if err != nil {
				return nil, err
			}
			return jobsOutput(id, results), nil
		}
	},
}

var taskWaitCmd = command{
	name:  "task wait",
	short: "wait until every job of a task has ended (exit 1 if one failed)",
	long: "Wait until every job of a task has ended, polling GET /v1/instances/tasks/{task_id}, and print how each " +
		"ended. Exits 1 if a job failed, 4 if --timeout ran out. With --simulate, TASK_ID may be left out: the fake " +
		"service starts a command task to wait for.",
	examples: []string{"koophone task wait TASK_ID --timeout 30m", "koophone task wait --simulate"},
	exits:    allExits,
	failed:   "a job failed",
	args:     "TASK_ID",
	flags: func(fs *pflag.FlagSet) runFunc {
		var w waitFlags
		w.registerTimes(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			if err := w.check(); err != nil {
				return nil, err
			}
			c, id, err := taskClient(ctx, s)
			if err != nil {
				return nil, err
			}
			return waitTask(ctx, s, c, id, nil, &w)
		}
	},
}

// taskClient checks the one TASK_ID argument and returns the client and
// the task id. With --simulate and no TASK_ID, it starts a command task on
// the fake service, and that is the one.
func taskClient(ctx context.Context, s *session) (*koophone.Client, string, error) {
	simulated := s.g.simulate && len(s.args) == 0
	if len(s.args) != 1 && !simulated {
		return nil, "", usageErrorf("want one TASK_ID argument")
	}
	if !simulated {
		c, err := s.client(ctx, seed{})
		return c, s.args[0], err
	}
	ids := []string{"phone-1", "phone-2"}
	c, err := s.client(ctx, seed{ids: ids})
	if err != nil {
		return nil, "", err
	}
	task, err := c.StartCommand(ctx, "echo simulated", ids)
	if err != nil {
		return nil, "", err
	}
	if !s.g.quiet {
		fmt.Fprintf(s.stderr, "koophone: the simulated service runs task %s\n", task.ID)
	}
	return c, task.ID, nil
}
