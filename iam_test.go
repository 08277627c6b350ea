package koophone_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

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
