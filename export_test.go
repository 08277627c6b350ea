package koophone

import (
	"net/http"
	"time"
)

// This file exports internals to the black-box tests only.

// Transient is the retry classification shared by the transport and the waits.
var Transient = transient

// Backoff is the client's go-retryablehttp Backoff.
func (c *Client) Backoff(lo, hi time.Duration, attempt int, resp *http.Response) time.Duration {
	return c.backoff(lo, hi, attempt, resp)
}

// WithNow sets the client's clock, which dates AK/SK signatures.
func WithNow(now func() time.Time) Option {
	return func(cfg *clientConfig) error { cfg.now = now; return nil }
}

// SetIAMClock sets the clock of a token source from NewIAMTokenSource
// and makes its retries quick.
func SetIAMClock(ts TokenSource, now func() time.Time) {
	ts.(*iamTokenSource).now = now
	ts.(*iamTokenSource).fetcher.retryWait = time.Millisecond
}

// BaseTransport is the transport under the client's retries.
func BaseTransport(c *Client) http.RoundTripper { return c.base }
