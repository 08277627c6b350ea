package koophone

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/koophone-go/koophone/internal/redact"
	"github.com/koophone-go/koophone/internal/signer"
	"github.com/koophone-go/koophone/internal/wire"
)

// classify returns the verdict on one answer: a success (its data decoded
// into the call's out, its text scrubbed of the call's secrets), or an
// *APIError, and whether another attempt may succeed and is allowed.
// Reads are repeated on every transient failure; writes only after HTTP
// 429, where the service cannot have acted, whatever the error code says
// (the contract's write rule): an APIGW.0308 code with another status
// (200, 500, 503) does not say that.
func classify(cl *call, resp *http.Response, body []byte) verdict {
	apiErr := answerError(cl, resp, body)
	if apiErr == nil {
		if t, ok := cl.out.(serverText); ok {
			t.scrubText(redact.New(cl.secretsSent()...).Echoed)
		}
		return verdict{status: resp.StatusCode}
	}
	scrubAnswer(apiErr, cl.secretsSent())
	retry := apiErr.transient() && (!cl.op.write || resp.StatusCode == http.StatusTooManyRequests)
	return verdict{status: resp.StatusCode, err: apiErr, retry: retry}
}

// answerError returns nil for a successful answer and otherwise the
// *APIError it is (its strings not yet scrubbed of credentials). A success
// allocates only to decode and to look for member names given twice
// (wire.CheckNames: one allocation, or about one per member name when the
// answer holds a list, an escape or non-ASCII text).
func answerError(cl *call, resp *http.Response, body []byte) *APIError {
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	if len(body) > maxBodyBytes {
		if ok {
			e := newAnswerError(cl, resp, "").malformedBy(fmt.Sprintf("response body is larger than %d bytes", maxBodyBytes))
			e.permanent = true
			return e
		}
		body = nil // an error status keeps its category; its body is not read
	}
	var out any
	if ok {
		out = cl.out
	}
	ans := wire.Decode(body, cl.op.envelope, out)
	code := ans.Code.Value
	switch {
	case errors.Is(ans.Err, wire.ErrNotJSON):
		e := newAnswerError(cl, resp, ans.RequestID)
		if ok {
			return e.malformedBy(ans.Err.Error())
		}
		e.Message = notJSONMessage(resp.StatusCode, body, cl.secretsSent())
		return e
	case ok && (code == wire.CodeOK || !ans.Code.Set && ans.HasData): // lenient: a success that left out error_code
		if err := checkData(cl, ans.Err, out, body); err != nil {
			return newAnswerError(cl, resp, ans.RequestID).malformedBy(err.Error())
		}
		return nil
	case ok && !ans.Code.Set:
		return newAnswerError(cl, resp, ans.RequestID).malformedBy("the answer has neither error_code nor data")
	}
	e := newAnswerError(cl, resp, ans.RequestID)
	if code != wire.CodeOK {
		e.Code = code
	}
	e.Message = ans.Message
	if strings.TrimSpace(e.Message) == "" {
		e.Message = http.StatusText(resp.StatusCode)
	}
	return e
}

// newAnswerError starts the *APIError of an answer: its request id is the
// body's, else the response header's, else the one sent.
func newAnswerError(cl *call, resp *http.Response, bodyRequestID string) *APIError {
	id := bodyRequestID
	if id == "" {
		id = resp.Header.Get("X-Request-Id")
	}
	if id == "" {
		id = cl.requestID
	}
	return &APIError{Operation: cl.op.name, HTTPStatus: resp.StatusCode, RequestID: id}
}

// checkData returns why a success is malformed: its data did not decode,
// the body cannot be read one way only (an object names a member twice:
// wire.CheckNames), its data failed its own check, or it has an entry for
// an instance the call did not name (checkNamed); nil when it is fine.
func checkData(cl *call, decodeErr error, out any, body []byte) error {
	if decodeErr != nil {
		return decodeErr
	}
	if err := wire.CheckNames(body, out); err != nil {
		return err
	}
	if v, ok := out.(answerData); ok {
		if err := v.Validate(); err != nil {
			return err
		}
	}
	if p, ok := out.(perInstance); ok && cl.instances != nil {
		return checkNamed(cl.instances, p)
	}
	return nil
}

func (e *APIError) malformedBy(why string) *APIError {
	e.Message, e.malformed = why, true
	return e
}

// notJSONMessage describes an error answer whose body is not the envelope:
// an excerpt of plain text, else the status text.
func notJSONMessage(status int, body []byte, secrets []string) string {
	msg := wire.Snippet([]byte(redact.New(secrets...).Redact(string(body)))) // before the excerpt cuts a secret short
	if msg == "" {
		msg = http.StatusText(status)
	}
	if status >= 300 && status < 400 {
		msg += " (redirects are not followed)"
	}
	return msg
}

// scrubAnswer makes the server-supplied strings of e safe: it removes the
// credentials sent (a server may echo them), then sanitises and bounds
// each string, and puts the code in its canonical spelling.
func scrubAnswer(e *APIError, secrets []string) {
	set := redact.New(secrets...)
	e.Message = wire.SanitiseMessage(set.Redact(e.Message))
	e.Code = wire.SanitiseCode(canonicalCode(set.Redact(e.Code)))
	e.RequestID = wire.SanitiseID(set.Redact(e.RequestID))
}

// sentSecrets returns the credential values in headers sent: the token,
// the security token, and the access key and signature of an AK/SK
// Authorization header.
func sentSecrets(h http.Header) []string {
	var out []string
	add := func(v string) {
		if v != "" {
			out = append(out, v)
		}
	}
	add(h.Get(headerAuthToken))
	add(h.Get(signer.HeaderSecurityToken))
	for _, part := range strings.Split(h.Get("Authorization"), ",") {
		part = strings.TrimSpace(part)
		if i := strings.Index(part, "Access="); i >= 0 {
			add(part[i+len("Access="):])
		} else if v, found := strings.CutPrefix(part, "Signature="); found {
			add(v)
		}
	}
	return out
}

// cleanError returns err with a text safe to show: the secrets scrubbed,
// sanitised and bounded as server text is. net/http quotes what a server
// sent (a malformed status line, a bad header) in its errors, so a hostile
// server can put anything there, the credentials it was sent included.
// errors.Is and errors.As still see err.
func cleanError(err error, secrets []string) error {
	msg := err.Error()
	clean := wire.SanitiseMessage(redact.New(secrets...).Redact(msg))
	if clean == msg {
		return err
	}
	return &cleanedError{msg: clean, err: err}
}

// cleanedError is an error whose text was made safe; see cleanError.
type cleanedError struct {
	msg string
	err error
}

func (e *cleanedError) Error() string { return e.msg }
func (e *cleanedError) Unwrap() error { return e.err }
