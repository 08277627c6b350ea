package koophone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/koophone-go/koophone/internal/backoff"
	"github.com/koophone-go/koophone/internal/signer"
)

// TokenSource supplies the IAM token sent as X-Auth-Token. The Client asks
// it once per attempt, so a source that renews its token is picked up by
// the next attempt. Token must be safe for concurrent use and should honour
// ctx. An error from Token fails the call without sending it (it is not
// retried).
type TokenSource interface {
	Token(ctx context.Context) (string, error)
}

// TokenSourceFunc adapts a function to a [TokenSource].
type TokenSourceFunc func(ctx context.Context) (string, error)

// Token returns f(ctx).
func (f TokenSourceFunc) Token(ctx context.Context) (string, error) { return f(ctx) }

// StaticToken returns a TokenSource that always returns token. Printing it
// with fmt shows no part of the token.
func StaticToken(token string) TokenSource { return staticToken{token: token} }

type staticToken struct{ token string }

func (s staticToken) Token(context.Context) (string, error) {
	if s.token == "" {
		return "", errors.New("empty static token")
	}
	return s.token, nil
}

// Format prints the source without its token, for every verb.
func (s staticToken) Format(f fmt.State, _ rune) { fmt.Fprint(f, "koophone.StaticToken(redacted)") }

// TokenInvalidator is implemented by token sources that cache tokens, such
// as the one [NewIAMTokenSource] returns. When the service rejects a token
// (HTTP 401 with APIGW.0301 or APIGW.0307), the client calls
// InvalidateToken with it and repeats the call once with a fresh token.
// InvalidateToken must be safe for concurrent use and must ignore a token
// it no longer holds.
type TokenInvalidator interface {
	InvalidateToken(token string)
}

// authorizer adds credentials to one attempt of a call. The client has
// exactly one: a token sent as X-Auth-Token, or an AK/SK signature.
type authorizer interface {
	// authorize sets the credential headers of req, a copy made for this
	// attempt whose body is body. An error fails the attempt unsent.
	authorize(ctx context.Context, req *http.Request, body []byte, now time.Time) error
	// rejected is told that the service refused the credentials sent in h
	// (HTTP 401 with APIGW.0301 or APIGW.0307). It reports whether another
	// attempt would send different ones (a cached token was dropped).
	rejected(h http.Header) bool
	// String describes the credentials without any secret.
	String() string
}

// headerAuthToken carries the token of token authentication.
const headerAuthToken = "X-Auth-Token"

// tokenAuth sends a token from a TokenSource, asked once per attempt.
type tokenAuth struct{ ts TokenSource }

func (a tokenAuth) authorize(ctx context.Context, req *http.Request, _ []byte, _ time.Time) error {
	token, err := a.ts.Token(ctx)
	if err == nil {
		err = checkSecret("token", token)
	}
	if err != nil {
		return fmt.Errorf("token source: %w", err)
	}
	req.Header[headerAuthToken] = []string{token}
	return nil
}

func (a tokenAuth) rejected(h http.Header) bool {
	inv, ok := a.ts.(TokenInvalidator)
	if ok {
		inv.InvalidateToken(h.Get(headerAuthToken))
	}
	return ok
}

func (a tokenAuth) String() string {
	switch t := a.ts.(type) {
	case staticToken:
		return "static token"
	case *iamTokenSource:
		return "IAM password token source (" + t.describe() + ")"
	default:
		return "token source"
	}
}

// akskCredentials sign each attempt instead of sending a token.
type akskCredentials struct {
	accessKey, secretKey, securityToken, projectID string
}

func (a *akskCredentials) authorize(_ context.Context, req *http.Request, body []byte, now time.Time) error {
	req.Header[signer.HeaderProjectID] = []string{a.projectID}
	if a.securityToken != "" {
		req.Header[signer.HeaderSecurityToken] = []string{a.securityToken}
	}
	signer.Sign(req, body, a.accessKey, a.secretKey, now)
	return nil
}

// rejected reports false: a signature is made afresh for every attempt, and
// keys that were refused once will be refused again.
func (a *akskCredentials) rejected(http.Header) bool { return false }

func (a *akskCredentials) String() string {
	return "AK/SK signing (access key " + redact(a.accessKey) + ")"
}

// WithAKSK signs each attempt with an access key pair in the
// SDK-HMAC-SHA256 scheme (as the official Huawei Cloud SDKs do) instead of
// sending X-Auth-Token: it adds X-Sdk-Date, X-Project-Id and Authorization.
// Each attempt is signed afresh. The secret key never leaves the client and
// is never printed.
func WithAKSK(accessKey, secretKey, projectID string) Option {
	return withAKSK("WithAKSK", &akskCredentials{accessKey: accessKey, secretKey: secretKey, projectID: projectID})
}

// WithTemporaryAKSK is [WithAKSK] for temporary credentials (from STS or
// an agency), which also send their security token as X-Security-Token.
func WithTemporaryAKSK(accessKey, secretKey, securityToken, projectID string) Option {
	return withAKSK("WithTemporaryAKSK", &akskCredentials{accessKey: accessKey, secretKey: secretKey, securityToken: securityToken, projectID: projectID})
}

func withAKSK(name string, creds *akskCredentials) Option {
	return func(cfg *clientConfig) error {
		fields := []struct{ what, value string }{
			{"access key", creds.accessKey}, {"secret key", creds.secretKey}, {"project id", creds.projectID},
		}
		if name == "WithTemporaryAKSK" {
			fields = append(fields, struct{ what, value string }{"security token", creds.securityToken})
		}
		for _, f := range fields {
			if err := checkSecret(f.what, f.value); err != nil {
				return invalidArg("%s: %v", name, err)
			}
		}
		cfg.auth = creds
		return nil
	}
}

// redact shows the first characters of an identifier that is not secret
// but is not worth printing whole either.
func redact(s string) string {
	if len(s) <= 4 {
		return "…"
	}
	return s[:4] + "…"
}

// Environment variables read by [WithEnvCredentials].
const (
	EnvToken         = "KOOPHONE_TOKEN"                 // a static IAM token
	EnvAccessKey     = "HUAWEICLOUD_SDK_AK"             // access key, with EnvSecretKey and EnvProjectID
	EnvSecretKey     = "HUAWEICLOUD_SDK_SK"             // secret key
	EnvProjectID     = "HUAWEICLOUD_SDK_PROJECT_ID"     // project id for AK/SK signing
	EnvSecurityToken = "HUAWEICLOUD_SDK_SECURITY_TOKEN" // security token of temporary keys (optional)
	EnvIAMEndpoint   = "KOOPHONE_IAM_ENDPOINT"          // IAM endpoint (optional; default from the region)
	EnvIAMRegion     = "KOOPHONE_IAM_REGION"            // region of the IAM endpoint, e.g. cn-north-4
	EnvIAMDomain     = "KOOPHONE_IAM_DOMAIN"            // account (domain) name
	EnvIAMUser       = "KOOPHONE_IAM_USER"              // IAM user name
	EnvIAMPassword   = "KOOPHONE_IAM_PASSWORD"          // IAM user's password
	EnvIAMProject    = "KOOPHONE_IAM_PROJECT"           // project name, e.g. cn-north-4
	EnvIAMProjectID  = "KOOPHONE_IAM_PROJECT_ID"        // or the project id
)

// WithEnvCredentials takes credentials from the environment, in this order:
//  1. KOOPHONE_TOKEN: a static token ([WithToken]);
//  2. HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID,
//     with HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary keys: AK/SK signing
//     ([WithAKSK], [WithTemporaryAKSK]);
//  3. KOOPHONE_IAM_USER, KOOPHONE_IAM_PASSWORD, KOOPHONE_IAM_DOMAIN, with
//     KOOPHONE_IAM_PROJECT or KOOPHONE_IAM_PROJECT_ID and KOOPHONE_IAM_REGION
//     or KOOPHONE_IAM_ENDPOINT: tokens from IAM ([NewIAMTokenSource]).
//
// The first group with any variable set is used and must be complete; when
// none is set, NewClient fails with an error that lists what was looked for.
func WithEnvCredentials() Option {
	return func(cfg *clientConfig) error {
		env := func(name string) string { return strings.TrimSpace(os.Getenv(name)) }
		if tok := env(EnvToken); tok != "" {
			return WithToken(tok)(cfg)
		}
		if env(EnvAccessKey) != "" || env(EnvSecretKey) != "" {
			if missing := missingEnv(env, EnvAccessKey, EnvSecretKey, EnvProjectID); missing != "" {
				return invalidArg("environment: %s is not set", missing)
			}
			if st := env(EnvSecurityToken); st != "" {
				return WithTemporaryAKSK(env(EnvAccessKey), env(EnvSecretKey), st, env(EnvProjectID))(cfg)
			}
			return WithAKSK(env(EnvAccessKey), env(EnvSecretKey), env(EnvProjectID))(cfg)
		}
		if env(EnvIAMUser) != "" || env(EnvIAMPassword) != "" {
			if missing := missingEnv(env, EnvIAMUser, EnvIAMPassword, EnvIAMDomain); missing != "" {
				return invalidArg("environment: %s is not set", missing)
			}
			ts, err := NewIAMTokenSource(IAMConfig{
				Endpoint: env(EnvIAMEndpoint), Region: env(EnvIAMRegion),
				DomainName: env(EnvIAMDomain), UserName: env(EnvIAMUser), Password: os.Getenv(EnvIAMPassword),
				ProjectName: env(EnvIAMProject), ProjectID: env(EnvIAMProjectID),
			})
			if err != nil {
				return err
			}
			return WithTokenSource(ts)(cfg)
		}
		return invalidArg("no credentials in the environment: looked for %s; then %s, %s and %s; then %s, %s and %s",
			EnvToken, EnvAccessKey, EnvSecretKey, EnvProjectID, EnvIAMUser, EnvIAMPassword, EnvIAMDomain)
	}
}

// missingEnv returns the first of names that env reports empty, or "".
func missingEnv(env func(string) string, names ...string) string {
	for _, n := range names {
		if env(n) == "" {
			return n
		}
	}
	return ""
}

// IAMConfig says how [NewIAMTokenSource] gets project-scoped tokens from
// IAM with a password. Printing it never shows the password.
type IAMConfig struct {
	Endpoint    string       // IAM endpoint; default https://iam.{Region}.myhuaweicloud.com
	Region      string       // e.g. "cn-north-4"; required without Endpoint
	DomainName  string       // the account (domain) name; required
	UserName    string       // the IAM user name; required
	Password    string       // the IAM user's password; required
	ProjectName string       // the project name, e.g. "cn-north-4"; or ProjectID
	ProjectID   string       // the project id; or ProjectName
	HTTPClient  *http.Client // for the IAM calls; copied; default: TLS 1.2+, 30s timeout
}

// Format prints the config without its password, for every verb.
func (c IAMConfig) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "koophone.IAMConfig{Endpoint: %q, Region: %q, DomainName: %q, UserName: %q, Password: redacted, ProjectName: %q, ProjectID: %q}",
		c.Endpoint, c.Region, c.DomainName, c.UserName, c.ProjectName, c.ProjectID)
}

// Token lifetimes the IAM token source works with.
const (
	iamRenewBefore  = 15 * time.Minute // renew a token this long before it expires (clock skew, slow calls)
	iamMinValidity  = time.Minute      // a token closer to its expiry than this is not used
	iamRetryFailure = 30 * time.Second // after a failed renewal, keep the old token this long before trying again
	iamTimeout      = 30 * time.Second
)

// NewIAMTokenSource returns a TokenSource that gets project-scoped tokens
// from IAM with a password identity (POST /v3/auth/tokens), caches each
// token, and renews it 15 minutes before it expires. Concurrent callers
// share one request, which is repeated up to twice after a network failure,
// HTTP 429 or a 5xx. When a renewal fails while the cached token is still
// valid, the cached token is used and the renewal is tried again later.
// It implements [TokenInvalidator], so a client drops a token the service
// rejects and fetches a fresh one.
//
// IAM failures are an [*IAMError] that says what is wrong (bad password,
// unknown project, locked user) without the password or any token. A
// config that is incomplete gives an error matching [ErrInvalidParameter].
// No I/O happens before the first Token call.
func NewIAMTokenSource(cfg IAMConfig) (TokenSource, error) {
	switch {
	case cfg.DomainName == "" || cfg.UserName == "" || cfg.Password == "":
		return nil, invalidArg("IAM config: DomainName, UserName and Password are required")
	case cfg.ProjectName == "" && cfg.ProjectID == "":
		return nil, invalidArg("IAM config: ProjectName or ProjectID is required (KooPhone needs a project-scoped token)")
	case cfg.Endpoint == "" && cfg.Region == "":
		return nil, invalidArg("IAM config: Region or Endpoint is required")
	}
	endpoint := cfg.Endpoint
	if endpoint == "" {
		if strings.ContainsAny(cfg.Region, "/:@?#") {
			return nil, invalidArg("IAM config: region %q is not a region name", cfg.Region)
		}
		endpoint = "https://iam." + cfg.Region + ".myhuaweicloud.com"
	}
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, invalidArg("IAM config: endpoint %q must be an absolute http(s) URL", endpoint)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, invalidArg("IAM config: refusing to send a password over plain http to %q", u.Host)
	}
	scope := map[string]any{"name": cfg.ProjectName}
	if cfg.ProjectID != "" {
		scope = map[string]any{"id": cfg.ProjectID}
	}
	body, err := json.Marshal(map[string]any{"auth": map[string]any{
		"identity": map[string]any{
			"methods":  []string{"password"},
			"password": map[string]any{"user": map[string]any{"name": cfg.UserName, "password": cfg.Password, "domain": map[string]any{"name": cfg.DomainName}}},
		},
		"scope": map[string]any{"project": scope},
	}})
	if err != nil {
		return nil, invalidArg("IAM config: %v", err)
	}
	hc := &http.Client{Timeout: iamTimeout, Transport: defaultTransport()}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		hc = &copied
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &iamTokenSource{
		url:       strings.TrimRight(u.String(), "/") + "/v3/auth/tokens",
		user:      cfg.DomainName + "/" + cfg.UserName,
		request:   body,
		hc:        hc,
		now:       time.Now,
		retryWait: 100 * time.Millisecond,
	}, nil
}

// iamTokenSource caches IAM tokens; see NewIAMTokenSource.
type iamTokenSource struct {
	url       string
	user      string // domain/user, for descriptions
	request   []byte // the token request; holds the password
	hc        *http.Client
	now       func() time.Time
	retryWait time.Duration // the shortest wait before a retry

	mu       sync.Mutex
	token    string
	expires  time.Time
	retryAt  time.Time // no renewal before this while the old token is usable
	inflight *iamFetch // the renewal under way, if any
}

// iamFetch is one request to IAM, shared by the callers that wait for it.
type iamFetch struct {
	done    chan struct{}
	token   string
	expires time.Time
	err     error
}

// Format prints the source without any secret, for every verb.
func (s *iamTokenSource) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "koophone.IAMTokenSource{%s}", s.describe())
}

func (s *iamTokenSource) describe() string { return s.url + " as " + s.user }

// Token returns the cached token, renewing it when it is about to expire.
func (s *iamTokenSource) Token(ctx context.Context) (string, error) {
	for {
		s.mu.Lock()
		now := s.now()
		if s.token != "" && now.Before(s.expires.Add(-iamRenewBefore)) {
			tok := s.token
			s.mu.Unlock()
			return tok, nil
		}
		usable := s.token != "" && now.Before(s.expires.Add(-iamMinValidity))
		if usable && (now.Before(s.retryAt) || s.inflight != nil) {
			tok := s.token // renewal under way or failed recently: the old token still serves
			s.mu.Unlock()
			return tok, nil
		}
		if f := s.inflight; f != nil {
			s.mu.Unlock()
			select {
			case <-f.done:
			case <-ctx.Done():
				return "", ctx.Err()
			}
			if f.err == nil {
				return f.token, nil
			}
			if isContextError(f.err) && ctx.Err() == nil {
				continue // the caller that fetched gave up; try again for this one
			}
			return "", f.err
		}
		f := &iamFetch{done: make(chan struct{})}
		s.inflight = f
		s.mu.Unlock()

		f.token, f.expires, f.err = s.fetchWithRetries(ctx)

		s.mu.Lock()
		s.inflight = nil
		if f.err == nil {
			s.token, s.expires, s.retryAt = f.token, f.expires, time.Time{}
		} else if usable {
			s.retryAt = s.now().Add(iamRetryFailure)
		}
		tok := s.token
		s.mu.Unlock()
		close(f.done)
		switch {
		case f.err == nil:
			return f.token, nil
		case usable:
			return tok, nil
		}
		return "", f.err
	}
}

// InvalidateToken drops token if it is the cached one, so that the next
// Token call fetches a new one.
func (s *iamTokenSource) InvalidateToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if token != "" && token == s.token {
		s.token, s.expires, s.retryAt = "", time.Time{}, time.Time{}
	}
}

// iamRetries is how often a failed token request is repeated when IAM or
// the network fails in a way another attempt may not meet.
const iamRetries = 2

// fetchWithRetries asks IAM for a token, repeating the request after a
// network failure, HTTP 429 or a 5xx, with a short jittered backoff.
func (s *iamTokenSource) fetchWithRetries(ctx context.Context) (string, time.Time, error) {
	for attempt := 0; ; attempt++ {
		token, expires, err := s.fetch(ctx)
		if err == nil || attempt == iamRetries || ctx.Err() != nil || !iamTransient(err) {
			return token, expires, err
		}
		t := time.NewTimer(backoff.Delay(attempt, s.retryWait, 10*s.retryWait, mrand.Float64()))
		select {
		case <-ctx.Done():
			t.Stop()
			return "", time.Time{}, ctx.Err()
		case <-t.C:
		}
	}
}

// iamTransient reports whether a failed token request is worth repeating.
func iamTransient(err error) bool {
	var iamErr *IAMError
	if errors.As(err, &iamErr) {
		return iamErr.HTTPStatus == http.StatusTooManyRequests || iamErr.HTTPStatus >= 500
	}
	return !isContextError(err) // a network failure
}

// fetch asks IAM for a token, once.
func (s *iamTokenSource) fetch(ctx context.Context) (string, time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.url, bytes.NewReader(s.request))
	if err != nil {
		return "", time.Time{}, &IAMError{Message: "cannot build the request"}
	}
	req.Header.Set("Content-Type", "application/json;charset=utf8")
	req.Header.Set("User-Agent", userAgent(""))
	resp, err := s.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", time.Time{}, ctx.Err()
		}
		return "", time.Time{}, fmt.Errorf("koophone: IAM token: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return "", time.Time{}, fmt.Errorf("koophone: IAM token: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusCreated {
		return "", time.Time{}, newIAMError(resp.StatusCode, body)
	}
	token := resp.Header.Get("X-Subject-Token")
	var out struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
		} `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || checkSecret("X-Subject-Token", token) != nil {
		return "", time.Time{}, &IAMError{HTTPStatus: resp.StatusCode, Message: "the answer has no usable X-Subject-Token or token body"}
	}
	expires, err := time.Parse(time.RFC3339Nano, out.Token.ExpiresAt)
	if err != nil {
		return "", time.Time{}, &IAMError{HTTPStatus: resp.StatusCode, Message: "token.expires_at is not a time"}
	}
	return token, expires, nil
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
