package main

import (
	"context"

	"github.com/spf13/pflag"
)

var statusCmd = command{
	name:  "status",
	short: "query the power state of instances",
	long: "Query the power state of up to 100 instances (POST /v1/instances/batch-query-status): " +
		"unknown, stopped, running, going offline, starting or shut down (with --json, the number as sent, 0 to 5, " +
		"and its name in status_name).",
	examples: []string{"koophone status --instance phone-1 --instance phone-2"},
	exits:    callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		ids := batchFlag(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			if err := ids.batch(); err != nil {
				return nil, err
			}
			c, err := s.client(ctx, seed{ids: ids.ids, prepared: true})
			if err != nil {
				return nil, err
			}
			results, err := c.BatchQueryStatus(ctx, ids.ids)
			if err != nil {
				return nil, err
			}
			rows := make([][]value, len(results))
			for i, r := range results {
				rows[i] = []value{field("instance_id", r.InstanceID), field("status", r.Status),
					jsonOnly("status_name", r.Status.String())}
			}
			return rowsOf("instances", rows), nil
		}
	},
}
