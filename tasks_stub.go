package koophone

import (
	"context"
	"errors"
)

// TEMPORARY: a stand-in so that the poll branch compiles; the lead deletes
// this file when the issue-15 branch, which adds the real GetTask, is merged.

// GetTask reports the jobs of a task. Not implemented yet.
func (c *Client) GetTask(ctx context.Context, taskID string) ([]JobResult, error) {
	return nil, errors.New("koophone: GetTask: not implemented")
}
