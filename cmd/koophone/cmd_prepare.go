package main

import (
	"context"

	"github.com/spf13/pflag"
)

var prepareCmd = command{
	name:     "prepare",
	short:    "ask the service to prepare instances for a user; prints each state",
	long:     "Ask the service to prepare instances for a user (POST /v1/instances/prepare) and print each instance's state.",
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
				rows[i] = []value{field("instance_id", st.InstanceID), jsonOnly("status", int(st.Status)), field("status_name", st.Status.String())}
			}
			return rowsOf("instances", rows), nil
		}
	},
}
