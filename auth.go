package koophone

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
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

// describeTokens names a token source without showing any secret.
func describeTokens(ts TokenSource) string {
	switch ts.(type) {
	case nil:
		return "none"
	case staticToken:
		return "static token"
	default:
		return "token source"
	}
}

// checkToken rejects tokens that cannot be sent as a header value. It never
// quotes the token.
func checkToken(token string) error {
	if strings.TrimSpace(token) == "" {
		return errors.New("token is empty")
	}
	for i := 0; i < len(token); i++ {
		if b := token[i]; b < 0x21 || b == 0x7f {
			return fmt.Errorf("token has a space or control character at byte %d", i)
		}
	}
	return nil
}

// Environment variables read by [WithEnvCredentials].
const (
	EnvToken         = "KOOPHONE_TOKEN"
	EnvAccessKey     = "HUAWEICLOUD_SDK_AK"
	EnvSecretKey     = "HUAWEICLOUD_SDK_SK"
	EnvProjectID     = "HUAWEICLOUD_SDK_PROJECT_ID"
	EnvSecurityToken = "HUAWEICLOUD_SDK_SECURITY_TOKEN"
)

const (
	envAKSKNotYet     = "AK/SK signing is not supported yet"
	envIAMNotYetShort = "IAM password authentication is not supported yet"
)

// WithEnvCredentials takes credentials from the environment, in this order:
// KOOPHONE_TOKEN (a static token); else HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK
// and HUAWEICLOUD_SDK_PROJECT_ID (with HUAWEICLOUD_SDK_SECURITY_TOKEN for
// temporary keys); else IAM password settings. When none is set, NewClient
// fails with an error that lists what was looked for.
//
// In this version only KOOPHONE_TOKEN is supported: access keys and IAM
// passwords found in the environment make NewClient fail with an error
// saying so, rather than being ignored.
func WithEnvCredentials() Option {
	return func(cfg *clientConfig) error {
		if tok, ok := os.LookupEnv(EnvToken); ok && strings.TrimSpace(tok) != "" {
			return WithToken(strings.TrimSpace(tok))(cfg)
		}
		if os.Getenv(EnvAccessKey) != "" || os.Getenv(EnvSecretKey) != "" {
			return invalidArg("%s and %s are set, but %s: set %s", EnvAccessKey, EnvSecretKey, envAKSKNotYet, EnvToken)
		}
		return invalidArg("no credentials in the environment: looked for %s, then %s/%s/%s", EnvToken, EnvAccessKey, EnvSecretKey, EnvProjectID)
	}
}

// WithAKSK signs each attempt with an access key pair (SDK-HMAC-SHA256)
// instead of sending X-Auth-Token.
//
// Not supported yet in this version: the option makes NewClient fail with
// an error matching [ErrInvalidParameter]. Use [WithToken] or
// [WithTokenSource] meanwhile.
func WithAKSK(accessKey, secretKey, projectID string) Option {
	return func(*clientConfig) error { return invalidArg("WithAKSK: %s", envAKSKNotYet) }
}

// WithTemporaryAKSK is [WithAKSK] for temporary credentials, which add a
// security token. Not supported yet in this version, like WithAKSK.
func WithTemporaryAKSK(accessKey, secretKey, securityToken, projectID string) Option {
	return func(*clientConfig) error { return invalidArg("WithTemporaryAKSK: %s", envAKSKNotYet) }
}

// IAMConfig describes how to get a project-scoped IAM token with a password.
// Printing it never shows the password.
type IAMConfig struct {
	Endpoint    string // IAM endpoint; default https://iam.{Region}.myhuaweicloud.com
	Region      string // e.g. "cn-north-4"
	DomainName  string // the account (domain) name
	UserName    string // the IAM user name
	Password    string // the IAM user's password
	ProjectName string // the project name, e.g. "cn-north-4"; or ProjectID
	ProjectID   string // the project id; or ProjectName
}

// Format prints the config without its password, for every verb.
func (c IAMConfig) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "koophone.IAMConfig{Endpoint: %q, Region: %q, DomainName: %q, UserName: %q, Password: redacted, ProjectName: %q, ProjectID: %q}",
		c.Endpoint, c.Region, c.DomainName, c.UserName, c.ProjectName, c.ProjectID)
}

// NewIAMTokenSource returns a TokenSource that gets tokens from IAM with a
// password, caches them and renews them ahead of expiry.
//
// Not supported yet in this version: it returns an error matching
// [ErrInvalidParameter]. Use [WithTokenSource] with your own source meanwhile.
func NewIAMTokenSource(cfg IAMConfig) (TokenSource, error) {
	return nil, invalidArg("NewIAMTokenSource: %s", envIAMNotYetShort)
}
