package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var assignCmd = command{
	name:  "assign",
	short: "assign instances to users",
	long: "Assign instances to users (POST /v1/instances/assign), who can then prepare and stream them. " +
		"Give --user once with --instance repeated, or --pair USER:INSTANCE repeated, or both; up to 100 pairs.",
	examples: []string{
		"koophone assign --user user-1 --instance phone-1 --instance phone-2",
		"koophone assign --pair user-1:phone-1 --pair user-2:phone-2",
	},
	exits: callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		p := pairFlags(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			pairs, err := p(s)
			if err != nil {
				return nil, err
			}
			free := make([]koophone.UserInstance, len(pairs))
			for i, pair := range pairs {
				free[i].InstanceID = pair.InstanceID
			}
			c, err := s.client(ctx, seed{pairs: free})
			if err != nil {
				return nil, err
			}
			if err := c.AssignInstances(ctx, pairs); err != nil {
				return nil, err
			}
			return rowsOf("pairs", pairRows(pairs)), nil
		}
	},
}

var unassignCmd = command{
	name:  "unassign",
	short: "take instances back from users; prints the task that clears their data (--wait waits for it)",
	long: "Take instances back from their users (POST /v1/instances/unassign) and print the task that clears " +
		"the users' data, one job per instance; with --wait, wait for it and print how each job ended " +
		"(exit 1 if one failed). Pairs are given as for assign.",
	examples: []string{
		"koophone unassign --user user-1 --instance phone-1 --wait",
		"koophone unassign --pair user-1:phone-1 --pair user-2:phone-2",
	},
	exits:  allExits,
	failed: "a job failed (with --wait)",
	flags: func(fs *pflag.FlagSet) runFunc {
		var t taskFlags
		p := pairFlags(fs)
		t.register(fs)
		return func(ctx context.Context, s *session) (*output, error) {
			pairs, err := p(s)
			if err != nil {
				return nil, err
			}
			return t.run(ctx, s, seed{pairs: pairs}, func(c *koophone.Client) (*koophone.Task, error) {
				return c.UnassignInstances(ctx, pairs)
			})
		}
	},
}

// pairFlags registers --instance and --pair on fs and returns the function
// that gives the pairs they name with the session's user: 1 to 100 of them,
// else a usage error.
func pairFlags(fs *pflag.FlagSet) func(*session) ([]koophone.UserInstance, error) {
	ids := instancesFlag(fs, "an instance id for --user; repeat for more")
	var pairs pairList
	fs.Var(&pairs, "pair", "USER:INSTANCE; repeat for more")
	return func(s *session) ([]koophone.UserInstance, error) {
		for i, p := range pairs {
			if err := firstError(checkID(p.UserID), checkID(p.InstanceID)); err != nil {
				return nil, usageErrorf("the %s --pair %v", ordinal(i+1), err)
			}
		}
		all := append([]koophone.UserInstance(nil), pairs...)
		if len(ids.ids) > 0 {
			user, err := s.requireUser()
			if err != nil {
				return nil, err
			}
			if err := ids.count(1, 100); err != nil {
				return nil, err
			}
			for _, id := range ids.ids {
				all = append(all, koophone.UserInstance{UserID: user, InstanceID: id})
			}
		}
		if len(all) == 0 || len(all) > 100 {
			return nil, usageErrorf("give 1 to 100 pairs: --user with --instance, or --pair USER:INSTANCE")
		}
		return all, nil
	}
}

// pairRows are one line per pair: the instance, its user and "assigned".
func pairRows(pairs []koophone.UserInstance) [][]value {
	rows := make([][]value, len(pairs))
	for i, p := range pairs {
		rows[i] = []value{field("instance_id", p.InstanceID), field("user_id", p.UserID), textOnly("", "assigned")}
	}
	return rows
}
