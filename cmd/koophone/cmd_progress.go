package main

import (
	"context"
	"fmt"

	"github.com/spf13/pflag"
)

var progressCmd = command{
	name:  "progress",
	short: "poll the preparation progress of one instance once",
	long:  "Poll the preparation progress of one instance once (POST /v1/instances/prepare-progress).",
	examples: []string{
		"koophone progress --user user-1 --instance phone-1",
		"koophone progress --json --user user-1 --instance phone-1",
	},
	exits: callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		ids := instancesFlag(fs, "the instance id")
		return func(ctx context.Context, s *session) (*output, error) {
			user, err := s.requireUser()
			if err != nil {
				return nil, err
			}
			if err := ids.count(1, 1); err != nil {
				return nil, err
			}
			c, err := s.client(ctx, seed{ids: ids.ids, prepared: true})
			if err != nil {
				return nil, err
			}
			id := ids.ids[0]
			p, err := c.PrepareProgress(ctx, user, id)
			if err != nil {
				return nil, err
			}
			out := rowsOf("instances", [][]value{{field("instance_id", id), jsonOnly("status", int(p.Status)),
				field("status_name", p.Status.String()),
				shown("waiting_count", p.WaitingCount, fmt.Sprintf("waitingCount=%d", p.WaitingCount))}})
			out.top = []value{jsonOnly("request_id", p.RequestID)}
			return out, nil
		}
	},
}
