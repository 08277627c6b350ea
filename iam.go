package koophone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/koophone-go/koophone/internal/backoff"
	"github.com/koophone-go/koophone/internal/redact"
	"github.com/koophone-go/koophone/internal/wire"
)

// IAMConfig says how [NewIAMTokenSource] gets project-scoped tokens from
// IAM with a password. Printing it with fmt, encoding/json or log/slog
// never shows the password (so its JSON cannot be read back into a
// working config) nor the HTTP client.
type IAMConfig struct {
	Endpoint    string       // IAM endpoint; default https://iam.{Region}.myhuaweicloud.com; no user information or query
	Region      string       // e.g. "cn-north-4"; required without Endpoint
	DomainName  string       // the account (domain) name; required
	UserName    string       // the IAM user name; required
	Password    string       // the IAM user's password; required
	ProjectName string       // the project name, e.g. "cn-north-4"; or ProjectID
	ProjectID   string       // the project id; or ProjectName
	HTTPClient  *http.Client // for the IAM calls; copied; default: TLS 1.2+, 30s timeout
}

// iamConfigView is what an IAMConfig shows of itself.
type iamConfigView struct {
	Endpoint, Region, DomainName, UserName string
	Password                               string // "redacted" when set
	ProjectName, ProjectID                 string
}

func (c IAMConfig) view() iamConfigView {
	v := iamConfigView{Endpoint: c.Endpoint, Region: c.Region, DomainName: c.DomainName, UserName: c.UserName,
		ProjectName: c.ProjectName, ProjectID: c.ProjectID}
	if c.Password != "" {
		v.Password = "redacted"
	}
	if v.Endpoint != "" {
		v.Endpoint = redact.URL(v.Endpoint) // user information would be a password too
	}
	return v
}

// Format prints the config without its password, for every verb.
func (c IAMConfig) Format(f fmt.State, _ rune) { //nolint:gocritic // a value receiver covers IAMConfig and *IAMConfig
	v := c.view()
	fmt.Fprintf(f, "koophone.IAMConfig{Endpoint: %q, Region: %q, DomainName: %q, UserName: %q, Password: %s, ProjectName: %q, ProjectID: %q}",
		v.Endpoint, v.Region, v.DomainName, v.UserName, v.Password, v.ProjectName, v.ProjectID)
}

// LogValue logs the config as a group, without its password.
func (c IAMConfig) LogValue() slog.Value { //nolint:gocritic // see Format
	v := c.view()
	return slog.GroupValue(slog.String("Endpoint", v.Endpoint), slog.String("Region", v.Region),
		slog.String("DomainName", v.DomainName), slog.String("UserName", v.UserName), slog.String("Password", v.Password),
		slog.String("ProjectName", v.ProjectName), slog.String("ProjectID", v.ProjectID))
}

// MarshalJSON encodes the config without its password and HTTP client.
func (c IAMConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.view()) } //nolint:gocritic // see Format

// Token lifetimes the IAM token source works with.
const (
	iamRenewBefore  = 15 * time.Minute // renew a token this long before it expires (clock skew, slow calls)
	iamMinValidity  = time.Minute      // a token closer to its expiry than this is not used
	iamMinRenewal   = time.Minute      // a token is never renewed sooner than this after it came
	iamRetryFailure = 30 * time.Second // after a failed renewal, keep the old token this long before trying again
	iamTimeout      = 30 * time.Second
	iamRetries      = 2 // repeats of a token request after a transient failure
)

// NewIAMTokenSource returns a TokenSource that gets project-scoped tokens
// from IAM with a password identity (POST /v3/auth/tokens), caches each
// token, and renews it 15 minutes before it expires; a token that lives
// shorter than usual (a skewed clock) is renewed after 80% of its lifetime,
// and never sooner than a minute after it came. When a renewal fails while
// the cached token is still valid, the cached token is used and the renewal
// is tried again 30 seconds later. It implements [TokenInvalidator], so a
// client drops a token the service rejects and fetches a fresh one.
//
// Concurrent callers share one request to IAM and its outcome, failure
// included. The request is repeated up to twice after a network failure
// (the IAM client's timeout included), HTTP 429 or a 5xx, within the
// caller's ctx; these failures are transient: a wait counts them against
// [WithMaxConsecutiveErrors]. A credential IAM refuses (HTTP 4xx other
// than 429: a wrong password, a locked user, an unknown project) is
// remembered and never sent again by this source, so that retries cannot
// lock the account: while the cached token is valid it is used, and then
// every call fails with IAM's answer. Build a new source once the account
// is fixed.
//
// IAM failures are an [*IAMError] that says what is wrong without the
// password or any token, even when IAM echoes them. A config that is
// incomplete gives an error matching [ErrInvalidParameter]. No I/O
// happens before the first Token call. Printing the source shows no secret.
func NewIAMTokenSource(cfg IAMConfig) (TokenSource, error) {
	u, err := iamEndpoint(cfg)
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(newIAMTokenRequest(cfg))
	if err != nil {
		return nil, invalidArg("IAM config: %v", err)
	}
	hc := &http.Client{Timeout: iamTimeout, Transport: defaultTransport()}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		hc = &copied
	}
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	fetcher := &iamFetcher{
		url:       strings.TrimRight(u.String(), "/") + "/v3/auth/tokens",
		user:      cfg.DomainName + "/" + cfg.UserName,
		body:      body,
		secrets:   []string{cfg.Password},
		hc:        hc,
		retryWait: 100 * time.Millisecond,
	}
	return &iamTokenSource{fetcher: fetcher, now: time.Now}, nil
}

// iamEndpoint checks cfg and returns the IAM endpoint it names.
func iamEndpoint(cfg IAMConfig) (*url.URL, error) {
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
	switch {
	case err != nil: // not quoted, here and below: the URL may hold a password
		return nil, invalidArg("IAM config: endpoint is not a URL")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
		return nil, invalidArg("IAM config: endpoint must not contain user information, a query or a fragment")
	case (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return nil, invalidArg("IAM config: endpoint %q must be an absolute http(s) URL", u.Redacted())
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, invalidArg("IAM config: refusing to send a password over plain http to %q", u.Host)
	}
	return u, nil
}

// The body of POST /v3/auth/tokens: a password identity, a project scope.
type (
	iamTokenRequest struct {
		Auth iamAuth `json:"auth"`
	}
	iamAuth struct {
		Identity iamIdentity `json:"identity"`
		Scope    iamScope    `json:"scope"`
	}
	iamIdentity struct {
		Methods  []string    `json:"methods"`
		Password iamPassword `json:"password"`
	}
	iamPassword struct {
		User iamUser `json:"user"`
	}
	iamUser struct {
		Name     string    `json:"name"`
		Password string    `json:"password"`
		Domain   iamDomain `json:"domain"`
	}
	iamDomain struct {
		Name string `json:"name"`
	}
	iamScope struct {
		Project iamProject `json:"project"`
	}
	iamProject struct {
		ID   string `json:"id,omitempty"`
		Name string `json:"name,omitempty"` // sent only without ID
	}
)

func newIAMTokenRequest(cfg IAMConfig) iamTokenRequest {
	project := iamProject{ID: cfg.ProjectID}
	if project.ID == "" {
		project.Name = cfg.ProjectName
	}
	user := iamUser{Name: cfg.UserName, Password: cfg.Password, Domain: iamDomain{Name: cfg.DomainName}}
	return iamTokenRequest{Auth: iamAuth{
		Identity: iamIdentity{Methods: []string{"password"}, Password: iamPassword{User: user}},
		Scope:    iamScope{Project: project},
	}}
}

// iamToken is a token as IAM issued it.
type iamToken struct {
	value   string
	expires time.Time
}

// iamFetcher asks IAM for tokens; it caches nothing.
type iamFetcher struct {
	url       string
	user      string   // domain/user, for descriptions
	body      []byte   // the token request; holds the password
	secrets   []string // the password as IAM might echo it
	hc        *http.Client
	retryWait time.Duration // the shortest wait before a repeat
}

func (f *iamFetcher) describe() string { return f.url + " as " + f.user }

// fetch asks IAM for a token, repeating the request up to iamRetries times
// after a transient failure, with a short jittered backoff. It returns
// ctx.Err() when ctx ends first.
func (f *iamFetcher) fetch(ctx context.Context) (iamToken, error) {
	for attempt := 0; ; attempt++ {
		tok, err := f.post(ctx)
		if err == nil || attempt == iamRetries || ctx.Err() != nil || !transient(err) {
			return tok, err
		}
		t := time.NewTimer(backoff.Delay(attempt, f.retryWait, 10*f.retryWait, mrand.Float64()))
		select {
		case <-ctx.Done():
			t.Stop()
			return iamToken{}, ctx.Err()
		case <-t.C:
		}
	}
}

// post asks IAM for a token, once.
func (f *iamFetcher) post(ctx context.Context) (iamToken, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(f.body))
	if err != nil {
		return iamToken{}, &IAMError{Message: "cannot build the request"}
	}
	req.Header.Set("Content-Type", "application/json;charset=utf8")
	req.Header.Set("User-Agent", userAgent(""))
	resp, err := f.hc.Do(req)
	if err != nil {
		return iamToken{}, f.networkError(ctx, errors.Unwrap(err)) // without the *url.Error's "Post <url>: "
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	if err != nil {
		return iamToken{}, f.networkError(ctx, fmt.Errorf("reading the answer: %w", err))
	}
	if resp.StatusCode != http.StatusCreated {
		return iamToken{}, newIAMError(resp.StatusCode, body, append([]string{resp.Header.Get("X-Subject-Token")}, f.secrets...))
	}
	return parseIAMToken(resp.Header.Get("X-Subject-Token"), body)
}

// parseIAMToken reads a token from IAM's answer: the token in the
// X-Subject-Token header, its expiry in the body's token.expires_at.
func parseIAMToken(token string, body []byte) (iamToken, error) {
	var out struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
		} `json:"token"`
	}
	if err := json.Unmarshal(body, &out); err != nil || checkSecret("X-Subject-Token", token) != nil {
		return iamToken{}, &IAMError{HTTPStatus: http.StatusCreated, Message: "the answer has no usable X-Subject-Token or token body"}
	}
	expires, err := time.Parse(time.RFC3339Nano, out.Token.ExpiresAt)
	if err != nil {
		return iamToken{}, &IAMError{HTTPStatus: http.StatusCreated, Message: "token.expires_at is not a time"}
	}
	return iamToken{value: token, expires: expires}, nil
}

// networkError classifies a request that got no (complete) answer: the
// caller gave up (ctx.Err()), or the network or the IAM client's own
// timeout failed it (an *iamNetworkError, transient unless the failure is
// one no repeat can cure, such as a bad certificate).
func (f *iamFetcher) networkError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		// The IAM client's timeout, not the caller's: not a context error.
		return &iamNetworkError{err: errors.New("IAM did not answer in time"), retryable: true}
	}
	return &iamNetworkError{err: cleanError(err, f.secrets), retryable: retryableNetworkError(err)}
}

// iamNetworkError is a token request that got no answer from IAM.
type iamNetworkError struct {
	err       error
	retryable bool
}

func (e *iamNetworkError) Error() string   { return "koophone: IAM token: " + e.err.Error() }
func (e *iamNetworkError) Unwrap() error   { return e.err }
func (e *iamNetworkError) transient() bool { return e.retryable }

// transient reports whether IAM may answer differently soon: HTTP 429, a
// 5xx, or a success without a usable token.
func (e *IAMError) transient() bool {
	return e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500 || e.HTTPStatus/100 == 2
}

// rejected reports whether IAM refused the request as sent (a 4xx other
// than 429): sending the same credentials again gets the same answer and
// counts towards locking the user.
func (e *IAMError) rejected() bool {
	return e.HTTPStatus/100 == 4 && e.HTTPStatus != http.StatusTooManyRequests
}

// newIAMError reads IAM's error body: {"error":{"code":401,"message":"...","title":"..."}}
// or {"error_code":"IAM.0006","error_msg":"..."}. Every form of the secrets
// is removed from what it keeps.
func newIAMError(status int, body []byte, secrets []string) *IAMError {
	var v struct {
		Error struct {
			Message string `json:"message"`
			Title   string `json:"title"`
		} `json:"error"`
		ErrorCode string `json:"error_code"`
		ErrorMsg  string `json:"error_msg"`
	}
	_ = json.Unmarshal(body, &v)
	set := redact.New(secrets...)
	clean := func(s string) string { return wire.SanitiseMessage(set.Redact(s)) }
	e := &IAMError{HTTPStatus: status, Code: clean(v.ErrorCode)}
	for _, m := range []string{v.Error.Message, v.ErrorMsg, v.Error.Title, wire.Snippet([]byte(set.Redact(string(body)))), http.StatusText(status)} {
		if m = clean(m); m != "" {
			e.Message = m
			break
		}
	}
	return e
}

// iamTokenSource caches the tokens its fetcher gets; see NewIAMTokenSource.
type iamTokenSource struct {
	fetcher *iamFetcher
	now     func() time.Time

	mu          sync.Mutex
	token       string
	renewAt     time.Time  // the token is renewed from then on
	usableUntil time.Time  // and no longer used from then on
	retryAt     time.Time  // no renewal before this while the old token is usable
	rejected    error      // IAM's refusal of the credentials: never asked again
	inflight    *iamFlight // the renewal under way, if any
}

// iamFlight is one renewal, shared by the callers that wait for it.
type iamFlight struct {
	done      chan struct{}
	token     string
	err       error
	abandoned bool // the caller that made it gave up before IAM answered
}

func (s *iamTokenSource) describe() string { return s.fetcher.describe() }

// Format prints the source without any secret, for every verb.
func (s *iamTokenSource) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "koophone.IAMTokenSource{%s}", s.describe())
}

// LogValue logs the source without any secret.
func (s *iamTokenSource) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(s)) }

// MarshalJSON encodes the source without any secret.
func (s *iamTokenSource) MarshalJSON() ([]byte, error) { return json.Marshal(fmt.Sprint(s)) }

// Token returns the cached token, renewing it when it is due.
func (s *iamTokenSource) Token(ctx context.Context) (string, error) {
	for {
		s.mu.Lock()
		now := s.now()
		if tok, ok := s.serve(now); ok {
			s.mu.Unlock()
			return tok, nil
		}
		if err := s.rejected; err != nil {
			s.mu.Unlock()
			return "", err
		}
		f := s.inflight
		if f == nil {
			f = &iamFlight{done: make(chan struct{})}
			s.inflight = f
			s.mu.Unlock()
			return s.renew(ctx, f)
		}
		s.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		switch {
		case !f.abandoned:
			return f.token, f.err
		case ctx.Err() != nil:
			return "", ctx.Err()
		}
		// The caller that asked IAM gave up before the answer: ask again for this one.
	}
}

// serve returns the cached token when it is to be used without asking
// IAM: before it is due for renewal, or while it is usable and a renewal
// is under way, failed recently, or would send credentials IAM refused.
// s.mu is held.
func (s *iamTokenSource) serve(now time.Time) (string, bool) {
	if s.token == "" || !now.Before(s.usableUntil) {
		return "", false
	}
	if now.Before(s.renewAt) || s.inflight != nil || s.rejected != nil || now.Before(s.retryAt) {
		return s.token, true
	}
	return "", false
}

// renew asks IAM for a token for the callers of flight f, which the caller
// leads, and keeps the outcome. A failure leaves a usable old token in use.
func (s *iamTokenSource) renew(ctx context.Context, f *iamFlight) (string, error) {
	tok, err := s.fetcher.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight = nil
	now := s.now()
	var iamErr *IAMError
	switch {
	case err == nil:
		s.keep(tok, now)
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		f.abandoned = true
	case errors.As(err, &iamErr) && iamErr.rejected():
		s.rejected = err
	default:
		s.retryAt = now.Add(iamRetryFailure)
	}
	f.token, f.err = tok.value, err
	close(f.done)
	if old, ok := s.serve(now); ok && err != nil && !f.abandoned {
		return old, nil
	}
	return f.token, f.err
}

// keep caches tok, which came at now, and sets when to renew it: 15
// minutes before it expires or, for a token that lives shorter than usual
// (a skewed clock), after 80% of its lifetime; never sooner than a minute
// after it came. s.mu is held.
func (s *iamTokenSource) keep(tok iamToken, now time.Time) {
	renewAt := tok.expires.Add(-iamRenewBefore)
	if early := now.Add(tok.expires.Sub(now) * 4 / 5); early.After(renewAt) {
		renewAt = early
	}
	if floor := now.Add(iamMinRenewal); floor.After(renewAt) {
		renewAt = floor
	}
	s.token, s.renewAt, s.retryAt = tok.value, renewAt, time.Time{}
	s.usableUntil = tok.expires.Add(-iamMinValidity)
	if s.usableUntil.Before(renewAt) {
		s.usableUntil = renewAt
	}
}

// InvalidateToken drops token if it is the cached one, so that the next
// Token call fetches a new one.
func (s *iamTokenSource) InvalidateToken(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if token != "" && token == s.token {
		s.token, s.renewAt, s.usableUntil, s.retryAt = "", time.Time{}, time.Time{}, time.Time{}
	}
}
