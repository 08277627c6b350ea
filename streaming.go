package koophone

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/koophone-go/koophone/internal/wire"
)

// StreamType chooses how an instance will be streamed, for [DeviceTokenOptions].
type StreamType int

// The documented stream types.
const (
	StreamTypeSDK StreamType = 1 // streaming through the KooPhone SDK
	StreamTypeH5  StreamType = 2 // streaming in a web page (H5)
)

// DeviceTokenOptions are the optional parameters of [Client.GetDeviceToken].
// A nil *DeviceTokenOptions, like the zero value, leaves the stream type to
// the service.
type DeviceTokenOptions struct {
	StreamType StreamType // 0: not sent; otherwise StreamTypeSDK or StreamTypeH5
}

// DeviceToken is what a streaming client needs to connect to an instance,
// from GetDeviceToken. It is meant to be handed on: its encoding/json form
// carries every field, Token included, under the API's field names
// ("streamingId", "device_token", "device_id", "kp_id", "internal",
// "external", "signaling_url", "expired_time", "ice_servers",
// "app_ip_synchronize_list"; RequestID as "request_id"), and decoding that
// form gives the same DeviceToken back (StreamingDuration is derived from
// ExpiredTime). Token is a secret all the same: printing a DeviceToken with
// fmt (any verb) shows every field but it, and logging it with log/slog
// records its ids, signaling URL, duration and request id, never it. A
// slog handler encodes values it cannot resolve (a []DeviceToken, a struct
// holding one) with encoding/json: log a DeviceToken itself, not inside
// another value.
type DeviceToken struct {
	StreamingID string     `json:"streamingId"`  // identifies this streaming session
	Token       string     `json:"device_token"` // the secret the streaming client authenticates with
	DeviceID    string     `json:"device_id"`    // sent with the token to the signalling server
	KPID        string     `json:"kp_id"`        // the cloud phone instance's KooPhone id, e.g. "whklpuo1"
	Internal    SDKAddress `json:"internal"`
	External    SDKAddress `json:"external"`
	// SignalingURL is the signalling server's address; ICEServers the ICE servers.
	SignalingURL string `json:"signaling_url"`
	// ExpiredTime is expired_time as the service sent it: how long
	// streaming may last, in seconds, as text ("3600"; a number sent as a
	// JSON number is kept as written). It is kept whatever it holds.
	ExpiredTime string `json:"expired_time"`
	// StreamingDuration is ExpiredTime read as a duration ("3600" is an
	// hour, "1800.5" 30m0.5s): 0 when it is not a positive number of
	// seconds a time.Duration holds.
	StreamingDuration time.Duration `json:"-"`
	ICEServers        []string      `json:"ice_servers"`
	// AppIPSynchronizeList is resource.app_ip_synchronize_list, a string
	// in the API reference, as sent; a list (as older answers may send)
	// is kept as its compact JSON.
	AppIPSynchronizeList string `json:"app_ip_synchronize_list"`
	RequestID            string `json:"request_id"` // the X-Request-Id of the call
}

// SDKAddress is an address streaming SDKs reach the instance at. The API
// reference documents aport and atype as strings for the internal address
// and as integers for the external one; both are kept here as text.
type SDKAddress struct {
	Address     string `json:"address"`
	AddressIPv6 string `json:"address_ipv6"`
	AudioPort   string `json:"aport"`
	AudioType   string `json:"atype"`
	AddressADN  string `json:"address_adn"` // the address of instances bought with network ADN (external only)
}

// Format prints the device token with its Token redacted, for every verb.
func (t DeviceToken) Format(f fmt.State, _ rune) { //nolint:gocritic // a value receiver covers both forms
	secret := "<empty>"
	if t.Token != "" {
		secret = "redacted"
	}
	fmt.Fprintf(f, "koophone.DeviceToken{StreamingID: %q, Token: %s, DeviceID: %q, KPID: %q, Internal: %+v, External: %+v, SignalingURL: %q, ExpiredTime: %q, StreamingDuration: %s, ICEServers: %q, AppIPSynchronizeList: %q, RequestID: %q}",
		t.StreamingID, secret, t.DeviceID, t.KPID, t.Internal, t.External, t.SignalingURL, t.ExpiredTime, t.StreamingDuration, t.ICEServers, t.AppIPSynchronizeList, t.RequestID)
}

// String describes the device token without its secret.
func (t DeviceToken) String() string { return fmt.Sprint(t) } //nolint:gocritic // see Format

// deviceTokenFields has DeviceToken's fields without its methods, so that
// UnmarshalJSON can decode into it without calling itself.
type deviceTokenFields DeviceToken

// UnmarshalJSON decodes the encoding/json form of a device token and
// derives StreamingDuration from ExpiredTime, so that a DeviceToken handed
// on as JSON decodes to what was encoded.
func (t *DeviceToken) UnmarshalJSON(b []byte) error {
	var v deviceTokenFields
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*t = DeviceToken(v)
	t.StreamingDuration = streamingDuration(t.ExpiredTime)
	return nil
}

// LogValue makes log/slog record the device token without its Token,
// with any handler.
func (t DeviceToken) LogValue() slog.Value { //nolint:gocritic // see Format
	secret := ""
	if t.Token != "" {
		secret = "redacted"
	}
	return slog.GroupValue(
		slog.String("streaming_id", t.StreamingID), slog.String("token", secret),
		slog.String("device_id", t.DeviceID), slog.String("kp_id", t.KPID),
		slog.String("signaling_url", t.SignalingURL), slog.Duration("streaming_duration", t.StreamingDuration),
		slog.String("request_id", t.RequestID))
}

// streamingDuration reads expired_time, seconds as text: 0 unless it is a
// positive number of seconds a time.Duration holds.
func streamingDuration(expired string) time.Duration {
	secs, err := strconv.ParseFloat(strings.TrimSpace(expired), 64)
	if err != nil || !(secs > 0) || secs >= float64(math.MaxInt64/int64(time.Second)) {
		return 0
	}
	return time.Duration(math.Round(secs * float64(time.Second)))
}

var (
	opGetDeviceToken = operation{name: "GetDeviceToken", method: http.MethodPost, write: true}
	opStopStreaming  = operation{name: "StopInstancesStreaming", method: http.MethodPost, write: true}
	opReleaseSession = operation{name: "ReleaseInstancesSession", method: http.MethodPost, write: true}
)

// GetDeviceToken gets the device token and addresses a streaming client
// needs to connect to instanceID, once it is ready (see
// [Client.WaitUntilReady]). It calls POST /v1/instances/{instance_id}/auth,
// with stream_type as a query parameter when opts sets it.
//
// instanceID must be 1 to 32 characters, and a stream type 1 or 2;
// otherwise it returns an error matching [ErrInvalidParameter] and sends
// nothing. Being a write, it is retried only where the service cannot have
// acted on it. The token is a secret: it never appears in errors or logs.
// The answer is handed on as sent, never sanitised: one without a
// device_token, with an id (streamingId, device_id, kp_id) that cannot be
// kept as sent, or with text (an address, a URL, expired_time) holding a
// control, format or bidi character or over 4 KiB matches
// [ErrMalformedResponse].
func (c *Client) GetDeviceToken(ctx context.Context, instanceID string, opts *DeviceTokenOptions) (*DeviceToken, error) {
	if err := checkID("instance id", instanceID); err != nil {
		return nil, err
	}
	r := request{path: "/v1/instances/" + url.PathEscape(instanceID) + "/auth"}
	if opts != nil && opts.StreamType != 0 {
		if opts.StreamType != StreamTypeSDK && opts.StreamType != StreamTypeH5 {
			return nil, invalidArg("stream type %d: want StreamTypeSDK (1) or StreamTypeH5 (2)", opts.StreamType)
		}
		r.query = url.Values{"stream_type": {strconv.Itoa(int(opts.StreamType))}}
	}
	var out deviceTokenData
	id, err := c.do(ctx, opGetDeviceToken, r, &out)
	if err != nil {
		return nil, err
	}
	res := out.Resource
	ice := res.RTC.ICESignaling
	return &DeviceToken{
		StreamingID:          out.StreamingID,
		Token:                out.DeviceToken,
		DeviceID:             res.DeviceID,
		KPID:                 res.KPID,
		Internal:             sdkAddress(res.SDK.Internal),
		External:             sdkAddress(res.SDK.External),
		SignalingURL:         ice.SignalingURL,
		ExpiredTime:          string(ice.ExpiredTime),
		StreamingDuration:    streamingDuration(string(ice.ExpiredTime)),
		ICEServers:           ice.ICEServers,
		AppIPSynchronizeList: string(res.AppIPSynchronizeList),
		RequestID:            id,
	}, nil
}

func sdkAddress(a wire.SDKAddress) SDKAddress {
	return SDKAddress{Address: a.Address, AddressIPv6: a.AddressIPv6, AudioPort: string(a.AudioPort), AudioType: string(a.AudioType), AddressADN: a.AddressADN}
}

// deviceTokenData is GetDeviceToken's data, which must carry the token.
// A DeviceToken is handed on as it came, so its ids and text are never
// sanitised: an answer with an id that cannot be kept as sent, or text
// holding a control, format or bidi character or over 4 KiB, is malformed.
type deviceTokenData wire.DeviceTokenData

func (d *deviceTokenData) Validate() error {
	if d.DeviceToken == "" {
		return errMissing("data.device_token")
	}
	res, data := &d.Resource, entry{"data", -1}
	at, ice := entry{"data.resource", -1}, entry{"data.resource.rtc.ice_signaling", -1}
	errs := []error{
		data.checkOptionalID("streamingId", d.StreamingID),
		at.checkOptionalID("device_id", res.DeviceID),
		at.checkOptionalID("kp_id", res.KPID),
		at.checkText("app_ip_synchronize_list", string(res.AppIPSynchronizeList)),
		ice.checkText("signaling_url", res.RTC.ICESignaling.SignalingURL),
		ice.checkText("expired_time", string(res.RTC.ICESignaling.ExpiredTime)),
		checkSDKAddress("data.resource.sdk.internal", res.SDK.Internal),
		checkSDKAddress("data.resource.sdk.external", res.SDK.External),
	}
	for i, s := range res.RTC.ICESignaling.ICEServers {
		errs = append(errs, entry{ice.field("ice_servers"), i}.checkText("", s))
	}
	return firstError(errs...)
}

// checkSDKAddress checks the text of an SDK address, as deviceTokenData's.
func checkSDKAddress(list string, a wire.SDKAddress) error {
	at := entry{list, -1}
	return firstError(at.checkText("address", a.Address), at.checkText("address_ipv6", a.AddressIPv6),
		at.checkText("aport", string(a.AudioPort)), at.checkText("atype", string(a.AudioType)),
		at.checkText("address_adn", a.AddressADN))
}

// StopStreaming stops the streaming of instanceID. It calls POST
// /v1/instances/streaming/stop. Arguments are checked as for
// GetDeviceToken; it is a write, retried only where the service cannot have
// acted on it.
func (c *Client) StopStreaming(ctx context.Context, instanceID string) error {
	return c.instanceCall(ctx, opStopStreaming, "/v1/instances/streaming/stop", instanceID)
}

// ReleaseSession releases the session of instanceID after streaming, so
// that the instance can serve again. It calls POST
// /v1/instances/session/release. Arguments are checked as for
// GetDeviceToken; it is a write, retried only where the service cannot have
// acted on it.
func (c *Client) ReleaseSession(ctx context.Context, instanceID string) error {
	return c.instanceCall(ctx, opReleaseSession, "/v1/instances/session/release", instanceID)
}

// instanceCall sends {"instance_id": instanceID} to path and expects no data.
func (c *Client) instanceCall(ctx context.Context, op operation, path, instanceID string) error {
	if err := checkID("instance id", instanceID); err != nil {
		return err
	}
	_, err := c.do(ctx, op, request{path: path, body: wire.InstanceRequest{InstanceID: instanceID}}, nil)
	return err
}
