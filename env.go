package koophone

import (
	"os"
	"strings"
)

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
