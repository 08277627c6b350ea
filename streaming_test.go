package koophone_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

const deviceSecret = "dt-SECRET-e3b0c44298fc1c149afbf4c8996fb924"

func TestGetDeviceTokenDecodesTheDocumentedAnswer(t *testing.T) {
	t.Parallel()
	resp, err := os.ReadFile("testdata/device_token_response.json")
	require.NoError(t, err)
	c, s := setup(t, always(http.StatusOK, string(resp)))
	dt, err := c.GetDeviceToken(timeout(t), "phone 1/a", &koophone.DeviceTokenOptions{StreamType: koophone.StreamTypeH5})
	require.NoError(t, err)

	assert.Equal(t, &koophone.DeviceToken{
		StreamingID:          "7d1c2f0a9b8e4d3c",
		Token:                deviceSecret,
		DeviceID:             "device-1a2b3c",
		KPID:                 "whklpuo1",
		Internal:             koophone.SDKAddress{Address: "192.168.0.10", AddressIPv6: "fd00::10", AudioPort: "8001", AudioType: "1"},
		External:             koophone.SDKAddress{Address: "203.0.113.10", AddressIPv6: "2001:db8::10", AudioPort: "8001", AudioType: "1", AddressADN: "198.51.100.7"},
		SignalingURL:         "wss://signaling.example.com/v1/whklpuo1",
		ExpiredTime:          "3600",
		StreamingDuration:    time.Hour,
		ICEServers:           []string{"stun:stun.example.com:3478", "turn:turn.example.com:3478"},
		AppIPSynchronizeList: "10.1.0.5,10.1.0.6",
		RequestID:            dt.RequestID,
	}, dt)

	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v1/instances/phone 1/a/auth", reqs[0].Path, "decoded by the server")
	assert.Empty(t, reqs[0].Raw, "no body")
	assert.Equal(t, "application/json", reqs[0].Header.Get("Content-Type"))
}

// An empty POST body goes with Content-Length: 0, never chunked: some
// gateways refuse a chunked request without a length.
func TestEmptyBodyIsSentWithContentLengthZero(t *testing.T) {
	t.Parallel()
	resp, err := os.ReadFile("testdata/device_token_response.json")
	require.NoError(t, err)
	var lengths []int64
	var encodings [][]string
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		lengths = append(lengths, r.ContentLength)
		encodings = append(encodings, r.TransferEncoding)
		answer(w, http.StatusOK, string(resp))
	}, koophone.WithAKSK("AKEXAMPLE12345678", "sk", "project"))
	_, err = c.GetDeviceToken(timeout(t), "i", nil)
	require.NoError(t, err)
	assert.Equal(t, []int64{0}, lengths)
	assert.Equal(t, [][]string{nil}, encodings)
}

func TestGetDeviceTokenRequest(t *testing.T) {
	t.Parallel()
	resp, err := os.ReadFile("testdata/device_token_response.json")
	require.NoError(t, err)
	var rawPaths, queries []string
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		rawPaths = append(rawPaths, r.URL.EscapedPath())
		queries = append(queries, r.URL.RawQuery)
		answer(w, http.StatusOK, string(resp))
	})
	for _, opts := range []*koophone.DeviceTokenOptions{nil, {}, {StreamType: koophone.StreamTypeSDK}} {
		_, err := c.GetDeviceToken(timeout(t), "a/b c", opts)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{"/v1/instances/a%2Fb%20c/auth", "/v1/instances/a%2Fb%20c/auth", "/v1/instances/a%2Fb%20c/auth"}, rawPaths)
	assert.Equal(t, []string{"", "", "stream_type=1"}, queries)

	_, err = c.GetDeviceToken(timeout(t), "a", &koophone.DeviceTokenOptions{StreamType: 3})
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	_, err = c.GetDeviceToken(timeout(t), "", nil)
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	assert.Len(t, rawPaths, 3, "bad arguments send nothing")
}

func TestGetDeviceTokenMalformedAndWrites(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"data":{"streamingId":"s"},"error_code":"0"}`))
	_, err := c.GetDeviceToken(timeout(t), "i", nil)
	require.ErrorIs(t, err, koophone.ErrMalformedResponse)
	assert.Contains(t, err.Error(), "data.device_token is missing")

	c2, s2 := setup(t, always(http.StatusServiceUnavailable, ``))
	_, err = c2.GetDeviceToken(timeout(t), "i", nil)
	require.Error(t, err)
	assert.Len(t, s2.Requests(), 1, "a write is not retried after a 5xx")
	assert.Len(t, s.Requests(), 1)
}

// A device token is handed on as it came, so nothing in it is sanitised:
// an id that cannot be kept as sent, or text holding a control, format or
// bidi character or over 4 KiB, makes the answer malformed rather than
// reaching a log, a terminal or a streaming client.
func TestGetDeviceTokenRefusesTextItCannotHandOn(t *testing.T) {
	t.Parallel()
	resp, err := os.ReadFile("testdata/device_token_response.json")
	require.NoError(t, err)
	for _, tc := range []struct{ sent, bad, field string }{
		{`"streamingId": "7d1c2f0a9b8e4d3c"`, `"streamingId": "` + strings.Repeat("s", 129) + `"`, "data.streamingId is 129 bytes long"},
		{`"device-1a2b3c"`, `"device\u202e1"`, "data.resource.device_id holds U+202E"},
		{`"kp_id": "whklpuo1"`, `"kp_id": "kp\n1"`, "data.resource.kp_id holds U+000A"},
		{`"wss://signaling.example.com/v1/whklpuo1"`, `"wss://signaling.example.com/\u0007"`, "data.resource.rtc.ice_signaling.signaling_url holds a control character (U+0007)"},
		{`"turn:turn.example.com:3478"`, `"turn:\u200bturn.example.com"`, "data.resource.rtc.ice_signaling.ice_servers[1] holds an invisible"},
		{`"198.51.100.7"`, `"198.51.100.7\u2066"`, "data.resource.sdk.external.address_adn holds"},
		{`"aport": "8001"`, `"aport": "80\u001b[2J"`, "data.resource.sdk.internal.aport holds"},
		{`"10.1.0.5,10.1.0.6"`, `"` + strings.Repeat("10.1.0.5,", 500) + `"`, "data.resource.app_ip_synchronize_list is 4500 bytes long"},
		{`"expired_time": "3600"`, `"expired_time": "3600\r"`, "data.resource.rtc.ice_signaling.expired_time holds"},
	} {
		body := strings.Replace(string(resp), tc.sent, tc.bad, 1)
		require.NotEqual(t, string(resp), body, tc.sent)
		c, s := setup(t, always(http.StatusOK, body))
		dt, err := c.GetDeviceToken(timeout(t), "i", nil)
		require.ErrorIs(t, err, koophone.ErrMalformedResponse, tc.field)
		assert.Nil(t, dt)
		assert.Contains(t, err.Error(), tc.field)
		assert.NotContains(t, err.Error(), deviceSecret)
		assert.Len(t, s.Requests(), 1, "a write is not repeated after a malformed answer")
	}
}

// fmt (every verb, nested values included) and log/slog (a DeviceToken
// or a pointer to one, with the text and JSON handlers, and the client's
// own log) never show the device token.
func TestDeviceTokenIsNeverPrinted(t *testing.T) {
	t.Parallel()
	resp, err := os.ReadFile("testdata/device_token_response.json")
	require.NoError(t, err)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _ := setup(t, always(http.StatusOK, string(resp)), koophone.WithLogger(logger))
	dt, err := c.GetDeviceToken(timeout(t), "i", nil)
	require.NoError(t, err)
	require.Equal(t, deviceSecret, dt.Token)
	out := []string{logs.String(), dt.String()}
	for _, v := range []any{dt, *dt} {
		var text, js bytes.Buffer
		slog.New(slog.NewTextHandler(&text, nil)).Info("token", "dt", v)
		slog.New(slog.NewJSONHandler(&js, nil)).Info("token", "dt", v)
		out = append(out, text.String(), js.String())
		assert.Contains(t, js.String(), `"device_id":"device-1a2b3c"`, "slog records the other fields")
	}
	var text bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("tokens", "dts", []*koophone.DeviceToken{dt})
	out = append(out, text.String())
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
		out = append(out, fmt.Sprintf(verb, dt), fmt.Sprintf(verb, *dt), fmt.Sprintf(verb, []*koophone.DeviceToken{dt}),
			fmt.Sprintf(verb, struct{ T koophone.DeviceToken }{*dt}))
	}
	for _, s := range out {
		assert.NotContains(t, s, deviceSecret)
		assert.NotContains(t, s, "e3b0c44298fc1c149afbf4c8996fb924")
	}
	assert.Contains(t, dt.String(), "Token: redacted")
	assert.Contains(t, dt.String(), `KPID: "whklpuo1"`)
}

// A device token is meant to be handed on: its encoding/json form carries
// every field, the token included, with the API's field names, and decodes
// to the same DeviceToken.
func TestDeviceTokenJSONCarriesEveryFieldAndRoundTrips(t *testing.T) {
	t.Parallel()
	dt := koophone.DeviceToken{
		StreamingID: "s-1", Token: deviceSecret, DeviceID: "d-1", KPID: "kp-1",
		Internal:     koophone.SDKAddress{Address: "192.168.0.10", AddressIPv6: "fd00::10", AudioPort: "8001", AudioType: "1"},
		External:     koophone.SDKAddress{Address: "203.0.113.10", AddressIPv6: "2001:db8::10", AudioPort: "8001", AudioType: "1", AddressADN: "198.51.100.7"},
		SignalingURL: "wss://signaling.example.com/v1/kp-1", ExpiredTime: "1800.5", StreamingDuration: 1800*time.Second + 500*time.Millisecond,
		ICEServers: []string{"stun:stun.example.com:3478"}, AppIPSynchronizeList: "10.1.0.5,10.1.0.6", RequestID: "req-1",
	}
	b, err := json.Marshal(dt)
	require.NoError(t, err)
	assert.JSONEq(t, `{
		"streamingId": "s-1", "device_token": "`+deviceSecret+`", "device_id": "d-1", "kp_id": "kp-1",
		"internal": {"address": "192.168.0.10", "address_ipv6": "fd00::10", "aport": "8001", "atype": "1", "address_adn": ""},
		"external": {"address": "203.0.113.10", "address_ipv6": "2001:db8::10", "aport": "8001", "atype": "1", "address_adn": "198.51.100.7"},
		"signaling_url": "wss://signaling.example.com/v1/kp-1", "expired_time": "1800.5",
		"ice_servers": ["stun:stun.example.com:3478"], "app_ip_synchronize_list": "10.1.0.5,10.1.0.6", "request_id": "req-1"
	}`, string(b))
	var back koophone.DeviceToken
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, dt, back)
	b, err = json.Marshal(&dt)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"device_token":"`+deviceSecret+`"`, "a pointer encodes the same")
}

// expired_time, seconds as text, is kept as sent whatever it holds; the
// duration is read from it when it is a positive number, whole or not.
func TestGetDeviceTokenKeepsExpiredTime(t *testing.T) {
	t.Parallel()
	for sent, want := range map[string]struct {
		text string
		d    time.Duration
	}{
		`"3600"`:      {"3600", time.Hour},
		`"1800.5"`:    {"1800.5", 1800*time.Second + 500*time.Millisecond},
		`90.25`:       {"90.25", 90*time.Second + 250*time.Millisecond},
		`" 60 "`:      {" 60 ", time.Minute},
		`"unlimited"`: {"unlimited", 0},
		`"-5"`:        {"-5", 0},
		`"1e300"`:     {"1e300", 0},
		`null`:        {"", 0},
	} {
		c, _ := setup(t, always(http.StatusOK, `{"error_code":"0","data":{"device_token":"dt",
			"resource":{"rtc":{"ice_signaling":{"expired_time":`+sent+`}}}}}`))
		dt, err := c.GetDeviceToken(timeout(t), "i", nil)
		require.NoError(t, err, sent)
		assert.Equal(t, want.text, dt.ExpiredTime, sent)
		assert.Equal(t, want.d, dt.StreamingDuration, sent)
	}
}

// app_ip_synchronize_list is a string in the API reference; an array, as
// older answers may send, is read and kept as its compact JSON.
func TestGetDeviceTokenReadsAppIPSynchronizeListLeniently(t *testing.T) {
	t.Parallel()
	for sent, want := range map[string]string{
		`"10.1.0.5,10.1.0.6"`:          "10.1.0.5,10.1.0.6",
		`["10.1.0.5", "10.1.0.6"]`:     `["10.1.0.5","10.1.0.6"]`,
		`null`:                         "",
		`{"ips": ["10.1.0.5"], "n":1}`: `{"ips":["10.1.0.5"],"n":1}`,
	} {
		c, _ := setup(t, always(http.StatusOK, `{"error_code":"0","data":{"device_token":"dt","resource":{"app_ip_synchronize_list":`+sent+`}}}`))
		dt, err := c.GetDeviceToken(timeout(t), "i", nil)
		require.NoError(t, err, sent)
		assert.Equal(t, want, dt.AppIPSynchronizeList, sent)
	}
}

func TestBatchQueryStatus(t *testing.T) {
	t.Parallel()
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusBadGateway, ``) // a read: retried
			return
		}
		answer(w, http.StatusOK, `{"data":{"status_results":[{"instance_id":"a","status":0},{"instance_id":"b","status":12}]},"error_code":"0","error_msg":"ok"}`)
	})
	results, err := c.BatchQueryStatus(timeout(t), []string{"a", "b"})
	require.NoError(t, err)
	assert.Equal(t, []koophone.StatusResult{{InstanceID: "a", Status: koophone.PowerUnknown}, {InstanceID: "b", Status: 12}}, results)
	assert.Equal(t, "PowerState(12)", results[1].Status.String(), "an unknown value is kept")
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/v1/instances/batch-query-status", reqs[1].Path)
	assert.Equal(t, map[string]any{"instance_ids": []any{"a", "b"}}, reqs[1].Body)

	for _, ids := range [][]string{nil, {"a", "a"}, make([]string, 101)} {
		_, err := c.BatchQueryStatus(timeout(t), ids)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	}
	assert.Len(t, s.Requests(), 2)

	c2, _ := setup(t, always(http.StatusOK, `{"data":{"status_results":[{"instance_id":"a"}]},"error_code":"0"}`))
	_, err = c2.BatchQueryStatus(timeout(t), []string{"a"})
	assert.ErrorIs(t, err, koophone.ErrMalformedResponse)
}

func TestStopStreamingAndReleaseSession(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"OK"}`))
	require.NoError(t, c.StopStreaming(timeout(t), "phone-1"))
	require.NoError(t, c.ReleaseSession(timeout(t), "phone-1"))
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "/v1/instances/streaming/stop", reqs[0].Path)
	assert.Equal(t, "/v1/instances/session/release", reqs[1].Path)
	for _, r := range reqs {
		assert.Equal(t, `{"instance_id":"phone-1"}`, string(r.Raw))
	}
	assert.ErrorIs(t, c.StopStreaming(timeout(t), strings.Repeat("x", 33)), koophone.ErrInvalidParameter)
	assert.ErrorIs(t, c.ReleaseSession(timeout(t), ""), koophone.ErrInvalidParameter)
	assert.Len(t, s.Requests(), 2)

	c2, _ := setup(t, always(http.StatusOK, `{"error_code":"KOOPHONE.API.4001","error_msg":"instance not exist"}`))
	err := c2.StopStreaming(timeout(t), "nope")
	require.ErrorIs(t, err, koophone.ErrInstanceNotFound)
	assert.Contains(t, err.Error(), "koophone: StopInstancesStreaming: KOOPHONE.API.4001")
	err = c2.ReleaseSession(timeout(t), "nope")
	assert.Contains(t, err.Error(), "koophone: ReleaseInstancesSession: KOOPHONE.API.4001")
}

// TestStreamingLifecycleAgainstTheFake runs the documented flow end to end.
func TestStreamingLifecycleAgainstTheFake(t *testing.T) {
	t.Parallel()
	srv := koophonetest.NewServer(koophonetest.WithInstances("user-1", "phone-1"))
	defer srv.Close()
	c := srv.Client()
	ctx := timeout(t)

	// Never prepared: ready everywhere, consistently.
	p, err := c.PrepareProgress(ctx, "user-1", "phone-1")
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareReady, p.Status)
	_, err = c.GetDeviceToken(ctx, "phone-1", nil)
	require.NoError(t, err, "ready means a device token can be had")
	_, err = c.PrepareInstances(ctx, "user-1", []string{"phone-1"})
	require.NoError(t, err)
	st, err := c.BatchQueryStatus(ctx, []string{"phone-1"})
	require.NoError(t, err)
	assert.Equal(t, koophone.PowerRunning, st[0].Status, "powered on while it is prepared")
	_, err = c.WaitUntilReady(ctx, "user-1", "phone-1", koophone.WithPollInterval(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	st, err = c.BatchQueryStatus(ctx, []string{"phone-1"})
	require.NoError(t, err)
	assert.Equal(t, koophone.PowerRunning, st[0].Status)

	dt, err := c.GetDeviceToken(ctx, "phone-1", &koophone.DeviceTokenOptions{StreamType: koophone.StreamTypeSDK})
	require.NoError(t, err)
	assert.NotEmpty(t, dt.Token)
	assert.Equal(t, "8001", dt.External.AudioPort, "an integer on the wire")
	assert.True(t, srv.Streaming("phone-1"))

	require.NoError(t, c.StopStreaming(ctx, "phone-1"))
	assert.False(t, srv.Streaming("phone-1"))
	require.NoError(t, c.ReleaseSession(ctx, "phone-1"))
	_, err = c.GetDeviceToken(ctx, "phone-1", nil)
	require.ErrorContains(t, err, koophone.CodeInstancesNotRunning, "a released instance must be prepared again")
	_, err = c.GetDeviceToken(ctx, "phone-404", nil)
	require.ErrorIs(t, err, koophone.ErrInstanceNotFound)
}

// Ids become path segments: "." and ".." would put dot segments in a path
// that a normalising gateway resolves elsewhere. They are refused before
// anything is sent, by every operation.
func TestDotSegmentIDsAreRefused(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, okReady))
	ctx := timeout(t)
	for _, id := range []string{".", ".."} {
		_, err := c.GetDeviceToken(ctx, id, nil)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, id)
		_, err = c.PrepareProgress(ctx, "u", id)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, id)
		_, err = c.PrepareProgress(ctx, id, "i")
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, id)
		assert.ErrorIs(t, c.StopStreaming(ctx, id), koophone.ErrInvalidParameter, id)
		_, err = c.PrepareInstances(ctx, "u", []string{"a", id})
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, id)
		_, err = c.WaitTask(ctx, id)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, id)
	}
	assert.Empty(t, s.Requests())
}
