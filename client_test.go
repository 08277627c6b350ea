package koophone_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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

func TestDefaultUserAgent(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, okReady))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(s.Requests()[0].Header.Get("User-Agent"), "koophone-go/"+koophone.Version+" "))
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
