package main

import (
	"context"
	"strings"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var execCmd = command{
	name:  "exec",
	short: "run a shell command on instances; prints each one's status and output",
	long: "Run a shell command on up to 100 instances and wait for it (POST /v1/instances/sync-command): one line " +
		"per instance with its status, error code, message and output (line breaks escaped; kept in JSON). " +
		"Exits 1 if it failed on one. With --async, start it as a task instead (POST /v1/instances/async-command) " +
		"and print the task; add --wait to wait for it and print each job's output. The command starts at " +
		"the first word that is not one of exec's flags, or after the first --, and runs to the end of the line " +
		"exactly as given (a later -- and words such as --quiet are part of it); its words are joined with " +
		"spaces into one command line of at most 1024 bytes, without line breaks. Flags of koophone go before it.",
	examples: []string{
		"koophone exec --instance phone-1 --instance phone-2 -- getprop ro.build.version.release",
		"koophone exec --async --wait --timeout 5m --instance phone-1 -- 'pm list packages | wc -l'",
		"koophone exec --instance phone-1 rm -- -rf /sdcard/x",
		"TASK=$(koophone exec --async --jq .task_id --instance phone-1 -- 'sh /data/local/tmp/warmup.sh')",
	},
	exits:    allExits,
	failed:   "the command failed on an instance",
	args:     "[--] COMMAND…",
	verbatim: true,
	flags: func(fs *pflag.FlagSet) runFunc {
		var t taskFlags
		ids := batchFlag(fs)
		async := fs.Bool("async", false, "start the command as a task and print the task")
		t.register(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			if len(s.args) == 0 {
				return nil, usageErrorf("the command is missing: koophone exec --instance ID -- COMMAND")
			}
			if t.wait && !*async {
				return nil, usageErrorf("--wait needs --async: without it, exec waits for the command anyway")
			}
			if err := t.check(); err != nil {
				return nil, err
			}
			if err := ids.batch(); err != nil {
				return nil, err
			}
			command := strings.Join(s.args, " ")
			if *async {
				return t.run(ctx, s, seed{ids: ids.ids}, func(c *koophone.Client) (*koophone.Task, error) {
					return c.StartCommand(ctx, command, ids.ids)
				})
			}
			c, err := s.client(ctx, seed{ids: ids.ids})
			if err != nil {
				return nil, err
			}
			results, err := c.RunCommand(ctx, command, ids.ids)
			if err != nil {
				return nil, err
			}
			return commandOutput(results), nil
		}
	},
}

// commandOutput is what a command did on each instance: exit 1 if it failed
// on one.
func commandOutput(results []koophone.CommandResult) *output {
	out := rowsOf("instances", make([][]value, len(results)))
	for i, r := range results {
		out.rows[i] = append([]value{field("instance_id", r.InstanceID)}, jobValues(r.Status, r.Code, r.Message, r.Output)...)
		if jobFailed(r.Status) {
			out.code = exitFailed
		}
	}
	return out
}
