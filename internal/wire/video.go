package wire

// VideoRequest is the body of SetVideoConfig.
type VideoRequest struct {
	InstanceIDs      []string       `json:"instance_ids"`
	InstanceSettings []VideoSetting `json:"instance_settings"`
}

// VideoSetting is one network × encoding combination of instance_settings.
type VideoSetting struct {
	NetworkType     string           `json:"network_type"`
	EncodingType    string           `json:"encoding_type"`
	VideoSpecGroups []VideoSpecGroup `json:"video_spec_groups"`
}

// VideoSpecGroup is one entry of video_spec_groups: a spec per definition.
type VideoSpecGroup struct {
	P540  VideoSpec `json:"definition_540P"`
	P720  VideoSpec `json:"definition_720P"`
	P1080 VideoSpec `json:"definition_1080P"`
}

// VideoSpec is the bitrate (kbit/s) and frame rate of one definition.
type VideoSpec struct {
	CodeRate int `json:"code_rate"`
	FPS      int `json:"fps"`
}
