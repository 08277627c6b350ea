package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var stopCmd = command{
	name:     "stop",
	short:    "stop streaming an instance",
	long:     "Stop the streaming of an instance (POST /v1/instances/streaming/stop).",
	examples: []string{"koophone stop --instance phone-1"},
	exits:    callExits,
	flags:    endSession("stopped", (*koophone.Client).StopStreaming),
}

var releaseCmd = command{
	name:     "release",
	short:    "release an instance's session after streaming",
	long:     "Release the session of an instance after streaming (POST /v1/instances/session/release).",
	examples: []string{"koophone release --instance phone-1"},
	exits:    callExits,
	flags:    endSession("released", (*koophone.Client).ReleaseSession),
}

// endSession is the flags of stop and release: call on the one --instance,
// then print it with done.
func endSession(done string, call func(*koophone.Client, context.Context, string) error) func(*pflag.FlagSet) runFunc {
	return func(fs *pflag.FlagSet) runFunc {
		ids := instancesFlag(fs, "the instance id")
		return func(ctx context.Context, s *session) (*output, error) {
			if err := ids.count(1, 1); err != nil {
				return nil, err
			}
			c, err := s.client(ctx, seed{ids: ids.ids, ready: true})
			if err != nil {
				return nil, err
			}
			if err := call(c, ctx, ids.ids[0]); err != nil {
				return nil, err
			}
			return line(field("instance_id", ids.ids[0]), textOnly("", done)), nil
		}
	}
}
