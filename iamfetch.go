package koophone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"time"

	"github.com/koophone-go/koophone/internal/backoff"
	"github.com/koophone-go/koophone/internal/redact"
	"github.com/koophone-go/koophone/internal/wire"
)

// iamToken is a token as IAM issued it.
type iamToken struct {
	value   string
	expires time.Time
}

// iamFetcher asks IAM for tokens; it caches nothing.
type iamFetcher struct {
	url       string
	user      string   // domain/user, for descriptions
	body      []byte   // the token request; holds the password
	secrets   []string // the password as IAM might echo it
	hc        *http.Client
	retryWait time.Duration // the shortest wait before a repeat
}

func (f *iamFetcher) describe() string { return f.url + " as " + f.user }

// fetch asks IAM for a token, repeating the request up to iamRetries times
// after a transient failure, with a short jittered backoff. It returns
// ctx.Err() when ctx ends first.
func (f *iamFetcher) fetch(ctx context.Context) (iamToken, error) {
	for attempt := 0; ; attempt++ {
		tok, err := f.post(ctx)
		if err == nil || attempt == iamRetries || ctx.Err() != nil || !transient(err) {
			return tok, err
		}
		t := time.NewTimer(backoff.Delay(attempt, f.retryWait, 10*f.retryWait, mrand.Float64()))
		select {
		case <-ctx.Done():
			t.Stop()
			return iamToken{}, ctx.Err()
		case <-t.C:
		}
	}
}

// post asks IAM for a token, once.
func (f *iamFetcher) post(ctx context.Context) (iamToken, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(f.body))
	if err != nil {
		return iamToken{}, &IAMError{Message: "cannot build the request"}
	}
	req.Header.Set("Content-Type", "application/json;charset=utf8")
	req.Header.Set("User-Agent", userAgent(""))
	resp, err := f.hc.Do(req)
	if err != nil {
		return iamToken{}, f.networkError(ctx, errors.Unwrap(err)) // without the *url.Error's "Post <url>: "
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return iamToken{}, f.networkError(ctx, fmt.Errorf("reading the answer: %w", err))
	}
	if resp.StatusCode != http.StatusCreated {
		return iamToken{}, newIAMError(resp.StatusCode, body, append([]string{resp.Header.Get("X-Subject-Token")}, f.secrets...))
	}
	return parseIAMToken(resp.Header.Get("X-Subject-Token"), body)
}

// parseIAMToken reads a token from IAM's answer: the token in the
// X-Subject-Token header, its expiry in the body's token.expires_at.
func parseIAMToken(token string, body []byte) (iamToken, error) {
	var out struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
		} `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || checkSecret("X-Subject-Token", token) != nil {
		return iamToken{}, &IAMError{HTTPStatus: http.StatusCreated, Message: "the answer has no usable X-Subject-Token or token body"}
	}
	expires, err := time.Parse(time.RFC3339Nano, out.Token.ExpiresAt)
	if err != nil {
		return iamToken{}, &IAMError{HTTPStatus: http.StatusCreated, Message: "token.expires_at is not a time"}
	}
	return iamToken{value: token, expires: expires}, nil
}

// networkError classifies a request that got no (complete) answer: the
// caller gave up (ctx.Err()), or the network or the IAM client's own
// timeout failed it (an *iamNetworkError, transient unless the failure is
// one no repeat can cure, such as a bad certificate).
func (f *iamFetcher) networkError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// The IAM client's timeout, not the caller's: not a context error.
		return &iamNetworkError{err: errors.New("IAM did not answer in time"), retryable: true}
	}
	return &iamNetworkError{err: cleanError(err, f.secrets), retryable: retryableNetworkError(err)}
}

// iamNetworkError is a token request that got no answer from IAM.
type iamNetworkError struct {
	err       error
	retryable bool
}

func (e *iamNetworkError) Error() string   { return "koophone: IAM token: " + e.err.Error() }
func (e *iamNetworkError) Unwrap() error   { return e.err }
func (e *iamNetworkError) transient() bool { return e.retryable }

// newIAMError reads IAM's error body: {"error":{"code":401,"message":"...","title":"..."}}
// or {"error_code":"IAM.0006","error_msg":"..."}. Every form of the secrets
// is removed from what it keeps.
func newIAMError(status int, body []byte, secrets []string) *IAMError {
	var v struct {
		Error struct {
			Message string `json:"message"`
			Title   string `json:"title"`
		} `json:"error"`
		ErrorCode string `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
	}
	_ = json.Unmarshal(body, &v)
	set := redact.New(secrets...)
	clean := func(s string) string { return wire.SanitiseMessage(set.Redact(s)) }
	e := &IAMError{HTTPStatus: status, Code: clean(v.ErrorCode)}
	for _, m := range []string{v.Error.Message, v.ErrorMsg, v.Error.Title, wire.Snippet([]byte(set.Redact(string(body)))), http.StatusText(status)} {
		if m = clean(m); m != "" {
			e.Message = m
			break
		}
	}
	return e
}
