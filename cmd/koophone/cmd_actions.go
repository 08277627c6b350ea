package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var resetCmd = command{
	name:  "reset",
	short: "reset instances, erasing them; prints the task (--wait waits for it)",
	long: "Reset up to 100 instances to their initial state, erasing what is on them (POST /v1/instances/batch-reset), " +
		"and print the task that does it; with --wait, wait for it and print how each job ended (exit 1 if one failed).",
	examples: []string{"koophone reset --instance phone-1 --instance phone-2 --wait --timeout 15m"},
	exits:    allExits,
	failed:   "a job failed (with --wait)",
	flags:    startTask((*koophone.Client).ResetInstances),
}

var backupCmd = command{
	name:  "backup",
	short: "back instances' data up to OBS; prints the task (--wait waits for it)",
	long: "Back up the data of up to 100 instances to OBS, then release the machines (POST /v1/instances/backup), " +
		"and print the task that does it; with --wait, wait for it and print how each job ended (exit 1 if one failed).",
	examples: []string{"koophone backup --instance phone-1 --wait"},
	exits:    allExits,
	failed:   "a job failed (with --wait)",
	flags:    startTask((*koophone.Client).BackupInstances),
}

var rebootCmd = command{
	name:     "reboot",
	short:    "restart instances",
	long:     "Restart up to 100 running instances (POST /v1/instances/reboot). The answer carries no task to wait for.",
	examples: []string{"koophone reboot --instance phone-1 --instance phone-2"},
	exits:    callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		ids := batchFlag(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			return onInstances(ctx, s, ids, "rebooting", (*koophone.Client).RebootInstances)
		}
	},
}

// startTask is the flags of a command that starts a task on the
// instances of --instance with call, then prints it or, with --wait, waits
// for it.
func startTask(call func(*koophone.Client, context.Context, []string) (*koophone.Task, error)) func(*pflag.FlagSet) runFunc {
	return func(fs *pflag.FlagSet) runFunc {
		var t taskFlags
		ids := batchFlag(fs)
		t.register(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			return t.runOn(ctx, s, ids, func(c *koophone.Client, ids []string) (*koophone.Task, error) {
				return call(c, ctx, ids)
			})
		}
	}
}
