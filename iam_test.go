package koophone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// iamServer is a fake IAM that issues numbered tokens valid for ttl.
type iamServer struct {
	*httptest.Server
	requests atomic.Int32
	mu       sync.Mutex
	bodies   []map[string]any
	ttl      time.Duration
	now      func() time.Time
	fail     func(n int) (status int, body string) // non-nil: answer this instead
	hold     time.Duration                         // delay every answer
	stall    func(n int) bool                      // request n gets no answer until the client gives up
	header   http.Header                           // sent with every answer
}

func newIAMServer(t *testing.T, now func() time.Time) *iamServer {
	s := &iamServer{ttl: 24 * time.Hour, now: now}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.requests.Add(1))
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		s.mu.Lock()
		s.bodies = append(s.bodies, body)
		fail, hold, stall := s.fail, s.hold, s.stall
		for k, v := range s.header {
			w.Header()[k] = v
		}
		s.mu.Unlock()
		if stall != nil && stall(n) {
			<-r.Context().Done()
			return
		}
		if hold > 0 {
			time.Sleep(hold)
		}
		if r.Method != http.MethodPost || r.URL.Path != "/v3/auth/tokens" {
			w.WriteHeader(http.StatusNotFound)
			return
		}
		if fail != nil {
			if status, msg := fail(n); status != 0 {
				w.WriteHeader(status)
				io.WriteString(w, msg)
				return
			}
		}
		w.Header().Set("X-Subject-Token", fmt.Sprintf("iam-token-%d", n))
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":{"expires_at":%q,"methods":["password"]}}`, s.now().Add(s.ttl).UTC().Format("2006-01-02T15:04:05.000000Z"))
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *iamServer) setFail(f func(n int) (int, string)) { s.mu.Lock(); s.fail = f; s.mu.Unlock() }

func newIAMSource(t *testing.T, iam *iamServer, clock *koophone.FakeClock, edit func(*koophone.IAMConfig)) koophone.TokenSource {
	t.Helper()
	cfg := koophone.IAMConfig{
		Endpoint: iam.URL, DomainName: "acme", UserName: "ops", Password: testPassword, ProjectName: "cn-north-4",
	}
	if edit != nil {
		edit(&cfg)
	}
	ts, err := koophone.NewIAMTokenSource(cfg)
	require.NoError(t, err)
	koophone.SetIAMClock(ts, clock.Now)
	return ts
}

func TestIAMTokenSourceIssuesAndCaches(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	ts := newIAMSource(t, iam, clock, nil)

	tok, err := ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1", tok)
	want := map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []any{"password"}, "password": map[string]any{
			"user": map[string]any{"name": "ops", "password": testPassword, "domain": map[string]any{"name": "acme"}}}},
		"scope": map[string]any{"project": map[string]any{"name": "cn-north-4"}},
	}}
	assert.Equal(t, want, iam.bodies[0])

	clock.Advance(23 * time.Hour) // still more than 15 minutes left
	tok, err = ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1", tok, "cached")
	assert.EqualValues(t, 1, iam.requests.Load())

	clock.Advance(46 * time.Minute) // 14 minutes left: renew ahead of expiry
	tok, err = ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-2", tok)
	assert.EqualValues(t, 2, iam.requests.Load())
}

func TestIAMTokenSourceRetriesTransientFailures(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	iam.setFail(func(n int) (int, string) {
		if n == 1 {
			return http.StatusServiceUnavailable, ``
		}
		return 0, ""
	})
	tok, err := newIAMSource(t, iam, clock, nil).Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-2", tok)

	iam2 := newIAMServer(t, clock.Now)
	iam2.setFail(func(int) (int, string) { return http.StatusUnauthorized, `{"error":{"message":"wrong"}}` })
	_, err = newIAMSource(t, iam2, clock, nil).Token(timeout(t))
	require.ErrorIs(t, err, koophone.ErrUnauthorized)
	assert.EqualValues(t, 1, iam2.requests.Load(), "a wrong password is not retried")
}

func TestIAMTokenSourceScopesByProjectID(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	ts := newIAMSource(t, iam, clock, func(c *koophone.IAMConfig) { c.ProjectName, c.ProjectID = "", testProject })
	_, err := ts.Token(timeout(t))
	require.NoError(t, err)
	scope := iam.bodies[0]["auth"].(map[string]any)["scope"]
	assert.Equal(t, map[string]any{"project": map[string]any{"id": testProject}}, scope)
}

func TestIAMTokenSourceSingleFlight(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	iam.hold = 50 * time.Millisecond // long enough for every caller to ask while the first request is out
	ts := newIAMSource(t, iam, clock, nil)
	var wg sync.WaitGroup
	tokens := make([]string, 50)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tok, err := ts.Token(timeout(t))
			assert.NoError(t, err)
			tokens[i] = tok
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 1, iam.requests.Load())
	for _, tok := range tokens {
		assert.Equal(t, "iam-token-1", tok)
	}
}

// inRenewalWindow returns a source whose token, iam-token-1, is due for
// renewal but still valid, from an IAM that now answers status and body.
func inRenewalWindow(t *testing.T, status int, body string) (koophone.TokenSource, *iamServer, *koophone.FakeClock) {
	t.Helper()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	ts := newIAMSource(t, iam, clock, nil)
	_, err := ts.Token(timeout(t))
	require.NoError(t, err)
	iam.setFail(func(int) (int, string) { return status, body })
	clock.Advance(24*time.Hour - 10*time.Minute)
	return ts, iam, clock
}

func TestIAMTokenSourceKeepsTheOldTokenWhenRenewalFails(t *testing.T) {
	t.Parallel()
	ts, iam, clock := inRenewalWindow(t, http.StatusInternalServerError, `{"error":{"code":500,"message":"busy"}}`)
	tok, err := ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1", tok, "the old token still serves")
	assert.EqualValues(t, 4, iam.requests.Load(), "one renewal: a request and two retries")

	tok, err = ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-1", tok)
	assert.EqualValues(t, 4, iam.requests.Load(), "no new attempt right after a failure")

	iam.setFail(nil)
	clock.Advance(31 * time.Second)
	tok, err = ts.Token(timeout(t))
	require.NoError(t, err)
	assert.Equal(t, "iam-token-5", tok, "tried again later")

	iam.setFail(func(int) (int, string) { return http.StatusInternalServerError, `` })
	clock.Advance(24 * time.Hour) // expired: nothing to fall back on
	_, err = ts.Token(timeout(t))
	var iamErr *koophone.IAMError
	require.ErrorAs(t, err, &iamErr)
	assert.Equal(t, http.StatusInternalServerError, iamErr.HTTPStatus)
}

func TestIAMErrorsSayWhatIsWrong(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status   int
		body     string
		sentinel error
		want     []string
	}{
		{401, `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`, koophone.ErrUnauthorized,
			[]string{"HTTP 401: The username or password is wrong.", "check the domain name, user name and password, and whether the user is locked"}},
		{401, `{"error":{"code":401,"message":"The account is locked.","title":"Unauthorized"}}`, koophone.ErrUnauthorized,
			[]string{"The account is locked."}},
		{404, `{"error_code":"IAM.0004","error_msg":"Project cn-nowhere-1 does not exist."}`, koophone.ErrInvalidParameter,
			[]string{"HTTP 404 IAM.0004: Project cn-nowhere-1 does not exist.", "check the project name or id"}},
		{403, `<html>forbidden</html>`, koophone.ErrPermissionDenied, []string{"HTTP 403: Forbidden"}},
	}
	for _, tt := range tests {
		clock := koophone.NewFakeClock(false)
		iam := newIAMServer(t, clock.Now)
		iam.setFail(func(int) (int, string) { return tt.status, tt.body })
		_, err := newIAMSource(t, iam, clock, nil).Token(timeout(t))
		require.ErrorIs(t, err, tt.sentinel)
		for _, w := range tt.want {
			assert.Contains(t, err.Error(), w)
		}
		assert.NotContains(t, err.Error(), testPassword)
		assert.True(t, strings.HasPrefix(err.Error(), "koophone: IAM token: "), err.Error())
	}
}

func TestIAMTokenSourceHonoursTheContext(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	iam.stall = func(n int) bool { return n == 1 }
	ts := newIAMSource(t, iam, clock, nil)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ts.Token(ctx)
		done <- err
	}()
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.EqualValues(c, 1, iam.requests.Load()) }, 5*time.Second, time.Millisecond)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	tok, err := ts.Token(timeout(t))
	require.NoError(t, err, "a later caller fetches again")
	assert.Equal(t, "iam-token-2", tok)
}

func TestNewIAMTokenSourceChecksItsConfig(t *testing.T) {
	t.Parallel()
	ok := koophone.IAMConfig{Region: "cn-north-4", DomainName: "d", UserName: "u", Password: testPassword, ProjectName: "cn-north-4"}
	for _, edit := range []func(*koophone.IAMConfig){
		func(c *koophone.IAMConfig) { c.Password = "" },
		func(c *koophone.IAMConfig) { c.DomainName = "" },
		func(c *koophone.IAMConfig) { c.ProjectName = "" },
		func(c *koophone.IAMConfig) { c.Region = "" },
		func(c *koophone.IAMConfig) { c.Region = "evil.com/x" },
		func(c *koophone.IAMConfig) { c.Endpoint = "http://iam.example.com" },
		func(c *koophone.IAMConfig) { c.Endpoint = "iam.example.com" },
	} {
		cfg := ok
		edit(&cfg)
		_, err := koophone.NewIAMTokenSource(cfg)
		require.ErrorIs(t, err, koophone.ErrInvalidParameter)
		assert.NotContains(t, err.Error(), testPassword)
	}
	ts, err := koophone.NewIAMTokenSource(ok)
	require.NoError(t, err)
	assert.Contains(t, fmt.Sprint(ts), "https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens as d/u")
}

// TestIAMRefusalIsRemembered: IAM locks a user after a few failed logins,
// so a credential it refuses is never sent again by the source.
func TestIAMRefusalIsRemembered(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden} {
		clock := koophone.NewFakeClock(false)
		iam := newIAMServer(t, clock.Now)
		iam.setFail(func(int) (int, string) { return status, `{"error":{"message":"The username or password is wrong."}}` })
		ts := newIAMSource(t, iam, clock, nil)
		_, first := ts.Token(timeout(t))
		require.Error(t, first)
		for _, wait := range []time.Duration{0, time.Second, time.Minute, 2 * time.Hour} {
			clock.Advance(wait)
			_, err := ts.Token(timeout(t))
			assert.Equal(t, first, err, "the same error, HTTP %d", status)
		}
		assert.EqualValues(t, 1, iam.requests.Load(), "HTTP %d: asked once", status)
	}
}

// TestIAMRefusedRenewalKeepsTheOldToken: a renewal that IAM refuses is not
// tried again; the old token serves until it is no longer usable.
func TestIAMRefusedRenewalKeepsTheOldToken(t *testing.T) {
	t.Parallel()
	ts, iam, clock := inRenewalWindow(t, http.StatusUnauthorized, `{"error":{"message":"The account is locked."}}`)
	for range 3 {
		tok, err := ts.Token(timeout(t))
		require.NoError(t, err)
		assert.Equal(t, "iam-token-1", tok)
		clock.Advance(time.Minute) // past the 30 s a transient failure waits
	}
	assert.EqualValues(t, 2, iam.requests.Load(), "one refused renewal, not repeated")
	clock.Advance(time.Hour)
	_, err := ts.Token(timeout(t))
	require.ErrorIs(t, err, koophone.ErrUnauthorized)
	assert.EqualValues(t, 2, iam.requests.Load())
}

// TestIAMWrongPasswordInAWait: a wait over 200 instances with a wrong
// password asks IAM once (it sent 25-37 requests before).
func TestIAMWrongPasswordInAWait(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	iam.setFail(func(int) (int, string) { return http.StatusUnauthorized, `{"error":{"message":"wrong"}}` })
	c, s := setup(t, always(http.StatusOK, okQueuing), koophone.WithTokenSource(newIAMSource(t, iam, clock, nil)))
	ids := make([]string, 200)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-%d", i)
	}
	_, err := c.WaitAllReady(timeout(t), "u", ids, koophone.WithClock(koophone.NewFakeClock(true)), koophone.WithConcurrency(16))
	require.ErrorIs(t, err, koophone.ErrUnauthorized)
	assert.LessOrEqual(t, iam.requests.Load(), int32(2))
	assert.Empty(t, s.Requests(), "nothing sent without a token")
}

// TestIAMTimeoutIsASharedNetworkFailure: when the IAM client's own timeout
// ends a request, the callers waiting for it share the failure; it is a
// network failure, repeated twice, and not mistaken for a caller giving up
// (each caller then made its own request, one after another). The timeout
// is the http.Client's, which runs on the wall clock: 100 ms is long
// enough for every caller to join the first request.
func TestIAMTimeoutIsASharedNetworkFailure(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	iam.stall = func(int) bool { return true }
	ts := newIAMSource(t, iam, clock, func(c *koophone.IAMConfig) {
		c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
	})
	errs := make([]error, 8)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = ts.Token(timeout(t))
		}()
	}
	wg.Wait()
	assert.EqualValues(t, 3, iam.requests.Load(), "one request and two repeats, shared")
	for _, err := range errs {
		require.Error(t, err)
		assert.Equal(t, errs[0], err, "one shared outcome")
		assert.NotErrorIs(t, err, context.DeadlineExceeded)
		assert.NotErrorIs(t, err, context.Canceled)
		assert.Equal(t, "koophone: IAM token: IAM did not answer in time", err.Error())
	}
}

// TestIAMBriefFailuresAreTransient: a wait tolerates an IAM 429, 5xx,
// network failure or timeout like any transient poll failure (the waits
// and the transport share the rule koophone.Transient exports); a refusal
// ends it.
func TestIAMBriefFailuresAreTransient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int // 0: the network fails; -1: IAM does not answer in time
		transient bool
	}{
		{"429", http.StatusTooManyRequests, true},
		{"500", http.StatusInternalServerError, true},
		{"503", http.StatusServiceUnavailable, true},
		{"network", 0, true},
		{"timeout", -1, true},
		{"400", http.StatusBadRequest, false},
		{"401", http.StatusUnauthorized, false},
		{"403", http.StatusForbidden, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := koophone.NewFakeClock(false)
			iam := newIAMServer(t, clock.Now)
			iam.setFail(func(int) (int, string) { return tt.status, `{"error":{"message":"no"}}` })
			iam.stall = func(int) bool { return tt.status == -1 }
			ts := newIAMSource(t, iam, clock, func(c *koophone.IAMConfig) {
				c.HTTPClient = &http.Client{Timeout: 10 * time.Millisecond} // the wall clock: see TestIAMTimeoutIsASharedNetworkFailure
			})
			if tt.status == 0 {
				iam.Close() // connection refused
			}
			c, _ := setup(t, always(http.StatusOK, okReady), koophone.WithTokenSource(ts))
			_, err := c.PrepareProgress(timeout(t), "u", "i")
			require.Error(t, err)
			assert.Equal(t, tt.transient, koophone.Transient(err), err.Error())
		})
	}
}

// TestIAMShortLivedTokensAreReused: a token that expires sooner than the
// 15-minute renewal margin (a skewed clock) is not fetched anew for every
// call: it is renewed after 80% of its lifetime, at most once a minute.
func TestIAMShortLivedTokensAreReused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		ttl        time.Duration
		kept, gone time.Duration // still used after kept; renewed after gone
	}{
		{10 * time.Minute, 7 * time.Minute, 8*time.Minute + time.Second},
		{30 * time.Second, 50 * time.Second, time.Minute + time.Second},
		{-time.Hour, 50 * time.Second, time.Minute + time.Second}, // expired already by our clock
	}
	for _, tt := range tests {
		clock := koophone.NewFakeClock(false)
		iam := newIAMServer(t, clock.Now)
		iam.ttl = tt.ttl
		ts := newIAMSource(t, iam, clock, nil)
		tok, err := ts.Token(timeout(t))
		require.NoError(t, err)
		require.Equal(t, "iam-token-1", tok)
		clock.Advance(tt.kept)
		tok, err = ts.Token(timeout(t))
		require.NoError(t, err)
		assert.Equal(t, "iam-token-1", tok, "ttl %s: kept after %s", tt.ttl, tt.kept)
		clock.Advance(tt.gone - tt.kept)
		tok, err = ts.Token(timeout(t))
		require.NoError(t, err)
		assert.Equal(t, "iam-token-2", tok, "ttl %s: renewed after %s", tt.ttl, tt.gone)
	}
}

func TestIAMConfigAndSourceRedactTheirSecrets(t *testing.T) {
	t.Parallel()
	cfg := koophone.IAMConfig{Endpoint: "https://iam.example.com", DomainName: "acme", UserName: "ops",
		Password: testPassword, ProjectName: "cn-north-4", HTTPClient: &http.Client{}}
	ts, err := koophone.NewIAMTokenSource(cfg)
	require.NoError(t, err)
	for _, v := range []any{cfg, &cfg, ts} {
		assertRedacted(t, v, testPassword)
	}
	j, err := json.Marshal(cfg)
	require.NoError(t, err)
	assert.JSONEq(t, `{"Endpoint":"https://iam.example.com","Region":"","DomainName":"acme","UserName":"ops",
		"Password":"redacted","ProjectName":"cn-north-4","ProjectID":""}`, string(j))
}

// TestIAMErrorsScrubEchoedSecrets: an IAM answer that repeats the password
// (or a token), in any field or escaped in JSON, leaves no trace of it in
// the error.
func TestIAMErrorsScrubEchoedSecrets(t *testing.T) {
	t.Parallel()
	const password = `pw<S3CR3T>&"x`
	const subject = "subj-S3CR3T-token"
	bodies := []string{
		`{"error":{"message":"password pw<S3CR3T>&\"x is wrong"}}`,
		`{"error_code":"pw<S3CR3T>&\"x","error_msg":"password pw\u003cS3CR3T\u003e\u0026\"x is wrong"}`,
		`{"detail":"password pw\u003cS3CR3T\u003e\u0026\"x is wrong"}`,
		`{"detail":"password pw<S3CR3T>&\"x is wrong"}`,
		`password pw<S3CR3T>&"x is wrong`,
		`token subj-S3CR3T-token is wrong`,
		`{"error":{"message":"password pw<S3C\u200bR3T>&\"x is wrong"}}`,
		`{"error_msg":"token subj-S3\u2066CR3T-token is wrong"}`,
	}
	for _, body := range bodies {
		clock := koophone.NewFakeClock(false)
		iam := newIAMServer(t, clock.Now)
		iam.setFail(func(int) (int, string) { return http.StatusBadRequest, body })
		iam.header = http.Header{"X-Subject-Token": {subject}}
		_, err := newIAMSource(t, iam, clock, func(c *koophone.IAMConfig) { c.Password = password }).Token(timeout(t))
		var iamErr *koophone.IAMError
		require.ErrorAs(t, err, &iamErr)
		for _, s := range []string{err.Error(), iamErr.Message, iamErr.Code} {
			assert.NotContains(t, s, "S3CR3T", body)
		}
		assert.Contains(t, err.Error(), "[redacted]", body)
	}
}

// net/http quotes a malformed status line in its error: an IAM (or a proxy
// in front of it) that echoes the request body there must not get the
// password into the error.
func TestIAMNetworkErrorsAreScrubbed(t *testing.T) {
	t.Parallel()
	url := rawServer(t, func(string) string {
		return `ECHO:{"password":"hunter2-PASSWORD"}` + strings.Repeat("A", 10000) + "\r\n\r\n"
	})
	ts, err := koophone.NewIAMTokenSource(koophone.IAMConfig{Endpoint: url, DomainName: "d", UserName: "u", Password: "hunter2-PASSWORD", ProjectName: "p"})
	require.NoError(t, err)
	koophone.SetIAMClock(ts, time.Now)
	_, err = ts.Token(timeout(t))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2-PASSWORD")
	assert.Contains(t, err.Error(), "[redacted]", "the server did echo the password")
	assert.Less(t, len(err.Error()), 2048)
}

// An IAM endpoint with user information holds a password (net/http sends
// it as basic auth). WithEndpoint refuses user information; the IAM config
// takes it and then prints it in fmt, encoding/json, the token source, the
// Client and its own errors.
func TestAttackIAMEndpointPasswordIsNeverPrinted(t *testing.T) {
	t.Parallel()
	const secret = "PROXY-PASSW0RD-91"
	cfg := koophone.IAMConfig{Endpoint: "https://proxy:" + secret + "@iam.example.com", DomainName: "acme",
		UserName: "ops", Password: testPassword, ProjectName: "p"}
	var out []string
	js, _ := json.Marshal(cfg)
	out = append(out, fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", &cfg), string(js))
	ts, err := koophone.NewIAMTokenSource(cfg)
	if err != nil {
		out = append(out, err.Error())
	} else {
		c, err := koophone.NewClient(koophone.WithTokenSource(ts))
		require.NoError(t, err)
		out = append(out, fmt.Sprintf("%v", ts), fmt.Sprintf("%+v", c))
	}
	bad := cfg
	bad.Endpoint = "ftp://proxy:" + secret + "@iam.example.com"
	_, err = koophone.NewIAMTokenSource(bad)
	require.ErrorIs(t, err, koophone.ErrInvalidParameter)
	out = append(out, err.Error())
	for _, s := range out {
		assert.NotContains(t, s, secret)
	}
}
