package koophone_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// TestHugeBodyMemory checks that a 100 MiB answer costs a bounded amount
// of memory. It does not run in parallel, so that its allocation count is
// its own.
func TestHugeBodyMemory(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(100<<20))
		chunk := strings.Repeat("x", 1<<20)
		for range 100 {
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	c := newClient(t, koophone.WithEndpoint(srv.URL))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	runtime.ReadMemStats(&after)
	require.ErrorIs(t, err, koophone.ErrMalformedResponse)
	allocated := after.TotalAlloc - before.TotalAlloc
	assert.Less(t, allocated, uint64(8<<20), "allocated %d bytes for a 100 MiB body", allocated)
}

// redirectingTransport follows redirects by itself, headers and all, as
// some middleware does.
type redirectingTransport struct{ next http.RoundTripper }

func (rt redirectingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := rt.next.RoundTrip(r)
	if err != nil || resp.StatusCode/100 != 3 {
		return resp, err
	}
	resp.Body.Close()
	loc, err := resp.Location()
	if err != nil {
		return nil, err
	}
	again := r.Clone(r.Context())
	again.URL, again.Host, again.Body = loc, "", http.NoBody
	return rt.next.RoundTrip(again)
}

func TestAnswersFetchedFromAnotherHostAreRefused(t *testing.T) {
	t.Parallel()
	_, other := setup(t, always(http.StatusOK, okReady))
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		http.Redirect(w, r, other.URL+"/v1/instances/prepare-progress", http.StatusFound)
	}, koophone.WithHTTPClient(&http.Client{Transport: redirectingTransport{base}}))
	_, err := c.PrepareProgress(context.Background(), "u", "i")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the HTTP transport followed a redirect to "+strings.TrimPrefix(other.URL, "http://"))
	assert.Len(t, s.Requests(), 1, "not retried")
	// The caller's transport re-sent the request itself: the SDK cannot
	// stop that, and says so in its documentation; it does refuse the answer.
	assert.Len(t, other.Requests(), 1)
}

// net/http quotes a malformed status line in its error: a hostile server
// that echoes the token there must not get it into the error or the log,
// and the error stays bounded.
func TestNetworkErrorsAreScrubbedAndBounded(t *testing.T) {
	t.Parallel()
	url := rawServer(t, func(head string) string {
		return "BOGUS:token=" + headerValue(head, "X-Auth-Token") + ":" + strings.Repeat("A", 50000) + "\r\n\r\n"
	})
	var logs bytes.Buffer
	c := newClient(t, koophone.WithEndpoint(url), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}),
		koophone.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), testToken)
	assert.Contains(t, err.Error(), "token=[redacted]", "the server did echo the token")
	assert.Less(t, len(err.Error()), 2048)
	assert.NotContains(t, logs.String(), testToken)
	assert.Contains(t, logs.String(), "token=[redacted]")
	assert.Contains(t, logs.String(), "koophone: attempt")
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

// hangSetup is setup with a server that never answers and a client whose
// attempts time out after 20 ms, each once the server has its request
// (heldTimeout): however slow the machine, every attempt reaches the
// server and then times out.
func hangSetup(t *testing.T, opts ...koophone.Option) (*koophone.Client, *server) {
	t.Helper()
	held := newHeldTimeout(t)
	hang := func(_ http.ResponseWriter, r *http.Request, _ int) {
		held.Arrived()
		<-r.Context().Done()
	}
	opts = append([]koophone.Option{koophone.WithHTTPClient(&http.Client{Transport: held}),
		koophone.WithRequestTimeout(20 * time.Millisecond)}, opts...)
	return setup(t, hang, opts...)
}

func TestAttemptTimeout(t *testing.T) {
	t.Parallel()
	t.Run("read is retried", func(t *testing.T) {
		t.Parallel()
		c, s := hangSetup(t, koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 1, MinBackoff: time.Microsecond, MaxBackoff: time.Microsecond}))
		_, err := c.PrepareProgress(timeout(t), "u", "i")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no answer within 20ms")
		assert.Len(t, s.Requests(), 2)
	})
	t.Run("write is not", func(t *testing.T) {
		t.Parallel()
		c, s := hangSetup(t)
		_, err := c.PrepareInstances(timeout(t), "u", []string{"i-1"})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "no answer within 20ms")
		assert.Len(t, s.Requests(), 1)
	})
}

func TestOversizedBodyIsRefused(t *testing.T) {
	t.Parallel()
	huge := `{"error_code":"0","data":{"status":0,"pad":"` + strings.Repeat("x", 2<<20) + `"}}`
	c, s := setup(t, always(http.StatusOK, huge))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.ErrorIs(t, err, koophone.ErrMalformedResponse)
	assert.Contains(t, err.Error(), "larger than 1048576 bytes")
	assert.Len(t, s.Requests(), 1, "an oversized body is not worth another attempt")
}

func TestBodyJustUnderTheLimitIsRead(t *testing.T) {
	t.Parallel()
	body := `{"error_code":"0","data":{"status":2,"pad":"`
	body += strings.Repeat("x", 1<<20-len(body)-3) + `"}}`
	require.Len(t, body, 1<<20)
	c, _ := setup(t, always(http.StatusOK, body))
	p, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareRestoring, p.Status)
}

// stubTransport answers every request with what answer returns, as the
// stub transports of callers' tests do.
type stubTransport func(*http.Request) (*http.Response, error)

func (f stubTransport) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A caller's transport that breaks the RoundTripper contract as net/http
// tolerates (a nil body; a nil response with a nil error) fails the call
// the way http.Client says, without a panic.
func TestTransportLeavingNilsDoesNotPanic(t *testing.T) {
	t.Parallel()
	nilBody := stubTransport(func(r *http.Request) (*http.Response, error) {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}, Request: r}, nil
	})
	c := newClient(t, koophone.WithEndpoint("http://127.0.0.1:1"), koophone.WithHTTPClient(&http.Client{Transport: nilBody}))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr, "a nil body is an empty one")
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.HTTPStatus)

	nilResponse := stubTransport(func(*http.Request) (*http.Response, error) { return nil, nil })
	c = newClient(t, koophone.WithEndpoint("http://127.0.0.1:1"), koophone.WithHTTPClient(&http.Client{Transport: nilResponse}))
	_, err = c.PrepareProgress(timeout(t), "u", "i")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "returned a nil *Response with a nil error")
}
