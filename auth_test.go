package koophone_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/internal/signer"
)

const (
	testAK       = "HPUATESTACCESSKEY01"
	testSK       = "sk-S3CR3T-9c8b7a6f5e4d"
	testSecToken = "sectok-S3CR3T-1a2b3c"
	testPassword = "pw-S3CR3T-Hunter2!"
	testProject  = "0123456789abcdef0123456789abcdef"
)

// verifySignature re-signs a received request with the test secret key at
// its own X-Sdk-Date and reports whether the signatures agree.
func verifySignature(t *testing.T, r received, method, host string) bool {
	t.Helper()
	at, err := time.Parse(signer.DateFormat, r.Header.Get(signer.HeaderDate))
	require.NoError(t, err)
	req, err := http.NewRequest(method, "http://"+host+r.Path, bytes.NewReader(r.Raw))
	require.NoError(t, err)
	req.Header = r.Header.Clone()
	for _, h := range []string{"Authorization", "Accept-Encoding", "Content-Length"} {
		req.Header.Del(h) // added by the transport when sending, not signed
	}
	signer.Sign(req, r.Raw, testAK, testSK, at)
	return req.Header.Get("Authorization") == r.Header.Get("Authorization")
}

func TestAKSKSignsEveryAttempt(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	clock.Advance(time.Date(2026, 11, 25, 17, 50, 13, 0, time.UTC).Sub(clock.Now()))
	c, s := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			clock.Advance(time.Second) // the date moves on between attempts
			answer(w, http.StatusServiceUnavailable, ``)
			return
		}
		answer(w, http.StatusOK, okReady)
	}, koophone.WithAKSK(testAK, testSK, testProject), koophone.WithNow(clock.Now))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	host := strings.TrimPrefix(s.URL, "http://")
	for _, r := range reqs {
		assert.Empty(t, r.Header.Get("X-Auth-Token"))
		assert.Equal(t, testProject, r.Header.Get("X-Project-Id"))
		assert.True(t, strings.HasPrefix(r.Header.Get("Authorization"),
			"SDK-HMAC-SHA256 Access="+testAK+", SignedHeaders=host;user-agent;x-project-id;x-request-id;x-sdk-date, Signature="),
			r.Header.Get("Authorization"))
		assert.True(t, verifySignature(t, r, http.MethodPost, host), "the signature verifies")
	}
	assert.Equal(t, "20261125T175013Z", reqs[0].Header.Get("X-Sdk-Date"))
	assert.Equal(t, "20261125T175014Z", reqs[1].Header.Get("X-Sdk-Date"), "each attempt is signed afresh")
	assert.NotEqual(t, reqs[0].Header.Get("Authorization"), reqs[1].Header.Get("Authorization"))
}

func TestTemporaryAKSKSendsTheSecurityToken(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, okReady), koophone.WithTemporaryAKSK(testAK, testSK, testSecToken, testProject))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	r := s.Requests()[0]
	assert.Equal(t, testSecToken, r.Header.Get("X-Security-Token"))
	assert.Contains(t, r.Header.Get("Authorization"), "x-sdk-date;x-security-token, Signature=")
	assert.True(t, verifySignature(t, r, http.MethodPost, strings.TrimPrefix(s.URL, "http://")))
}

func TestAKSKOptionsAreChecked(t *testing.T) {
	t.Parallel()
	for _, opt := range []koophone.Option{
		koophone.WithAKSK("", testSK, testProject),
		koophone.WithAKSK(testAK, "", testProject),
		koophone.WithAKSK(testAK, testSK, ""),
		koophone.WithAKSK(testAK, "a b", testProject),
		koophone.WithTemporaryAKSK(testAK, testSK, "", testProject),
	} {
		_, err := koophone.NewClient(opt)
		require.ErrorIs(t, err, koophone.ErrInvalidParameter)
		assert.NotContains(t, err.Error(), testSK)
	}
	// The last credentials option wins.
	c, err := koophone.NewClient(koophone.WithAKSK(testAK, testSK, testProject), koophone.WithToken("t"))
	require.NoError(t, err)
	assert.Contains(t, fmt.Sprint(c), "static token")
}

// TestRejectedTokenIsRenewedOnce: the service rejects the first IAM token;
// the client drops it, gets a fresh one and repeats the call once.
func TestRejectedTokenIsRenewedOnce(t *testing.T) {
	t.Parallel()
	clock := koophone.NewFakeClock(false)
	iam := newIAMServer(t, clock.Now)
	ts := newIAMSource(t, iam, clock, nil)
	handler := func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.Header.Get("X-Auth-Token") != "iam-token-2" {
			answer(w, http.StatusUnauthorized, `{"error_code":"APIGW.0307","error_msg":"The token must be updated.","request_id":"r"}`)
			return
		}
		answer(w, http.StatusOK, okReady)
	}
	c, s := setup(t, handler, koophone.WithTokenSource(ts))
	p, err := c.PrepareProgress(timeout(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareReady, p.Status)
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Header.Get("X-Request-Id"), reqs[1].Header.Get("X-Request-Id"), "the same call")
	assert.EqualValues(t, 2, iam.requests.Load())

	// A token that keeps being rejected is renewed only once per call.
	c2, s2 := setup(t, always(http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"auth"}`), koophone.WithTokenSource(ts))
	_, err = c2.PrepareProgress(timeout(t), "u", "i")
	require.ErrorIs(t, err, koophone.ErrUnauthorized)
	assert.Len(t, s2.Requests(), 2)

	// A static token is not renewed.
	c3, s3 := setup(t, always(http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"auth"}`))
	_, err = c3.PrepareProgress(timeout(t), "u", "i")
	require.ErrorIs(t, err, koophone.ErrUnauthorized)
	assert.Len(t, s3.Requests(), 1)
}

func TestStaticTokenRedactsItsToken(t *testing.T) {
	t.Parallel()
	assertRedacted(t, koophone.StaticToken(testToken), testToken)
}
