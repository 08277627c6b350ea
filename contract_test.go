package koophone_test

import (
	"context"
	"errors"
	"iter"
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

// The rest of the API (all 21 operations), checked by the compiler.
var (
	_ func(*koophone.Client, context.Context, int, *koophone.ListInstancesOptions) (*koophone.InstancePage, error) = (*koophone.Client).ListInstancesPage
	_ func(*koophone.Client, context.Context, *koophone.ListInstancesOptions) iter.Seq2[koophone.Instance, error]  = (*koophone.Client).ListInstances
	_ func(*koophone.Client, context.Context, string, int, *koophone.ListAppsOptions) (*koophone.AppPage, error)   = (*koophone.Client).ListAppsPage
	_ func(*koophone.Client, context.Context, string, *koophone.ListAppsOptions) iter.Seq2[koophone.App, error]    = (*koophone.Client).ListApps
	_ func(*koophone.Client, context.Context) (*koophone.SKUCatalog, error)                                        = (*koophone.Client).ListSKUs
	_ func(*koophone.Client, context.Context, koophone.CreateInstancesRequest) (*koophone.Order, error)            = (*koophone.Client).CreateInstances
	_ func(*koophone.Client, context.Context, []string) error                                                      = (*koophone.Client).DeleteInstances
	_ func(*koophone.Client, context.Context, []koophone.UserInstance) error                                       = (*koophone.Client).AssignInstances
	_ func(*koophone.Client, context.Context, []koophone.UserInstance) (*koophone.Task, error)                     = (*koophone.Client).UnassignInstances
	_                                                                                                              = []koophone.AppType{koophone.AppTypeAll, koophone.AppTypeSystem, koophone.AppTypeThirdParty}
	_                                                                                                              = []koophone.PeriodUnit{koophone.PeriodMonth, koophone.PeriodYear}
	_ func(*koophone.Client, context.Context, []string) (*koophone.Task, error)                                    = (*koophone.Client).ResetInstances
	_ func(*koophone.Client, context.Context, []string) error                                                      = (*koophone.Client).RebootInstances
	_ func(*koophone.Client, context.Context, []string) (*koophone.Task, error)                                    = (*koophone.Client).BackupInstances
	_ func(*koophone.Client, context.Context, string, []string) ([]koophone.CommandResult, error)                  = (*koophone.Client).RunCommand
	_ func(*koophone.Client, context.Context, string, []string) (*koophone.Task, error)                            = (*koophone.Client).StartCommand
	_ func(*koophone.Client, context.Context, string) ([]koophone.JobResult, error)                                = (*koophone.Client).GetTask
	_ func(*koophone.Client, context.Context, string, ...koophone.WaitOption) ([]koophone.JobResult, error)        = (*koophone.Client).WaitTask
	_ func(*koophone.Client, context.Context, []string, []koophone.VideoSetting) error                             = (*koophone.Client).SetVideoConfig
	_ func(*koophone.Client, context.Context, koophone.InstallAppRequest) (*koophone.Task, error)                  = (*koophone.Client).InstallApp
	_ func(koophone.JobStatus) string                                                                              = koophone.JobStatus.String
	_ func(koophone.JobStatus) bool                                                                                = koophone.JobStatus.Terminal
	_ func(*koophone.JobError) string                                                                              = (*koophone.JobError).Error
	_ func(*koophone.JobError, error) bool                                                                         = (*koophone.JobError).Is
	_ func(error) []*koophone.JobError                                                                             = koophone.JobErrors
	_ func(error) []*koophone.InstanceError                                                                        = koophone.InstanceErrors
	_ func(koophone.PowerState) string                                                                             = koophone.PowerState.String
	_ func(koophone.DataJobStatus) string                                                                          = koophone.DataJobStatus.String
)

func TestContractValuesOfTheRestOfTheAPI(t *testing.T) {
	t.Parallel()
	assert.Equal(t, []koophone.JobStatus{-1, 0, 1, 2, 3}, []koophone.JobStatus{
		koophone.JobFailed, koophone.JobNotStarted, koophone.JobRunning, koophone.JobSucceeded, koophone.JobInstallFailed})
	assert.Equal(t, []koophone.PowerState{0, 1, 2, 3, 4, 5}, []koophone.PowerState{koophone.PowerUnknown, koophone.PowerStopped,
		koophone.PowerRunning, koophone.PowerGoingOffline, koophone.PowerStarting, koophone.PowerShutDown})
	assert.Equal(t, []koophone.DataJobStatus{0, 1, 2, 3, 4}, []koophone.DataJobStatus{koophone.DataJobPreparing,
		koophone.DataJobRunning, koophone.DataJobSucceeded, koophone.DataJobFailed, koophone.DataJobOther})
	assert.Equal(t, []koophone.AppType{0, 1, 2}, []koophone.AppType{koophone.AppTypeAll, koophone.AppTypeSystem, koophone.AppTypeThirdParty})
	assert.Equal(t, []koophone.PeriodUnit{2, 3}, []koophone.PeriodUnit{koophone.PeriodMonth, koophone.PeriodYear})
	assert.Equal(t, []string{"MOBILE_NETWORK", "WIFI", "WIRED", "H264", "H265"}, []string{string(koophone.NetworkMobile),
		string(koophone.NetworkWiFi), string(koophone.NetworkWired), string(koophone.EncodingH264), string(koophone.EncodingH265)})
	assert.Equal(t, "JobStatus(7)", koophone.JobStatus(7).String())
	ts := koophone.Task{ID: "t", Jobs: []koophone.Job{{InstanceID: "i", JobID: "j"}}, RequestID: "r"}
	_ = koophone.JobResult{JobID: "j", Status: koophone.JobRunning, Code: "c", Message: "m", Output: "o"}
	_ = koophone.CommandResult{InstanceID: "i", Status: koophone.JobSucceeded, Code: "c", Message: "m", Output: "o"}
	_ = koophone.PollEvent{TaskID: ts.ID, Jobs: []koophone.JobResult{}}
	_ = koophone.JobError{TaskID: "t", JobID: "j", Status: koophone.JobFailed, Code: "c", Message: "m"}
	_ = koophone.VideoSetting{Network: koophone.NetworkWiFi, Encoding: koophone.EncodingH264, Specs: []koophone.VideoSpecGroup{{
		P540: koophone.VideoSpec{BitrateKbps: 1000, FPS: 30}, P720: koophone.VideoSpec{}, P1080: koophone.VideoSpec{}}}}
	_ = koophone.InstallAppRequest{InstanceIDs: nil, PackageName: "p", FileName: "f", Version: "v", SizeMB: 1.5,
		PackageURL: "https://x", MD5: "", ContentType: "", Fast: true}
	_ = koophone.ListInstancesOptions{PageSize: 1, InstanceID: "", InstanceName: "", Since: time.Time{}, Until: time.Time{},
		Scene: "", PoolName: "", Order: "", OrderBy: ""}
	_ = koophone.Instance{InstanceID: "", Name: "", Region: "", RegionName: "", RegionNameEN: "", SKU: "", Frozen: false,
		Power: koophone.PowerRunning, LoggedIn: false, Assigned: false, AssignedUser: "", BillingMode: "", ProjectID: "",
		ProjectName: "", PhoneID: "", MemberName: "", AccountName: "", Backup: koophone.DataJob{Status: 0, Time: ""}, Restore: koophone.DataJob{}}
	_ = koophone.InstancePage{Instances: nil, PageNo: 1, PageSize: 1, TotalCount: 1, RequestID: ""}
	_ = koophone.ListAppsOptions{PageSize: 1, Type: koophone.AppTypeSystem}
	_ = koophone.AppPage{Apps: []koophone.App{{Name: "", Version: "", Package: "", IconURL: ""}}, PageNo: 1, PageSize: 1, TotalCount: 1, RequestID: ""}
	_ = koophone.SKUCatalog{BandSKUID: "", Regions: []koophone.RegionSKUs{{RegionID: "", SKUs: []koophone.SKU{{ID: "", Type: "", Name: "",
		ComputeSpec: "", StorageSpec: "", Description: "", BandSizes: []float64{2}, ChargeMode: 0, MaxResolution: "", ResourceSize: "",
		Images: []koophone.SKUImage{{Version: "", PoolID: "", ID: 1, Network: "", Enabled: true}}}}}}, RequestID: ""}
	_ = koophone.CreateInstancesRequest{OS: "", SKUID: "", BandSKUID: "", RegionID: "", NamePrefix: "", BandwidthMbps: 1, Count: 1,
		Charge: koophone.ChargeParam{Unit: koophone.PeriodMonth, Count: 1, AutoPay: true, AutoRenew: false}, Network: "", NodeGroupID: ""}
	_ = koophone.Order{OrderID: "", Instances: []koophone.CreatedInstance{{InstanceID: "", Name: ""}}, RequestID: ""}
	_ = koophone.UserInstance{UserID: "", InstanceID: ""}
	assert.ErrorIs(t, &koophone.JobError{}, koophone.ErrTaskFailed)
}

// The names of the contract's section "Added 2026-12-06", with their
// signatures (otelkoophone's and redislimit's are in their own modules'
// tests).
func TestContractNamesAdded20261206(t *testing.T) {
	t.Parallel()
	var (
		_ func([]koophone.Job) koophone.WaitOption = koophone.WithJobs
		_ func(koophone.Observer) koophone.Option  = koophone.WithObserver
		_ func(koophone.Limiter) koophone.Option   = koophone.WithLimiter
		_ func(float64) koophone.WaitOption        = koophone.WithPollRate
		_ interface {
			Wait(context.Context, string) error
		} = koophone.Limiter(nil)
	)
	_ = koophone.JobResult{InstanceID: "i"}
	_ = koophone.JobError{InstanceID: "i"}
	_, err := koophone.NewClient(koophone.WithToken("tok-123456"), koophone.WithLimiter(nil))
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter, "WithLimiter(nil)")
	_, err = koophone.NewClient(koophone.WithToken("tok-123456"), koophone.WithObserver(nil))
	assert.NoError(t, err, "WithObserver(nil): none")
}
