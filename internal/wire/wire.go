// Package wire holds the JSON shapes KooPhone sends and receives and the
// decoding of its response envelope. It is internal: field names follow the
// wire, not Go conventions users should see.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CodeOK is the error_code of a successful answer.
const CodeOK = "0"

// Limits on text taken from a response into an error.
const (
	maxMessageRunes = 512 // error_msg
	maxSnippetRunes = 120 // a body that is not JSON
)

// Envelope is the body of almost every KooPhone answer:
// {"error_code": "...", "error_msg": "...", "data": {...}}; gateway errors add request_id.
type Envelope struct {
	ErrorCode Code            `json:"error_code"`
	ErrorMsg  string          `json:"error_msg"`
	RequestID string          `json:"request_id"`
	Data      json.RawMessage `json:"data"`
	DataSeen  bool            `json:"-"` // DecodeWithData found data (Data stays empty then)
}

// Code is an error_code. The service sends a string; a number is accepted too.
type Code struct {
	Value string
	Set   bool // whether the field was present and not null
}

// UnmarshalJSON accepts a JSON string or number.
func (c *Code) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		if len(b) >= 2 && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b) {
			c.Value, c.Set = string(b[1:len(b)-1]), true // the common case: no escapes
			return nil
		}
		if err := json.Unmarshal(b, &c.Value); err != nil {
			return err
		}
		c.Set = true
		return nil
	}
	if _, err := strconv.ParseFloat(string(b), 64); err != nil {
		return errors.New("error_code is neither a string nor a number")
	}
	c.Value, c.Set = string(b), true
	return nil
}

// ErrNotJSON reports a body that is not a JSON object.
var ErrNotJSON = errors.New("body is not a JSON object")

// DecodeEnvelope decodes a response body. Unknown fields are ignored. It
// returns ErrNotJSON (possibly wrapped) for a body that is not a JSON object.
func DecodeEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return env, ErrNotJSON
	}
	if err := json.Unmarshal(trimmed, &env); err != nil {
		return Envelope{}, fmt.Errorf("%w: %s", ErrNotJSON, describeJSONError(err))
	}
	return env, nil
}

// HasData reports whether the envelope carries a data value other than null.
func (e *Envelope) HasData() bool {
	if e.DataSeen {
		return true
	}
	d := bytes.TrimSpace(e.Data)
	return len(d) > 0 && !bytes.Equal(d, []byte("null"))
}

// DecodeWithData decodes a body and its data member in one pass: the
// envelope as DecodeEnvelope does, and data into out, a pointer to a
// struct, which it zeroes first. It returns the envelope, the error that
// makes the body no envelope (like DecodeEnvelope's), and the error of a
// data member of the wrong type. Data that is missing or null leaves out
// zero; DataSeen tells whether any data was decoded.
func DecodeWithData(body []byte, out any) (Envelope, error, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Envelope{}, ErrNotJSON, nil
	}
	target := reflect.ValueOf(out).Elem()
	target.SetZero() // a fresh value for every attempt
	v := struct {
		ErrorCode Code   `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
		RequestID string `json:"request_id"`
		Data      any    `json:"data"` // decodes into out: a non-nil pointer
	}{Data: out}
	err := json.Unmarshal(trimmed, &v)
	env := Envelope{ErrorCode: v.ErrorCode, ErrorMsg: v.ErrorMsg, RequestID: v.RequestID}
	if err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && (typeErr.Field == "data" || strings.HasPrefix(typeErr.Field, "data.")) {
			env.DataSeen = true
			return env, nil, errors.New(describeJSONError(err))
		}
		return Envelope{}, fmt.Errorf("%w: %s", ErrNotJSON, describeJSONError(err)), nil
	}
	env.DataSeen = v.Data != nil && !target.IsZero()
	return env, nil, nil
}

// describeJSONError says what was wrong with a JSON document without
// quoting it (the document may be large or hold anything).
func describeJSONError(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		field := typeErr.Field
		if field == "" {
			field = "value"
		}
		return fmt.Sprintf("%s is a JSON %s, not %s", field, typeErr.Value, typeErr.Type)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		if strings.Contains(syntaxErr.Error(), "unexpected end") {
			return "truncated JSON"
		}
		return fmt.Sprintf("invalid JSON at byte %d", syntaxErr.Offset)
	}
	return strings.TrimPrefix(err.Error(), "json: ") // from our own decoders: fixed text
}

// SanitiseMessage makes text from a response safe to put in an error: valid
// UTF-8, no control characters, white space folded, at most 512 runes.
func SanitiseMessage(s string) string { return sanitise(s, maxMessageRunes) }

// Snippet describes a body that is not the JSON envelope (an HTML page, plain
// text, nothing): a short sanitised excerpt of plain text, or nothing for
// HTML and binary data, which would not help a reader.
func Snippet(body []byte) string {
	t := bytes.TrimSpace(body)
	if len(t) == 0 || t[0] == '<' || !utf8.Valid(t) {
		return ""
	}
	return sanitise(string(t), maxSnippetRunes)
}

func sanitise(s string, maxRunes int) string {
	var b strings.Builder
	n := 0
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if n == maxRunes {
			b.WriteString("…")
			break
		}
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// ProgressRequest is the body of ShowProgress.
type ProgressRequest struct {
	UserID     string `json:"user_id"`
	InstanceID string `json:"instance_id"`
}

// ProgressData is the data of a ShowProgress answer. Status is required.
type ProgressData struct {
	Status       *int `json:"status"`
	WaitingCount int  `json:"waitingCount"`
}

// PrepareRequest is the body of BatchPrepareInstances.
type PrepareRequest struct {
	UserID      string   `json:"user_id"`
	InstanceIDs []string `json:"instance_ids"`
}

// PrepareData is the data of a BatchPrepareInstances answer.
type PrepareData struct {
	StatusList *[]InstanceStatus `json:"status_list"`
}

// InstanceStatus is one entry of a status list.
type InstanceStatus struct {
	InstanceID string `json:"instance_id"`
	Status     *int   `json:"status"`
}

// InstanceIDsRequest is a body with a list of instance ids (BatchQueryStatus).
type InstanceIDsRequest struct {
	InstanceIDs []string `json:"instance_ids"`
}

// InstanceRequest is a body with one instance id (StopInstancesStreaming,
// ReleaseInstancesSession).
type InstanceRequest struct {
	InstanceID string `json:"instance_id"`
}

// StatusData is the data of a BatchQueryStatus answer.
type StatusData struct {
	StatusResults *[]InstanceStatus `json:"status_results"`
}

// DeviceTokenData is the data of a GetDeviceToken answer.
type DeviceTokenData struct {
	StreamingID string `json:"streamingId"`
	DeviceToken string `json:"device_token"`
	Resource    struct {
		DeviceID string `json:"device_id"`
		KPID     string `json:"kp_id"`
		SDK      struct {
			Internal SDKAddress `json:"internal"`
			External SDKAddress `json:"external"`
		} `json:"sdk"`
		RTC struct {
			ICESignaling struct {
				SignalingURL string   `json:"signaling_url"`
				ExpiredTime  Text     `json:"expired_time"`
				ICEServers   []string `json:"ice_servers"`
			} `json:"ice_signaling"`
		} `json:"rtc"`
	} `json:"resource"`
}

// SDKAddress is one of the SDK access addresses. The API reference types
// aport and atype as strings for the internal address and as integers for
// the external one; Text takes both.
type SDKAddress struct {
	Address     string `json:"address"`
	AddressIPv6 string `json:"address_ipv6"`
	AudioPort   Text   `json:"aport"`
	AudioType   Text   `json:"atype"`
}

// Text is a JSON string or number, kept as text (a number as written).
type Text string

// UnmarshalJSON accepts a string, a number or null.
func (t *Text) UnmarshalJSON(b []byte) error {
	var c Code
	if err := c.UnmarshalJSON(b); err != nil {
		return errors.New("is neither a string nor a number")
	}
	*t = Text(c.Value)
	return nil
}
