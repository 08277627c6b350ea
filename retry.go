package koophone

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	mrand "math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/koophone-go/koophone/internal/backoff"
)

// RetryPolicy says how often and how patiently a call is repeated after a
// transient failure (a network error, HTTP 429, a 5xx without a code that
// says otherwise, KOOPHONE.API.9999). Writes such as [Client.PrepareInstances]
// are repeated only where the service cannot have acted on them.
//
// Every zero field means its default, so RetryPolicy{} is the default
// policy and RetryPolicy{MaxBackoff: 50 * time.Millisecond} changes only
// what it names. A MaxBackoff below the default MinBackoff lowers MinBackoff
// to it; a MinBackoff above the default MaxBackoff raises MaxBackoff to it.
type RetryPolicy struct {
	MaxRetries int           // retries after the first attempt: 0 = the default, 3; negative = never retry; at most 100
	MinBackoff time.Duration // 0 = the default, 200ms
	MaxBackoff time.Duration // 0 = the default, 5s (or MinBackoff if larger); also caps a server's Retry-After
}

// The default retry policy, which the zero fields of a RetryPolicy take.
const (
	DefaultMaxRetries = 3
	DefaultMinBackoff = 200 * time.Millisecond
	DefaultMaxBackoff = 5 * time.Second
)

// resolve returns the policy with its zero fields set to their defaults
// and MaxRetries < 0 read as 0, or an error for a policy that cannot be.
func (p RetryPolicy) resolve() (RetryPolicy, error) {
	switch {
	case p.MaxRetries > maxRetries:
		return p, invalidArg("retry policy: MaxRetries %d is above %d", p.MaxRetries, maxRetries)
	case p.MinBackoff < 0 || p.MaxBackoff < 0:
		return p, invalidArg("retry policy: backoffs must not be negative")
	case p.MinBackoff > 0 && p.MaxBackoff > 0 && p.MinBackoff > p.MaxBackoff:
		return p, invalidArg("retry policy: MinBackoff %s is above MaxBackoff %s", p.MinBackoff, p.MaxBackoff)
	}
	switch {
	case p.MaxRetries == 0:
		p.MaxRetries = DefaultMaxRetries
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	}
	if p.MinBackoff == 0 {
		p.MinBackoff = DefaultMinBackoff
		if p.MaxBackoff > 0 {
			p.MinBackoff = min(p.MinBackoff, p.MaxBackoff)
		}
	}
	if p.MaxBackoff == 0 {
		p.MaxBackoff = max(DefaultMaxBackoff, p.MinBackoff)
	}
	return p, nil
}

// maxRetries bounds RetryPolicy.MaxRetries: more would only hide an outage.
const maxRetries = 100

// transient reports whether err is a failure that another attempt may not
// meet: a network failure or timeout, HTTP 429 whatever its code, a 5xx
// without a code or with the gateway's catch-all APIGW.0201 or a code the
// SDK does not know, KOOPHONE.API.9999 or APIGW.0308, a body that could not
// be decoded, or a token source's brief failure (IAM's 429, 5xx, network
// failures and timeouts). Permanent errors (a bad parameter, an unknown
// instance, no permission, bad credentials, any other documented code, any
// business code of the service), whatever the 5xx they come with, and any
// 4xx but 429 are not transient. The transport's retries, the waits and the IAM token
// source share this one rule.
func transient(err error) bool {
	var te transientError
	if errors.As(err, &te) {
		return te.transient()
	}
	var af *attemptFailure
	return errors.As(err, &af) && af.retryable
}

// transientError is implemented by the errors that know whether another
// attempt may not meet them: *APIError, *IAMError and *iamNetworkError.
type transientError interface{ transient() bool }

func (e *APIError) transient() bool {
	if e.permanent {
		return false
	}
	if e.malformed || e.HTTPStatus == http.StatusTooManyRequests {
		return true // HTTP 429, whatever its code says
	}
	if e.HTTPStatus >= 400 && e.HTTPStatus < 500 {
		return false // never a 4xx other than 429, whatever its code
	}
	switch code := canonicalCode(e.Code); {
	case code == CodeGatewayThrottled || code == CodeInternal:
		return true
	case code == "" || code == CodeGatewayBadRequest:
		return e.HTTPStatus >= 500 // no code, or the gateway's catch-all: the status decides
	case codeCategory[code] != nil || code == CodeGatewayAPINotFound,
		strings.HasPrefix(code, codePrefixCanonical) || strings.HasPrefix(code, codePrefixKPAPI):
		return false // a documented code or the service's business error, whatever the status
	}
	return e.HTTPStatus >= 500 // a code the SDK does not know: any 5xx is transient
}

// retryableNetworkError reports whether a transport error may go away on
// another attempt: not a certificate problem, a bad URL or a bad header.
func retryableNetworkError(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostnameErr      x509.HostnameError
		certInvalid      x509.CertificateInvalidError
		verifyErr        *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknownAuthority), errors.As(err, &hostnameErr),
		errors.As(err, &certInvalid), errors.As(err, &verifyErr):
		return false
	}
	// net/http reports requests it will not send only as text.
	msg := err.Error()
	return !strings.Contains(msg, "invalid header field") && !strings.Contains(msg, "unsupported protocol scheme")
}

// checkRetry is go-retryablehttp's CheckRetry, called as each attempt
// ends: it judges the attempt (transport.go), keeps the verdict in the call
// for Client.send, tells the Observer, and says whether to try again. Once
// the call's context has ended it returns the context's error, which
// Client.send reports: the caller gave up, whatever the attempt got. A
// cached token the service rejected is dropped here, once per call; Client.do
// then sends a read again (a write only after HTTP 429), and the Observer
// is told another attempt follows.
func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	cl := callFrom(ctx)
	cl.last = c.judge(cl, resp, err)
	ended := cl.ctx.Err()
	// A write is not sent again after a 401: only HTTP 429 repeats a write.
	// Its rejected token is dropped all the same, for the calls that follow.
	rejected := ended == nil && !cl.renewed && cl.last.credentialsRejected() && c.auth.rejected(cl.sent)
	renew := rejected && !cl.op.write
	cl.renewed = cl.renewed || renew
	told := cl.last
	told.retry = told.retry || renew
	c.endAttempt(cl, told)
	if ended != nil {
		return false, ended
	}
	return cl.last.retry, nil
}

// prepareRetry is go-retryablehttp's PrepareRetry: it begins the next
// attempt, after the backoff.
func (c *Client) prepareRetry(req *http.Request) error { return c.beginAttempt(req) }

// backoff is go-retryablehttp's Backoff: exponential with jitter between
// the policy's bounds, or the server's Retry-After on 429 and 503, never
// shorter than MinBackoff (a Retry-After of 0 or in the past included) nor
// longer than MaxBackoff.
func (c *Client) backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			if d, ok := backoff.RetryAfter(ra, c.now()); ok {
				return min(max(d, lo), hi)
			}
		}
	}
	return backoff.Delay(attempt, lo, hi, mrand.Float64())
}

// lastAttempt is go-retryablehttp's ErrorHandler, called when the attempts
// run out or a hook failed: it hands Client.send the last response and
// error as they are, without go-retryablehttp's "giving up" error; send
// returns the last verdict's error, kept in the call.
func lastAttempt(resp *http.Response, err error, _ int) (*http.Response, error) {
	return resp, err
}
