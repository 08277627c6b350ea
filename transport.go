package koophone

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// One attempt of a call, as go-retryablehttp runs it: beginAttempt prepares
// its request (in Client.send for the first, in PrepareRetry for the
// others), http.Client sends it through the credentials transport
// (auth.go) and the attempt's bound (boundTransport), and CheckRetry judges
// what came back (judge): a verdict, kept in the call.

// verdict is how one attempt ended.
type verdict struct {
	status int   // the answer's HTTP status; 0 when there was none
	err    error // nil: a success; an *APIError; or a *callError (no answer)
	retry  bool  // another attempt may succeed and is allowed (the write rule)
}

// credentialsRejected reports whether the attempt's credentials were
// refused as invalid or expired (HTTP 401 with APIGW.0301 or APIGW.0307).
func (v verdict) credentialsRejected() bool {
	if v.status != http.StatusUnauthorized {
		return false
	}
	apiErr, ok := v.err.(*APIError) // answers' errors are always an *APIError
	return ok && !apiErr.malformed && (apiErr.Code == CodeGatewayUnauthorized || apiErr.Code == CodeGatewayTokenMustRenew)
}

// attemptFailure is why an attempt got no answer: the network failed, the
// attempt timed out, or the request could not be sent.
type attemptFailure struct {
	err       error
	retryable bool // a network failure that another attempt may not meet
}

func (e *attemptFailure) Error() string { return e.err.Error() }
func (e *attemptFailure) Unwrap() error { return e.err }

// refusal is an attempt the SDK refused to send or to read: credentials
// for another host, a token source's error, an answer from a redirect.
// It is never retried.
type refusal struct{ err error }

func (e *refusal) Error() string { return e.err.Error() }
func (e *refusal) Unwrap() error { return e.err }

// beginAttempt prepares req for the call's next attempt: it tells the
// Observer, waits for the limiter, and gives req its headers (in a map of
// its own after the first attempt: http.Client's jar adds its cookies to
// it, and net/http may still read an earlier attempt's), a body of its
// own, and for a write a guard (writeonce.go) in its context. An error (the
// limiter's) ends the call.
func (c *Client) beginAttempt(req *http.Request) error {
	cl := callFrom(req.Context())
	cl.attempts++
	c.startAttempt(cl)
	if err := c.waitLimiter(cl.ctx, cl.op.name); err != nil {
		cl.last = verdict{err: cl.fail(err)}
		c.endAttempt(cl, cl.last)
		return cl.last.err
	}
	if cl.attempts > 1 {
		req.Header = make(http.Header, 4)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("X-Request-Id", cl.requestID)
	req.ContentLength = int64(len(cl.body)) // known: net/http never chunks it
	switch {
	case cl.op.write:
		guardAttempt(req, cl)
	case cl.body != nil:
		req.Body = io.NopCloser(bytes.NewReader(cl.body)) // in memory: net/http writes it with the headers
		req.GetBody = cl.getBody                          // net/http sends a read's body again on a new connection
	}
	return nil
}

// guardAttempt gives an attempt of a write its guard (writeonce.go): in
// its context, and as its body, which net/http never sends again (no
// GetBody).
func guardAttempt(req *http.Request, cl *call) {
	cl.guard.release() // the previous attempt's
	var ctx context.Context
	ctx, cl.guard = guardWrite(cl.ctx, cl.body == nil)
	*req = *req.WithContext(ctx)
	req.GetBody = nil
	if cl.body != nil {
		req.Body = cl.guard.body(cl.body) // tells the guard when the transport has taken it all
	}
}

// getBody returns a new reader of the call's body, for net/http to send a
// read's body again on a new connection.
func (cl *call) getBody() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(cl.body)), nil
}

// judge returns the verdict on an attempt, given what http.Client.Do
// returned: it reads the answer (up to maxBodyBytes+1 bytes, within the
// attempt's timeout) and classifies it, or says why there was none.
func (c *Client) judge(cl *call, resp *http.Response, err error) verdict {
	// An answer means the service got the request, even when net/http
	// has not yet reported it written (it may answer before that).
	wrote := cl.guard.mayHaveActed(err)
	if err == nil {
		var body []byte
		if body, err = c.readAnswer(resp); err == nil {
			return classify(cl, resp, body)
		}
	}
	var ue *url.Error // http.Client's, which quotes the URL: the cause is enough
	if errors.As(err, &ue) {
		err = ue.Err
	}
	f := c.noAnswer(cl, cl.guard.failure(err))
	f.err = cleanError(f.err, cl.secretsSent())
	return verdict{err: cl.fail(f), retry: f.retryable && !(cl.op.write && wrote)}
}

// readAnswer reads the whole body of an answer, up to maxBodyBytes+1
// bytes, and closes it; unread bytes past the limit are dropped with the
// connection.
func (c *Client) readAnswer(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if resp.Request != nil && resp.Request.URL != nil && resp.Request.URL.Host != c.host {
		// A transport of the caller's followed a redirect by itself. The
		// SDK cannot stop that; it refuses the answer and never retries it.
		return nil, &refusal{fmt.Errorf("the HTTP transport followed a redirect to %s; answers from another host are refused", resp.Request.URL.Host)}
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	return body, nil
}

// noAnswer says why an attempt got no (complete) answer, and whether
// another attempt may get one.
func (c *Client) noAnswer(cl *call, err error) *attemptFailure {
	var r *refusal
	switch {
	case cl.ctx.Err() != nil:
		return &attemptFailure{err: cl.ctx.Err()} // the caller gave up: not this attempt's fault
	case errors.As(err, &r):
		return &attemptFailure{err: r.err}
	case errors.Is(err, context.DeadlineExceeded): // the attempt's bound (boundTransport)
		return &attemptFailure{err: fmt.Errorf("no answer within %s: %w", c.timeout, err), retryable: true}
	}
	return &attemptFailure{err: err, retryable: retryableNetworkError(err)}
}

// boundTransport is the http.RoundTripper that bounds each attempt in
// time, as http.Client.Timeout does (without its goroutine per request):
// the attempt's own context.WithTimeout, which ends when the answer's body
// is closed. The answer's reading is within the bound.
type boundTransport struct {
	timeout time.Duration
	base    http.RoundTripper
}

// RoundTrip sends req within the bound.
func (t *boundTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(req.Context(), t.timeout)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil || resp == nil || resp.Body == nil {
		// Nothing to read: http.Client reports a nil response, and gives a
		// nil body (which some RoundTrippers, mostly tests', leave) its own.
		cancel()
		return resp, err
	}
	resp.Body = &boundBody{ReadCloser: resp.Body, cancel: cancel}
	return resp, nil
}

// boundBody is the body of an answer within its bound: closing it ends
// the attempt's context.
type boundBody struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *boundBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// newRequestID returns a random (version 4) UUID for X-Request-Id.
func newRequestID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		for i := range b { // crypto/rand does not fail on supported systems; never panic anyway
			b[i] = byte(mrand.Uint32())
		}
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}
