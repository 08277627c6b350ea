package koophone_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// TestEnvCredentials sets environment variables, so it does not run in parallel.
func TestEnvCredentials(t *testing.T) {
	clear := func() {
		for _, k := range []string{koophone.EnvToken, koophone.EnvAccessKey, koophone.EnvSecretKey, koophone.EnvProjectID,
			koophone.EnvSecurityToken, koophone.EnvIAMUser, koophone.EnvIAMPassword, koophone.EnvIAMDomain,
			koophone.EnvIAMProject, koophone.EnvIAMProjectID, koophone.EnvIAMRegion, koophone.EnvIAMEndpoint} {
			t.Setenv(k, "")
		}
	}
	tests := []struct {
		name string
		env  map[string]string
		want string // in fmt of the client, or in the error
		fail bool
	}{
		{"nothing", nil, "looked for KOOPHONE_TOKEN; then HUAWEICLOUD_SDK_AK", true},
		{"token", map[string]string{koophone.EnvToken: "tok", koophone.EnvAccessKey: "ak"}, "static token", false},
		{"AK/SK", map[string]string{koophone.EnvAccessKey: testAK, koophone.EnvSecretKey: testSK, koophone.EnvProjectID: testProject}, "AK/SK signing (access key HPUA…)", false},
		{"temporary AK/SK", map[string]string{koophone.EnvAccessKey: testAK, koophone.EnvSecretKey: testSK, koophone.EnvProjectID: testProject, koophone.EnvSecurityToken: testSecToken}, "AK/SK signing", false},
		{"AK without project", map[string]string{koophone.EnvAccessKey: testAK, koophone.EnvSecretKey: testSK}, "HUAWEICLOUD_SDK_PROJECT_ID is not set", true},
		{"IAM", map[string]string{koophone.EnvIAMUser: "ops", koophone.EnvIAMPassword: testPassword, koophone.EnvIAMDomain: "acme", koophone.EnvIAMProject: "cn-north-4", koophone.EnvIAMRegion: "cn-north-4"},
			"IAM password token source (https://iam.cn-north-4.myhuaweicloud.com/v3/auth/tokens as acme/ops)", false},
		{"IAM without domain", map[string]string{koophone.EnvIAMUser: "ops", koophone.EnvIAMPassword: testPassword}, "KOOPHONE_IAM_DOMAIN is not set", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clear()
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			c, err := koophone.NewClient(koophone.WithEnvCredentials())
			if tt.fail {
				require.ErrorIs(t, err, koophone.ErrInvalidParameter)
				assert.Contains(t, err.Error(), tt.want)
				return
			}
			require.NoError(t, err)
			s := fmt.Sprintf("%+v", c)
			assert.Contains(t, s, tt.want)
			for _, secret := range []string{testSK, testSecToken, testPassword} {
				assert.NotContains(t, s, secret)
			}
		})
	}
}
