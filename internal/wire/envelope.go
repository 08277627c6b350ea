// Package wire holds the JSON shapes KooPhone sends and receives and the
// decoding of its response envelope. It is internal: field names follow the
// wire, not Go conventions users should see. Files: envelope.go (the
// envelope and its decoding), values.go (lenient scalar types), sanitise.go (making server text safe), and one
// file per resource for the operations' bodies.
package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// CodeOK is the error_code of a successful answer.
const CodeOK = "0"

// Kind says where an operation's answer carries its error code.
type Kind uint8

const (
	// TopLevel is almost every operation's envelope:
	// {"error_code": "...", "error_msg": "...", "data": {...}}; gateway
	// errors add request_id.
	TopLevel Kind = iota
	// InData is ListInstances' envelope: {"data": {..., "error_code", "error_msg"}}.
	// Gateway errors still come at the top level.
	InData
)

// Answer is what a response body says.
type Answer struct {
	Code      Code   // error_code: top level, else (for InData) inside data
	Message   string // error_msg, as sent
	RequestID string // request_id, as sent (gateway errors)
	HasData   bool   // data was present and not null; with a target, also not decoded to its zero value
	// Err says why the body is not what the operation documents: it wraps
	// ErrNotJSON when the body is not even an envelope, and otherwise names
	// the data member of the wrong type. nil for a well-formed body.
	Err error
}

// ErrNotJSON reports a body that is not a JSON object.
var ErrNotJSON = errors.New("body is not a JSON object")

// Decode decodes a response body of the given kind, and its data member
// into out (a pointer to a struct, zeroed first) unless out is nil. Unknown
// fields are ignored.
func Decode(body []byte, kind Kind, out any) Answer {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Answer{Err: ErrNotJSON}
	}
	return decode(trimmed, kind, out)
}

// decode decodes a trimmed body with encoding/json.
func decode(trimmed []byte, kind Kind, out any) Answer {
	var target reflect.Value
	var raw *json.RawMessage // only when there is no out: to tell whether data came
	var data any = out
	if out != nil {
		target = reflect.ValueOf(out).Elem()
		target.SetZero() // a fresh value for every attempt
	} else {
		raw = new(json.RawMessage)
		data = raw
	}
	var inner *inData
	if kind == InData {
		inner = &inData{out: data}
		data = inner
	}
	v := fields{Data: data}
	err := json.Unmarshal(trimmed, &v)
	a := Answer{Code: v.ErrorCode, Message: v.ErrorMsg, RequestID: v.RequestID}
	dataNull := v.Data == nil
	if inner != nil && inner.ErrorCode.Set && (!a.Code.Set || a.Code.Value == CodeOK) {
		// A gateway's error comes at the top level; the service's, inside data.
		a.Code, a.Message = inner.ErrorCode, inner.ErrorMsg
	}
	switch {
	case dataNull:
	case out == nil && kind == InData:
		a.HasData = true
	case out == nil:
		a.HasData = len(*raw) > 0 && string(*raw) != "null"
	default:
		a.HasData = !target.IsZero()
	}
	if err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) && (typeErr.Field == "data" || strings.HasPrefix(typeErr.Field, "data.")) {
			// A decoder of ours that fails inside data stops the whole
			// decoding: read the envelope again without a target for data.
			if out != nil {
				a = decode(trimmed, kind, nil)
			}
			a.HasData = true
			a.Err = errors.New(describeJSONError(err))
			return a
		}
		return Answer{Err: fmt.Errorf("%w: %s", ErrNotJSON, describeJSONError(err))}
	}
	return a
}

// fields are the envelope's members as decoded; Data holds where data
// goes.
type fields struct {
	ErrorCode Code   `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id"`
	Data      any    `json:"data"` // decodes into out: a non-nil pointer
}

// inData decodes ListInstances' data: its error code and message, and the
// rest into out.
type inData struct {
	out       any
	ErrorCode Code   `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

func (d *inData) UnmarshalJSON(b []byte) error {
	var head struct {
		ErrorCode Code   `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return err
	}
	d.ErrorCode, d.ErrorMsg = head.ErrorCode, head.ErrorMsg
	return json.Unmarshal(b, d.out)
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
