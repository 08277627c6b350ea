package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/koophone-go/koophone"
)

// The video settings file of video template and video set: the API's own
// snake_case names (PUT /v1/instances/video-setting's instance_settings),
// the same in the template's text and in its --json result.
type (
	videoSettingFile struct {
		NetworkType     string           `json:"network_type"`
		EncodingType    string           `json:"encoding_type"`
		VideoSpecGroups []videoGroupFile `json:"video_spec_groups"`
	}
	videoGroupFile struct {
		P540  videoSpecFile `json:"definition_540P"`
		P720  videoSpecFile `json:"definition_720P"`
		P1080 videoSpecFile `json:"definition_1080P"`
	}
	videoSpecFile struct {
		CodeRate int `json:"code_rate"`
		FPS      int `json:"fps"`
	}
	// videoResult is video template's --json result, which video set
	// takes too.
	videoResult struct {
		Event    string             `json:"event"`
		Command  string             `json:"command"`
		OK       bool               `json:"ok"`
		ExitCode int                `json:"exit_code"`
		Settings []videoSettingFile `json:"settings"`
	}
)

// videoFile is settings in the file's shape.
func videoFile(settings []koophone.VideoSetting) []videoSettingFile {
	spec := func(s koophone.VideoSpec) videoSpecFile { return videoSpecFile{s.BitrateKbps, s.FPS} }
	out := make([]videoSettingFile, len(settings))
	for i, s := range settings {
		out[i] = videoSettingFile{NetworkType: string(s.Network), EncodingType: string(s.Encoding)}
		for _, g := range s.Specs {
			out[i].VideoSpecGroups = append(out[i].VideoSpecGroups, videoGroupFile{spec(g.P540), spec(g.P720), spec(g.P1080)})
		}
	}
	return out
}

// videoSettings is the file's settings as the SDK takes them.
func videoSettings(file []videoSettingFile) []koophone.VideoSetting {
	spec := func(s videoSpecFile) koophone.VideoSpec {
		return koophone.VideoSpec{BitrateKbps: s.CodeRate, FPS: s.FPS}
	}
	out := make([]koophone.VideoSetting, len(file))
	for i, s := range file {
		out[i] = koophone.VideoSetting{Network: koophone.NetworkType(s.NetworkType), Encoding: koophone.VideoEncoding(s.EncodingType)}
		for _, g := range s.VideoSpecGroups {
			out[i].Specs = append(out[i].Specs, koophone.VideoSpecGroup{P540: spec(g.P540), P720: spec(g.P720), P1080: spec(g.P1080)})
		}
	}
	return out
}

// maxVideoFile bounds what video set reads.
const maxVideoFile = 1 << 20

// decodeVideoFile reads one settings file from r: the array video template
// prints, or its --json result line. Unknown members, and anything but
// white space after the one JSON value, are errors.
func decodeVideoFile(r io.Reader) ([]videoSettingFile, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxVideoFile+1))
	switch {
	case err != nil:
		return nil, err
	case len(data) > maxVideoFile:
		return nil, fmt.Errorf("more than %d bytes", maxVideoFile)
	}
	if len(bytes.TrimSpace(data)) == 0 { // json's "EOF" would say nothing to a user
		return nil, errors.New("it is empty: want the JSON that video template prints")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var settings []videoSettingFile
	if trimmed := bytes.TrimLeft(data, " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		var result videoResult
		err, settings = dec.Decode(&result), result.Settings
	} else {
		err = dec.Decode(&settings)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, errors.New("it ends in the middle of the JSON: want the JSON that video template prints")
	}
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("data after the settings, at byte %d: give one JSON value", dec.InputOffset())
	}
	return settings, nil
}
