package koophonetest_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

func TestBusinessErrorStatuses(t *testing.T) {
	t.Parallel()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	for _, tt := range []struct {
		name           string
		opts           []koophonetest.Option
		bad, notFound  int
		denied, biz200 int
	}{
		{"as the operation pages", nil, 400, 400, 400, 200},
		{"all with HTTP 200", []koophonetest.Option{koophonetest.WithBusinessErrorsAsHTTP200()}, 200, 200, 200, 200},
	} {
		srv := newServer(t, append(tt.opts, koophonetest.WithInstances("u", "i"), koophonetest.WithInstance(koophonetest.Instance{ID: "p", PayPerUse: true}))...)
		r := call(t, srv, "POST", "/v1/instances/prepare-progress", `{"user_id":"u"}`)
		assert.Equal(t, tt.bad, r.status, tt.name)
		assert.Equal(t, "KOOPHONE.API.1000", r.code)
		r = call(t, srv, "POST", "/v1/instances/prepare-progress", `{"user_id":"u","instance_id":"zz"}`)
		assert.Equal(t, tt.notFound, r.status, tt.name)
		r = call(t, srv, "POST", "/v1/instances/prepare-progress", `{"user_id":"x","instance_id":"i"}`)
		assert.Equal(t, tt.denied, r.status, tt.name)
		assert.Equal(t, "KOOPHONE.API.1001", r.code)
		r = call(t, srv, "POST", "/v1/instances/delete", `{"instanceIdList":["p"]}`)
		assert.Equal(t, tt.biz200, r.status, tt.name)
		assert.Equal(t, "KOOPHONE.API.5001", r.code)
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	srv := newServer(t)
	for _, target := range []string{"GET /v1/instances/prepare", "POST /v1/instances/batch-query", "PUT /v1/instances/i/auth",
		"GET /v1/instances/i/other", "GET /v1/instances/a/../sku", "POST /v1//instances/prepare"} {
		method, path, _ := strings.Cut(target, " ")
		r := call(t, srv, method, path, `{}`)
		assert.Equal(t, 404, r.status, target)
		assert.Equal(t, "APIGW.0101", r.code, target)
	}
	reqs := srv.Requests()
	require.Len(t, reqs, 6)
	for _, r := range reqs {
		assert.Empty(t, r.Operation, r.Method+" "+r.Path)
	}
}

func TestNeverPreparedIsReadyEverywhere(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	c := srv.Client()
	p, err := c.PrepareProgress(ctx(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareReady, p.Status)
	st, err := c.BatchQueryStatus(ctx(t), []string{"i"})
	require.NoError(t, err)
	assert.Equal(t, koophone.PowerRunning, st[0].Status, "BatchQueryStatus reports the power state")
	_, err = c.GetDeviceToken(ctx(t), "i", nil)
	require.NoError(t, err)

	require.NoError(t, c.ReleaseSession(ctx(t), "i"))
	p, err = c.PrepareProgress(ctx(t), "u", "i")
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareStatus(6), p.Status, "released: offline until prepared again")
	st, err = c.BatchQueryStatus(ctx(t), []string{"i"})
	require.NoError(t, err)
	assert.Equal(t, koophone.PowerRunning, st[0].Status, "released, but still powered on")
	_, err = c.GetDeviceToken(ctx(t), "i", nil)
	assert.ErrorContains(t, err, "KOOPHONE.API.5005")
}

// BatchQueryStatus answers the power state ListInstances shows, in the
// reading of the API reference's description: a stopped instance is 1, a
// running one 2, one being reset 4 (starting).
func TestBatchQueryStatusReportsThePowerState(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "on"),
		koophonetest.WithInstance(koophonetest.Instance{ID: "off", User: "u", RunningStatus: 1}),
		koophonetest.WithInstance(koophonetest.Instance{ID: "down", User: "u", RunningStatus: 5}),
		koophonetest.WithTaskDuration(time.Hour))
	c := srv.Client()
	_, err := c.ResetInstances(ctx(t), []string{"on"})
	require.NoError(t, err)
	st, err := c.BatchQueryStatus(ctx(t), []string{"on", "off", "down"})
	require.NoError(t, err)
	assert.Equal(t, []koophone.StatusResult{
		{InstanceID: "on", Status: koophone.PowerStarting},
		{InstanceID: "off", Status: koophone.PowerStopped},
		{InstanceID: "down", Status: koophone.PowerShutDown},
	}, st)
	for _, r := range st {
		in, ok := srv.Instance(r.InstanceID)
		require.True(t, ok)
		assert.Equal(t, int(r.Status), in.RunningStatus, "as ListInstances shows it")
	}
}

func TestFailNextForOneInstanceAndOperation(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "a", "b"))
	srv.FailNextFor("ShowProgress", "b", 1, koophonetest.APIError(400, "KOOPHONE.API.1001", "no"))
	c := srv.Client()
	_, err := c.BatchQueryStatus(ctx(t), []string{"b"})
	require.NoError(t, err, "another operation")
	_, err = c.PrepareProgress(ctx(t), "u", "a")
	require.NoError(t, err, "another instance")
	_, err = c.PrepareProgress(ctx(t), "u", "b")
	assert.ErrorIs(t, err, koophone.ErrPermissionDenied)
	_, err = c.PrepareProgress(ctx(t), "u", "b")
	assert.NoError(t, err, "used up")
	var faults []bool
	for _, r := range srv.Requests() {
		faults = append(faults, r.Fault)
	}
	assert.Equal(t, []bool{false, false, true, false}, faults)
}

// TestFailNextForAMisspeltOperationPanics: a fault for "ShowProgres"
// never fired, silently, and a test of how a caller survives it passed
// without it. Every operation the fake serves is accepted.
func TestFailNextForAMisspeltOperationPanics(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	assert.PanicsWithValue(t, `koophonetest: FailNextFor: no operation "ShowProgres"; the operations are AssignInstance, `+
		`AsyncCommand, BatchBackupInstances, BatchPrepareInstances, BatchQueryStatus, BatchRebootInstance, BatchReset, `+
		`BatchShowSku, CreateInstance, DeleteInstance, GetDeviceToken, GetTask, InstallApp, ListInstanceApp, ListInstances, `+
		`ReleaseInstancesSession, SetVideoConfig, ShowProgress, StopInstancesStreaming, SyncCommand, UnassignInstance`,
		func() { srv.FailNextFor("ShowProgres", "", 1, koophonetest.HTMLPage(502)) })
	for _, op := range []string{"", "ShowProgress", "ListInstanceApp", "GetTask"} {
		assert.NotPanics(t, func() { srv.FailNextFor(op, "", 1, koophonetest.HTMLPage(502)) }, op)
	}
}

// TestAPIErrorFaultsAreShapedAsTheServiceShapesThem: an injected business
// error carried the gateway's request_id (so the client's error quoted an
// id the service never gives a business error) and sat at the top level
// of a ListInstances answer, where the service puts it inside data.
func TestAPIErrorFaultsAreShapedAsTheServiceShapesThem(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "i"))
	header := map[string]string{"X-Auth-Token": srv.Token(), "X-Request-Id": "r-1"}
	for _, tt := range []struct {
		op, method, target, body string
		fault                    koophonetest.Fault
		want                     string
	}{
		{"ShowProgress", "POST", "/v1/instances/prepare-progress", `{"user_id":"u","instance_id":"i"}`,
			koophonetest.APIError(400, "KOOPHONE.API.1000", "bad"), `{"error_code":"KOOPHONE.API.1000","error_msg":"bad"}`},
		{"ListInstances", "GET", "/v1/instances/batch-query?x-request-id=r-1&page_no=1&page_size=10", ``,
			koophonetest.APIError(200, "KOOPHONE.API.5002", "bad time"), `{"data":{"error_code":"KOOPHONE.API.5002","error_msg":"bad time"}}`},
		{"ListInstances", "GET", "/v1/instances/batch-query?x-request-id=r-1&page_no=1&page_size=10", ``,
			koophonetest.APIError(401, "apigw.0307", "renew"), `{"error_code":"apigw.0307","error_msg":"renew","request_id":"<id>"}`},
		{"ShowProgress", "POST", "/v1/instances/prepare-progress", `{"user_id":"u","instance_id":"i"}`,
			koophonetest.Throttle(""), `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second","request_id":"<id>"}`},
	} {
		srv.FailNextFor(tt.op, "", 1, tt.fault)
		status, body := send(t, srv, tt.method, tt.target, tt.body, header)
		assert.Equal(t, tt.fault.Status, status, tt.want)
		assert.Equal(t, tt.want, regexp.MustCompile(`[0-9a-f]{32}`).ReplaceAllString(string(body), "<id>"))
	}

	srv.FailNextFor("ShowProgress", "", 1, koophonetest.APIError(200, "KOOPHONE.API.2004", "frozen"))
	_, err := srv.Client().PrepareProgress(ctx(t), "u", "i")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, srv.Requests()[len(srv.Requests())-1].Header.Get("X-Request-Id"), apiErr.RequestID, "the id the client sent")
}
