package koophone_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestVideoSettingsForAll(t *testing.T) {
	t.Parallel()
	g := koophone.DefaultVideoSpecGroup()
	settings := koophone.VideoSettingsForAll(g)
	require.Len(t, settings, 6)
	var combos []string
	for _, s := range settings {
		combos = append(combos, string(s.Network)+"/"+string(s.Encoding))
		assert.Equal(t, []koophone.VideoSpecGroup{g}, s.Specs)
	}
	assert.Equal(t, []string{"MOBILE_NETWORK/H264", "MOBILE_NETWORK/H265", "WIFI/H264", "WIFI/H265", "WIRED/H264", "WIRED/H265"}, combos)

	settings[1].Specs[0].P1080.FPS = 60
	assert.Equal(t, 30, settings[0].Specs[0].P1080.FPS, "each setting has its own specs")
	assert.Equal(t, 30, settings[2].Specs[0].P1080.FPS)
	assert.Empty(t, koophone.VideoSettingsForAll()[0].Specs)
}

func TestSetVideoConfig(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"OK"}`))
	settings := koophone.VideoSettingsForAll(koophone.VideoSpecGroup{
		P540:  koophone.VideoSpec{BitrateKbps: 100, FPS: 30},
		P720:  koophone.VideoSpec{BitrateKbps: 2500, FPS: 60},
		P1080: koophone.VideoSpec{BitrateKbps: 10000, FPS: 60},
	})
	settings[5].Specs = append(settings[5].Specs, koophone.DefaultVideoSpecGroup())
	require.NoError(t, c.SetVideoConfig(timeout(t), []string{"i-1", "i-2"}, settings))
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPut, reqs[0].Method)
	assert.Equal(t, "/v1/instances/video-setting", reqs[0].Path)
	assert.Equal(t, []any{"i-1", "i-2"}, reqs[0].Body["instance_ids"])
	got := reqs[0].Body["instance_settings"].([]any)
	require.Len(t, got, 6)
	group := map[string]any{
		"definition_540P":  map[string]any{"code_rate": 100.0, "fps": 30.0},
		"definition_720P":  map[string]any{"code_rate": 2500.0, "fps": 60.0},
		"definition_1080P": map[string]any{"code_rate": 10000.0, "fps": 60.0},
	}
	assert.Equal(t, map[string]any{"network_type": "MOBILE_NETWORK", "encoding_type": "H264", "video_spec_groups": []any{group}}, got[0])
	last := got[5].(map[string]any)
	assert.Equal(t, "WIRED", last["network_type"])
	assert.Equal(t, "H265", last["encoding_type"])
	assert.Len(t, last["video_spec_groups"], 2)
}

func TestSetVideoConfigChecksSettings(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0"}`))
	all := func(edit func([]koophone.VideoSetting) []koophone.VideoSetting) []koophone.VideoSetting {
		return edit(koophone.VideoSettingsForAll(koophone.DefaultVideoSpecGroup()))
	}
	tests := []struct {
		settings []koophone.VideoSetting
		want     string
	}{
		{nil, "missing MOBILE_NETWORK/H264, MOBILE_NETWORK/H265, WIFI/H264, WIFI/H265, WIRED/H264, WIRED/H265"},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting { return s[:5] }), "video settings: missing WIRED/H265 (all six"},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting { return append(s[1:], s[3]) }), "video settings: WIFI/H265 is given twice"},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting { s[2].Network = "5G"; return s }), `video setting 2 (5G/H264): network type "5G": want MOBILE_NETWORK, WIFI or WIRED`},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting { s[0].Encoding = "h264"; return s }), `encoding "h264": want H264 or H265`},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting { s[4].Specs = nil; return s }), "video setting 4 (WIRED/H264): no spec group"},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting {
			s[5].Specs = make([]koophone.VideoSpecGroup, 120000)
			return s
		}), "video setting 5 (WIRED/H265): 120000 spec groups; at most 10 are allowed"},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting {
			s[0].Specs = s[0].Specs[:1:1]
			s[0].Specs = append(s[0].Specs, make([]koophone.VideoSpecGroup, 10)...)
			return s
		}), "11 spec groups"},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting {
			s[1].Specs[0].P720.BitrateKbps = 150
			return s
		}),
			"video setting 1 (MOBILE_NETWORK/H265): spec group 0: 720P: bitrate 150 kbit/s: want a multiple of 100 from 100 to 10000"},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting { s[1].Specs[0].P540.BitrateKbps = 0; return s }), "540P: bitrate 0 kbit/s"},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting {
			s[1].Specs[0].P1080.BitrateKbps = 10100
			return s
		}), "1080P: bitrate 10100 kbit/s"},
		{all(func(s []koophone.VideoSetting) []koophone.VideoSetting {
			s[3].Specs = append(s[3].Specs, koophone.VideoSpecGroup{P540: koophone.VideoSpec{BitrateKbps: 100, FPS: 25}})
			return s
		}), "video setting 3 (WIFI/H265): spec group 1: 540P: fps 25: want 30 or 60"},
	}
	for _, tt := range tests {
		err := c.SetVideoConfig(timeout(t), []string{"i-1"}, tt.settings)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		assert.ErrorContains(t, err, tt.want)
	}
	for _, ids := range [][]string{nil, {"a", "a"}, hundredAndOne()} {
		err := c.SetVideoConfig(timeout(t), ids, koophone.VideoSettingsForAll(koophone.DefaultVideoSpecGroup()))
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	}
	assert.Empty(t, s.Requests())
}
