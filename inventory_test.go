package koophone_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// A ListInstances answer as the API reference documents it, with numbers
// sent as numeric strings where the Java SDK's types allow it.
const listInstancesDocumented = `{"data":{"result":[{
	"instance_id":"i-1","instance_name":"phone-001","region":"cn-north-4","region_name":"华北-北京四",
	"region_name_en":"CN North-Beijing4","instance_sku":"8U16G","frozen_status":0,"running_status":2,
	"login_status":"1","assign_status":1,"assign_user":"user-1","billing_mode":"PERIODIC",
	"project_id":"p-1","project_name":"cn-north-4_demo","phone_id":"ph-1","member_name":"m",
	"account_name":"acct","backup_status":2,"backup_time":"2025-10-30 08:00:00","restore_status":"3",
	"restore_time":"2025-10-31 09:00:00"},
	{"instance_id":"i-2","running_status":7,"frozen_status":1,"backup_status":9}],
	"page_no":1,"page_size":"10","total_count":"2","error_code":"0","error_msg":"ok"}}`

func TestListInstancesPageDecodesTheDocumentedAnswer(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, listInstancesDocumented))
	page, err := c.ListInstancesPage(timeout(t), 1, &koophone.ListInstancesOptions{PageSize: 10})
	require.NoError(t, err)
	assert.Equal(t, koophone.Instance{
		InstanceID: "i-1", Name: "phone-001", Region: "cn-north-4", RegionName: "华北-北京四",
		RegionNameEN: "CN North-Beijing4", SKU: "8U16G", Power: koophone.PowerRunning, LoggedIn: true,
		Assigned: true, AssignedUser: "user-1", BillingMode: "PERIODIC", ProjectID: "p-1",
		ProjectName: "cn-north-4_demo", PhoneID: "ph-1", MemberName: "m", AccountName: "acct",
		Backup:  koophone.DataJob{Status: koophone.DataJobSucceeded, Time: "2025-10-30 08:00:00"},
		Restore: koophone.DataJob{Status: koophone.DataJobFailed, Time: "2025-10-31 09:00:00"},
	}, page.Instances[0])
	assert.Equal(t, koophone.Instance{InstanceID: "i-2", Power: koophone.PowerState(7), Frozen: true,
		Backup: koophone.DataJob{Status: koophone.DataJobStatus(9)}}, page.Instances[1])
	assert.Equal(t, 1, page.PageNo)
	assert.Equal(t, 10, page.PageSize)
	assert.Equal(t, 2, page.TotalCount)
	assert.Equal(t, s.Requests()[0].Header.Get("X-Request-Id"), page.RequestID)
}

// queryLog records the query of every request a test server receives.
type queryLog struct {
	mu      sync.Mutex
	queries []url.Values
}

func (l *queryLog) add(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.queries = append(l.queries, r.URL.Query())
}

func (l *queryLog) all() []url.Values {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]url.Values(nil), l.queries...)
}

func TestListInstancesPageWireFormat(t *testing.T) {
	t.Parallel()
	var log queryLog
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		log.add(r)
		answer(w, http.StatusOK, `{"data":{"result":[],"total_count":0,"error_code":"0","error_msg":"ok"}}`)
	})
	beijing := time.FixedZone("CST", 8*3600)
	opts := &koophone.ListInstancesOptions{
		PageSize: 50, InstanceID: "i-1", InstanceName: "phone 1",
		Since: time.Date(2025, 8, 15, 22, 30, 45, 999, beijing), Until: time.Date(2025, 8, 16, 1, 0, 0, 0, time.UTC),
		Scene: koophone.SceneCloudApp, PoolName: "pool-a", Order: "desc", OrderBy: "create_time",
	}
	_, err := c.ListInstancesPage(timeout(t), 3, opts)
	require.NoError(t, err)
	_, err = c.ListInstancesPage(timeout(t), 1, nil)
	require.NoError(t, err)

	reqs, queries := s.Requests(), log.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/v1/instances/batch-query", reqs[0].Path)
	assert.Empty(t, reqs[0].Raw, "a GET sends no body")
	assert.Equal(t, url.Values{
		"x-request-id": {reqs[0].Header.Get("X-Request-Id")}, "page_no": {"3"}, "page_size": {"50"},
		"instance_id": {"i-1"}, "instance_name": {"phone 1"},
		"query_start_time": {"2025-08-15 14:30:45"}, "query_end_time": {"2025-08-16 01:00:00"},
		"pool_scene_tag": {"CLOUD_APP"}, "pool_name": {"pool-a"}, "order": {"desc"}, "order_by": {"create_time"},
	}, queries[0])
	assert.Equal(t, url.Values{"x-request-id": {reqs[1].Header.Get("X-Request-Id")}, "page_no": {"1"}, "page_size": {"100"}},
		queries[1], "nil options: the default page size and no filter")
	assert.NotEqual(t, queries[0].Get("x-request-id"), queries[1].Get("x-request-id"))
}

func TestListInstancesPageRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"data":{"result":[],"total_count":0,"error_code":"0"}}`))
	t0 := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		pageNo int
		opts   koophone.ListInstancesOptions
		want   string
	}{
		{0, koophone.ListInstancesOptions{}, "page number 0"},
		{-1, koophone.ListInstancesOptions{}, "page number -1"},
		{1, koophone.ListInstancesOptions{PageSize: -1}, "PageSize is -1"},
		{1, koophone.ListInstancesOptions{PageSize: 501}, "PageSize is 501; want 1 to 500"},
		{1, koophone.ListInstancesOptions{InstanceID: strings.Repeat("i", 33)}, "InstanceID has 33 characters"},
		{1, koophone.ListInstancesOptions{InstanceID: ".."}, `InstanceID ".." is not allowed`},
		{1, koophone.ListInstancesOptions{InstanceName: strings.Repeat("n", 129)}, "InstanceName has 129 characters"},
		{1, koophone.ListInstancesOptions{InstanceName: "a\nb"}, "InstanceName contains a control character"},
		{1, koophone.ListInstancesOptions{Since: t0, Until: t0.Add(-time.Second)}, "Until (2025-01-02 03:04:04) is before Since (2025-01-02 03:04:05)"},
		{1, koophone.ListInstancesOptions{Since: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "Since is in the year 10000"},
		{1, koophone.ListInstancesOptions{Until: time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)}, "Until is in the year -5"},
		{1, koophone.ListInstancesOptions{Scene: "cloud_phone"}, `Scene "cloud_phone"`},
		{1, koophone.ListInstancesOptions{PoolName: strings.Repeat("p", 129)}, "PoolName has 129 characters"},
		{1, koophone.ListInstancesOptions{Order: "ASC"}, `Order "ASC"`},
		{1, koophone.ListInstancesOptions{OrderBy: strings.Repeat("o", 65)}, "OrderBy has 65 characters"},
	}
	for _, tt := range tests {
		_, err := c.ListInstancesPage(timeout(t), tt.pageNo, &tt.opts)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, tt.want)
		assert.ErrorContains(t, err, tt.want)
	}
	assert.Empty(t, s.Requests())

	_, err := c.ListInstancesPage(timeout(t), 1, &koophone.ListInstancesOptions{PageSize: 500, Since: t0.Add(time.Millisecond), Until: t0})
	require.NoError(t, err, "500 a page, and Until equal to Since in the seconds sent, are allowed")
}

func TestListInstancesPageMalformedAnswers(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"data":{"result":[],"error_code":"0"}}`,
		`{"data":{"result":[],"total_count":-1,"error_code":"0"}}`,
		`{"data":{"result":[{"instance_name":"x"}],"total_count":1,"error_code":"0"}}`,
		`{"data":{"result":{"instance_id":"i-1"},"total_count":1,"error_code":"0"}}`,
		`{"data":{"result":[{"instance_id":"i-1","running_status":"on"}],"total_count":1,"error_code":"0"}}`,
	} {
		c, _ := setup(t, always(http.StatusOK, body))
		_, err := c.ListInstancesPage(timeout(t), 1, nil)
		assert.ErrorIs(t, err, koophone.ErrMalformedResponse, body)
		assert.ErrorContains(t, err, "ListInstances", body)
	}
}

// codeCase is a documented error code and the category it must match.
type codeCase struct {
	code string
	want error
}

// assertCodes answers call with each code, in the envelope body(code)
// builds, with HTTP 200, and checks the error it returns.
func assertCodes(t *testing.T, body func(code string) string, call func(context.Context, *koophone.Client) error, cases []codeCase) {
	t.Helper()
	for _, tc := range cases {
		c, s := setup(t, always(http.StatusOK, body(tc.code)))
		err := call(timeout(t), c)
		var apiErr *koophone.APIError
		require.ErrorAs(t, err, &apiErr, tc.code)
		want := strings.Replace(strings.ToUpper(tc.code), "KP.API.", "KOOPHONE.API.", 1)
		assert.Equal(t, want, apiErr.Code, "the code in its canonical spelling")
		assert.ErrorIs(t, err, tc.want, tc.code)
		if tc.want != koophone.ErrInternal { // reads retry KOOPHONE.API.9999
			assert.Len(t, s.Requests(), 1, "a business error is not retried: %s", tc.code)
		}
	}
}

// topLevel is the usual envelope of an error answer.
func topLevel(code string) string {
	return `{"error_code":"` + code + `","error_msg":"documented error"}`
}

func TestListInstancesErrorCodesInsideData(t *testing.T) {
	t.Parallel()
	inData := func(code string) string {
		return `{"data":{"error_code":"` + code + `","error_msg":"documented error"}}`
	}
	assertCodes(t, inData, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.ListInstancesPage(ctx, 1, nil)
		return err
	}, []codeCase{
		{koophone.CodeBadTimeFormat, koophone.ErrInvalidParameter},
		{koophone.CodeEndBeforeStart, koophone.ErrInvalidParameter},
		{koophone.CodeInvalidParameter, koophone.ErrInvalidParameter},
		{"KooPhone.API.1001", koophone.ErrPermissionDenied},
		{koophone.CodeInstanceNotFound, koophone.ErrInstanceNotFound},
	})
	// A top-level "0" does not hide the code inside data.
	for body, code := range map[string]string{
		`{"error_code":"0","data":{"error_code":"KOOPHONE.API.1001","error_msg":"denied","result":[{"instance_id":"x"}],"total_count":1}}`: koophone.CodePermissionDenied,
		`{"error_code":0,"data":{"error_code":"KOOPHONE.API.9999","error_msg":"oops","result":[],"total_count":0}}`:                        koophone.CodeInternal,
	} {
		c, _ := setup(t, always(http.StatusOK, body), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
		page, err := c.ListInstancesPage(timeout(t), 1, nil)
		assert.Nil(t, page, body)
		var apiErr *koophone.APIError
		require.ErrorAs(t, err, &apiErr, body)
		assert.Equal(t, code, apiErr.Code, body)
	}
	// The gateway answers at the top level, here too.
	c, _ := setup(t, always(http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"bad token","request_id":"g-1"}`))
	_, err := c.ListInstancesPage(timeout(t), 1, nil)
	assert.ErrorIs(t, err, koophone.ErrUnauthorized)
	assert.ErrorContains(t, err, "g-1")
}

// fleetPager serves a ListInstances listing of total instances ("i-00000",
// ...), paged by the page_no and page_size asked for, recording queries.
func fleetPager(total int, log *queryLog) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, r *http.Request, _ int) {
		if log != nil {
			log.add(r)
		}
		no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		answer(w, http.StatusOK, instancePageBody(min((no-1)*size, total), min(no*size, total), no, size, total))
	}
}

// instancePageBody is a ListInstances answer with instances from to to-1.
func instancePageBody(from, to, no, size, total int) string {
	var b strings.Builder
	b.WriteString(`{"data":{"result":[`)
	for i := from; i < to; i++ {
		if i > from {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"instance_id":"i-%05d","instance_name":"phone-%05d","region":"cn-north-4","running_status":2,"assign_status":0}`, i, i)
	}
	fmt.Fprintf(&b, `],"page_no":%d,"page_size":%d,"total_count":%d,"error_code":"0","error_msg":"ok"}}`, no, size, total)
	return b.String()
}

// collectIDs ranges over seq and returns the ids and errors it yields.
func collectIDs(seq func(func(koophone.Instance, error) bool)) ([]string, []error) {
	var ids []string
	var errs []error
	for in, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, in.InstanceID)
	}
	return ids, errs
}

func TestListInstancesGoesThroughEveryPage(t *testing.T) {
	t.Parallel()
	var log queryLog
	c, s := setup(t, fleetPager(25, &log))
	ids, errs := collectIDs(c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 10, PoolName: "p"}))
	require.Empty(t, errs)
	require.Len(t, ids, 25)
	assert.Equal(t, "i-00000", ids[0])
	assert.Equal(t, "i-00024", ids[24])
	require.Len(t, s.Requests(), 3, "pages of 10, 10 and 5; the short page ends it")
	for i, q := range log.all() {
		assert.Equal(t, strconv.Itoa(i+1), q.Get("page_no"))
		assert.Equal(t, "10", q.Get("page_size"))
		assert.Equal(t, "p", q.Get("pool_name"))
	}
}

func TestListInstancesFetchesOnlyWhatTheLoopAsksFor(t *testing.T) {
	t.Parallel()
	c, s := setup(t, fleetPager(1000, nil))
	n := 0
	for in, err := range c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 10}) {
		require.NoError(t, err)
		n++
		if in.InstanceID == "i-00014" {
			break
		}
	}
	assert.Equal(t, 15, n)
	assert.Len(t, s.Requests(), 2, "breaking on the second page fetches no third")

	seq := c.ListInstances(timeout(t), nil)
	assert.Len(t, s.Requests(), 2, "making the sequence fetches nothing")
	for range seq {
		break
	}
	assert.Len(t, s.Requests(), 3, "the first item needs one page")
}

func TestListInstancesEndsAfterTotalCount(t *testing.T) {
	t.Parallel()
	// The service announces 5 but sends full pages of 3 for ever.
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		answer(w, http.StatusOK, instancePageBody((n-1)*3, n*3, n, 3, 5))
	})
	ids, errs := collectIDs(c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 3}))
	require.Empty(t, errs)
	assert.Equal(t, []string{"i-00000", "i-00001", "i-00002", "i-00003", "i-00004"}, ids, "the rest of page 2 is not yielded")
	assert.Len(t, s.Requests(), 2)
}

func TestListInstancesEndsAtAShortOrEmptyPage(t *testing.T) {
	t.Parallel()
	for name, page2 := range map[string]string{
		"short": instancePageBody(3, 5, 2, 3, 1000),
		"empty": instancePageBody(0, 0, 2, 3, 1000),
	} {
		c, s := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				answer(w, http.StatusOK, instancePageBody(0, 3, 1, 3, 1000))
				return
			}
			answer(w, http.StatusOK, page2)
		})
		ids, errs := collectIDs(c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 3}))
		require.Empty(t, errs, name)
		assert.Len(t, ids, 3+strings.Count(page2, "instance_id"), name)
		assert.Len(t, s.Requests(), 2, name)
	}
}

func TestListInstancesStopsAtARepeatedPage(t *testing.T) {
	t.Parallel()
	// A server that ignores page_no and announces a huge total.
	c, s := setup(t, always(http.StatusOK, instancePageBody(0, 3, 1, 3, 1<<30)))
	ids, errs := collectIDs(c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 3}))
	assert.Len(t, ids, 3)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], koophone.ErrMalformedResponse)
	assert.ErrorContains(t, errs[0], "page 2 holds only items that earlier pages yielded")
	assert.Len(t, s.Requests(), 2)
}

func TestListInstancesFollowsASmallerPageSize(t *testing.T) {
	t.Parallel()
	// The service pages by 4 whatever it is asked for.
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
		answer(w, http.StatusOK, instancePageBody(min((no-1)*4, 10), min(no*4, 10), no, 4, 10))
	})
	ids, errs := collectIDs(c.ListInstances(timeout(t), nil))
	require.Empty(t, errs)
	assert.Len(t, ids, 10)
	assert.Len(t, s.Requests(), 3)
}

func TestListInstancesYieldsAFailureOnce(t *testing.T) {
	t.Parallel()
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusOK, instancePageBody(0, 2, 1, 2, 10))
			return
		}
		answer(w, http.StatusBadRequest, `{"error_code":"KOOPHONE.API.1000","error_msg":"bad page"}`)
	})
	var got []string
	for in, err := range c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 2}) {
		if err != nil {
			assert.Equal(t, koophone.Instance{}, in)
			assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
			got = append(got, "error")
			continue // the sequence must end by itself
		}
		got = append(got, in.InstanceID)
	}
	assert.Equal(t, []string{"i-00000", "i-00001", "error"}, got)
	assert.Len(t, s.Requests(), 2)
}

func TestListInstancesBadOptionsSendNothing(t *testing.T) {
	t.Parallel()
	c, s := setup(t, fleetPager(10, nil))
	opts := &koophone.ListInstancesOptions{PageSize: -5}
	ids, errs := collectIDs(c.ListInstances(timeout(t), opts))
	assert.Empty(t, ids)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], koophone.ErrInvalidParameter)
	assert.Empty(t, s.Requests())

	seq := c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 4})
	opts.PageSize = 4
	ids, errs = collectIDs(seq)
	assert.Empty(t, errs)
	assert.Len(t, ids, 10, "the options are copied when the sequence is made")
}

func TestListInstancesEndsWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	c, s := setup(t, fleetPager(100, nil))
	ctx, cancel := context.WithCancel(timeout(t))
	defer cancel()
	var errs []error
	n := 0
	for _, err := range c.ListInstances(ctx, &koophone.ListInstancesOptions{PageSize: 10}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if n++; n == 10 {
			cancel()
		}
	}
	assert.Equal(t, 10, n)
	require.Len(t, errs, 1)
	assert.ErrorIs(t, errs[0], context.Canceled)
	assert.Len(t, s.Requests(), 1)
}

func TestInventoryEnumerations(t *testing.T) {
	t.Parallel()
	for i, name := range []string{"unknown", "stopped", "running", "going-offline", "starting", "shut-down"} {
		assert.Equal(t, name, koophone.PowerState(i).String())
	}
	assert.Equal(t, "PowerState(6)", koophone.PowerState(6).String())
	assert.Equal(t, "PowerState(-1)", koophone.PowerState(-1).String())
	for i, name := range []string{"preparing", "running", "succeeded", "failed", "other"} {
		assert.Equal(t, name, koophone.DataJobStatus(i).String())
	}
	assert.Equal(t, "DataJobStatus(5)", koophone.DataJobStatus(5).String())
	assert.Equal(t, koophone.PowerShutDown, koophone.PowerState(5))
	assert.Equal(t, koophone.DataJobOther, koophone.DataJobStatus(4))
	assert.Equal(t, []koophone.PeriodUnit{2, 3}, []koophone.PeriodUnit{koophone.PeriodMonth, koophone.PeriodYear})
	assert.Equal(t, []koophone.AppType{0, 1, 2}, []koophone.AppType{koophone.AppTypeAll, koophone.AppTypeSystem, koophone.AppTypeThirdParty})
}

// createRequest is a valid CreateInstancesRequest.
func createRequest() koophone.CreateInstancesRequest {
	return koophone.CreateInstancesRequest{
		OS: "AOSP11", SKUID: "sku-1", BandSKUID: "band-1", RegionID: "cn-north-4", NamePrefix: "fleet",
		BandwidthMbps: 4, Count: 2, Charge: koophone.ChargeParam{Unit: koophone.PeriodMonth, Count: 3, AutoPay: true},
	}
}

const createOK = `{"error_code":"0","error_msg":"ok","data":{"orderId":"CS2501010000ABCD",
	"instanceInfos":[{"instanceId":"i-1","instanceName":"fleet-001"},{"instanceId":"i-2","instanceName":"fleet-002"}]}}`

func TestCreateInstancesWireFormatAndAnswer(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, createOK))
	order, err := c.CreateInstances(timeout(t), createRequest())
	require.NoError(t, err)
	assert.Equal(t, &koophone.Order{OrderID: "CS2501010000ABCD", Instances: []koophone.CreatedInstance{
		{InstanceID: "i-1", Name: "fleet-001"}, {InstanceID: "i-2", Name: "fleet-002"},
	}, RequestID: s.Requests()[0].Header.Get("X-Request-Id")}, order)

	req := createRequest()
	req.Network, req.NodeGroupID, req.BandwidthMbps = "ADN", "ng-1", 2.5
	req.Charge = koophone.ChargeParam{Unit: koophone.PeriodYear, Count: 1, AutoRenew: true}
	_, err = c.CreateInstances(timeout(t), req)
	require.NoError(t, err)

	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/instances/create", reqs[0].Path)
	assert.JSONEq(t, `{"os":"AOSP11","instanceSkuId":"sku-1","bandSkuId":"band-1","regionId":"cn-north-4",
		"instanceNamePrefix":"fleet","bandSize":4,"count":2,
		"chargeParam":{"chargingMode":1,"periodType":2,"periodNum":3,"isAutoPay":1,"isAutoRenew":0}}`, string(reqs[0].Raw),
		"network and nodeGroupId are left out when empty")
	assert.JSONEq(t, `{"os":"AOSP11","instanceSkuId":"sku-1","bandSkuId":"band-1","regionId":"cn-north-4",
		"instanceNamePrefix":"fleet","bandSize":2.5,"count":2,"network":"ADN","nodeGroupId":"ng-1",
		"chargeParam":{"chargingMode":1,"periodType":3,"periodNum":1,"isAutoPay":0,"isAutoRenew":1}}`, string(reqs[1].Raw))
}

func TestCreateInstancesAcceptsSparseAnswers(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]koophone.Order{
		`{"error_code":"0","data":{"orderId":12345}}`: {OrderID: "12345"},
		`{"error_code":"0","data":null}`:              {},
		`{"error_code":"0","data":{"instanceInfos":[{"instanceId":"i-9","instanceName":"a\u202eb"}]}}`: {
			Instances: []koophone.CreatedInstance{{InstanceID: "i-9", Name: "ab"}}},
	} {
		c, _ := setup(t, always(http.StatusOK, body))
		order, err := c.CreateInstances(timeout(t), createRequest())
		require.NoError(t, err, body)
		want.RequestID = order.RequestID
		assert.Equal(t, &want, order, body)
	}
}

func TestCreateInstancesRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, createOK))
	tests := []struct {
		change func(*koophone.CreateInstancesRequest)
		want   string
	}{
		{func(r *koophone.CreateInstancesRequest) { r.OS = "" }, "OS is empty"},
		{func(r *koophone.CreateInstancesRequest) { r.SKUID = strings.Repeat("s", 65) }, "SKUID has 65 characters"},
		{func(r *koophone.CreateInstancesRequest) { r.BandSKUID = "" }, "BandSKUID is empty"},
		{func(r *koophone.CreateInstancesRequest) { r.RegionID = strings.Repeat("r", 65) }, "RegionID has 65 characters"},
		{func(r *koophone.CreateInstancesRequest) { r.NamePrefix = "" }, "NamePrefix is empty"},
		{func(r *koophone.CreateInstancesRequest) { r.NamePrefix = "abcdefghijklmno" }, "NamePrefix has 15 characters; at most 14"},
		{func(r *koophone.CreateInstancesRequest) { r.BandwidthMbps = 0 }, "BandwidthMbps is 0"},
		{func(r *koophone.CreateInstancesRequest) { r.BandwidthMbps = -1 }, "BandwidthMbps is -1"},
		{func(r *koophone.CreateInstancesRequest) { r.Count = 0 }, "Count is 0; want 1 to 2000"},
		{func(r *koophone.CreateInstancesRequest) { r.Count = 2001 }, "Count is 2001; want 1 to 2000"},
		{func(r *koophone.CreateInstancesRequest) { r.Charge.Unit = 1 }, "Charge.Unit is 1"},
		{func(r *koophone.CreateInstancesRequest) { r.Charge.Count = 10 }, "Charge.Count (months) is 10; want 1 to 9"},
		{func(r *koophone.CreateInstancesRequest) { r.Charge.Count = 0 }, "Charge.Count (months) is 0"},
		{func(r *koophone.CreateInstancesRequest) { r.Charge.Unit, r.Charge.Count = koophone.PeriodYear, 4 }, "Charge.Count (years) is 4; want 1 to 3"},
		{func(r *koophone.CreateInstancesRequest) { r.Network = "eip" }, `Network "eip"`},
		{func(r *koophone.CreateInstancesRequest) { r.NodeGroupID = strings.Repeat("n", 65) }, "NodeGroupID has 65 characters"},
	}
	for _, tt := range tests {
		req := createRequest()
		tt.change(&req)
		_, err := c.CreateInstances(timeout(t), req)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, tt.want)
		assert.ErrorContains(t, err, tt.want)
	}
	assert.Empty(t, s.Requests())

	req := createRequest()
	req.Count, req.NamePrefix, req.Charge.Count = 2000, "abcdefghijklmn", 9
	_, err := c.CreateInstances(timeout(t), req)
	require.NoError(t, err, "the largest count, prefix and period are allowed")
}

// stall answers nothing until the client gives up on the request.
func stall(_ http.ResponseWriter, r *http.Request, _ int) { <-r.Context().Done() }

func TestCreateInstancesIsNeverRepeatedOnceItMayHaveArrived(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusInternalServerError, `{"error_code":"KOOPHONE.API.9999","error_msg":"internal"}`))
	_, err := c.CreateInstances(timeout(t), createRequest())
	assert.ErrorIs(t, err, koophone.ErrInternal)
	assert.Len(t, s.Requests(), 1, "a 5xx is not retried")

	c, s = setup(t, always(http.StatusBadGateway, `<html>bad gateway</html>`))
	_, err = c.CreateInstances(timeout(t), createRequest())
	require.Error(t, err)
	assert.Len(t, s.Requests(), 1, "a gateway's 502 is not retried")

	c, s = setup(t, stall, koophone.WithRequestTimeout(50*time.Millisecond))
	_, err = c.CreateInstances(timeout(t), createRequest())
	require.Error(t, err)
	assert.Len(t, s.Requests(), 1, "a timeout is not retried")

	c, s = setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 1 {
			answer(w, http.StatusTooManyRequests, `{"error_code":"APIGW.0308","error_msg":"throttled"}`)
			return
		}
		answer(w, http.StatusOK, createOK)
	})
	order, err := c.CreateInstances(timeout(t), createRequest())
	require.NoError(t, err, "a 429 is retried: the service did not act on it")
	assert.Len(t, order.Instances, 2)
	reqs := s.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, reqs[0].Header.Get("X-Request-Id"), reqs[1].Header.Get("X-Request-Id"))
}

func TestCreateInstancesErrorCodes(t *testing.T) {
	t.Parallel()
	assertCodes(t, topLevel, func(ctx context.Context, c *koophone.Client) error {
		_, err := c.CreateInstances(ctx, createRequest())
		return err
	}, []codeCase{
		{koophone.CodeSKUOrRegionNotFound, koophone.ErrInvalidParameter},
		{koophone.CodeOSVersionMissing, koophone.ErrInvalidParameter},
		{koophone.CodePeriodOutOfRange3006, koophone.ErrInvalidParameter},
		{koophone.CodePeriodOutOfRange3007, koophone.ErrInvalidParameter},
		{"KP.API.3002", koophone.ErrInvalidParameter},
		{koophone.CodeInvalidParameter, koophone.ErrInvalidParameter},
		{koophone.CodeInternal, koophone.ErrInternal},
	})
}

func TestDeleteInstances(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"error_code":"0","error_msg":"ok"}`,
		`{"error_code":"0","error_msg":"ok","data":null}`,
		`{"error_code":"0","error_msg":"ok","data":"null"}`,
		`{"error_code":"0","error_msg":"ok","data":"deleted"}`,
		`{"error_code":"0","error_msg":"ok","data":{"anything":[1]}}`,
	} {
		c, s := setup(t, always(http.StatusOK, body))
		require.NoError(t, c.DeleteInstances(timeout(t), []string{"i-1", "i-2"}), body)
		reqs := s.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, http.MethodPost, reqs[0].Method)
		assert.Equal(t, "/v1/instances/delete", reqs[0].Path)
		assert.JSONEq(t, `{"instanceIdList":["i-1","i-2"]}`, string(reqs[0].Raw))
	}
}

func TestDeleteInstancesRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0"}`))
	for _, tt := range []struct {
		ids  []string
		want string
	}{
		{nil, "none given"},
		{hundredAndOne(), "101 given; at most 100"},
		{[]string{"a", "a"}, `"a" is given twice`},
		{[]string{strings.Repeat("i", 33)}, "instance id 0 has 33 characters"},
		{[]string{"i-1", "."}, `instance id 1 "." is not allowed`},
	} {
		err := c.DeleteInstances(timeout(t), tt.ids)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, tt.want)
		assert.ErrorContains(t, err, tt.want)
	}
	assert.Empty(t, s.Requests())
}

func TestDeleteInstancesErrorsAndWriteRule(t *testing.T) {
	t.Parallel()
	assertCodes(t, topLevel, func(ctx context.Context, c *koophone.Client) error {
		return c.DeleteInstances(ctx, []string{"i-1"})
	}, []codeCase{
		{koophone.CodePayPerUseNotDeletable, koophone.ErrOperationNotAllowed},
		{koophone.CodeInstanceNotFound, koophone.ErrInstanceNotFound},
		{koophone.CodePermissionDenied, koophone.ErrPermissionDenied},
	})
	c, s := setup(t, always(http.StatusServiceUnavailable, ``))
	err := c.DeleteInstances(timeout(t), []string{"i-1"})
	var apiErr *koophone.APIError
	require.True(t, errors.As(err, &apiErr))
	assert.Equal(t, http.StatusServiceUnavailable, apiErr.HTTPStatus)
	assert.Len(t, s.Requests(), 1, "a write is not retried after a 5xx")
}

// A total count near MaxInt does not end the listing after one page (the
// page bound once overflowed): full, distinct pages keep coming as the loop
// asks for them.
func TestListInstancesWithAHugeTotal(t *testing.T) {
	t.Parallel()
	c, s := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
		answer(w, http.StatusOK, instancePageBody((no-1)*3, no*3, no, 3, math.MaxInt))
	})
	n := 0
	for _, err := range c.ListInstances(timeout(t), &koophone.ListInstancesOptions{PageSize: 3}) {
		require.NoError(t, err)
		if n++; n == 10 {
			break
		}
	}
	assert.Equal(t, 10, n)
	assert.Len(t, s.Requests(), 4)
}

// BenchmarkListInstances lists a whole fleet of 1,000 and of 10,000
// instances, 100 a page, from an httptest server serving pre-rendered
// pages. It reports the bytes and allocations per instance (the same for
// both sizes: the cost is per instance, not per listing) and live-B, the
// heap in use while the last instance is handled, over what it was before
// the listing began: one page's worth whatever the number of pages, as
// ListInstances holds one page at a time.
func BenchmarkListInstances(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(fmt.Sprintf("instances=%d", n), func(b *testing.B) { benchmarkListInstances(b, n) })
	}
}

func benchmarkListInstances(b *testing.B, n int) {
	const size = 100
	pages := make([][]byte, (n+size-1)/size+1)
	for i := range pages {
		pages[i] = []byte(instancePageBody(min(i*size, n), min((i+1)*size, n), i+1, size, n))
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		no, _ := strconv.Atoi(r.URL.Query().Get("page_no"))
		w.Header().Set("Content-Type", "application/json")
		w.Write(pages[min(max(no, 1), len(pages))-1])
	}))
	defer srv.Close()
	c, err := koophone.NewClient(koophone.WithToken(testToken), koophone.WithEndpoint(srv.URL))
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx, opts := context.Background(), &koophone.ListInstancesOptions{PageSize: size}

	baseline, live := heapInUse(), uint64(0)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		count := 0
		for _, err := range c.ListInstances(ctx, opts) {
			if err != nil {
				b.Fatal(err)
			}
			if count++; i == 0 && count == n {
				b.StopTimer()
				live = heapInUse()
				b.StartTimer()
			}
		}
		if count != n {
			b.Fatalf("listed %d instances, want %d", count, n)
		}
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	per := float64(b.N) * float64(n)
	b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/per, "B/instance")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/per, "allocs/instance")
	b.ReportMetric(float64(int64(live)-int64(baseline)), "live-B")
}

// heapInUse returns the bytes of live heap objects after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
