package koophonetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// videoJSON is the body of SetVideoConfig.
type videoJSON struct {
	InstanceIDs []string           `json:"instance_ids"`
	Settings    []videoSettingJSON `json:"instance_settings"`
}

type videoSettingJSON struct {
	NetworkType  string          `json:"network_type"`
	EncodingType string          `json:"encoding_type"`
	SpecGroups   []specGroupJSON `json:"video_spec_groups"`
}

type specGroupJSON struct {
	P540  *videoSpecJSON `json:"definition_540P"`
	P720  *videoSpecJSON `json:"definition_720P"`
	P1080 *videoSpecJSON `json:"definition_1080P"`
}

type videoSpecJSON struct {
	CodeRate int `json:"code_rate"`
	FPS      int `json:"fps"`
}

var (
	networkTypes  = []string{"MOBILE_NETWORK", "WIFI", "WIRED"}
	encodingTypes = []string{"H264", "H265"}
)

// check returns what is wrong with video settings, or "": every network
// type × encoding pair exactly once, each with spec groups whose three
// definitions have a code_rate that is a multiple of 100 in 100..10000
// and an fps of 30 or 60.
func (v videoJSON) check() string {
	seen := map[string]bool{}
	for _, st := range v.Settings {
		pair := st.NetworkType + "/" + st.EncodingType
		switch {
		case !slices.Contains(networkTypes, st.NetworkType) || !slices.Contains(encodingTypes, st.EncodingType):
			return "unknown network_type or encoding_type: " + pair
		case seen[pair]:
			return pair + " is given twice"
		case len(st.SpecGroups) == 0:
			return pair + " has no video_spec_groups"
		}
		seen[pair] = true
		for _, g := range st.SpecGroups {
			if msg := firstError(g.P540.check(pair, "540P"), g.P720.check(pair, "720P"), g.P1080.check(pair, "1080P")); msg != "" {
				return msg
			}
		}
	}
	return check(len(seen) == len(networkTypes)*len(encodingTypes), "instance_settings must hold all six network_type × encoding_type pairs")
}

func (v *videoSpecJSON) check(pair, def string) string {
	switch {
	case v == nil:
		return fmt.Sprintf("%s: definition_%s is required", pair, def)
	case v.CodeRate < 100 || v.CodeRate > 10000 || v.CodeRate%100 != 0:
		return fmt.Sprintf("%s: definition_%s: code_rate must be a multiple of 100 from 100 to 10000", pair, def)
	case v.FPS != 30 && v.FPS != 60:
		return fmt.Sprintf("%s: definition_%s: fps must be 30 or 60", pair, def)
	}
	return ""
}

// setVideo answers SetVideoConfig: PUT /v1/instances/video-setting, and
// stores the settings of every instance.
func (s *Server) setVideo(_ *http.Request, body []byte) reply {
	var in videoJSON
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if msg := firstError(checkIDList("instance_ids", in.InstanceIDs), in.check()); msg != "" {
		return invalid("%s", msg)
	}
	stored, err := json.Marshal(in.Settings)
	if err != nil { // the fake's own structs always encode
		panic("koophonetest: encoding video settings: " + err.Error())
	}
	return s.onInstances(in.InstanceIDs, func(insts []*instance) reply {
		for _, inst := range insts {
			inst.video = stored
		}
		return success(nil)
	})
}

// VideoSettings returns the instance_settings that SetVideoConfig last
// stored for instanceID, as compact JSON with the documented field names,
// or nil if none were.
func (s *Server) VideoSettings(instanceID string) json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.inventory.byID[instanceID]; ok {
		return slices.Clone(in.video)
	}
	return nil
}
