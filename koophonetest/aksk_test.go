package koophonetest_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/internal/signer"
	"github.com/koophone-go/koophone/koophonetest"
)

// The key pairs of the AK/SK tests.
const (
	testAK, testSK, testProject = "AKTEST", "secret-key", "project-1"
	tempAK, tempSK, tempToken   = "AKTEMP", "temp-secret", "security-token"
)

// oddID is an instance id whose path segment needs escaping.
const oddID = "a/b c%云+~"

// signingServer is a server that takes a permanent and a temporary key
// pair, with an instance whose name needs escaping in a query.
func signingServer(t *testing.T, opts ...koophonetest.Option) *koophonetest.Server {
	return newServer(t, append([]koophonetest.Option{
		koophonetest.WithAKSK(testAK, testSK, testProject),
		koophonetest.WithTemporaryAKSK(tempAK, tempSK, tempToken, testProject),
		koophonetest.WithInstance(koophonetest.Instance{ID: "phone-1", Name: "shop phone+1/云", User: "alice"}),
		koophonetest.WithInstance(koophonetest.Instance{ID: oddID, User: "alice"}),
	}, opts...)...)
}

// Clients that sign, permanent or temporary, and a token client all read,
// write and wait on a server with WithAKSK.
func TestSigningClientsWork(t *testing.T) {
	t.Parallel()
	srv := signingServer(t)
	for name, opt := range map[string]koophone.Option{
		"aksk":      koophone.WithAKSK(testAK, testSK, testProject),
		"temporary": koophone.WithTemporaryAKSK(tempAK, tempSK, tempToken, testProject),
		"token":     koophone.WithToken(srv.Token()),
	} {
		c := srv.Client(opt)
		page, err := c.ListInstancesPage(ctx(t), 1, &koophone.ListInstancesOptions{InstanceName: "phone+1/云", Order: "asc"})
		require.NoError(t, err, name)
		require.Len(t, page.Instances, 1, name)
		assert.Equal(t, "shop phone+1/云", page.Instances[0].Name, name)
		_, err = c.PrepareInstances(ctx(t), "alice", []string{"phone-1"})
		require.NoError(t, err, name)
		p, err := c.WaitUntilReady(ctx(t), "alice", "phone-1")
		require.NoError(t, err, name)
		assert.Equal(t, koophone.PrepareReady, p.Status, name)
		_, err = c.GetDeviceToken(ctx(t), "phone-1", nil)
		require.NoError(t, err, name)
		_, err = c.GetDeviceToken(ctx(t), oddID, nil)
		require.NoError(t, err, name)
	}
	var signed, temporary int
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r.Header.Get("Authorization"), signer.Algorithm+" Access="+testAK+",") {
			signed++
			assert.Empty(t, r.Header.Get("X-Auth-Token"))
		}
		if r.Header.Get(signer.HeaderSecurityToken) == tempToken {
			temporary++
		}
	}
	assert.Positive(t, signed)
	assert.Positive(t, temporary)
}

// Without WithAKSK nothing changes: a signing client is refused.
func TestSignedRequestsNeedWithAKSK(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("alice", "phone-1"))
	_, err := srv.Client(koophone.WithAKSK(testAK, testSK, testProject)).PrepareInstances(ctx(t), "alice", []string{"phone-1"})
	assertUnauthorized(t, err)
	_, err = srv.Client().PrepareInstances(ctx(t), "alice", []string{"phone-1"})
	assert.NoError(t, err)
}

// A signing client whose clock is more than 15 minutes from the server's
// is refused with the gateway's code.
func TestSigningClientWithAClockTooFarOff(t *testing.T) {
	t.Parallel()
	for _, off := range []time.Duration{-16 * time.Minute, 16 * time.Minute} {
		srv := signingServer(t, koophonetest.WithClock(func() time.Time { return time.Now().Add(off) }))
		_, err := srv.Client(koophone.WithAKSK(testAK, testSK, testProject)).PrepareInstances(ctx(t), "alice", []string{"phone-1"})
		assert.Contains(t, assertUnauthorized(t, err).Message, "X-Sdk-Date")
	}
}

// assertUnauthorized checks that err is the gateway's 401 APIGW.0301 and
// returns it.
func assertUnauthorized(t *testing.T, err error) *koophone.APIError {
	t.Helper()
	var apiErr *koophone.APIError
	require.True(t, errors.As(err, &apiErr), "%v", err)
	assert.Equal(t, "APIGW.0301", apiErr.Code)
	assert.Equal(t, http.StatusUnauthorized, apiErr.HTTPStatus)
	assert.ErrorIs(t, err, koophone.ErrUnauthorized)
	return apiErr
}

// signedCall is a raw request signed as koophone.WithAKSK signs it, which
// edit may change after signing.
type signedCall struct {
	method, target, body string
	ak, sk               string
	at                   time.Time
	edit                 func(*http.Request)
}

// send sends the call to srv and returns the status and error_code.
func (c signedCall) send(t *testing.T, srv *koophonetest.Server) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), c.method, srv.URL+c.target, strings.NewReader(c.body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Request-Id", "r-1")
	req.Header.Set(signer.HeaderProjectID, testProject)
	if c.ak == tempAK {
		req.Header.Set(signer.HeaderSecurityToken, tempToken)
	}
	signer.Sign(req, []byte(c.body), c.ak, c.sk, c.at)
	if c.edit != nil {
		c.edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var env struct {
		Code      string `json:"error_code"`
		RequestID string `json:"request_id"`
	}
	require.NoError(t, json.Unmarshal(b, &env), string(b))
	if env.Code != "0" {
		assert.NotEmpty(t, env.RequestID, "a gateway error carries request_id: %s", b)
	}
	return resp.StatusCode, env.Code
}

// Each way a signed request can be wrong gets HTTP 401 with APIGW.0301.
func TestBadSignaturesAreRefused(t *testing.T) {
	t.Parallel()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	clock := newClock()
	srv := signingServer(t, koophonetest.WithClock(clock.Now))
	now := clock.Now()
	const progress = "/v1/instances/prepare-progress"
	body := `{"user_id":"alice","instance_id":"phone-1"}`
	ok := signedCall{method: "POST", target: progress, body: body, ak: testAK, sk: testSK, at: now}
	status, code := ok.send(t, srv)
	require.Equal(t, "0", code)
	require.Equal(t, http.StatusOK, status)

	with := func(edit func(c *signedCall)) signedCall { c := ok; edit(&c); return c }
	header := func(edit func(h http.Header)) signedCall {
		return with(func(c *signedCall) { c.edit = func(r *http.Request) { edit(r.Header) } })
	}
	for name, c := range map[string]signedCall{
		"wrong secret":       with(func(c *signedCall) { c.sk = "other" }),
		"unknown access key": with(func(c *signedCall) { c.ak = "AKOTHER" }),
		"tampered body": with(func(c *signedCall) {
			c.edit = func(r *http.Request) {
				tampered := strings.Replace(body, "phone-1", "phone-2", 1)
				r.Body, r.ContentLength = io.NopCloser(strings.NewReader(tampered)), int64(len(tampered))
			}
		}),
		"tampered query": with(func(c *signedCall) {
			c.method, c.target, c.body = "GET", "/v1/instances/batch-query?x-request-id=r-1&page_no=1&page_size=10", ""
			c.edit = func(r *http.Request) {
				r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "page_size=10", "page_size=20", 1)
			}
		}),
		"tampered path": with(func(c *signedCall) {
			c.edit = func(r *http.Request) { r.URL.Path = "/v1/instances/prepare" }
		}),
		"stale date":         with(func(c *signedCall) { c.at = now.Add(-15*time.Minute - time.Second) }),
		"date in future":     with(func(c *signedCall) { c.at = now.Add(15*time.Minute + time.Second) }),
		"date with millis":   header(func(h http.Header) { h.Set(signer.HeaderDate, now.Format("20060102T150405.000Z")) }),
		"date changed":       header(func(h http.Header) { h.Set(signer.HeaderDate, now.Add(time.Second).Format(signer.DateFormat)) }),
		"no date":            header(func(h http.Header) { h.Del(signer.HeaderDate) }),
		"no project":         header(func(h http.Header) { h.Del(signer.HeaderProjectID) }),
		"other project":      header(func(h http.Header) { h.Set(signer.HeaderProjectID, "project-2") }),
		"no authorization":   header(func(h http.Header) { h.Del("Authorization") }),
		"signed header lost": header(func(h http.Header) { h.Del("X-Request-Id") }),
		"header changed":     header(func(h http.Header) { h.Set("X-Request-Id", "r-2") }),
		"other algorithm": header(func(h http.Header) {
			h.Set("Authorization", strings.Replace(h.Get("Authorization"), signer.Algorithm, "SDK-HMAC-SHA1", 1))
		}),
		"host not signed": header(func(h http.Header) {
			h.Set("Authorization", strings.Replace(h.Get("Authorization"), "SignedHeaders=host;", "SignedHeaders=", 1))
		}),
		"unsent header signed": header(func(h http.Header) {
			h.Set("Authorization", strings.Replace(h.Get("Authorization"), "SignedHeaders=", "SignedHeaders=accept;", 1))
		}),
		"temporary key without its token": with(func(c *signedCall) {
			c.ak, c.sk = tempAK, tempSK
			c.edit = func(r *http.Request) { r.Header.Del(signer.HeaderSecurityToken) }
		}),
	} {
		status, code := c.send(t, srv)
		assert.Equal(t, "APIGW.0301", code, name)
		assert.Equal(t, http.StatusUnauthorized, status, name)
	}

	// 15 minutes off either way is still on time; a temporary key with its
	// token works; headers added after signing (User-Agent,
	// Accept-Encoding) are not signed and do not matter.
	for name, c := range map[string]signedCall{
		"15 minutes early": with(func(c *signedCall) { c.at = now.Add(-15 * time.Minute) }),
		"15 minutes late":  with(func(c *signedCall) { c.at = now.Add(15 * time.Minute) }),
		"temporary key":    with(func(c *signedCall) { c.ak, c.sk = tempAK, tempSK }),
		"unsigned header":  header(func(h http.Header) { h.Set("X-Unsigned", "anything") }),
	} {
		_, code := c.send(t, srv)
		assert.Equal(t, "0", code, name)
	}
}

func TestEmptyKeysPanic(t *testing.T) {
	t.Parallel()
	for _, opt := range []koophonetest.Option{
		koophonetest.WithAKSK("", testSK, testProject),
		koophonetest.WithAKSK(testAK, "", testProject),
		koophonetest.WithAKSK(testAK, testSK, ""),
		koophonetest.WithTemporaryAKSK(tempAK, tempSK, "", testProject),
	} {
		assert.Panics(t, func() { koophonetest.NewServer(opt).Close() })
	}
}
