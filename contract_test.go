package koophone_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/koophone-go/koophone"
)

// The names and signatures of the API contract (the project's public API document), checked by the
// compiler: a change that breaks the contract breaks this file.
var (
	_ func(...koophone.Option) (*koophone.Client, error)              = koophone.NewClient
	_ func(string) koophone.Option                                    = koophone.WithEndpoint
	_ func(string) koophone.Option                                    = koophone.WithToken
	_ func(koophone.TokenSource) koophone.Option                      = koophone.WithTokenSource
	_ func(*http.Client) koophone.Option                              = koophone.WithHTTPClient
	_ func(koophone.RetryPolicy) koophone.Option                      = koophone.WithRetryPolicy
	_ func(time.Duration) koophone.Option                             = koophone.WithRequestTimeout
	_ func(string) koophone.Option                                    = koophone.WithUserAgent
	_ func(*slog.Logger) koophone.Option                              = koophone.WithLogger
	_ func(float64, int) koophone.Option                              = koophone.WithRateLimit
	_ func() koophone.Option                                          = koophone.WithInsecureHTTP
	_ func(string, string, string) koophone.Option                    = koophone.WithAKSK
	_ func(string, string, string, string) koophone.Option            = koophone.WithTemporaryAKSK
	_ func() koophone.Option                                          = koophone.WithEnvCredentials
	_ func(koophone.IAMConfig) (koophone.TokenSource, error)          = koophone.NewIAMTokenSource
	_ func(string) koophone.TokenSource                               = koophone.StaticToken
	_ koophone.TokenSource                                            = koophone.TokenSourceFunc(nil)
	_ func(koophone.TokenSourceFunc, context.Context) (string, error) = koophone.TokenSourceFunc.Token

	_ func(*koophone.Client, context.Context, string, string) (koophone.Progress, error)                                      = (*koophone.Client).PrepareProgress
	_ func(*koophone.Client, context.Context, string, []string) ([]koophone.InstanceState, error)                             = (*koophone.Client).PrepareInstances
	_ func(*koophone.Client, context.Context, string, string, ...koophone.WaitOption) (koophone.Progress, error)              = (*koophone.Client).WaitUntilReady
	_ func(*koophone.Client, context.Context, string, []string, ...koophone.WaitOption) (map[string]koophone.Progress, error) = (*koophone.Client).WaitAllReady
	_ func(*koophone.Client, context.Context, []string) ([]koophone.StatusResult, error)                                      = (*koophone.Client).BatchQueryStatus
	_ func(*koophone.Client, context.Context, string, *koophone.DeviceTokenOptions) (*koophone.DeviceToken, error)            = (*koophone.Client).GetDeviceToken
	_ func(*koophone.Client, context.Context, string) error                                                                   = (*koophone.Client).StopStreaming
	_ func(*koophone.Client, context.Context, string) error                                                                   = (*koophone.Client).ReleaseSession

	_ func(time.Duration, time.Duration) koophone.WaitOption = koophone.WithPollInterval
	_ func(time.Duration) koophone.WaitOption                = koophone.WithMaxWait
	_ func(int) koophone.WaitOption                          = koophone.WithMaxConsecutiveErrors
	_ func(int) koophone.WaitOption                          = koophone.WithConcurrency
	_ func(func(koophone.PollEvent)) koophone.WaitOption     = koophone.WithOnPoll

	_ func(koophone.PrepareStatus) string  = koophone.PrepareStatus.String
	_ func(koophone.PrepareStatus) bool    = koophone.PrepareStatus.Terminal
	_ func(koophone.InstanceStatus) string = koophone.InstanceStatus.String
	_ func(*koophone.APIError) string      = (*koophone.APIError).Error
	_ func(*koophone.APIError, error) bool = (*koophone.APIError).Is
	_ error                                = &koophone.InstanceError{}
)

func TestContractValues(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "https://koophone.myhuaweicloud.com", koophone.DefaultEndpoint)
	assert.Equal(t, "0.1.0", koophone.Version)
	assert.Equal(t, []koophone.PrepareStatus{-1, 0, 1, 2, 3}, []koophone.PrepareStatus{
		koophone.PrepareFailed, koophone.PrepareReady, koophone.PrepareQueuing, koophone.PrepareRestoring, koophone.PrepareBackingUp})
	assert.Equal(t, koophone.InstanceStatus(0), koophone.InstanceReady)

	// The struct fields of the contract, by name and type.
	_ = koophone.RetryPolicy{MaxRetries: 1, MinBackoff: time.Millisecond, MaxBackoff: time.Second}
	pr := koophone.Progress{Status: koophone.PrepareQueuing, WaitingCount: 3, RequestID: "r"}
	_ = koophone.InstanceState{InstanceID: "i", Status: koophone.InstanceReady}
	_ = koophone.PollEvent{InstanceID: "i", Attempt: 1, Progress: pr, Err: nil, Elapsed: time.Second, NextDelay: time.Second}
	ae := &koophone.APIError{Operation: "ShowProgress", HTTPStatus: 200, Code: "c", Message: "m", RequestID: "r"}
	ie := &koophone.InstanceError{InstanceID: "i", Err: ae}
	assert.ErrorIs(t, ie, ae)

	for _, s := range []error{koophone.ErrInvalidParameter, koophone.ErrPermissionDenied, koophone.ErrInstanceNotFound,
		koophone.ErrInternal, koophone.ErrUnauthorized, koophone.ErrThrottled, koophone.ErrMalformedResponse,
		koophone.ErrPrepareFailed, koophone.ErrWaitTimeout} {
		assert.True(t, strings.HasPrefix(s.Error(), "koophone: "), s.Error())
	}
	assert.False(t, errors.Is(koophone.ErrInternal, koophone.ErrThrottled), "sentinels are distinct")
}
