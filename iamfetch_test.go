package koophone_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

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
			ts := newIAMSource(t, iam, clock, func(c *koophone.IAMConfig) {
				if tt.status == -1 { // only this case needs a timeout: see TestIAMTimeoutIsASharedNetworkFailure
					held := newHeldTimeout(t)
					c.HTTPClient = &http.Client{Timeout: 10 * time.Millisecond, Transport: held}
					iam.stall = func(int) bool { held.Arrived(); return true }
				}
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
