package koophone

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"github.com/koophone-go/koophone/internal/redact"
	"github.com/koophone-go/koophone/internal/signer"
)

// TokenSource supplies the IAM token sent as X-Auth-Token. The Client asks
// it once per attempt, so a source that renews its token is picked up by
// the next attempt. Token must be safe for concurrent use and should honour
// ctx. An error from Token fails the call without sending it (it is not
// retried).
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenSourceFunc adapts a function to a [TokenSource].
type TokenSourceFunc func(ctx context.Context) (string, error)

// Token returns f(ctx).
func (f TokenSourceFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// StaticToken returns a TokenSource that always returns token. Printing it
// (with fmt, encoding/json or log/slog) shows no part of the token.
func StaticToken(token string) TokenSource { return staticToken{token: token} }

type staticToken struct{ token string }

func (s staticToken) Token(context.Context) (string, error) {
	if s.token == "" {
		return "", errors.New("empty static token")
	}
	return s.token, nil
}

// staticTokenText is all a static token source shows of itself.
const staticTokenText = "koophone.StaticToken(redacted)"

// Format prints the source without its token, for every verb.
func (staticToken) Format(f fmt.State, _ rune) { fmt.Fprint(f, staticTokenText) }

// LogValue logs the source without its token.
func (staticToken) LogValue() slog.Value { return slog.StringValue(staticTokenText) }

// MarshalJSON encodes the source without its token.
func (staticToken) MarshalJSON() ([]byte, error) { return json.Marshal(staticTokenText) }

// TokenInvalidator is implemented by token sources that cache tokens, such
// as the one [NewIAMTokenSource] returns. When the service rejects a token
// (HTTP 401 with APIGW.0301 or APIGW.0307), the client calls
// InvalidateToken with it, so that the calls that follow get a fresh token,
// and repeats a read once with one; a write is not sent again (only HTTP
// 429 repeats a write): it fails with an error matching [ErrUnauthorized].
// InvalidateToken must be safe for concurrent use and must ignore a token
// it no longer holds.
type TokenInvalidator interface {
	InvalidateToken(token string)
}

// authorizer adds credentials to one attempt of a call. The client has
// exactly one: a token sent as X-Auth-Token, or an AK/SK signature.
type authorizer interface {
	// authorize sets the credential headers of req,
	// the request of one attempt, whose body is body; now reads the
	// client's clock, for credentials that need the time. An error fails
	// the attempt unsent.
	authorize(ctx context.Context, req *http.Request, body []byte, now func() time.Time) error
	// rejected is told that the service refused the credentials sent in h
	// (HTTP 401 with APIGW.0301 or APIGW.0307). It reports whether another
	// attempt would send different ones (a cached token was dropped).
	rejected(h http.Header) bool
	// String describes the credentials without any secret.
	String() string
}

// headerAuthToken carries the token of token authentication.
const headerAuthToken = "X-Auth-Token"

// tokenAuth sends a token from a TokenSource, asked once per attempt.
type tokenAuth struct{ ts TokenSource }

func newTokenAuth(ts TokenSource) *tokenAuth { return &tokenAuth{ts: ts} }

func (a *tokenAuth) authorize(ctx context.Context, req *http.Request, _ []byte, _ func() time.Time) error {
	token, err := a.ts.Token(ctx)
	if err == nil {
		err = checkSecret("token", token)
	}
	if err != nil {
		return fmt.Errorf("token source: %w", err)
	}
	req.Header.Set(headerAuthToken, token)
	return nil
}

func (a *tokenAuth) rejected(h http.Header) bool {
	inv, ok := a.ts.(TokenInvalidator)
	if ok {
		inv.InvalidateToken(h.Get(headerAuthToken))
	}
	return ok
}

func (a *tokenAuth) String() string {
	switch t := a.ts.(type) {
	case staticToken:
		return "static token"
	case *iamTokenSource:
		return "IAM password token source (" + t.describe() + ")"
	default:
		return "token source"
	}
}

// akskCredentials sign each attempt instead of sending a token.
type akskCredentials struct {
	accessKey, secretKey, securityToken, projectID string
}

func (a *akskCredentials) authorize(_ context.Context, req *http.Request, body []byte, now func() time.Time) error {
	req.Header.Set(signer.HeaderProjectID, a.projectID)
	if a.securityToken != "" {
		req.Header.Set(signer.HeaderSecurityToken, a.securityToken)
	}
	signer.Sign(req, body, a.accessKey, a.secretKey, now())
	return nil
}

// rejected reports false: a signature is made afresh for every attempt, and
// keys that were refused once will be refused again.
func (a *akskCredentials) rejected(http.Header) bool { return false }

func (a *akskCredentials) String() string {
	return "AK/SK signing (access key " + redact.Prefix(a.accessKey) + ")"
}

// Format prints the credentials without any secret, for every verb.
func (a *akskCredentials) Format(f fmt.State, _ rune) { fmt.Fprint(f, a.String()) }

// LogValue logs the credentials without any secret.
func (a *akskCredentials) LogValue() slog.Value { return slog.StringValue(a.String()) }

// MarshalJSON encodes the credentials without any secret.
func (a *akskCredentials) MarshalJSON() ([]byte, error) { return json.Marshal(a.String()) }

// WithAKSK signs each attempt with an access key pair in the
// SDK-HMAC-SHA256 scheme (as the official Huawei Cloud SDKs do) instead of
// sending X-Auth-Token: it adds X-Sdk-Date, X-Project-Id and Authorization.
// Each attempt is signed afresh. The secret key never leaves the client and
// is never printed.
func WithAKSK(accessKey, secretKey, projectID string) Option {
	return withAKSK("WithAKSK", &akskCredentials{accessKey: accessKey, secretKey: secretKey, projectID: projectID})
}

// WithTemporaryAKSK is [WithAKSK] for temporary credentials (from STS or
// an agency), which also send their security token as X-Security-Token.
func WithTemporaryAKSK(accessKey, secretKey, securityToken, projectID string) Option {
	return withAKSK("WithTemporaryAKSK", &akskCredentials{accessKey: accessKey, secretKey: secretKey, securityToken: securityToken, projectID: projectID})
}

func withAKSK(name string, creds *akskCredentials) Option {
	return func(cfg *clientConfig) error {
		fields := []struct{ what, value string }{
			{"access key", creds.accessKey}, {"secret key", creds.secretKey}, {"project id", creds.projectID},
		}
		if name == "WithTemporaryAKSK" {
			fields = append(fields, struct{ what, value string }{"security token", creds.securityToken})
		}
		for _, f := range fields {
			if err := checkSecret(f.what, f.value); err != nil {
				return invalidArg("%s: %v", name, err)
			}
		}
		cfg.auth = creds
		return nil
	}
}

// credentials is the http.RoundTripper that adds the client's credentials
// to each attempt, as oauth2.Transport does: it clones the request, sets
// the token or the AK/SK signature on the clone and hands it to base. It
// sends credentials to the client's endpoint only, and records the headers
// it sent in the call, whose errors must never show them.
type credentials struct {
	auth         authorizer
	scheme, host string // the only endpoint credentials are sent to
	now          func() time.Time
	base         http.RoundTripper
}

// RoundTrip sends req with the credentials. req is a request of Client.do
// (its context holds the call); it is not modified.
func (t *credentials) RoundTrip(req *http.Request) (*http.Response, error) {
	out, err := t.authorize(req)
	if err != nil {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body, even on errors
		}
		return nil, err
	}
	return t.base.RoundTrip(out)
}

// authorize returns a clone of req with the credentials.
func (t *credentials) authorize(req *http.Request) (*http.Request, error) {
	cl := callFrom(req.Context())
	if err := t.check(req, cl); err != nil {
		return nil, err
	}
	out := new(http.Request)
	*out = *req
	out.Header = maps.Clone(req.Header) // values are replaced, never changed: a shallow copy keeps req as it was
	if err := t.auth.authorize(cl.ctx, out, cl.body, t.now); err != nil {
		return nil, &refusal{err}
	}
	cl.sent = out.Header
	return out, nil
}

// check refuses a request that is not the client's own, or that goes
// elsewhere than the client's endpoint.
func (t *credentials) check(req *http.Request, cl *call) error {
	if cl == nil {
		return &refusal{errors.New("request without a call")}
	}
	if req.URL.Scheme != t.scheme || req.URL.Host != t.host {
		return &refusal{fmt.Errorf("refusing to send credentials to %s://%s", req.URL.Scheme, req.URL.Host)}
	}
	return nil
}
