package koophone

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
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
// from GetDeviceToken. Token is a secret: printing a DeviceToken with fmt
// (any verb) or encoding it with encoding/json shows every field but it,
// and logging it with log/slog records its ids, signaling URL, duration
// and request id, never it (read dt.Token to hand it on).
type DeviceToken struct {
	StreamingID string // identifies this streaming session
	Token       string // device_token, the secret the streaming client authenticates with
	DeviceID    string // sent with the token to the signalling server
	KPID        string // the cloud phone instance's KooPhone id, e.g. "whklpuo1"
	Internal    SDKAddress
	External    SDKAddress
	// SignalingURL is the signalling server's address; StreamingDuration how
	// long streaming may last (expired_time, in seconds on the wire; 0 when
	// the service sent none or no number); ICEServers the ICE servers.
	SignalingURL      string
	StreamingDuration time.Duration
	ICEServers        []string
	// AppIPSynchronizeList is resource.app_ip_synchronize_list as sent (its
	// elements' shape is undocumented: strings and numbers as text, anything
	// else as compact JSON).
	AppIPSynchronizeList []string
	RequestID            string // the X-Request-Id of the call
}

// SDKAddress is an address streaming SDKs reach the instance at. The API
// reference documents aport and atype as strings for the internal address
// and as integers for the external one; both are kept here as text.
type SDKAddress struct {
	Address     string
	AddressIPv6 string
	AudioPort   string // aport
	AudioType   string // atype
	AddressADN  string // address_adn: the address of instances bought with network ADN (external only)
}

// Format prints the device token with its Token redacted, for every verb.
func (t DeviceToken) Format(f fmt.State, _ rune) { //nolint:gocritic // a value receiver covers both forms
	secret := "<empty>"
	if t.Token != "" {
		secret = "redacted"
	}
	fmt.Fprintf(f, "koophone.DeviceToken{StreamingID: %q, Token: %s, DeviceID: %q, KPID: %q, Internal: %+v, External: %+v, SignalingURL: %q, StreamingDuration: %s, ICEServers: %q, AppIPSynchronizeList: %q, RequestID: %q}",
		t.StreamingID, secret, t.DeviceID, t.KPID, t.Internal, t.External, t.SignalingURL, t.StreamingDuration, t.ICEServers, t.AppIPSynchronizeList, t.RequestID)
}

// String describes the device token without its secret.
func (t DeviceToken) String() string { return fmt.Sprint(t) } //nolint:gocritic // see Format

// redacted returns a copy whose Token says only whether there was one.
func (t DeviceToken) redacted() DeviceToken { //nolint:gocritic // a copy on purpose
	if t.Token != "" {
		t.Token = "redacted"
	}
	return t
}

// deviceTokenJSON has DeviceToken's fields without its methods, so that
// MarshalJSON can encode a redacted copy without calling itself.
type deviceTokenJSON DeviceToken

// MarshalJSON encodes the device token with its Token redacted, so that
// encoding/json (and loggers built on it) never print the secret.
func (t DeviceToken) MarshalJSON() ([]byte, error) { //nolint:gocritic // see Format
	return json.Marshal(deviceTokenJSON(t.redacted()))
}

// LogValue makes log/slog record the device token with its Token
// redacted, with any handler.
func (t DeviceToken) LogValue() slog.Value { //nolint:gocritic // see Format
	r := t.redacted()
	return slog.GroupValue(
		slog.String("streaming_id", r.StreamingID), slog.String("token", r.Token),
		slog.String("device_id", r.DeviceID), slog.String("kp_id", r.KPID),
		slog.String("signaling_url", r.SignalingURL), slog.Duration("streaming_duration", r.StreamingDuration),
		slog.String("request_id", r.RequestID))
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
	dt := &DeviceToken{
		StreamingID:          out.StreamingID,
		Token:                out.DeviceToken,
		DeviceID:             res.DeviceID,
		KPID:                 res.KPID,
		Internal:             sdkAddress(res.SDK.Internal),
		External:             sdkAddress(res.SDK.External),
		SignalingURL:         ice.SignalingURL,
		ICEServers:           ice.ICEServers,
		AppIPSynchronizeList: []string(res.AppIPSynchronizeList),
		RequestID:            id,
	}
	if secs, err := strconv.ParseInt(strings.TrimSpace(string(ice.ExpiredTime)), 10, 64); err == nil && secs > 0 && secs < int64(1<<62/time.Second) {
		dt.StreamingDuration = time.Duration(secs) * time.Second
	}
	return dt, nil
}

func sdkAddress(a wire.SDKAddress) SDKAddress {
	return SDKAddress{Address: a.Address, AddressIPv6: a.AddressIPv6, AudioPort: string(a.AudioPort), AudioType: string(a.AudioType), AddressADN: a.AddressADN}
}

// deviceTokenData is GetDeviceToken's data, which must carry the token.
type deviceTokenData wire.DeviceTokenData

func (d *deviceTokenData) Validate() error {
	if d.DeviceToken == "" {
		return errMissing("data.device_token")
	}
	return nil
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
