package koophone

import (
	"context"
	"net/http"

	"github.com/koophone-go/koophone/internal/wire"
)

// CommandResult is what a command did on one instance, as
// [Client.RunCommand] reports it.
type CommandResult struct {
	InstanceID string    // instance_id, exactly as sent (an id that cannot be kept makes the answer malformed)
	Status     JobStatus // JobRunning, JobSucceeded or JobFailed; unknown values kept
	Code       string    // error_code, sanitised; job-level codes such as "CPS0005" are kept as text
	Message    string    // error_msg, sanitised
	Output     string    // execute_msg: what the command printed; line breaks kept, at most 64 KiB
}

var (
	opSyncCommand  = operation{name: "SyncCommand", method: http.MethodPost, write: true}
	opAsyncCommand = operation{name: "AsyncCommand", method: http.MethodPost, write: true}
)

// RunCommand runs a shell command on instanceIDs and waits for it: it
// returns one result per instance as the service lists them (an answer
// that lists an instance not in instanceIDs, or one twice, matches
// [ErrMalformedResponse]; one the answer leaves out has no result). It
// calls POST /v1/instances/sync-command. For long commands use
// [Client.StartCommand].
//
// The error is nil for a successful answer even when the command failed on
// some instances: their results say so (Status JobFailed, Code, Message).
//
// command must be 1 to 1024 bytes of valid UTF-8 without control
// characters (newlines included); the service judges the rest (its
// documented character set would forbid spaces, so the SDK does not enforce
// it). instanceIDs must be 1 to 100 distinct ids of 1 to 32 characters.
// Anything else returns an error matching [ErrInvalidParameter] and sends
// nothing. A command is never repeated once it may have run: being a write,
// the call is retried only where the service cannot have acted on it (HTTP
// 429, or a connection that failed before the request was written), never
// after a 5xx or a timeout.
func (c *Client) RunCommand(ctx context.Context, command string, instanceIDs []string) ([]CommandResult, error) {
	if err := checkCommand(command, instanceIDs); err != nil {
		return nil, err
	}
	var out commandData
	in := wire.CommandRequest{Command: command, InstanceIDs: instanceIDs}
	if _, err := c.do(ctx, opSyncCommand, request{path: "/v1/instances/sync-command", body: in, instances: instanceIDs}, &out); err != nil {
		return nil, err
	}
	results := make([]CommandResult, len(*out.CmdResults))
	for i, r := range *out.CmdResults {
		results[i] = CommandResult{InstanceID: r.InstanceID}
		results[i].Status, results[i].Code, results[i].Message, results[i].Output = outcome(r)
	}
	return results, nil
}

// StartCommand starts a shell command on instanceIDs and returns the task
// that runs it, one job per instance; follow it with [Client.WaitTask] (or
// [Client.GetTask]) to learn each job's status and output. It calls POST
// /v1/instances/async-command.
//
// Arguments are checked, and the call retried, as for [Client.RunCommand]:
// a command is never repeated once it may have run.
func (c *Client) StartCommand(ctx context.Context, command string, instanceIDs []string) (*Task, error) {
	if err := checkCommand(command, instanceIDs); err != nil {
		return nil, err
	}
	in := wire.CommandRequest{Command: command, InstanceIDs: instanceIDs}
	return c.startTask(ctx, opAsyncCommand, request{path: "/v1/instances/async-command", body: in, instances: instanceIDs})
}

// commandData is SyncCommand's data, which must carry the results, each
// with an instance id that can be kept as sent and a status.
type commandData wire.CommandData

func (d *commandData) scrubText(f func(string) string) {
	if d.CmdResults != nil {
		for i := range *d.CmdResults {
			(*d.CmdResults)[i].ScrubText(f)
		}
	}
}

func (d *commandData) instanceEntries() (string, []string, bool) {
	ids := make([]string, len(*d.CmdResults))
	for i, r := range *d.CmdResults {
		ids[i] = r.InstanceID
	}
	return "data.cmd_results", ids, true
}

func (d *commandData) Validate() error {
	if d.CmdResults == nil {
		return errMissing("data.cmd_results")
	}
	for i, r := range *d.CmdResults {
		at := entry{"data.cmd_results", i}
		if err := at.checkID("instance_id", r.InstanceID); err != nil {
			return err
		}
		if r.Status == nil {
			return errMissing(at.field("status"))
		}
	}
	return nil
}
