package koophone

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	"github.com/koophone-go/koophone/internal/wire"
)

// callState is what the attempts of one call share. Attempts run one after
// another (go-retryablehttp never overlaps them), so no lock is needed; each
// attempt overwrites the outcome of the one before.
type callState struct {
	op        operation
	requestID string
	body      []byte // the request body, for signing
	out       any    // where a success's data goes: a pointer to a wire struct, or nil
	attempts  int
	sent      http.Header // the last attempt's headers, credentials included; never logged
	wrote     bool        // the last attempt's request was written in full
	answer    *answer     // the last attempt's answer, if it got one: &lastAnswer
	failure   error       // the last attempt's failure without an answer

	lastAnswer answer // storage for answer, saving an allocation per attempt
}

type callStateKey struct{}

func withCallState(ctx context.Context, st *callState) context.Context {
	return context.WithValue(ctx, callStateKey{}, st)
}

func callStateFrom(ctx context.Context) *callState {
	st, _ := ctx.Value(callStateKey{}).(*callState)
	return st
}

// answer is one HTTP answer, read in full (up to maxBodyBytes) and decoded.
type answer struct {
	status    int
	requestID string // from the body's request_id or the X-Request-Id header
	body      []byte
	env       wire.Envelope
	envErr    error // the body is not the JSON envelope
	tooLarge  bool

	dataErr error // data of the wrong type (data goes straight into the call's out)
}

// credentialsRejected reports whether the last attempt's credentials were
// refused as invalid or expired (HTTP 401 with APIGW.0301 or APIGW.0307).
func (st *callState) credentialsRejected() bool {
	if st.sent == nil || st.answer == nil || st.answer.status != http.StatusUnauthorized {
		return false
	}
	code := normaliseCode(st.answer.env.ErrorCode.Value)
	return code == CodeGatewayUnauthorized || code == CodeGatewayTokenMustRenew
}

// attemptFailure is an attempt that got no answer: the network failed, the
// attempt timed out, or the request could not be sent.
type attemptFailure struct {
	err       error
	retryable bool // a network failure that another attempt may not meet
}

func (e *attemptFailure) Error() string { return e.err.Error() }
func (e *attemptFailure) Unwrap() error { return e.err }

// attemptTransport is the http.RoundTripper under go-retryablehttp: it runs
// once per attempt, adds the credentials, bounds the attempt in time, reads
// the whole answer into memory and logs the attempt.
type attemptTransport struct{ c *Client }

// RoundTrip sends one attempt of the call whose state is in req's context.
func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	st := callStateFrom(ctx)
	if st == nil { // not a request made by Client.do: refuse rather than guess
		return nil, errors.New("koophone: request without call state")
	}
	st.attempts++
	st.answer, st.failure, st.wrote = nil, nil, false
	start := time.Now()

	resp, err := t.attempt(ctx, req, st)
	if err != nil {
		var af *attemptFailure
		if !errors.As(err, &af) {
			af = &attemptFailure{err: err}
		}
		st.failure = &callError{op: st.op.name, requestID: st.requestID, err: af}
		t.log(ctx, req, st, 0, "", time.Since(start), err)
		return nil, st.failure
	}
	if t.c.logger != nil {
		code := ""
		if apiErr := st.answer.apiError(st.op.name, st.requestID); apiErr != nil {
			code, err = apiErr.Code, apiErr
		}
		t.log(ctx, req, st, resp.StatusCode, code, time.Since(start), err)
	}
	return resp, nil
}

// attempt checks where the request goes, adds the credentials, sends it
// within the attempt's timeout and reads the answer into st.answer.
func (t *attemptTransport) attempt(ctx context.Context, req *http.Request, st *callState) (*http.Response, error) {
	c := t.c
	if req.URL.Scheme != c.scheme || req.URL.Host != c.host {
		return nil, fmt.Errorf("refusing to send credentials to %s://%s", req.URL.Scheme, req.URL.Host)
	}
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("waiting for the client's rate limit: %w", context.DeadlineExceeded)
		}
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var wrote *atomic.Bool
	if st.op.write { // only writes need to know whether the request went out
		wrote = new(atomic.Bool)
		actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
			WroteRequest: func(info httptrace.WroteRequestInfo) { wrote.Store(info.Err == nil) },
		})
	}
	out := req.WithContext(actx) // a shallow copy: only the headers change per attempt
	out.Header = req.Header.Clone()
	if err := c.auth.authorize(ctx, out, st.body, c.now()); err != nil {
		return nil, err
	}
	st.sent = out.Header

	resp, err := c.base.RoundTrip(out)
	st.wrote = wrote != nil && wrote.Load()
	if err != nil {
		return nil, t.networkFailure(ctx, actx, err)
	}
	if resp.Request != nil && resp.Request.URL != nil && resp.Request.URL.Host != out.URL.Host {
		// A transport of the caller's followed a redirect by itself. The
		// SDK cannot stop that; it refuses the answer and never retries it.
		resp.Body.Close()
		return nil, &attemptFailure{err: fmt.Errorf("the HTTP transport followed a redirect to %s; answers from another host are refused", resp.Request.URL.Host)}
	}
	st.lastAnswer = answer{status: resp.StatusCode}
	ans := &st.lastAnswer
	ans.body, err = io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	resp.Body.Close() // unread bytes past the limit are dropped with the connection
	if err != nil {
		return nil, t.networkFailure(ctx, actx, fmt.Errorf("reading the answer: %w", err))
	}
	switch {
	case len(ans.body) > maxBodyBytes:
		ans.body, ans.tooLarge = nil, true
	case st.out != nil && resp.StatusCode/100 == 2:
		ans.env, ans.envErr, ans.dataErr = wire.DecodeWithData(ans.body, st.out) // one pass
	default:
		ans.env, ans.envErr = wire.DecodeEnvelope(ans.body)
	}
	ans.requestID = ans.env.RequestID
	if ans.requestID == "" {
		ans.requestID = resp.Header.Get("X-Request-Id")
	}
	st.answer = ans
	resp.Body = http.NoBody // read above; go-retryablehttp only closes it
	return resp, nil
}

// networkFailure classifies an attempt that got no (complete) answer.
func (t *attemptTransport) networkFailure(ctx, actx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err() // the caller gave up: not this attempt's fault
	}
	if actx.Err() != nil {
		return &attemptFailure{err: fmt.Errorf("no answer within %s: %w", t.c.timeout, err), retryable: true}
	}
	return &attemptFailure{err: err, retryable: retryableNetworkError(err)}
}

// log records one attempt, when the client has a logger.
func (t *attemptTransport) log(ctx context.Context, req *http.Request, st *callState, status int, code string, d time.Duration, err error) {
	l := t.c.logger
	if l == nil {
		return
	}
	level := slog.LevelDebug
	attrs := []slog.Attr{
		slog.String("operation", st.op.name),
		slog.String("method", req.Method),
		slog.String("path", req.URL.Path),
		slog.Int("attempt", st.attempts),
		slog.String("request_id", st.requestID),
		slog.Duration("duration", d),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if code != "" {
		attrs = append(attrs, slog.String("code", code))
	}
	if err != nil {
		level = slog.LevelWarn
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, level, "koophone: attempt", attrs...)
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
