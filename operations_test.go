package koophone_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// hundredAndOne returns 101 distinct instance ids: one more than a batch takes.
func hundredAndOne() []string {
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-%d", i)
	}
	return ids
}

// validInstall is an InstallApp request that passes every check.
func validInstall() koophone.InstallAppRequest {
	return koophone.InstallAppRequest{
		InstanceIDs: []string{"i-1", "i-2"},
		PackageName: "com.example.app",
		FileName:    "app.apk",
		Version:     "1.2.3",
		SizeMB:      12.5,
		PackageURL:  "https://bucket.obs.cn-north-4.myhuaweicloud.com/app.apk",
	}
}

// actionCall is one of the operations of actions, commands, tasks, video
// and installs, called with valid arguments.
type actionCall struct {
	name  string // APIError.Operation
	write bool
	call  func(context.Context, *koophone.Client) error
}

var actionCalls = []actionCall{
	{"BatchReset", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.ResetInstances(ctx, []string{"i-1"})
		return err
	}},
	{"BatchRebootInstance", true, func(ctx context.Context, c *koophone.Client) error {
		return c.RebootInstances(ctx, []string{"i-1"})
	}},
	{"BatchBackupInstances", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.BackupInstances(ctx, []string{"i-1"})
		return err
	}},
	{"SyncCommand", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.RunCommand(ctx, "ls /sdcard", []string{"i-1"})
		return err
	}},
	{"AsyncCommand", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.StartCommand(ctx, "ls /sdcard", []string{"i-1"})
		return err
	}},
	{"GetTask", false, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.GetTask(ctx, "RM_1")
		return err
	}},
	{"SetVideoConfig", true, func(ctx context.Context, c *koophone.Client) error {
		return c.SetVideoConfig(ctx, []string{"i-1"}, koophone.VideoSettingsForAll(koophone.DefaultVideoSpecGroup()))
	}},
	{"InstallApp", true, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.InstallApp(ctx, validInstall())
		return err
	}},
}

// A write is not repeated once the service may have acted on it (a 5xx);
// it is after throttling. A read is repeated after a 5xx.
func TestActionsRetryRule(t *testing.T) {
	t.Parallel()
	for _, op := range actionCalls {
		t.Run(op.name, func(t *testing.T) {
			t.Parallel()
			c, s := setup(t, always(http.StatusBadGateway, ``))
			require.Error(t, op.call(timeout(t), c))
			want := 1
			if !op.write {
				want = 4 // the first attempt and three retries
			}
			assert.Len(t, s.Requests(), want, "after a 502")

			c2, s2 := setup(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					answer(w, http.StatusTooManyRequests, `{"error_code":"APIGW.0308","error_msg":"throttled"}`)
					return
				}
				answer(w, http.StatusOK, `{"error_code":"0","error_msg":"OK","data":{"cmd_results":[],"jobs":[]}}`)
			})
			require.NoError(t, op.call(timeout(t), c2))
			assert.Len(t, s2.Requests(), 2, "after a 429")
		})
	}
}

// The codes these operations document map to their categories, whatever
// the HTTP status they come with.
func TestActionsErrorCodes(t *testing.T) {
	t.Parallel()
	codes := []struct {
		code   string
		status int
		want   error
	}{
		{"KOOPHONE.API.1000", http.StatusBadRequest, koophone.ErrInvalidParameter},
		{"KOOPHONE.API.1001", http.StatusBadRequest, koophone.ErrPermissionDenied},
		{"KOOPHONE.API.4001", http.StatusOK, koophone.ErrInstanceNotFound},
		{"KooPhone.API.1323", http.StatusOK, koophone.ErrTaskNotFound},
		{"KOOPHONE.API.5005", http.StatusOK, koophone.ErrOperationNotAllowed},
		{"KOOPHONE.API.2004", http.StatusOK, koophone.ErrOperationNotAllowed},
		{"KOOPHONE.API.2006", http.StatusOK, koophone.ErrOperationNotAllowed},
		{"KP.API.9999", http.StatusInternalServerError, koophone.ErrInternal},
		{"APIGW.0302", http.StatusForbidden, koophone.ErrPermissionDenied},
	}
	for _, op := range actionCalls {
		for _, tc := range codes {
			c, _ := setup(t, always(tc.status, `{"error_code":"`+tc.code+`","error_msg":"no"}`), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
			err := op.call(timeout(t), c)
			assert.ErrorIs(t, err, tc.want, "%s %s", op.name, tc.code)
			var apiErr *koophone.APIError
			if assert.ErrorAs(t, err, &apiErr) {
				assert.Equal(t, op.name, apiErr.Operation)
			}
		}
	}
}
