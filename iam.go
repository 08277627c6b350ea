package koophone

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/koophone-go/koophone/internal/redact"
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
// client drops a token the service rejects and fetches a fresh one (a read
// is repeated with it; a write fails, see [TokenInvalidator]).
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
