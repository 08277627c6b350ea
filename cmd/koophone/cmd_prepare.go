package main

import (
	"context"

	"github.com/spf13/pflag"
)

var prepareCmd = command{
	name:  "prepare",
	short: "ask the service to prepare instances for a user; prints each state",
	long: "Ask the service to prepare instances for a user (POST /v1/instances/prepare) and print each instance's state. " +
		"With --json each instance has \"state\" and \"state_name\" (0 ready, 1 to-be-restored, …): a prepare state, " +
		"not the \"status\" of progress and wait (0 ready, 1 queuing, 2 restoring, …).",
	examples: []string{"koophone prepare --user user-1 --instance phone-1 --instance phone-2"},
	exits:    callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		ids := batchFlag(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			user, err := s.requireUser()
			if err != nil {
				return nil, err
			}
			if err := ids.batch(); err != nil {
				return nil, err
			}
			c, err := s.client(ctx, seed{ids: ids.ids})
			if err != nil {
				return nil, err
			}
			states, err := c.PrepareInstances(ctx, user, ids.ids)
			if err != nil {
				return nil, err
			}
			rows := make([][]value, len(states))
			for i, st := range states {
				// "state", not "status": a prepare state (1 to be restored) is
				// not a progress status (1 queuing).
				rows[i] = []value{field("instance_id", st.InstanceID), jsonOnly("state", int(st.Status)), field("state_name", st.Status.String())}
			}
			return rowsOf("instances", rows), nil
		}
	},
}
