package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/koophone-go/koophone"
)

func (a *app) status(ctx context.Context) int {
	c, done, code := a.setup(false, 1, 100)
	if code != exitOK {
		return code
	}
	defer done()
	results, err := c.BatchQueryStatus(ctx, a.instances)
	if err != nil {
		return a.fail(err)
	}
	list := make([]map[string]any, len(results))
	for i, r := range results {
		list[i] = map[string]any{"instance_id": r.InstanceID, "status": r.Status}
		if !a.asJSON {
			fmt.Fprintf(a.stdout, "%s\t%d\n", r.InstanceID, r.Status)
		}
	}
	if a.asJSON {
		writeJSON(a.stdout, map[string]any{"event": "result", "command": a.name, "ok": true, "exit_code": exitOK, "instances": list})
	}
	return exitOK
}

func (a *app) token(ctx context.Context) int {
	var opts koophone.DeviceTokenOptions
	switch strings.ToLower(a.streamType) {
	case "":
	case "sdk", "1":
		opts.StreamType = koophone.StreamTypeSDK
	case "h5", "2":
		opts.StreamType = koophone.StreamTypeH5
	default:
		return a.usageError("--stream-type %q: want sdk or h5", a.streamType)
	}
	c, done, code := a.setup(false, 1, 1)
	if code != exitOK {
		return code
	}
	defer done()
	dt, err := c.GetDeviceToken(ctx, a.instances[0], &opts)
	if err != nil {
		return a.fail(err)
	}
	fields := []struct {
		name  string
		value any
	}{
		{"instance_id", a.instances[0]},
		{"streaming_id", dt.StreamingID},
		{"device_id", dt.DeviceID},
		{"kp_id", dt.KPID},
		{"signaling_url", dt.SignalingURL},
		{"streaming_duration_s", int64(dt.StreamingDuration.Seconds())},
		{"ice_servers", dt.ICEServers},
		{"internal", address(dt.Internal)},
		{"external", address(dt.External)},
		{"request_id", dt.RequestID},
	}
	if a.showSecret {
		fields = append(fields, struct {
			name  string
			value any
		}{"device_token", dt.Token})
	}
	if a.asJSON {
		ev := map[string]any{"event": "result", "command": a.name, "ok": true, "exit_code": exitOK}
		for _, f := range fields {
			ev[f.name] = f.value
		}
		writeJSON(a.stdout, ev)
		return exitOK
	}
	for _, f := range fields {
		switch v := f.value.(type) {
		case []string:
			fmt.Fprintf(a.stdout, "%s\t%s\n", f.name, strings.Join(v, ","))
		case map[string]string:
			fmt.Fprintf(a.stdout, "%s\taddress=%s address_ipv6=%s aport=%s atype=%s\n", f.name, v["address"], v["address_ipv6"], v["aport"], v["atype"])
		default:
			fmt.Fprintf(a.stdout, "%s\t%v\n", f.name, v)
		}
	}
	if !a.showSecret {
		fmt.Fprintf(a.stdout, "device_token\t(hidden: add --show-secret to print it)\n")
	}
	return exitOK
}

func address(s koophone.SDKAddress) map[string]string {
	return map[string]string{"address": s.Address, "address_ipv6": s.AddressIPv6, "aport": s.AudioPort, "atype": s.AudioType}
}

func (a *app) stop(ctx context.Context) int {
	return a.endSession(ctx, "stopped", (*koophone.Client).StopStreaming)
}

func (a *app) release(ctx context.Context) int {
	return a.endSession(ctx, "released", (*koophone.Client).ReleaseSession)
}

// endSession runs stop or release on the one --instance.
func (a *app) endSession(ctx context.Context, done string, call func(*koophone.Client, context.Context, string) error) int {
	c, closeFn, code := a.setup(false, 1, 1)
	if code != exitOK {
		return code
	}
	defer closeFn()
	if err := call(c, ctx, a.instances[0]); err != nil {
		return a.fail(err)
	}
	if a.asJSON {
		writeJSON(a.stdout, map[string]any{"event": "result", "command": a.name, "ok": true, "exit_code": exitOK, "instance_id": a.instances[0]})
		return exitOK
	}
	fmt.Fprintf(a.stdout, "%s\t%s\n", a.instances[0], done)
	return exitOK
}
