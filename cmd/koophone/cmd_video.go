package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

var videoSetCmd = command{
	name:  "video set",
	short: "set how instances stream video, from a settings file",
	long: "Set how up to 100 instances stream video, per network and encoding (PUT /v1/instances/video-setting), " +
		"from a JSON file holding all six network × encoding combinations, with the API's names (network_type, " +
		"encoding_type, video_spec_groups): start from koophone video template, whose text or --json output it takes.",
	examples: []string{
		"koophone video template > video.json",
		"koophone video set --instance phone-1 --instance phone-2 --file video.json",
		"koophone video template --json | koophone video set --instance phone-1 --file -",
	},
	exits: callExits,
	flags: func(fs *pflag.FlagSet) runFunc {
		ids := batchFlag(fs)
		file := fs.String("file", "", `the settings file ("-": standard input; required)`)
		return func(ctx context.Context, s *session) (*output, error) {
			if err := ids.batch(); err != nil { // before --file, which may be waiting on standard input
				return nil, err
			}
			settings, err := readVideoSettings(s, *file)
			if err != nil {
				return nil, err
			}
			return onInstances(ctx, s, ids, "video set", func(c *koophone.Client, ctx context.Context, ids []string) error {
				return c.SetVideoConfig(ctx, ids, settings)
			})
		}
	},
}

// readVideoSettings reads the settings file (or standard input).
func readVideoSettings(s *session, name string) ([]koophone.VideoSetting, error) {
	r := s.stdin
	switch name {
	case "":
		return nil, usageErrorf("--file is required (koophone video template writes one to start from)")
	case "-":
		if err := s.useStdin("--file -"); err != nil {
			return nil, err
		}
	default:
		f, err := os.Open(name)
		if err != nil {
			reason := err
			var pathErr *fs.PathError
			if errors.As(err, &pathErr) {
				reason = pathErr.Err // the name is said already
			}
			return nil, usageErrorf("--file: cannot open %s: %v", name, reason)
		}
		defer f.Close()
		r = f
	}
	file, err := decodeVideoFile(r)
	switch {
	case errors.Is(err, context.Canceled): // Ctrl-C while reading standard input
		return nil, err
	case err != nil:
		return nil, usageErrorf("--file %s: %v", name, err)
	}
	return videoSettings(file), nil
}

var videoTemplateCmd = command{
	name:  "video template",
	short: "print a video settings file to start from",
	long: "Print a video settings file for video set: all six network × encoding combinations, each with the " +
		"SDK's suggested spec group (30 fps; 1500, 3000 and 6000 kbit/s at 540P, 720P and 1080P). Bitrates are " +
		"multiples of 100 from 100 to 10000 kbit/s; frame rates are 30 or 60.",
	examples: []string{"koophone video template > video.json"},
	exits:    offlineExits,
	local:    true,
	flags: func(*pflag.FlagSet) runFunc {
		return func(context.Context, *session) (*output, error) {
			settings := videoFile(koophone.VideoSettingsForAll(koophone.DefaultVideoSpecGroup()))
			var doc bytes.Buffer
			enc := json.NewEncoder(&doc)
			enc.SetIndent("", "  ")
			if err := enc.Encode(settings); err != nil {
				return nil, fmt.Errorf("koophone: %w", err)
			}
			var data any
			if err := json.Unmarshal(doc.Bytes(), &data); err != nil {
				return nil, fmt.Errorf("koophone: %w", err)
			}
			return &output{top: []value{jsonOnly("settings", data)}, document: doc.String()}, nil
		}
	},
}
