package koophone_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestRetryAfterIsCappedByMaxBackoff(t *testing.T) {
	t.Parallel()
	for _, value := range []string{"3600", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), "99999999999999999999"} {
		t.Run(value, func(t *testing.T) {
			t.Parallel()
			c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					w.Header().Set("Retry-After", value)
					answer(w, http.StatusTooManyRequests, `{"error_code":"APIGW.0308","error_msg":"throttled"}`)
					return
				}
				answer(w, http.StatusOK, okReady)
			})
			// An uncapped Retry-After would outlive this context.
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			p, err := c.PrepareProgress(ctx, "u", "i")
			require.NoError(t, err)
			assert.Equal(t, koophone.PrepareReady, p.Status)
			assert.Len(t, s.Requests(), 2)
		})
	}
}

func TestBackoffHonoursRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	c := newClient(t, koophone.WithNow(func() time.Time { return now }))
	respWith := func(status int, retryAfter string) *http.Response {
		h := http.Header{}
		if retryAfter != "" {
			h.Set("Retry-After", retryAfter)
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	lo, hi := 100*time.Millisecond, 10*time.Second
	assert.Equal(t, 2*time.Second, c.Backoff(lo, hi, 0, respWith(429, "2")))
	assert.Equal(t, 3*time.Second, c.Backoff(lo, 3*time.Second, 0, respWith(503, "60")), "capped by MaxBackoff")
	assert.Equal(t, lo, c.Backoff(lo, hi, 0, respWith(429, "Mon, 02 Jan 2006 15:04:05 GMT")), "a date in the past waits MinBackoff")
	assert.Equal(t, lo, c.Backoff(lo, hi, 0, respWith(429, "0")), "Retry-After: 0 waits MinBackoff")
	assert.Equal(t, 5*time.Second, c.Backoff(lo, hi, 0, respWith(503, now.Add(5*time.Second).Format(http.TimeFormat))), "an HTTP date, on the client's clock")
	for _, resp := range []*http.Response{nil, respWith(500, "2"), respWith(429, "soon"), respWith(429, "-1")} {
		d := c.Backoff(lo, hi, 0, resp)
		assert.GreaterOrEqual(t, d, lo)
		assert.LessOrEqual(t, d, 2*lo, "attempt 0 waits between min and 2·min")
	}
	for attempt := range 20 {
		d := c.Backoff(lo, hi, attempt, nil)
		assert.GreaterOrEqual(t, d, lo)
		assert.LessOrEqual(t, d, hi)
	}
}

func TestCancelDuringBackoffEndsTheCallAtOnce(t *testing.T) {
	t.Parallel()
	first := make(chan struct{})
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		answer(w, http.StatusServiceUnavailable, ``)
		if n == 1 {
			close(first)
		}
	}, koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 5, MinBackoff: time.Hour, MaxBackoff: time.Hour}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := c.PrepareProgress(ctx, "u", "i")
		done <- err
	}()
	<-first
	cancel()
	select {
	case err := <-done:
		assert.ErrorIs(t, err, context.Canceled)
		assert.True(t, strings.HasPrefix(err.Error(), "koophone: ShowProgress: context canceled"), err.Error())
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not end when its context was cancelled")
	}
	assert.Len(t, s.Requests(), 1)
}

func TestNoRetriesWhenMaxRetriesIsNegative(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusServiceUnavailable, ``), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.HTTPStatus)
	assert.Len(t, s.Requests(), 1)
}

func TestRetryRecoversAfterTransientFailures(t *testing.T) {
	t.Parallel()
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		switch n {
		case 1:
			answer(w, http.StatusBadGateway, `<html>502</html>`)
		case 2:
			answer(w, http.StatusOK, `{"error_code":"KOOPHONE.API.9999","error_msg":"internal"}`)
		default:
			answer(w, http.StatusOK, okQueuing)
		}
	})
	p, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, koophone.Progress{Status: koophone.PrepareQueuing, WaitingCount: 3, RequestID: p.RequestID}, p)
	assert.Len(t, s.Requests(), 3)
}

func TestWritesAreRetriedOnlyWhereTheServiceCannotHaveActed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		attempts int
	}{
		{"503", 503, ``, 1},
		{"502 HTML", 502, `<html></html>`, 1},
		{"500 without code", 500, ``, 1},
		{"9999", 200, `{"error_code":"KOOPHONE.API.9999","error_msg":"internal"}`, 1},
		{"429", 429, `{"error_code":"APIGW.0308","error_msg":"throttled"}`, retried},
		{"0308 with HTTP 200", 200, `{"error_code":"APIGW.0308","error_msg":"throttled"}`, 1},
		{"0308 with HTTP 500", 500, `{"error_code":"APIGW.0308","error_msg":"throttled"}`, 1},
		{"0308 with HTTP 503", 503, `{"error_code":"APIGW.0308","error_msg":"throttled"}`, 1},
		// HTTP 429 decides, whatever the error code says (the contract's write rule).
		{"429 without a body", 429, ``, retried},
		{"429 HTML page", 429, `<html>Too Many Requests</html>`, retried},
		{"429 JSON without a code", 429, `{"error_msg":"slow down"}`, retried},
		{"429 with 0308 in lower case", 429, `{"error_code":"apigw.0308","error_msg":"throttled"}`, retried},
		{"429 with the service's 9999", 429, `{"error_code":"KOOPHONE.API.9999","error_msg":"internal"}`, retried},
		{"429 with 0201", 429, `{"error_code":"APIGW.0201","error_msg":"backend timed out"}`, retried},
		{"429 with code 0", 429, `{"error_code":"0","error_msg":"ok"}`, retried},
		{"429 with 0308 once sanitised", 429, `{"error_code":"APIGW.0308\u200b"}`, retried},
		{"429 naming its code twice", 429, `{"error_code":"KOOPHONE.API.9999","Error_Code":"APIGW.0308"}`, retried},
		{"429 with a business code", 429, `{"error_code":"KOOPHONE.API.1000","error_msg":"bad"}`, retried},
		{"429 with 0301", 429, `{"error_code":"APIGW.0301","error_msg":"auth"}`, retried},
		{"429 with an unknown code", 429, `{"error_code":"SOMETHING"}`, retried},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, s := setup(t, always(tt.status, tt.body))
			_, err := c.PrepareInstances(timeout(t), "u", []string{"i-1"})
			var apiErr *koophone.APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, "BatchPrepareInstances", apiErr.Operation)
			assert.Len(t, s.Requests(), tt.attempts)
		})
	}
}

func TestWriteIsRetriedWhenTheConnectionFailedBeforeSending(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	calls := 0
	mock.RegisterResponder(http.MethodPost, "https://koophone.test/v1/instances/prepare",
		func(*http.Request) (*http.Response, error) {
			calls++
			if calls == 1 {
				return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
			}
			return httpmock.NewStringResponse(http.StatusOK, prepareOK), nil
		})
	c := newClient(t, koophone.WithEndpoint("https://koophone.test"), koophone.WithHTTPClient(&http.Client{Transport: mock}))
	states, err := c.PrepareInstances(timeout(t), "u", []string{"i-1"})
	require.NoError(t, err)
	assert.Equal(t, []koophone.InstanceState{{InstanceID: "i-1", Status: koophone.InstanceReady}}, states)
	assert.Equal(t, 2, calls)
}

// brokenBody fails every read, as a connection reset in the middle of an
// answer does.
type brokenBody struct{}

func (brokenBody) Read([]byte) (int, error) { return 0, syscall.ECONNRESET }
func (brokenBody) Close() error             { return nil }

func TestWriteAnsweredBeforeReportedWrittenIsNotRetried(t *testing.T) {
	t.Parallel()
	// net/http may hand over an answer before it reports the request
	// written; the answer alone says the service got the write.
	calls := 0
	broken := func(*http.Request) (*http.Response, error) {
		calls++
		return &http.Response{StatusCode: http.StatusOK, Header: http.Header{}, Body: brokenBody{}}, nil
	}
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodPost, "https://koophone.test/v1/instances/prepare", broken)
	mock.RegisterResponder(http.MethodPost, "https://koophone.test/v1/instances/prepare-progress", broken)
	c := newClient(t, koophone.WithEndpoint("https://koophone.test"), koophone.WithHTTPClient(&http.Client{Transport: mock}),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
	_, err := c.PrepareInstances(timeout(t), "u", []string{"i-1"})
	require.ErrorIs(t, err, syscall.ECONNRESET)
	assert.Equal(t, 1, calls, "a write the service answered is never sent again")

	calls = 0
	_, err = c.PrepareProgress(timeout(t), "u", "i")
	require.ErrorIs(t, err, syscall.ECONNRESET)
	assert.Equal(t, 4, calls, "a read is, three times")
}

// hangUp is a handler that reads the request and closes the connection
// without answering.
func hangUp(w http.ResponseWriter, _ *http.Request, _ int) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func TestConnectionLostAfterSending(t *testing.T) {
	t.Parallel()
	t.Run("read is retried", func(t *testing.T) {
		t.Parallel()
		c, s := setup(t, hangUp)
		_, err := c.PrepareProgress(timeout(t), "u", "i")
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "koophone: ShowProgress: "), err.Error())
		assert.Contains(t, err.Error(), "(request id ")
		assert.True(t, koophone.Transient(err))
		assert.Len(t, s.Requests(), retried)
	})
	t.Run("write is not", func(t *testing.T) {
		t.Parallel()
		c, s := setup(t, hangUp)
		_, err := c.PrepareInstances(timeout(t), "u", []string{"i-1"})
		require.Error(t, err)
		assert.Len(t, s.Requests(), 1)
	})
}

func TestCertificateErrorsAreNotRetried(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		answer(w, http.StatusOK, okReady)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake is expected
	srv.StartTLS()
	defer srv.Close()
	c := newClient(t, koophone.WithEndpoint(srv.URL)) // the default transport does not trust the test CA
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "certificate")
	assert.False(t, koophone.Transient(err))
	assert.Zero(t, hits.Load(), "the handshake failed, so no request was served")

	trusting := newClient(t, koophone.WithEndpoint(srv.URL), koophone.WithHTTPClient(srv.Client()))
	_, err = trusting.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.EqualValues(t, 1, hits.Load())
}

func TestGatewayThrottlingCodeRetriesAWriteOnlyWithHTTP429(t *testing.T) {
	t.Parallel()
	const throttled = `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}`
	calls := map[string]func(context.Context, *koophone.Client) error{
		"CreateInstances (write)": func(ctx context.Context, c *koophone.Client) error {
			_, err := c.CreateInstances(ctx, koophone.CreateInstancesRequest{
				OS: "AOSP11", SKUID: "sku-1", BandSKUID: "band-1", RegionID: "cn-north-4", NamePrefix: "shop",
				BandwidthMbps: 4, Count: 1, Charge: koophone.ChargeParam{Unit: koophone.PeriodMonth, Count: 1},
			})
			return err
		},
		"RunCommand (write)": func(ctx context.Context, c *koophone.Client) error {
			_, err := c.RunCommand(ctx, "ls", []string{"i-1"})
			return err
		},
		"PrepareProgress (read)": func(ctx context.Context, c *koophone.Client) error {
			_, err := c.PrepareProgress(ctx, "u", "i-1")
			return err
		},
	}
	for name, call := range calls {
		for _, status := range []int{200, 429, 500, 503} {
			t.Run(fmt.Sprintf("%s/HTTP %d", name, status), func(t *testing.T) {
				t.Parallel()
				c, s := setup(t, always(status, throttled))
				err := call(timeout(t), c)
				assert.ErrorIs(t, err, koophone.ErrThrottled)
				want := retried
				if strings.HasSuffix(name, "(write)") && status != http.StatusTooManyRequests {
					want = 1 // the gateway's code alone does not say the service did not act
				}
				assert.Len(t, s.Requests(), want)
			})
		}
	}
}

func TestTransientClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want bool
	}{
		{&koophone.APIError{HTTPStatus: 429}, true},
		{&koophone.APIError{HTTPStatus: 200, Code: "apigw.0308"}, true},
		{&koophone.APIError{HTTPStatus: 502}, true},
		{&koophone.APIError{HTTPStatus: 503}, true},
		{&koophone.APIError{HTTPStatus: 504}, true},
		{&koophone.APIError{HTTPStatus: 500}, true},
		{&koophone.APIError{HTTPStatus: 500, Code: "KOOPHONE.API.9999"}, true},
		{&koophone.APIError{HTTPStatus: 200, Code: "KOOPHONE.API.9999"}, true},
		{&koophone.APIError{HTTPStatus: 500, Code: "KOOPHONE.API.1001"}, false},
		{&koophone.APIError{HTTPStatus: 503, Code: "KOOPHONE.API.4001"}, false},
		{&koophone.APIError{HTTPStatus: 401, Code: "APIGW.0301"}, false},
		{&koophone.APIError{HTTPStatus: 400}, false},
		{&koophone.APIError{HTTPStatus: 400, Code: "KOOPHONE.API.9999"}, false},
		{&koophone.APIError{HTTPStatus: 408}, false},
		{&koophone.APIError{HTTPStatus: 404}, false},
		{&koophone.APIError{HTTPStatus: 501}, true}, // any 5xx without a business code
		{&koophone.APIError{HTTPStatus: 500, Code: "APIGW.0201"}, true},
		{&koophone.APIError{HTTPStatus: 500, Code: "FOO.1"}, true},
		{&koophone.APIError{HTTPStatus: 500, Code: "KOOPHONE.API.0000"}, false},
		{&koophone.APIError{HTTPStatus: 502, Code: "KPAPI.2209"}, false},
		{&koophone.APIError{HTTPStatus: 200, Code: "FOO.1"}, false},
		{&koophone.APIError{HTTPStatus: 503, Code: "APIGW.0302"}, false}, // no permission, whatever the 5xx
		{&koophone.APIError{HTTPStatus: 500, Code: "APIGW.0301"}, false},
		{&koophone.APIError{HTTPStatus: 502, Code: "APIGW.0101"}, false},
		{&koophone.APIError{HTTPStatus: 200, Code: "KOOPHONE.API.2003"}, false},
		{&koophone.InstanceError{InstanceID: "i", Err: &koophone.APIError{HTTPStatus: 503}}, true},
		{errors.New("something else"), false},
		{context.Canceled, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, koophone.Transient(tt.err), "%v", tt.err)
	}
}

// renewingToken hands out "tokSECRET<n>", n counting the tokens it was
// told were rejected (a TokenInvalidator, as the IAM source is).
type renewingToken struct{ dropped atomic.Int32 }

func (r *renewingToken) Token(context.Context) (string, error) {
	return fmt.Sprintf("tokSECRET%d", r.dropped.Load()), nil
}
func (r *renewingToken) InvalidateToken(string) { r.dropped.Add(1) }

// Writes are repeated after an answer only on HTTP 429: a 401 that rejects
// the token drops it, so the next call gets a fresh one, but does not send
// the write again, whatever its code says; a read is sent once more.
func TestAWriteIsNotSentAgainAfterA401(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"error_code":"APIGW.0301"}`, `{"error_code":"APIGW.0307"}`, `{"error_code":" apigw.0301 "}`,
		`{"error_code":"APIGW.0301\u200b"}`, `{"error_code":"KOOPHONE.API.9999","Error_Code":"APIGW.0301"}`, ``,
	} {
		c, s := setup(t, always(http.StatusUnauthorized, body), koophone.WithTokenSource(&renewingToken{}))
		_, err := c.RunCommand(timeout(t), "ls", []string{"i-1"})
		require.Error(t, err, body)
		assert.Len(t, s.Requests(), 1, "a write: %s", body)
	}
	src := &renewingToken{}
	c, s := setup(t, always(http.StatusUnauthorized, `{"error_code":"APIGW.0301"}`), koophone.WithTokenSource(src))
	_, err := c.RunCommand(timeout(t), "ls", []string{"i-1"})
	require.ErrorIs(t, err, koophone.ErrUnauthorized)
	assert.Len(t, s.Requests(), 1)
	assert.EqualValues(t, 1, src.dropped.Load(), "the rejected token is dropped for the calls that follow")
	_, err = c.PrepareProgress(timeout(t), "u", "i")
	require.ErrorIs(t, err, koophone.ErrUnauthorized)
	assert.Len(t, s.Requests(), 3, "a read is sent once more with a fresh token")
	assert.Equal(t, "tokSECRET2", s.Requests()[2].Header.Get("X-Auth-Token"))
}

// A read under a limiter and an Observer, whose token is rejected between
// a throttled attempt and the call sent again: the limiter is asked and the
// Observer told once per attempt, numbered on, and the rejected attempt
// says that another follows.
func TestRejectedTokenAttemptSaysAnotherFollows(t *testing.T) {
	t.Parallel()
	lim, rec := &recordingLimiter{}, &recorder{}
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch n {
		case 1:
			answer(w, http.StatusTooManyRequests, `{"error_code":"APIGW.0308","error_msg":"slow down"}`)
		case 2:
			answer(w, http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"bad `+r.Header.Get("X-Auth-Token")+`"}`)
		default:
			answer(w, http.StatusOK, `{"error_code":"0","data":{"status_results":[{"instance_id":"i-1","status":2}]}}`)
		}
	}, koophone.WithTokenSource(&renewingToken{}), koophone.WithLimiter(lim), koophone.WithObserver(rec))
	_, err := c.BatchQueryStatus(timeout(t), []string{"i-1"})
	require.NoError(t, err)
	require.Len(t, s.Requests(), 3)
	assert.Equal(t, "tokSECRET1", s.Requests()[2].Header.Get("X-Auth-Token"))
	assert.Len(t, lim.asked(), 3)
	assert.Equal(t, []string{
		`start BatchQueryStatus POST /v1/instances/batch-query-status in ""`,
		`attempt 1 in "call"`,
		`attempt 1 ended 429 err=true retry=true`,
		`attempt 2 after 429 (delay>0 true) in "call"`,
		`attempt 2 ended 401 err=true retry=true`,
		`attempt 3 after 401 (delay>0 true) in "call"`,
		`attempt 3 ended 200 err=false retry=false`,
		`end BatchQueryStatus attempts=3 status=200 err=false in "call"`,
	}, rec.lines())
	for _, e := range rec.errs {
		assert.NotContains(t, e.Error(), "tokSECRET")
	}
}
