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

// transient reports whether err is a failure that another attempt may not
// meet: a network failure or timeout, HTTP 429 (APIGW.0308), 502, 503, 504,
// KOOPHONE.API.9999, HTTP 500 without a code, or a body that could not be
// decoded. Permanent errors (a bad parameter, an unknown instance, no
// permission, bad credentials, any other business code) are not transient.
// The transport's retries and the waiting loops share this one rule.
func transient(err error) bool {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.transient()
	}
	var af *attemptFailure
	return errors.As(err, &af) && af.retryable
}

func (e *APIError) transient() bool {
	if e.permanent {
		return false
	}
	if e.malformed {
		return true
	}
	if e.HTTPStatus >= 400 && e.HTTPStatus < 500 && e.HTTPStatus != http.StatusTooManyRequests {
		return false // never a 4xx other than 429, whatever its code
	}
	code := normaliseCode(e.Code)
	switch code {
	case CodeGatewayThrottled, CodeInternal:
		return true
	case "", CodeGatewayBadRequest:
		// no code, or the gateway's catch-all: the HTTP status decides
	default:
		return false
	}
	switch e.HTTPStatus {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	case http.StatusInternalServerError:
		return code == ""
	}
	return false
}

// throttled reports whether err is the gateway's throttling (HTTP 429 or APIGW.0308).
func throttled(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (apiErr.HTTPStatus == http.StatusTooManyRequests ||
		normaliseCode(apiErr.Code) == CodeGatewayThrottled)
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

// checkRetry is go-retryablehttp's CheckRetry: whether the attempt that just
// ended should be repeated. Reads are repeated on every transient failure;
// writes only where the service cannot have acted: a 429, or a connection
// that failed before the request was written.
func (c *Client) checkRetry(ctx context.Context, _ *http.Response, _ error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	st := callStateFrom(ctx)
	if st == nil {
		return false, nil
	}
	var failure error = st.failure
	if failure == nil && st.answer != nil {
		if apiErr := st.answer.apiError(st.op.name, st.requestID); apiErr != nil {
			failure = apiErr
		}
	}
	if failure == nil || !transient(failure) {
		return false, nil
	}
	if st.op.write && !throttled(failure) && (st.answer != nil || st.wrote) {
		return false, nil
	}
	return true, nil
}

// backoff is go-retryablehttp's Backoff: exponential with jitter between
// the policy's bounds, or the server's Retry-After on 429 and 503, never
// longer than MaxBackoff.
func (c *Client) backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if ra := resp.Header.Get("Retry-After"); ra != "" {
			if d, ok := backoff.RetryAfter(ra, c.now()); ok {
				return min(d, hi)
			}
		}
	}
	return backoff.Delay(attempt, lo, hi, mrand.Float64())
}

// giveUp is go-retryablehttp's ErrorHandler. The outcome of the last
// attempt is in the call state, which Client.do turns into the error the
// caller gets; go-retryablehttp's own "giving up" error is never shown.
func giveUp(resp *http.Response, err error, _ int) (*http.Response, error) {
	if resp != nil {
		resp.Body.Close()
	}
	if err == nil {
		err = errRetriesExhausted
	}
	return nil, err
}

var errRetriesExhausted = errors.New("retries exhausted")
