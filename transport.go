package koophone

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
)

// attempt is the outcome of one attempt of a call, classified once when it
// ends (answer.go). attemptTransport hands it to go-retryablehttp as the
// body of the response (an answer) or inside a *failedAttempt (no answer);
// the retry check (retry.go) and Client.do read it from there.
type attempt struct {
	status int         // the answer's HTTP status; 0 when there was none
	sent   http.Header // the headers sent, credentials included; never logged
	wrote  bool        // the request was written in full, or answered (tracked for writes only)
	err    error       // nil: a success; an *APIError; or a *callError (no answer)
	retry  bool        // another attempt may succeed and is allowed (the write rule)
}

// Read and Close make an attempt the body of the response go-retryablehttp
// sees: the real body was read and closed by the transport.
func (a *attempt) Read([]byte) (int, error) { return 0, io.EOF }

// Close does nothing: see Read.
func (a *attempt) Close() error { return nil }

// credentialsRejected reports whether the attempt's credentials were
// refused as invalid or expired (HTTP 401 with APIGW.0301 or APIGW.0307).
func (a *attempt) credentialsRejected() bool {
	if a.status != http.StatusUnauthorized {
		return false
	}
	apiErr, ok := a.err.(*APIError) // answers' errors are always an *APIError
	return ok && (apiErr.Code == CodeGatewayUnauthorized || apiErr.Code == CodeGatewayTokenMustRenew)
}

// failedAttempt is the error of an attempt that got no answer.
type failedAttempt struct{ *attempt }

func (f *failedAttempt) Error() string { return f.err.Error() }
func (f *failedAttempt) Unwrap() error { return f.err }

// attemptFailure is why an attempt got no answer: the network failed, the
// attempt timed out, or the request could not be sent.
type attemptFailure struct {
	err       error
	retryable bool // a network failure that another attempt may not meet
}

func (e *attemptFailure) Error() string { return e.err.Error() }
func (e *attemptFailure) Unwrap() error { return e.err }

// attemptTransport is the http.RoundTripper under go-retryablehttp: it runs
// once per attempt, adds the credentials, bounds the attempt in time, reads
// and classifies the whole answer, and logs the attempt.
type attemptTransport struct{ c *Client }

// RoundTrip sends one attempt of the call in req's context.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	cl := callFrom(ctx)
	if cl == nil { // not a request made by Client.do: refuse rather than guess
		return nil, errors.New("koophone: request without a call")
	}
	cl.attempts++
	cl.last = attempt{}
	a := &cl.last // attempts run one after another: the call's storage saves an allocation
	t.c.startAttempt(cl)
	resp, body, err := t.exchange(ctx, req, cl, a)
	if err != nil {
		var af *attemptFailure
		if !errors.As(err, &af) {
			af = &attemptFailure{err: err}
		}
		af.err = cleanError(af.err, cl.secretsSent(a.sent))
		a.err = &callError{op: cl.op.name, requestID: cl.requestID, err: af}
		a.retry = af.retryable && !(cl.op.write && a.wrote)
		t.c.endAttempt(cl, a)
		return nil, &failedAttempt{a}
	}
	classify(cl, a, resp, body)
	t.c.endAttempt(cl, a)
	resp.Body = a
	return resp, nil
}

// exchange checks where the request goes, waits for the rate limit, adds
// the credentials, sends the request within the attempt's timeout and reads
// the whole answer (up to maxBodyBytes+1 bytes).
func (t *attemptTransport) exchange(ctx context.Context, req *http.Request, cl *call, a *attempt) (*http.Response, []byte, error) {
	c := t.c
	if req.URL.Scheme != c.scheme || req.URL.Host != c.host {
		return nil, nil, fmt.Errorf("refusing to send credentials to %s://%s", req.URL.Scheme, req.URL.Host)
	}
	if err := c.waitLimiter(ctx, cl.op.name); err != nil {
		return nil, nil, err
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout) // the attempt's bound
	defer cancel()
	rctx := actx
	var guard *writeOnce // only writes need to know whether the request went out
	if cl.op.write {
		rctx, guard = guardWrite(actx) // sent at most once (writeonce.go)
		defer guard.release()
	}
	out := c.attemptRequest(rctx, req, cl)
	if err := c.auth.authorize(ctx, out, cl.body, c.now); err != nil {
		return nil, nil, err
	}
	a.sent = out.Header
	resp, err := c.base.RoundTrip(out)
	// An answer means the service got the request, even when net/http
	// has not yet reported it written (it may answer before that).
	a.wrote = guard.mayHaveActed(err)
	if err != nil {
		return nil, nil, t.networkFailure(ctx, actx, guard.failure(err))
	}
	if resp.Request != nil && resp.Request.URL != nil && resp.Request.URL.Host != out.URL.Host {
		// A transport of the caller's followed a redirect by itself. The
		// SDK cannot stop that; it refuses the answer and never retries it.
		resp.Body.Close()
		return nil, nil, fmt.Errorf("the HTTP transport followed a redirect to %s; answers from another host are refused", resp.Request.URL.Host)
	}
	if c.jar != nil {
		if cookies := resp.Cookies(); len(cookies) > 0 {
			c.jar.SetCookies(out.URL, cookies)
		}
	}
	cl.limit = io.LimitedReader{R: resp.Body, N: maxBodyBytes + 1} // in the call: no allocation per attempt
	body, err := io.ReadAll(&cl.limit)
	cl.limit.R = nil
	resp.Body.Close() // unread bytes past the limit are dropped with the connection
	if err != nil {
		return nil, nil, t.networkFailure(ctx, actx, fmt.Errorf("reading the answer: %w", err))
	}
	return resp, body, nil
}

// attemptRequest returns the request of one attempt: a shallow copy of
// req in the attempt's context, with a body reader of its own and the
// jar's cookies. The first attempt keeps the call's headers and uses the
// call's body reader. Each later one gets a new reader and new headers:
// net/http may still read an earlier attempt's, and a caller's transport
// may have changed them.
func (c *Client) attemptRequest(actx context.Context, req *http.Request, cl *call) *http.Request {
	out := req.WithContext(actx)
	if cl.attempts == 1 {
		if cl.body != nil {
			cl.reader.Reset(cl.body)
			out.Body = io.NopCloser(&cl.reader) // in memory, as getBody's
		}
	} else {
		out.Header = make(http.Header, 8)
		c.setHeaders(out.Header, cl)
		if cl.body != nil {
			out.Body, _ = cl.getBody()
		}
	}
	switch {
	case cl.op.write:
		// net/http sends a request again with the body GetBody gives
		// (go-retryablehttp's gives an empty one): a write never (writeonce.go).
		out.GetBody = nil
	case cl.body != nil:
		out.GetBody = cl.getBody
	}
	if cl.body != nil {
		out.ContentLength = int64(len(cl.body))
	}
	if c.jar != nil {
		for _, cookie := range c.jar.Cookies(out.URL) {
			out.AddCookie(cookie)
		}
	}
	return out
}

// networkFailure classifies an attempt that got no (complete) answer.
func (t *attemptTransport) networkFailure(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err() // the caller gave up: not this attempt's fault
	}
	if actx.Err() == context.DeadlineExceeded {
		return &attemptFailure{err: fmt.Errorf("no answer within %s: %w", t.c.timeout, err), retryable: true}
	}
	return &attemptFailure{err: err, retryable: retryableNetworkError(err)}
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
