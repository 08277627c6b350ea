package koophone

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// DefaultEndpoint is the one global host that serves every KooPhone operation.
const DefaultEndpoint = "https://koophone.myhuaweicloud.com"

// Version is this module's version, sent in the User-Agent header.
const Version = "0.1.0"

const (
	defaultRequestTimeout = 30 * time.Second
	maxBodyBytes          = 1 << 20  // the largest response body read
	maxHeaderBytes        = 64 << 10 // the most response headers the default transport reads
	maxIdleConnsPerHost   = 64       // idle connections kept for concurrent polls
)

// Client calls the KooPhone API. Create one with [NewClient] and reuse it: it
// holds a connection pool. A Client is immutable after NewClient and safe
// for concurrent use by many goroutines. Its zero value is not usable.
//
// Printing a Client (with any fmt verb) never shows its credentials.
type Client struct {
	baseURL   string // endpoint without a trailing slash
	basePath  string // its path, the prefix of every operation's path
	scheme    string
	host      string     // the only host credentials are sent to
	refuse    error      // non-nil when calls must fail before sending (plain http to a remote host)
	auth      authorizer // adds the credentials to each attempt
	userAgent string     // the User-Agent header's value
	observer  Observer   // the logger and WithObserver's; nil: none

	limiter Limiter
	policy  RetryPolicy
	timeout time.Duration // per attempt
	base    http.RoundTripper
	http    *retryablehttp.Client
	now     func() time.Time
	waits   []WaitOption // WithWaitDefaults
}

// Option configures a [Client] in [NewClient]. An Option checks its argument
// and makes NewClient fail with an error matching [ErrInvalidParameter] when
// it is wrong. Later options override earlier ones.
type Option func(*clientConfig) error

// clientConfig collects the options before NewClient builds the Client.
type clientConfig struct {
	endpoint     string
	auth         authorizer
	httpClient   *http.Client
	policy       RetryPolicy
	timeout      time.Duration
	product      string
	logger       *slog.Logger
	limiter      Limiter  // WithLimiter or WithRateLimit; nil: none
	observer     Observer // WithObserver; nil: none
	insecureHTTP bool
	now          func() time.Time // nil: time.Now; tests set it
	waits        []WaitOption     // WithWaitDefaults
}

// NewClient returns a Client configured by opts. Credentials are required:
// give [WithToken], [WithTokenSource], [WithAKSK] or [WithEnvCredentials]. Every option
// is checked; a bad one makes NewClient return an error matching
// [ErrInvalidParameter]. NewClient does no I/O and never panics.
func NewClient(opts ...Option) (*Client, error) {
	defaults, _ := RetryPolicy{}.resolve()
	cfg := clientConfig{endpoint: DefaultEndpoint, policy: defaults, timeout: defaultRequestTimeout}
	for i, opt := range opts {
		if opt == nil {
			return nil, invalidArg("option %d is nil", i)
		}
		if err := opt(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.auth == nil {
		return nil, invalidArg("no credentials: use WithToken, WithTokenSource, WithAKSK or WithEnvCredentials")
	}
	u, err := url.Parse(cfg.endpoint)
	if err != nil {
		return nil, invalidArg("endpoint: %v", err)
	}
	c := &Client{
		baseURL:   strings.TrimRight(u.String(), "/"),
		basePath:  strings.TrimRight(u.EscapedPath(), "/"),
		scheme:    u.Scheme,
		host:      u.Host,
		auth:      cfg.auth,
		userAgent: userAgent(cfg.product),
		observer:  clientObserver(cfg.logger, cfg.observer),
		limiter:   cfg.limiter,
		policy:    cfg.policy,
		timeout:   cfg.timeout,
		now:       cfg.now,
		waits:     cfg.waits,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if u.Scheme == "http" && !cfg.insecureHTTP && !isLoopback(u.Hostname()) {
		c.refuse = invalidArg("endpoint: refusing to send credentials over plain http to %q: use https, or WithInsecureHTTP", u.Host)
	}
	if hc := cfg.httpClient; hc != nil && hc.Timeout > 0 && hc.Timeout < c.timeout {
		c.timeout = hc.Timeout // the caller's client's timeout still bounds each attempt
	}
	c.http = c.retryingClient(cfg.httpClient)
	return c, nil
}

// retryingClient builds the go-retryablehttp client over a copy of the
// caller's http.Client (nil: a default one) whose transport becomes
// the credentials transport over the caller's transport (nil:
// defaultTransport).
func (c *Client) retryingClient(caller *http.Client) *retryablehttp.Client {
	var hc http.Client
	if caller != nil {
		hc = *caller // a copy: the caller's client is never mutated
	}
	c.base = hc.Transport
	if c.base == nil {
		c.base = defaultTransport()
	}
	bounded := &boundTransport{timeout: c.timeout, base: c.base}
	hc.Transport = &credentials{auth: c.auth, scheme: c.scheme, host: c.host, now: c.now, base: bounded}
	hc.Timeout = 0 // each attempt is bounded by c.timeout in boundTransport
	// hc.Jar adds its cookies to each attempt's own headers (beginAttempt).
	hc.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse // credentials never follow a redirect
	}
	return &retryablehttp.Client{
		HTTPClient:   &hc,
		RetryWaitMin: c.policy.MinBackoff,
		RetryWaitMax: c.policy.MaxBackoff,
		RetryMax:     c.policy.MaxRetries,
		CheckRetry:   c.checkRetry,
		Backoff:      c.backoff,
		PrepareRetry: c.prepareRetry,
		ErrorHandler: lastAttempt,
	}
}

// defaultTransport is the pool used when the caller brings no transport:
// the standard settings, more idle connections per host for concurrent
// polls, answers' headers bounded to 64 KiB (net/http's default is 10 MiB,
// 1xx answers included), and TLS 1.2 or newer with verification on.
func defaultTransport() *http.Transport {
	var t *http.Transport
	if dt, ok := http.DefaultTransport.(*http.Transport); ok {
		t = dt.Clone()
	} else {
		t = &http.Transport{Proxy: http.ProxyFromEnvironment, ForceAttemptHTTP2: true}
	}
	t.MaxIdleConns = 4 * maxIdleConnsPerHost
	t.MaxIdleConnsPerHost = maxIdleConnsPerHost
	t.IdleConnTimeout = 90 * time.Second
	t.MaxResponseHeaderBytes = maxHeaderBytes
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.MinVersion = tls.VersionTLS12
	return t
}

// CloseIdleConnections closes the idle connections of the client's
// transport, if it has any. It does not stop calls in flight; the Client
// stays usable. On a nil Client it does nothing.
func (c *Client) CloseIdleConnections() {
	if c == nil {
		return
	}
	if ci, ok := c.base.(interface{ CloseIdleConnections() }); ok {
		ci.CloseIdleConnections()
	}
}

// Format prints a description of the client without its credentials, for
// every verb, so that %v, %+v and %#v of a Client are safe to log.
func (c Client) Format(f fmt.State, _ rune) { //nolint:gocritic // a value receiver covers Client and *Client
	fmt.Fprintf(f, "koophone.Client{endpoint: %q, credentials: %s, retries: %d, timeout: %s}",
		c.baseURL, c.auth, c.policy.MaxRetries, c.timeout)
}

// String describes the client without its credentials.
func (c Client) String() string { return fmt.Sprint(c) } //nolint:gocritic // see Format

// WithEndpoint sets the base URL of the service, DefaultEndpoint by default.
// It must be an absolute http or https URL without query or fragment; a path
// in it is kept as a prefix of every operation's path. Credentials are sent
// over plain http only to a loopback host, unless [WithInsecureHTTP] is given.
func WithEndpoint(baseURL string) Option {
	return func(cfg *clientConfig) error {
		u, err := url.Parse(baseURL)
		switch {
		case err != nil: // not quoted: it may hold a password in a form url cannot parse
			return invalidArg("endpoint is not a URL")
		case u.User != nil: // checked first, as a query is: the other errors quote the URL
			return invalidArg("endpoint must not contain user information")
		case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery:
			return invalidArg("endpoint must not have a query or fragment") // not quoted: a query may hold a secret
		case u.Scheme != "http" && u.Scheme != "https":
			return invalidArg("endpoint %q: scheme must be http or https", baseURL)
		case u.Host == "" || u.Hostname() == "":
			return invalidArg("endpoint %q has no host", baseURL)
		}
		cfg.endpoint = baseURL
		return nil
	}
}

// WithToken authenticates with a static IAM token, sent as X-Auth-Token. A
// token is valid for 24 hours; long-running programs want [WithTokenSource]
// with a source that renews it.
func WithToken(token string) Option {
	return func(cfg *clientConfig) error {
		if err := checkSecret("token", token); err != nil {
			return invalidArg("%v", err)
		}
		cfg.auth = newTokenAuth(StaticToken(token))
		return nil
	}
}

// WithTokenSource authenticates with tokens from ts, asked once per attempt
// (so a renewed token is picked up by the next retry).
func WithTokenSource(ts TokenSource) Option {
	return func(cfg *clientConfig) error {
		if isNil(ts) {
			return invalidArg("token source is nil")
		}
		cfg.auth = newTokenAuth(ts)
		return nil
	}
}

// WithHTTPClient sets the HTTP client whose transport, jar and timeout the
// Client uses. hc is copied and never mutated. Redirects are never
// followed whatever its CheckRedirect, and its Timeout, when shorter than
// [WithRequestTimeout], bounds each attempt. A nil Transport means a pooled
// transport tuned for concurrent polls. A Transport that never calls
// net/http's httptrace hooks (http.Transport does) leaves the SDK unable to
// tell whether a write without a body (GetDeviceToken) that failed was
// sent, so it never retries one.
func WithHTTPClient(hc *http.Client) Option {
	return func(cfg *clientConfig) error {
		if hc == nil {
			return invalidArg("http client is nil")
		}
		cfg.httpClient = hc
		return nil
	}
}

// WithRetryPolicy sets how failed attempts are retried; see [RetryPolicy]:
// its zero fields mean their defaults. MaxRetries above 100, a negative
// backoff, or a MinBackoff above a MaxBackoff that are both set make
// NewClient fail.
func WithRetryPolicy(p RetryPolicy) Option {
	return func(cfg *clientConfig) error {
		resolved, err := p.resolve()
		if err != nil {
			return err
		}
		cfg.policy = resolved
		return nil
	}
}

// WithRequestTimeout bounds each attempt (connecting, sending, and reading
// the whole answer); default 30s. A call with retries can take longer: bound
// it with its context.
func WithRequestTimeout(d time.Duration) Option {
	return func(cfg *clientConfig) error {
		if d <= 0 {
			return invalidArg("request timeout %s must be positive", d)
		}
		cfg.timeout = d
		return nil
	}
}

// WithUserAgent names the caller's product, prepended to the User-Agent
// "koophone-go/<version>", e.g. "my-service/1.2". It must be printable
// ASCII, at most 256 characters.
func WithUserAgent(product string) Option {
	return func(cfg *clientConfig) error {
		product = strings.TrimSpace(product)
		if product == "" || len(product) > 256 {
			return invalidArg("user agent must be 1 to 256 characters")
		}
		for _, r := range product {
			if r < 0x20 || r > 0x7e {
				return invalidArg("user agent must be printable ASCII")
			}
		}
		cfg.product = product
		return nil
	}
}

// WithLogger sends a structured record for every attempt to l: operation,
// method, path, attempt, request id, duration and (for an answer) status,
// at Debug level for successes; failures, at Warn level, add the code, the
// error and whether the call retries. Tokens are never logged. The
// default, and a nil l, is silence.
func WithLogger(l *slog.Logger) Option {
	return func(cfg *clientConfig) error {
		cfg.logger = l
		return nil
	}
}

// WithInsecureHTTP allows sending credentials over plain http to a host that
// is not loopback, e.g. through a trusted proxy in a private network.
// Without it such calls fail before anything is sent.
func WithInsecureHTTP() Option {
	return func(cfg *clientConfig) error {
		cfg.insecureHTTP = true
		return nil
	}
}

// userAgent builds the User-Agent header.
func userAgent(product string) string {
	ua := "koophone-go/" + Version + " (" + runtime.Version() + "; " + runtime.GOOS + "/" + runtime.GOARCH + ")"
	if product != "" {
		ua = product + " " + ua
	}
	return ua
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// isNil reports whether v is nil or an interface holding a nil pointer,
// function, map, slice or channel (such as TokenSourceFunc(nil)).
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
