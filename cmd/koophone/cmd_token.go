package main

import (
	"context"
	"strings"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var tokenCmd = command{
	name:  "token",
	short: "get the device token and addresses for streaming a ready instance",
	long: "Get what a streaming client needs for a ready instance (POST /v1/instances/{id}/auth). " +
		"The device token is a secret: it is printed only with --show-secret.",
	examples: []string{
		"koophone token --instance phone-1",
		"koophone token --instance phone-1 --stream-type h5 --show-secret --json",
	},
	exits: callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		ids := instancesFlag(fs, "the instance id")
		streamType := fs.String("stream-type", "", `"sdk" or "h5" (default: the service's)`)
		showSecret := fs.Bool("show-secret", false, "print the device token too")
		return func(ctx context.Context, s *session) (*output, error) {
			var opts koophone.DeviceTokenOptions
			switch strings.ToLower(*streamType) {
			case "":
			case "sdk", "1":
				opts.StreamType = koophone.StreamTypeSDK
			case "h5", "2":
				opts.StreamType = koophone.StreamTypeH5
			default:
				return nil, usageErrorf("--stream-type %q: want sdk or h5", *streamType)
			}
			if err := ids.count(1, 1); err != nil {
				return nil, err
			}
			c, err := s.client(ctx, seed{ids: ids.ids, ready: true})
			if err != nil {
				return nil, err
			}
			dt, err := c.GetDeviceToken(ctx, ids.ids[0], &opts)
			if err != nil {
				return nil, err
			}
			return tokenOutput(ids.ids[0], dt, *showSecret), nil
		}
	},
}

// tokenOutput is the result of token: one line per value.
func tokenOutput(id string, dt *koophone.DeviceToken, showSecret bool) *output {
	secret := textOnly("device_token", "(hidden: add --show-secret to print it)")
	if showSecret {
		secret = field("device_token", dt.Token)
	}
	return &output{byKey: true, top: []value{
		field("instance_id", id),
		field("streaming_id", dt.StreamingID),
		field("device_id", dt.DeviceID),
		field("kp_id", dt.KPID),
		field("signaling_url", dt.SignalingURL),
		field("streaming_duration_s", int64(dt.StreamingDuration.Seconds())),
		shown("ice_servers", dt.ICEServers, strings.Join(dt.ICEServers, ",")),
		address("internal", dt.Internal),
		address("external", dt.External),
		field("request_id", dt.RequestID),
		secret,
	}}
}

// address is an SDK access address: an object in JSON, key=value pairs in text.
func address(key string, a koophone.SDKAddress) value {
	return shown(key,
		map[string]string{"address": a.Address, "address_ipv6": a.AddressIPv6, "aport": a.AudioPort, "atype": a.AudioType},
		"address="+a.Address+" address_ipv6="+a.AddressIPv6+" aport="+a.AudioPort+" atype="+a.AudioType)
}
