package koophone_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestNewClientRejectsBadOptions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []koophone.Option
		want string
	}{
		{"no credentials", nil, "no credentials"},
		{"empty token", []koophone.Option{koophone.WithToken("")}, "token"},
		{"token with newline", []koophone.Option{koophone.WithToken("a\nb")}, "control character"},
		{"nil token source", []koophone.Option{koophone.WithTokenSource(nil)}, "token source"},
		{"nil option", []koophone.Option{koophone.WithToken("t"), nil}, "option 1 is nil"},
		{"relative endpoint", []koophone.Option{koophone.WithToken("t"), koophone.WithEndpoint("/v1")}, "scheme"},
		{"ftp endpoint", []koophone.Option{koophone.WithToken("t"), koophone.WithEndpoint("ftp://h")}, "scheme"},
		{"endpoint without host", []koophone.Option{koophone.WithToken("t"), koophone.WithEndpoint("https://")}, "no host"},
		{"endpoint with query", []koophone.Option{koophone.WithToken("t"), koophone.WithEndpoint("https://h/?a=1")}, "query"},
		{"endpoint with user", []koophone.Option{koophone.WithToken("t"), koophone.WithEndpoint("https://u:p@h")}, "user"},
		{"nil http client", []koophone.Option{koophone.WithToken("t"), koophone.WithHTTPClient(nil)}, "http client"},
		{"too many retries", []koophone.Option{koophone.WithToken("t"), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 101})}, "MaxRetries"},
		{"negative backoff", []koophone.Option{koophone.WithToken("t"), koophone.WithRetryPolicy(koophone.RetryPolicy{MinBackoff: -1})}, "negative"},
		{"min above max", []koophone.Option{koophone.WithToken("t"), koophone.WithRetryPolicy(koophone.RetryPolicy{MinBackoff: time.Second, MaxBackoff: time.Millisecond})}, "MinBackoff"},
		{"zero timeout", []koophone.Option{koophone.WithToken("t"), koophone.WithRequestTimeout(0)}, "timeout"},
		{"empty user agent", []koophone.Option{koophone.WithToken("t"), koophone.WithUserAgent(" ")}, "user agent"},
		{"user agent with newline", []koophone.Option{koophone.WithToken("t"), koophone.WithUserAgent("a\r\nX-Evil: 1")}, "printable"},
		{"zero rate", []koophone.Option{koophone.WithToken("t"), koophone.WithRateLimit(0, 1)}, "rate limit"},
		{"NaN rate", []koophone.Option{koophone.WithToken("t"), koophone.WithRateLimit(math.NaN(), 1)}, "rate limit"},
		{"infinite rate", []koophone.Option{koophone.WithToken("t"), koophone.WithRateLimit(math.Inf(1), 1)}, "rate limit"},
		{"zero burst", []koophone.Option{koophone.WithToken("t"), koophone.WithRateLimit(1, 0)}, "burst"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := koophone.NewClient(tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
			assert.Contains(t, err.Error(), tt.want)
			assert.True(t, strings.HasPrefix(err.Error(), "koophone: "), err.Error())
		})
	}
}

func TestNewClientAcceptsGoodOptions(t *testing.T) {
	t.Parallel()
	c, err := koophone.NewClient(
		koophone.WithToken("t"),
		koophone.WithEndpoint("https://example.com/prefix/"),
		koophone.WithHTTPClient(&http.Client{}),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 0}),
		koophone.WithRequestTimeout(time.Second),
		koophone.WithUserAgent("my-service/1.2"),
		koophone.WithLogger(nil),
		koophone.WithRateLimit(10, 5),
		koophone.WithInsecureHTTP(),
	)
	require.NoError(t, err)
	assert.Contains(t, fmt.Sprint(c), `"https://example.com/prefix"`)
}

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestRequestHeaders(t *testing.T) {
	t.Parallel()
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusServiceUnavailable, ``)
			return
		}
		answer(w, http.StatusOK, okQueuing)
	}, koophone.WithUserAgent("acme-portal/2.0"))
	ctx := timeout(t)

	p1, err := c.PrepareProgress(ctx, "user-1", "inst-1")
	require.NoError(t, err)
	_, err = c.PrepareProgress(ctx, "user-1", "inst-1")
	require.NoError(t, err)

	reqs := s.Requests()
	require.Len(t, reqs, 3, "one retry of the first call, then the second call")
	for _, r := range reqs {
		assert.Equal(t, http.MethodPost, r.Method)
		assert.Equal(t, "/v1/instances/prepare-progress", r.Path)
		assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
		assert.Equal(t, testToken, r.Header.Get("X-Auth-Token"))
		assert.Regexp(t, uuidPattern, r.Header.Get("X-Request-Id"))
		ua := r.Header.Get("User-Agent")
		assert.True(t, strings.HasPrefix(ua, "acme-portal/2.0 koophone-go/"+koophone.Version), ua)
	}
	assert.Equal(t, reqs[0].Header.Get("X-Request-Id"), reqs[1].Header.Get("X-Request-Id"), "a retry keeps the call's request id")
	assert.NotEqual(t, reqs[1].Header.Get("X-Request-Id"), reqs[2].Header.Get("X-Request-Id"), "each call has its own request id")
	assert.Equal(t, reqs[0].Header.Get("X-Request-Id"), p1.RequestID)
}

func TestDefaultUserAgent(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, okReady))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(s.Requests()[0].Header.Get("User-Agent"), "koophone-go/"+koophone.Version+" "))
}

func TestEndpointBasePathIsKept(t *testing.T) {
	t.Parallel()
	_, s := setup(t, always(http.StatusOK, okReady))
	c := newClient(t, koophone.WithEndpoint(s.URL+"/gateway/koophone/"))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, "/gateway/koophone/v1/instances/prepare-progress", s.Requests()[0].Path)
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	_, other := setup(t, always(http.StatusOK, okReady))
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, other.URL+"/v1/instances/prepare-progress", http.StatusTemporaryRedirect)
	})
	_, err := c.PrepareProgress(timeout(t), "u", "i")

	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusTemporaryRedirect, apiErr.HTTPStatus)
	assert.Contains(t, apiErr.Message, "redirects are not followed")
	assert.Len(t, s.Requests(), 1, "a 3xx is not retried")
	assert.Empty(t, other.Requests(), "the token never reaches another host")
}

func TestPlainHTTPToRemoteHostIsRefused(t *testing.T) {
	t.Parallel()
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodPost, "http://koophone.internal.example/v1/instances/prepare-progress",
		httpmock.NewStringResponder(http.StatusOK, okReady))
	base := []koophone.Option{
		koophone.WithToken(testToken),
		koophone.WithEndpoint("http://koophone.internal.example"),
		koophone.WithHTTPClient(&http.Client{Transport: mock}),
	}

	refused, err := koophone.NewClient(base...)
	require.NoError(t, err)
	_, err = refused.PrepareProgress(timeout(t), "u", "i")
	require.ErrorIs(t, err, koophone.ErrInvalidParameter)
	assert.Contains(t, err.Error(), "koophone: invalid parameter: endpoint: refusing to send credentials over plain http")
	assert.NotContains(t, err.Error(), testToken)
	assert.Zero(t, mock.GetTotalCallCount(), "nothing is sent")

	allowed, err := koophone.NewClient(append(base, koophone.WithInsecureHTTP())...)
	require.NoError(t, err)
	_, err = allowed.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, 1, mock.GetTotalCallCount())
}

func TestHTTPClientIsCopiedNotMutated(t *testing.T) {
	t.Parallel()
	_, s := setup(t, always(http.StatusOK, okReady))
	transport := &http.Transport{}
	t.Cleanup(transport.CloseIdleConnections)
	hc := &http.Client{Transport: transport, Timeout: time.Minute}
	c := newClient(t, koophone.WithEndpoint(s.URL), koophone.WithHTTPClient(hc))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.Same(t, transport, hc.Transport)
	assert.Equal(t, time.Minute, hc.Timeout)
	assert.Nil(t, hc.CheckRedirect)
}

func TestTokenSourceIsAskedPerAttempt(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	calls := 0
	ts := koophone.TokenSourceFunc(func(context.Context) (string, error) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		return fmt.Sprintf("token-%d", calls), nil
	})
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusBadGateway, `<html>bad gateway</html>`)
			return
		}
		answer(w, http.StatusOK, okReady)
	}, koophone.WithTokenSource(ts))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "token-1", reqs[0].Header.Get("X-Auth-Token"))
	assert.Equal(t, "token-2", reqs[1].Header.Get("X-Auth-Token"))
}

func TestTokenSourceFailureSendsNothing(t *testing.T) {
	t.Parallel()
	boom := errors.New("vault unreachable")
	c, s := setup(t, always(http.StatusOK, okReady),
		koophone.WithTokenSource(koophone.TokenSourceFunc(func(context.Context) (string, error) { return "", boom })))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.ErrorIs(t, err, boom)
	assert.Contains(t, err.Error(), "koophone: ShowProgress: token source: vault unreachable")
	assert.Empty(t, s.Requests(), "not sent, not retried")
}

func TestLoggerRecordsAttempts(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusTooManyRequests, `{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"gw-1"}`)
			return
		}
		answer(w, http.StatusOK, okReady)
	}, koophone.WithLogger(logger))
	p, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	require.Len(t, s.Requests(), 2)

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	require.Len(t, lines, 2)
	assert.Contains(t, lines[0], "level=WARN")
	assert.Contains(t, lines[0], "attempt=1")
	assert.Contains(t, lines[0], "status=429")
	assert.Contains(t, lines[0], "code=APIGW.0308")
	assert.Contains(t, lines[1], "level=DEBUG")
	assert.Contains(t, lines[1], "attempt=2")
	assert.Contains(t, lines[1], "status=200")
	for _, l := range lines {
		assert.Contains(t, l, "method=POST")
		assert.Contains(t, l, "path=/v1/instances/prepare-progress")
		assert.Contains(t, l, "request_id="+p.RequestID)
		assert.Contains(t, l, "duration=")
		assert.Contains(t, l, "operation=ShowProgress")
	}
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, okQueuing))
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := c.PrepareProgress(timeout(t), "u", fmt.Sprintf("i-%d", i))
			assert.NoError(t, err)
			assert.Equal(t, koophone.PrepareQueuing, p.Status)
		}()
	}
	wg.Wait()
	assert.Len(t, s.Requests(), 32)
}

func TestNilContextIsRejected(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, okReady))
	var nilCtx context.Context // a nil context is what this test is about
	_, err := c.PrepareProgress(nilCtx, "u", "i")
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	assert.Empty(t, s.Requests())
}

func TestPlainTextErrorBodyIsKeptShort(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) { http.NotFound(w, r) })
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.HTTPStatus)
	assert.Equal(t, "404 page not found", apiErr.Message, "a short plain-text body is kept, sanitised")
}

// Every zero field of a RetryPolicy is its default (the Go zero-value
// convention); only a negative MaxRetries turns retries off.
func TestRetryPolicyZeroFieldsAreDefaults(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		policy   koophone.RetryPolicy
		attempts int
	}{
		"empty":                 {koophone.RetryPolicy{}, 4},
		"only MaxBackoff":       {koophone.RetryPolicy{MaxBackoff: 2 * time.Millisecond}, 4},
		"both backoffs":         {koophone.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}, 4},
		"one retry":             {koophone.RetryPolicy{MaxRetries: 1, MaxBackoff: time.Millisecond}, 2},
		"negative: never":       {koophone.RetryPolicy{MaxRetries: -1}, 1},
		"min above default max": {koophone.RetryPolicy{MaxRetries: 1, MinBackoff: time.Millisecond}, 2},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if tc.policy.MaxRetries >= 0 && tc.policy.MaxBackoff == 0 && tc.policy.MinBackoff == 0 {
				tc.policy.MaxBackoff = time.Millisecond // keep the test fast; the count is what is checked
			}
			c, s := setup(t, always(http.StatusServiceUnavailable, ``), koophone.WithRetryPolicy(tc.policy))
			_, err := c.PrepareProgress(timeout(t), "u", "i")
			require.Error(t, err)
			assert.Len(t, s.Requests(), tc.attempts)
		})
	}
}

func TestNilClientCloseIdleConnectionsDoesNothing(t *testing.T) {
	t.Parallel()
	var c *koophone.Client
	assert.NotPanics(t, c.CloseIdleConnections)
	_, err := c.PrepareProgress(context.Background(), "u", "i")
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
}

func TestTypedNilTokenSourceIsRefused(t *testing.T) {
	t.Parallel()
	var p *struct{ koophone.TokenSource }
	for _, ts := range []koophone.TokenSource{koophone.TokenSourceFunc(nil), p} {
		c, err := koophone.NewClient(koophone.WithTokenSource(ts))
		assert.Nil(t, c)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
	}
}

// An endpoint that carries a password (or a query) is refused without
// quoting it, whichever check fails first.
func TestEndpointErrorsNeverQuoteSecrets(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{
		"ftp://bob:hunter2@host", "https://bob:hunter2%zz@host", "https://bob:hunter2@/path",
		"https://bob:hunter2@host", "https://host/?sig=hunter2", "https://host/#hunter2",
	} {
		c, err := koophone.NewClient(koophone.WithToken("t"), koophone.WithEndpoint(endpoint))
		assert.Nil(t, c)
		require.ErrorIs(t, err, koophone.ErrInvalidParameter, endpoint)
		assert.NotContains(t, err.Error(), "hunter2", endpoint)
	}
}

func TestEachAttemptSendsItsOwnInMemoryBodyAndDeadline(t *testing.T) {
	t.Parallel()
	type seen struct {
		body, again   string
		inMemory      bool
		reader        uintptr // the *bytes.Reader inside the body
		length        int64
		deadlineAfter time.Duration
		authorization string
	}
	var attempts []seen
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder(http.MethodPost, "https://koophone.test/v1/instances/prepare-progress",
		func(r *http.Request) (*http.Response, error) {
			s := seen{length: r.ContentLength, authorization: r.Header.Get("Authorization")}
			// An io.NopCloser over a *bytes.Reader is a body net/http knows
			// is in memory: it writes it with the headers, in one write.
			s.inMemory = reflect.TypeOf(r.Body) == reflect.TypeOf(io.NopCloser(bytes.NewReader(nil)))
			if v := reflect.ValueOf(r.Body); s.inMemory && v.Kind() == reflect.Struct && v.NumField() == 1 {
				s.reader = v.Field(0).Elem().Pointer() // the *bytes.Reader io.NopCloser wraps
			}
			b, _ := io.ReadAll(r.Body)
			s.body = string(b)
			if rc, err := r.GetBody(); err == nil {
				b, _ = io.ReadAll(rc)
				s.again = string(b)
			}
			if d, ok := r.Context().Deadline(); ok {
				s.deadlineAfter = time.Until(d)
			}
			attempts = append(attempts, s)
			if len(attempts) == 1 {
				return httpmock.NewStringResponse(http.StatusServiceUnavailable, ``), nil
			}
			return httpmock.NewStringResponse(http.StatusOK, okReady), nil
		})
	c := newClient(t, koophone.WithEndpoint("https://koophone.test"), koophone.WithHTTPClient(&http.Client{Transport: mock}),
		koophone.WithAKSK(testAK, testSK, testProject), koophone.WithRequestTimeout(time.Hour))
	_, err := c.PrepareProgress(context.Background(), "u", "i")
	require.NoError(t, err)
	require.Len(t, attempts, 2)
	const body = `{"user_id":"u","instance_id":"i"}`
	for i, a := range attempts {
		assert.True(t, a.inMemory, "attempt %d", i+1)
		assert.Equal(t, body, a.body, "attempt %d", i+1)
		assert.Equal(t, body, a.again, "GetBody, attempt %d", i+1)
		assert.EqualValues(t, len(body), a.length)
		assert.InDelta(t, time.Hour, a.deadlineAfter, float64(time.Minute), "each attempt has WithRequestTimeout")
		assert.Equal(t, 1, strings.Count(a.authorization, "Signature="), "attempt %d is signed once", i+1)
	}
	assert.NotEqual(t, attempts[0].reader, attempts[1].reader, "each attempt reads the body with a reader of its own")
}

func TestCancelledContextSendsNothing(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"OK"}`))
	require.NoError(t, c.RebootInstances(timeout(t), []string{"i-1"})) // an idle keep-alive connection
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 50 {
		err := c.RebootInstances(ctx, []string{"i-1"})
		require.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, "koophone: BatchRebootInstance: context canceled", err.Error(), "no request id: none was sent")
	}
	// Requests on the one connection arrive in order: any sent above came first.
	require.NoError(t, c.RebootInstances(timeout(t), []string{"i-1"}))
	assert.Len(t, s.Requests(), 2, "the calls with a cancelled context sent nothing")
}

func TestCookieJarCookiesAreSentOncePerAttempt(t *testing.T) {
	t.Parallel()
	_, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n < 3 {
			w.Header().Set("Set-Cookie", fmt.Sprintf("hop=%d", n))
			answer(w, http.StatusServiceUnavailable, ``)
			return
		}
		answer(w, http.StatusOK, okReady)
	})
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	u, err := url.Parse(s.URL)
	require.NoError(t, err)
	jar.SetCookies(u, []*http.Cookie{{Name: "sid", Value: "abc"}})
	c := newClient(t, koophone.WithEndpoint(s.URL), koophone.WithHTTPClient(&http.Client{Jar: jar}))
	_, err = c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	reqs := s.Requests()
	require.Len(t, reqs, 3)
	assert.Equal(t, []string{"sid=abc"}, reqs[0].Header["Cookie"])
	assert.Equal(t, []string{"hop=1; sid=abc"}, reqs[1].Header["Cookie"], "the answer's cookie is kept in the jar")
	assert.Equal(t, []string{"hop=2; sid=abc"}, reqs[2].Header["Cookie"])
}

// "An endpoint that carries a password (or a query) is refused without
// quoting it, whichever check fails first" (TestEndpointErrorsNeverQuoteSecrets):
// not when the scheme or the host check fails first.
func TestAttackEndpointErrorsNeverQuoteTheQuery(t *testing.T) {
	t.Parallel()
	for _, endpoint := range []string{"ftp://host/?sig=hunter2", "https:///?sig=hunter2", "ftp://host/#hunter2"} {
		c, err := koophone.NewClient(koophone.WithToken("t"), koophone.WithEndpoint(endpoint))
		assert.Nil(t, c)
		require.ErrorIs(t, err, koophone.ErrInvalidParameter, endpoint)
		assert.NotContains(t, err.Error(), "hunter2", endpoint)
	}
}

func TestTLSIsVerifiedAndAtLeast12(t *testing.T) {
	t.Parallel()
	c := newClient(t)
	tr, ok := koophone.BaseTransport(c).(*http.Transport)
	require.True(t, ok)
	require.NotNil(t, tr.TLSClientConfig)
	assert.Equal(t, uint16(tls.VersionTLS12), tr.TLSClientConfig.MinVersion)
	assert.False(t, tr.TLSClientConfig.InsecureSkipVerify)
	assert.GreaterOrEqual(t, tr.MaxIdleConnsPerHost, 32, "a pool for concurrent polls")

	// No code of the SDK (tests aside) turns verification off.
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	more, err := filepath.Glob("*/*.go")
	require.NoError(t, err)
	for _, f := range append(files, more...) {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(src), "InsecureSkipVerify", f)
	}
}
