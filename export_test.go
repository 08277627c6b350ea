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
