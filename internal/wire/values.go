package wire

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Code is an error_code. The service sends a string; a number is accepted
// too, and a number exactly zero (0, 0.0, -0) reads as CodeOK; 1e-400,
// which a float64 would round to zero, does not.
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
		if s, ok := unescaped(b); ok {
			c.Value, c.Set = s, true // the common case: no escapes
			return nil
		}
		if err := json.Unmarshal(b, &c.Value); err != nil {
			return err
		}
		c.Set = true
		return nil
	}
	if !isNumber(b) {
		return errors.New("error_code is neither a string nor a number")
	}
	c.Value, c.Set = string(b), true
	if exactZero(string(b)) {
		c.Value = CodeOK
	}
	return nil
}

// Limits on a number read exactly (exactNumber): an int64 takes at most 20
// characters, and big.Rat would build 10^exponent.
const (
	maxNumberBytes    = 64
	maxNumberExponent = 64
)

// isNumber reports whether b is one JSON number, nothing else.
func isNumber(b []byte) bool {
	return len(b) > 0 && (b[0] == '-' || '0' <= b[0] && b[0] <= '9') && json.Valid(b)
}

// exactZero reports whether s, a JSON number, is exactly zero, not a
// number a float64 rounds to zero (1e-400).
func exactZero(s string) bool {
	r, ok := exactNumber(s)
	return ok && r.Sign() == 0
}

// exactNumber returns the exact value of s, a JSON number, or false when
// it is longer than maxNumberBytes or its exponent is beyond
// ±maxNumberExponent: a float64 would round it (1e-400 to 0,
// 0.99999999999999999999 to 1), and big.Float too, past its exponent range.
func exactNumber(s string) (*big.Rat, bool) {
	if len(s) > maxNumberBytes {
		return nil, false
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		if exp, err := strconv.Atoi(s[i+1:]); err != nil || exp < -maxNumberExponent || exp > maxNumberExponent {
			return nil, false
		}
	}
	return new(big.Rat).SetString(s)
}

// unescaped returns the text of b, a JSON string, when it has no escapes
// and is valid UTF-8: then it is the bytes between the quotes.
func unescaped(b []byte) (string, bool) {
	if len(b) < 2 || b[0] != '"' || bytes.IndexByte(b, '\\') >= 0 || !utf8.Valid(b) {
		return "", false
	}
	return string(b[1 : len(b)-1]), true
}

// Int is an integer sent as a JSON number or as a string holding one
// ("status": "1"), as the official SDKs' JSON libraries accept. A number
// that is not exactly an integer in range is refused, however close
// (0.99999999999999999999, 1e-400), as is a string holding anything but a
// decimal integer or a JSON number ("0x1p0", "1_000", "Inf"). A decimal
// integer in a string may have a sign and leading zeros ("+1", "01"), as
// Java's Integer.parseInt reads it.
type Int int

var intType = reflect.TypeOf(0)

// UnmarshalJSON accepts 1, "1", "+1", "01", 1.0, 1e2 and " 1 "; null
// leaves the value alone.
func (n *Int) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		return nil
	}
	kind := jsonKind(b)
	if kind == "string" {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		b = bytes.TrimSpace([]byte(s))
		if v, err := strconv.ParseInt(string(b), 10, 0); err == nil { // base 10: no "0x", no "_"
			*n = Int(v)
			return nil
		}
		if !isNumber(b) {
			return &json.UnmarshalTypeError{Value: kind, Type: intType}
		}
	}
	if v, err := strconv.Atoi(string(b)); err == nil {
		*n = Int(v)
		return nil
	}
	r, ok := exactNumber(string(b))
	if !ok || !r.IsInt() || !r.Num().IsInt64() || int64(int(r.Num().Int64())) != r.Num().Int64() {
		return &json.UnmarshalTypeError{Value: kind, Type: intType}
	}
	*n = Int(r.Num().Int64())
	return nil
}

// jsonKind names the kind of JSON value b is, as encoding/json's errors do.
func jsonKind(b []byte) string {
	switch {
	case len(b) == 0:
		return "value"
	case b[0] == '"':
		return "string"
	case b[0] == '[':
		return "array"
	case b[0] == '{':
		return "object"
	case b[0] == 't' || b[0] == 'f':
		return "bool"
	}
	return "number"
}

// Text is a JSON string or number, kept as text (a number as written).
type Text string

var stringType = reflect.TypeOf("")

// UnmarshalJSON accepts a string, a number or null. Anything else is a
// *json.UnmarshalTypeError, which encoding/json completes with the
// field's path, so that the answer names the field ("data.x is a JSON
// object, not string") instead of reading as a body that is not JSON.
func (t *Text) UnmarshalJSON(b []byte) error {
	var c Code
	if err := c.UnmarshalJSON(b); err != nil {
		return &json.UnmarshalTypeError{Value: jsonKind(b), Type: stringType}
	}
	*t = Text(c.Value)
	if c.Value == CodeOK && len(b) > 0 && b[0] != '"' {
		*t = Text(b) // a number kept as written, even zero
	}
	return nil
}

// LenientText is a value documented as a string, read leniently: a string
// as it is, a number as written, null as "", and anything else (a list, an
// object, true or false) as its compact JSON.
type LenientText string

// UnmarshalJSON accepts any JSON value.
func (l *LenientText) UnmarshalJSON(b []byte) error {
	var t Text
	if err := t.UnmarshalJSON(b); err == nil {
		*l = LenientText(t)
		return nil
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		return err
	}
	*l = LenientText(compact.String())
	return nil
}
