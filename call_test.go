package koophone_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// callPath is one public call, with the answers that are a success for it.
type callPath struct {
	name   string
	write  bool   // retried only where the service cannot have acted
	ok     string // a valid answer
	unseen string // a valid answer with a status never seen before
	call   func(ctx context.Context, c *koophone.Client) error
}

const noData = `{"error_code":"0","error_msg":"OK"}`

var callPaths = []callPath{
	{"PrepareProgress", false, okReady, `{"data":{"status":42,"waitingCount":1},"error_code":"0"}`,
		func(ctx context.Context, c *koophone.Client) error {
			_, err := c.PrepareProgress(ctx, "u", "i")
			return err
		}},
	{"PrepareInstances", true, prepareOK, `{"data":{"status_list":[{"instance_id":"i-1","status":42}]},"error_code":"0"}`,
		func(ctx context.Context, c *koophone.Client) error {
			_, err := c.PrepareInstances(ctx, "u", []string{"i-1"})
			return err
		}},
	{"BatchQueryStatus", false, `{"data":{"status_results":[{"instance_id":"i","status":0}]},"error_code":"0"}`,
		`{"data":{"status_results":[{"instance_id":"i","status":42}]},"error_code":"0"}`,
		func(ctx context.Context, c *koophone.Client) error {
			_, err := c.BatchQueryStatus(ctx, []string{"i"})
			return err
		}},
	{"GetDeviceToken", true, `{"data":{"device_token":"d","streamingId":"s"},"error_code":"0"}`, `{"data":{"device_token":"d"},"error_code":"0"}`,
		func(ctx context.Context, c *koophone.Client) error {
			_, err := c.GetDeviceToken(ctx, "i", nil)
			return err
		}},
	{"StopStreaming", true, noData, noData,
		func(ctx context.Context, c *koophone.Client) error { return c.StopStreaming(ctx, "i") }},
	{"ReleaseSession", true, noData, noData,
		func(ctx context.Context, c *koophone.Client) error { return c.ReleaseSession(ctx, "i") }},
	{"WaitUntilReady", false, okReady, `{"data":{"status":42,"waitingCount":1},"error_code":"0"}`,
		func(ctx context.Context, c *koophone.Client) error {
			_, err := c.WaitUntilReady(ctx, "u", "i", koophone.WithMaxConsecutiveErrors(0),
				koophone.WithPollInterval(10*time.Millisecond, 10*time.Millisecond))
			return err
		}},
}

// outcome is what a call must end with.
type outcome struct {
	sentinel error // the category the error matches
	network  bool  // a transient failure without an answer: no *APIError
	status   int   // a transient *APIError with this HTTP status
	attempts int   // requests the server sees; -1: not checked
}

// faultCase is one fault the server injects, and the outcome it must have
// on a read and on a write.
type faultCase struct {
	name    string
	handler func(p callPath) http.HandlerFunc // nil: nothing listens (connection refused)
	read    outcome
	write   outcome
}

const retriedTimes = 3 // 1 + the fault matrix client's MaxRetries

// hangingFaults are the faults whose server never finishes an answer: only
// the attempt's timeout ends each attempt.
var hangingFaults = map[string]bool{"headers never come": true, "a body that trickles a byte a second": true}

// raw writes bytes on the hijacked connection, then closes it; with reset
// the close sends a TCP RST instead of a FIN.
func raw(w http.ResponseWriter, data string, reset bool) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	io.WriteString(conn, data)
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		tcp.SetLinger(0)
	}
	conn.Close()
}

func status(code int, body string, header ...string) func(callPath) http.HandlerFunc {
	return func(callPath) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			w.WriteHeader(code)
			io.WriteString(w, body)
		}
	}
}

var (
	transient3 = outcome{network: true, attempts: retriedTimes}
	transient1 = outcome{network: true, attempts: 1}
)

var faultCases = []faultCase{
	{"connection refused", nil, outcome{network: true, attempts: 0}, outcome{network: true, attempts: 0}},
	{"reset before the response", func(callPath) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { raw(w, "", true) }
	}, transient3, transient1},
	{"reset in the middle of the body", func(callPath) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			raw(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"data\":{\"sta", true)
		}
	}, transient3, transient1},
	{"closed after the headers", func(callPath) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			raw(w, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n", false)
		}
	}, transient3, transient1},
	{"headers never come", func(callPath) http.HandlerFunc {
		return func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	}, transient3, transient1},
	{"a body that trickles a byte a second", func(callPath) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(http.StatusOK)
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for range 100 {
				io.WriteString(w, " ")
				w.(http.Flusher).Flush()
				select {
				case <-t.C:
				case <-r.Context().Done():
					return
				}
			}
		}
	}, transient3, transient1},
	{"502 HTML page", status(502, "<html><title>502 Bad Gateway</title></html>", "Content-Type", "text/html"),
		outcome{status: 502, attempts: retriedTimes}, outcome{status: 502, attempts: 1}},
	{"503 with an empty body", status(503, ""), outcome{status: 503, attempts: retriedTimes}, outcome{status: 503, attempts: 1}},
	{"504", status(504, "upstream timed out"), outcome{status: 504, attempts: retriedTimes}, outcome{status: 504, attempts: 1}},
	{"429 with Retry-After in seconds", status(429, `{"error_code":"APIGW.0308","error_msg":"throttled"}`, "Retry-After", "2"),
		outcome{sentinel: koophone.ErrThrottled, attempts: retriedTimes}, outcome{sentinel: koophone.ErrThrottled, attempts: retriedTimes}},
	{"429 with Retry-After as an HTTP date", status(429, ``, "Retry-After", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)),
		outcome{sentinel: koophone.ErrThrottled, attempts: retriedTimes}, outcome{sentinel: koophone.ErrThrottled, attempts: retriedTimes}},
	{"429 with an absurd Retry-After", status(429, ``, "Retry-After", "99999999999"),
		outcome{sentinel: koophone.ErrThrottled, attempts: retriedTimes}, outcome{sentinel: koophone.ErrThrottled, attempts: retriedTimes}},
	{"truncated JSON", status(200, `{"data":{"status":0,"waitingCo`),
		outcome{sentinel: koophone.ErrMalformedResponse, attempts: retriedTimes}, outcome{sentinel: koophone.ErrMalformedResponse, attempts: 1}},
	{"JSON of the wrong shape", status(200, `["not","an","envelope"]`),
		outcome{sentinel: koophone.ErrMalformedResponse, attempts: retriedTimes}, outcome{sentinel: koophone.ErrMalformedResponse, attempts: 1}},
	{"a wrong content type with a valid body", func(p callPath) http.HandlerFunc {
		return status(200, p.ok, "Content-Type", "text/plain")(p)
	}, outcome{attempts: 1}, outcome{attempts: 1}},
	{"unknown extra fields", func(p callPath) http.HandlerFunc {
		return status(200, strings.Replace(p.ok, `"error_code"`, `"extra":{"a":[1,{"b":null}]},"error_code"`, 1))(p)
	}, outcome{attempts: 1}, outcome{attempts: 1}},
	{"a 100 MiB body", func(callPath) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			chunk := strings.Repeat(" ", 1<<20)
			for range 100 {
				if _, err := io.WriteString(w, chunk); err != nil {
					return // the client stopped reading
				}
			}
		}
	}, outcome{sentinel: koophone.ErrMalformedResponse, attempts: 1}, outcome{sentinel: koophone.ErrMalformedResponse, attempts: 1}},
	{"invalid UTF-8 in error_msg", status(200, "{\"error_code\":\"KOOPHONE.API.1000\",\"error_msg\":\"bad \xff\xfe value\"}"),
		outcome{sentinel: koophone.ErrInvalidParameter, attempts: 1}, outcome{sentinel: koophone.ErrInvalidParameter, attempts: 1}},
	{"business error with HTTP 200", status(200, `{"error_code":"KOOPHONE.API.4001","error_msg":"instance not exist"}`),
		outcome{sentinel: koophone.ErrInstanceNotFound, attempts: 1}, outcome{sentinel: koophone.ErrInstanceNotFound, attempts: 1}},
	{"business error with HTTP 400", status(400, `{"error_code":"KOOPHONE.API.1001","error_msg":"no permission"}`),
		outcome{sentinel: koophone.ErrPermissionDenied, attempts: 1}, outcome{sentinel: koophone.ErrPermissionDenied, attempts: 1}},
	{"business error with HTTP 500", status(500, `{"error_code":"KOOPHONE.API.9999","error_msg":"internal"}`),
		outcome{sentinel: koophone.ErrInternal, attempts: retriedTimes}, outcome{sentinel: koophone.ErrInternal, attempts: 1}},
	{"a status never seen before", func(p callPath) http.HandlerFunc { return status(200, p.unseen)(p) },
		outcome{attempts: 1}, outcome{attempts: 1}},
}

// TestFaultMatrix runs every call path against a loopback server that
// injects each fault, and checks the error category, the attempts, that
// the call returned by its deadline and did not panic. Goroutines left
// behind fail TestMain (goleak); memory is bounded by TestHugeBodyMemory.
func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	for _, f := range faultCases {
		for _, p := range callPaths {
			t.Run(f.name+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				want := f.read
				if p.write {
					want = f.write
				}
				deadline := time.Minute // far: no call gets near it
				if p.name == "WaitUntilReady" && f.name == "a status never seen before" {
					want = outcome{sentinel: koophone.ErrWaitTimeout, attempts: -1} // keeps waiting, then times out
					deadline = time.Second
				}
				c, hits := faultClient(t, f, p, deadline)
				ctx, cancel := context.WithTimeout(context.Background(), deadline)
				defer cancel()
				start := time.Now()
				err := callWithoutPanic(t, ctx, c, p)
				// A loaded machine may return a little late; a call that
				// ignored its deadline would hang.
				assert.Less(t, time.Since(start), deadline+10*time.Second, "returned by its context's deadline")

				switch {
				case want.sentinel == nil && !want.network && want.status == 0:
					require.NoError(t, err)
				case want.status != 0:
					var apiErr *koophone.APIError
					require.ErrorAs(t, err, &apiErr)
					assert.Equal(t, want.status, apiErr.HTTPStatus)
					assert.True(t, koophone.Transient(err))
				case want.network:
					require.Error(t, err)
					var apiErr *koophone.APIError
					assert.False(t, errors.As(err, &apiErr), "no answer, so no *APIError: %v", err)
					assert.True(t, koophone.Transient(err), "a network failure is transient: %v", err)
				case want.sentinel != nil:
					require.ErrorIs(t, err, want.sentinel)
				}
				if err != nil {
					assert.True(t, strings.HasPrefix(err.Error(), "koophone: "), err.Error())
					assert.True(t, utf8.ValidString(err.Error()))
					assert.Less(t, len(err.Error()), 1200)
				}
				if want.attempts >= 0 && p.name != "WaitUntilReady" {
					assert.EqualValues(t, want.attempts, hits.Load(), "attempts")
				}
			})
		}
	}
}

// faultClient starts the loopback server of fault f for path p (none for a
// refused connection) and returns a client of it and the count of requests
// it received. Only a hanging fault needs the attempts' timeout: 200 ms,
// which takes effect once the server has each request (heldTimeout). The
// other faults answer, however late, within the far timeout they get.
func faultClient(t *testing.T, f faultCase, p callPath, far time.Duration) (*koophone.Client, *atomic.Int32) {
	t.Helper()
	hits := new(atomic.Int32)
	held := newHeldTimeout(t)
	opts := []koophone.Option{koophone.WithRequestTimeout(far),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: retriedTimes - 1, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})}
	if hangingFaults[f.name] {
		opts[0] = koophone.WithRequestTimeout(200 * time.Millisecond)
		opts = append(opts, koophone.WithHTTPClient(&http.Client{Transport: held}))
	}
	if f.handler == nil {
		return newClient(t, append(opts, koophone.WithEndpoint("http://127.0.0.1:1"))...), hits // nothing listens on port 1
	}
	h := f.handler(p)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.Copy(io.Discard, r.Body)
		if hangingFaults[f.name] {
			held.Arrived()
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return newClient(t, append(opts, koophone.WithEndpoint(srv.URL))...), hits
}

// callWithoutPanic makes the call, turning a panic into a test failure.
func callWithoutPanic(t *testing.T, ctx context.Context, c *koophone.Client, p callPath) (err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Errorf("%s panicked: %v", p.name, r)
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return p.call(ctx, c)
}

// TestSecretsNeverAppear runs every call path with every kind of
// credentials, distinctive secrets, a logger at its most verbose level and
// answers that fail in every way, then searches everything the SDK
// produced (errors, log records, fmt output of its exported types) for
// the secrets. The CLI's tests do the same for its output.
func TestSecretsNeverAppear(t *testing.T) {
	t.Parallel()
	secrets := []string{testToken, testSK, testSecToken, testPassword, "dt-SECRET-e3b0c442"}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug - 4}))
	var out []string
	record := func(vs ...any) {
		for _, v := range vs {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
				out = append(out, fmt.Sprintf(verb, v))
			}
		}
	}

	srv := koophonetest.NewServer(koophonetest.WithToken(testToken), koophonetest.WithInstances("u", "i"))
	defer srv.Close()

	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	iam.setFail(func(n int) (int, string) {
		if n == 1 {
			return 401, `{"error":{"code":401,"message":"The username or password is wrong."}}`
		}
		return 0, ""
	})
	iamCfg := koophone.IAMConfig{Endpoint: iam.URL, DomainName: "acme", UserName: "ops", Password: testPassword, ProjectName: "p"}
	iamSource, err := koophone.NewIAMTokenSource(iamCfg)
	require.NoError(t, err)
	record(iamCfg, &iamCfg, iamSource, koophone.StaticToken(testToken))

	credentials := map[string]koophone.Option{
		"token":      koophone.WithToken(testToken),
		"aksk":       koophone.WithTemporaryAKSK(testAK, testSK, testSecToken, testProject),
		"iam":        koophone.WithTokenSource(iamSource),
		"wrong host": koophone.WithToken(testToken),
	}
	for name, cred := range credentials {
		endpoint := koophone.WithEndpoint(srv.URL)
		if name == "wrong host" {
			endpoint = koophone.WithEndpoint("http://koophone.example.com") // refused: plain http to a remote host
		}
		c := newClient(t, endpoint, cred, koophone.WithLogger(logger))
		record(c, *c)
		for _, p := range callPaths {
			for _, fault := range []koophonetest.Fault{{}, koophonetest.HTMLPage(502), koophonetest.DropConnection(),
				koophonetest.APIError(401, koophone.CodeGatewayUnauthorized, "bad "+testToken[:4])} {
				srv.Script("i", koophone.PrepareReady) // a wait ends at its first poll: calls before may have moved the instance on
				srv.FailNext(1, fault)
				err := p.call(timeout(t), c)
				if err != nil {
					record(err)
				}
			}
		}
		dt, err := c.GetDeviceToken(timeout(t), "i", nil)
		if err == nil {
			dt.Token = "dt-SECRET-e3b0c442" // a distinctive one
			record(dt, *dt)
		}
	}
	require.NotEmpty(t, logs.String())
	out = append(out, logs.String())
	for _, s := range out {
		for _, secret := range secrets {
			assert.NotContains(t, s, secret)
			assert.NotContains(t, strings.ToLower(s), fmt.Sprintf("%x", secret))
		}
	}
}

func TestEndpointBasePathIsKept(t *testing.T) {
	t.Parallel()
	_, s := setup(t, always(http.StatusOK, okReady))
	c := newClient(t, koophone.WithEndpoint(s.URL+"/gateway/koophone/"))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, "/gateway/koophone/v1/instances/prepare-progress", s.Requests()[0].Path)
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

// A space in a query value goes on the wire as %20, as the official SDKs
// send it and as the AK/SK signature's canonical query has it; a plus sign
// in a value as %2B. "+" is never sent: a gateway may read it as a plus.
func TestQuerySpacesAreSentAsPercent20(t *testing.T) {
	t.Parallel()
	var raw []string
	var mu sync.Mutex
	_, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		mu.Lock()
		raw = append(raw, r.URL.RawQuery)
		mu.Unlock()
		answer(w, http.StatusOK, instancePageBody(0, 0, 1, 100, 0))
	})
	since := time.Date(2023, 8, 15, 14, 30, 45, 0, time.UTC)
	c := newClient(t, koophone.WithEndpoint(s.URL))
	_, err := c.ListInstancesPage(timeout(t), 1, &koophone.ListInstancesOptions{InstanceName: "a b+c", Since: since})
	require.NoError(t, err)
	require.Len(t, raw, 1)
	assert.NotContains(t, raw[0], "+")
	assert.Contains(t, raw[0], "query_start_time=2023-08-15%2014%3A30%3A45")
	assert.Contains(t, raw[0], "instance_name=a%20b%2Bc")
	q, err := url.ParseQuery(raw[0])
	require.NoError(t, err)
	assert.Equal(t, "a b+c", q.Get("instance_name"), "the service reads back what was given")
}
