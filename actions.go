package koophone

import (
	"context"
	"net/http"

	"github.com/koophone-go/koophone/internal/wire"
)

var (
	opBatchReset  = operation{name: "BatchReset", method: http.MethodPost, write: true}
	opBatchReboot = operation{name: "BatchRebootInstance", method: http.MethodPost, write: true}
	opBatchBackup = operation{name: "BatchBackupInstances", method: http.MethodPost, write: true}
)

// ResetInstances resets instanceIDs to their initial state, erasing what is
// on them, and returns the task that does it (follow it with
// [Client.WaitTask]). It calls POST /v1/instances/batch-reset.
//
// Older pages of the API reference document no data for this answer: a
// success without a task gives a *Task with an empty ID (and no jobs).
//
// It takes 1 to 100 distinct instance ids of 1 to 32 characters; anything
// else returns an error matching [ErrInvalidParameter] and sends nothing.
// Being a write, it is retried only where the service cannot have acted on
// it (HTTP 429, or a connection that failed before the request was
// written); never after a 5xx or a timeout. Errors are [*APIError]s:
// errors.Is matches ErrInstanceNotFound, ErrPermissionDenied,
// ErrOperationNotAllowed (e.g. an instance being backed up) and so on.
func (c *Client) ResetInstances(ctx context.Context, instanceIDs []string) (*Task, error) {
	return c.batchTask(ctx, opBatchReset, "/v1/instances/batch-reset", instanceIDs)
}

// RebootInstances restarts instanceIDs. It calls POST /v1/instances/reboot;
// the answer carries no data.
//
// Arguments are checked, and the call retried, as for
// [Client.ResetInstances]. When not all the instances are running the
// service answers KOOPHONE.API.5005 ([CodeInstancesNotRunning]), which
// matches [ErrOperationNotAllowed].
func (c *Client) RebootInstances(ctx context.Context, instanceIDs []string) error {
	if err := checkIDs(instanceIDs, maxBatch); err != nil {
		return err
	}
	_, err := c.do(ctx, opBatchReboot, request{path: "/v1/instances/reboot", body: wire.InstanceIDsRequest{InstanceIDs: instanceIDs}}, nil)
	return err
}

// BackupInstances backs the data of instanceIDs up to OBS, then releases
// the machines, and returns the task that does it (follow it with
// [Client.WaitTask]). It calls POST /v1/instances/backup.
//
// Arguments are checked, the answer read, and the call retried, as for
// [Client.ResetInstances].
func (c *Client) BackupInstances(ctx context.Context, instanceIDs []string) (*Task, error) {
	return c.batchTask(ctx, opBatchBackup, "/v1/instances/backup", instanceIDs)
}

// batchTask sends {"instance_ids": instanceIDs} to path and returns the
// task the answer starts.
func (c *Client) batchTask(ctx context.Context, op operation, path string, instanceIDs []string) (*Task, error) {
	if err := checkIDs(instanceIDs, maxBatch); err != nil {
		return nil, err
	}
	return c.startTask(ctx, op, request{path: path, body: wire.InstanceIDsRequest{InstanceIDs: instanceIDs}, instances: instanceIDs})
}
