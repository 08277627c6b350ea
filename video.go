package koophone

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/koophone-go/koophone/internal/wire"
)

// NetworkType is the network a video setting applies to.
type NetworkType string

// The documented network types.
const (
	NetworkMobile NetworkType = "MOBILE_NETWORK"
	NetworkWiFi   NetworkType = "WIFI"
	NetworkWired  NetworkType = "WIRED"
)

// VideoEncoding is the codec a video setting applies to.
type VideoEncoding string

// The documented encodings.
const (
	EncodingH264 VideoEncoding = "H264"
	EncodingH265 VideoEncoding = "H265"
)

var (
	networkTypes   = []NetworkType{NetworkMobile, NetworkWiFi, NetworkWired}
	videoEncodings = []VideoEncoding{EncodingH264, EncodingH265}
)

// Limits on a [VideoSpec], as the API reference documents them.
const (
	minBitrateKbps  = 100
	maxBitrateKbps  = 10000
	bitrateStepKbps = 100
)

// maxSpecGroups is the most spec groups a [VideoSetting] may have. The API
// reference documents no maximum and shows one group in every example; a
// bound keeps a mistake from sending a huge body.
const maxSpecGroups = 10

// VideoSpec is the bitrate and frame rate of one definition.
type VideoSpec struct {
	BitrateKbps int // code_rate: a multiple of 100, 100..10000
	FPS         int // fps: 30 or 60
}

// VideoSpecGroup gives a spec to each definition the stream may use.
type VideoSpecGroup struct {
	P540, P720, P1080 VideoSpec // definition_540P, definition_720P, definition_1080P
}

// VideoSetting is the video configuration for one network × encoding
// combination. [Client.SetVideoConfig] wants all six combinations, each
// once: start from [VideoSettingsForAll].
type VideoSetting struct {
	Network  NetworkType
	Encoding VideoEncoding
	Specs    []VideoSpecGroup // video_spec_groups: 1 to 10
}

// DefaultVideoSpecGroup returns a spec group to start from: 30 fps
// everywhere, 1500 kbit/s at 540P, 3000 at 720P and 6000 at 1080P. These
// values are the SDK's suggestion, not the service's defaults (it documents
// none); change any of them to suit your content and users' networks.
func DefaultVideoSpecGroup() VideoSpecGroup {
	return VideoSpecGroup{
		P540:  VideoSpec{BitrateKbps: 1500, FPS: 30},
		P720:  VideoSpec{BitrateKbps: 3000, FPS: 30},
		P1080: VideoSpec{BitrateKbps: 6000, FPS: 30},
	}
}

// VideoSettingsForAll returns the six settings [Client.SetVideoConfig]
// needs, one per network × encoding combination (MOBILE_NETWORK, WIFI and
// WIRED, each with H264 then H265), all with the given spec groups. Each
// setting has its own copy of specs, so one can be changed without the
// others:
//
//	settings := koophone.VideoSettingsForAll(koophone.DefaultVideoSpecGroup())
//	settings[1].Specs[0].P1080.FPS = 60 // mobile network, H265
//
// With no specs, the settings have none, which SetVideoConfig refuses.
func VideoSettingsForAll(specs ...VideoSpecGroup) []VideoSetting {
	out := make([]VideoSetting, 0, len(networkTypes)*len(videoEncodings))
	for _, n := range networkTypes {
		for _, e := range videoEncodings {
			out = append(out, VideoSetting{Network: n, Encoding: e, Specs: append([]VideoSpecGroup(nil), specs...)})
		}
	}
	return out
}

var opSetVideoConfig = operation{name: "SetVideoConfig", method: http.MethodPut, write: true}

// SetVideoConfig sets how instanceIDs stream video, per network and
// encoding. It calls PUT /v1/instances/video-setting; the answer carries no
// data.
//
// settings must hold each of the six network × encoding combinations
// exactly once (see [VideoSettingsForAll]), each with 1 to 10 spec
// groups, every bitrate a multiple of 100 from 100 to 10000 kbit/s and every
// frame rate 30 or 60; instanceIDs must be 1 to 100 distinct ids of 1 to 32
// characters. Anything else returns an error matching [ErrInvalidParameter]
// that names what is missing, repeated or wrong, and sends nothing. Being a
// write, it is retried only where the service cannot have acted on it
// (HTTP 429, or a connection that failed before the request was written).
func (c *Client) SetVideoConfig(ctx context.Context, instanceIDs []string, settings []VideoSetting) error {
	if err := checkIDs(instanceIDs, maxBatch); err != nil {
		return err
	}
	if err := checkVideoSettings(settings); err != nil {
		return err
	}
	in := wire.VideoRequest{InstanceIDs: instanceIDs, InstanceSettings: make([]wire.VideoSetting, len(settings))}
	for i, s := range settings {
		groups := make([]wire.VideoSpecGroup, len(s.Specs))
		for j, g := range s.Specs {
			groups[j] = wire.VideoSpecGroup{P540: g.P540.wire(), P720: g.P720.wire(), P1080: g.P1080.wire()}
		}
		in.InstanceSettings[i] = wire.VideoSetting{NetworkType: string(s.Network), EncodingType: string(s.Encoding), VideoSpecGroups: groups}
	}
	_, err := c.do(ctx, opSetVideoConfig, request{path: "/v1/instances/video-setting", body: in}, nil)
	return err
}

func (v VideoSpec) wire() wire.VideoSpec { return wire.VideoSpec{CodeRate: v.BitrateKbps, FPS: v.FPS} }

// videoCombo is one network × encoding combination.
type videoCombo struct {
	network  NetworkType
	encoding VideoEncoding
}

func (v videoCombo) String() string { return string(v.network) + "/" + string(v.encoding) }

// checkVideoSettings checks that settings hold every combination once, with
// valid specs.
func checkVideoSettings(settings []VideoSetting) error {
	seen := make(map[videoCombo]bool, len(settings))
	for i, s := range settings {
		combo := videoCombo{s.Network, s.Encoding}
		if err := checkVideoSetting(s); err != nil {
			return invalidArg("video setting %d (%s): %s", i, combo, err)
		}
		if seen[combo] {
			return invalidArg("video settings: %s is given twice", combo)
		}
		seen[combo] = true
	}
	var missing []string
	for _, n := range networkTypes {
		for _, e := range videoEncodings {
			if combo := (videoCombo{n, e}); !seen[combo] {
				missing = append(missing, combo.String())
			}
		}
	}
	if len(missing) > 0 {
		return invalidArg("video settings: missing %s (all six network × encoding combinations are required)", strings.Join(missing, ", "))
	}
	return nil
}

// checkVideoSetting checks one setting's network, encoding and specs; its
// error is the reason alone.
func checkVideoSetting(s VideoSetting) error {
	if !slices.Contains(networkTypes, s.Network) {
		return fmt.Errorf("network type %q: want MOBILE_NETWORK, WIFI or WIRED", s.Network)
	}
	if !slices.Contains(videoEncodings, s.Encoding) {
		return fmt.Errorf("encoding %q: want H264 or H265", s.Encoding)
	}
	if len(s.Specs) == 0 {
		return errors.New("no spec group; at least one is required")
	}
	if len(s.Specs) > maxSpecGroups {
		return fmt.Errorf("%d spec groups; at most %d are allowed", len(s.Specs), maxSpecGroups)
	}
	for j, g := range s.Specs {
		for _, d := range []struct {
			name string
			spec VideoSpec
		}{{"540P", g.P540}, {"720P", g.P720}, {"1080P", g.P1080}} {
			if err := checkVideoSpec(d.spec); err != nil {
				return fmt.Errorf("spec group %d: %s: %w", j, d.name, err)
			}
		}
	}
	return nil
}

// checkVideoSpec checks a bitrate and a frame rate.
func checkVideoSpec(v VideoSpec) error {
	if v.BitrateKbps < minBitrateKbps || v.BitrateKbps > maxBitrateKbps || v.BitrateKbps%bitrateStepKbps != 0 {
		return fmt.Errorf("bitrate %d kbit/s: want a multiple of %d from %d to %d", v.BitrateKbps, bitrateStepKbps, minBitrateKbps, maxBitrateKbps)
	}
	if v.FPS != 30 && v.FPS != 60 {
		return fmt.Errorf("fps %d: want 30 or 60", v.FPS)
	}
	return nil
}
