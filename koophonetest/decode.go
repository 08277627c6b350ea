package koophonetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"
)

// decode reads a JSON body into v, the fake's own wire struct of the
// operation. A body that is not JSON, has a field of the wrong type, a
// field the operation does not document, or trailing data gets
// KOOPHONE.API.1000: the fake is stricter than the service, so that a
// client's misspelt field shows.
func decode(body []byte, v any) (reply, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return invalid("request body does not match the operation: %v", err), false
	}
	if dec.More() {
		return invalid("request body has data after the JSON object"), false
	}
	return reply{}, true
}

// firstError returns the first non-empty message of a series of checks.
func firstError(msgs ...string) string {
	for _, m := range msgs {
		if m != "" {
			return m
		}
	}
	return ""
}

// check returns msg unless good.
func check(good bool, msg string) string {
	if good {
		return ""
	}
	return msg
}

// checkID returns what is wrong with a required id field, or "".
func checkID(field string, v *string) string {
	switch {
	case v == nil:
		return field + " is required"
	case *v == "":
		return field + " must not be empty"
	case utf8.RuneCountInString(*v) > 32:
		return field + " must be at most 32 characters"
	}
	return ""
}

// checkIDList checks a list of 1 to 100 ids.
func checkIDList(field string, ids []string) string {
	if len(ids) == 0 || len(ids) > 100 {
		return field + " must hold 1 to 100 ids"
	}
	for i := range ids {
		if msg := checkID(field, &ids[i]); msg != "" {
			return msg
		}
	}
	return ""
}

// checkLen returns what is wrong with a string field of min to max
// characters.
func checkLen(field, v string, min, max int) string {
	if n := utf8.RuneCountInString(v); n < min || n > max {
		return fmt.Sprintf("%s must be %d to %d characters", field, min, max)
	}
	return ""
}
