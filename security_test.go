package koophone_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

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
	srv.Script("i", koophone.PrepareReady)

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

// rawServer answers every connection with what reply makes of the request
// head, bypassing net/http's server, as a hostile peer can.
func rawServer(t *testing.T, reply func(head string) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				br := bufio.NewReader(c)
				var head strings.Builder
				for {
					l, err := br.ReadString('\n')
					head.WriteString(l)
					if err != nil || l == "\r\n" {
						break
					}
				}
				io.WriteString(c, reply(head.String()))
			}(c)
		}
	}()
	return "http://" + ln.Addr().String()
}

// headerValue returns the value of header name in a raw request head.
func headerValue(head, name string) string {
	for _, l := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// net/http quotes a malformed status line in its error: a hostile server
// that echoes the token there must not get it into the error or the log,
// and the error stays bounded.
func TestNetworkErrorsAreScrubbedAndBounded(t *testing.T) {
	t.Parallel()
	url := rawServer(t, func(head string) string {
		return "BOGUS:token=" + headerValue(head, "X-Auth-Token") + ":" + strings.Repeat("A", 100000) + "\r\n\r\n"
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

// A token of any length that a server echoes is scrubbed.
func TestShortEchoedTokenIsScrubbed(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		answer(w, http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"token `+r.Header.Get("X-Auth-Token")+` is invalid"}`)
	}, koophone.WithToken("tok1234"))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "tok1234")
	assert.Contains(t, err.Error(), "token [redacted] is invalid", "the server did echo the token")
}
