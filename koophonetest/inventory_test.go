package koophonetest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// listed is ListInstances' data.
type listed struct {
	Result []struct {
		ID            string `json:"instance_id"`
		Name          string `json:"instance_name"`
		Region        string `json:"region"`
		RegionName    string `json:"region_name"`
		RunningStatus int    `json:"running_status"`
		AssignStatus  int    `json:"assign_status"`
		AssignUser    string `json:"assign_user"`
		BillingMode   string `json:"billing_mode"`
		BackupStatus  int    `json:"backup_status"`
		BackupTime    string `json:"backup_time"`
	} `json:"result"`
	PageNo     int    `json:"page_no"`
	PageSize   int    `json:"page_size"`
	TotalCount int    `json:"total_count"`
	Code       string `json:"error_code"`
}

func list(t *testing.T, srv *koophonetest.Server, query string) (result, listed) {
	t.Helper()
	r := call(t, srv, "GET", "/v1/instances/batch-query?x-request-id=r-1&"+query, "")
	return r, into[listed](t, r)
}

func TestListInstancesPagesAFleet(t *testing.T) {
	t.Parallel()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	srv := newServer(t, koophonetest.WithFleet(10000)) // how fast: BenchmarkWithFleet
	seen := 0
	for page := 1; ; page++ {
		r, l := list(t, srv, fmt.Sprintf("page_no=%d&page_size=1000", page))
		require.Equal(t, "0", r.code)
		require.Equal(t, 10000, l.TotalCount)
		if len(l.Result) == 0 {
			break
		}
		assert.Equal(t, fmt.Sprintf("fleet-%05d", seen+1), l.Result[0].ID)
		seen += len(l.Result)
	}
	assert.Equal(t, 10000, seen)

	_, l := list(t, srv, "page_no=1&page_size=2&instance_name=phone-0999&order=desc&order_by=instance_name")
	assert.Equal(t, 10, l.TotalCount, "a substring of the name")
	assert.Equal(t, "phone-09999", l.Result[0].Name)
	assert.Equal(t, 2, l.Result[0].RunningStatus)
	assert.Equal(t, "华北-北京四", l.Result[0].RegionName)
	assert.Equal(t, 0, l.Result[0].AssignStatus)

	_, l = list(t, srv, "page_no=1&page_size=100&query_start_time=2026-01-01+00:01:00&query_end_time=2026-01-01+00:03:00")
	assert.Equal(t, 3, l.TotalCount, "created a minute apart, bounds included")
}

func TestListInstancesErrorsSitInData(t *testing.T) {
	t.Parallel()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	srv := newServer(t, koophonetest.WithFleet(3))
	for _, tt := range []struct{ query, code string }{
		{"page_no=1&page_size=10", "0"},
		{"page_no=0&page_size=10", "KOOPHONE.API.1000"},
		{"page_no=1", "KOOPHONE.API.1000"},
		{"page_no=1&page_size=10&order=up", "KOOPHONE.API.1000"},
		{"page_no=1&page_size=10&pool_scene_tag=X", "KOOPHONE.API.1000"},
		{"page_no=1&page_size=10&query_start_time=2026-01-01T00:00:00Z", "KOOPHONE.API.5002"},
		{"page_no=1&page_size=10&query_start_time=2026-01-02+00:00:00&query_end_time=2026-01-01+00:00:00", "KOOPHONE.API.5004"},
	} {
		r, l := list(t, srv, tt.query)
		assert.Equal(t, tt.code, l.Code, tt.query)
		assert.Equal(t, tt.code, r.code, tt.query)
	}
	r := call(t, srv, "GET", "/v1/instances/batch-query?page_no=1&page_size=10", "")
	assert.Equal(t, "KOOPHONE.API.0002", r.code, "x-request-id is required in the query too")
	assert.Equal(t, 200, r.status)
	for _, q := range []string{"x-request-id=r-2", "x-request-id=r-1&x-request-id=r-2", "x-request-id=r-1&x-request-id=r-1", "x-request-id=R-1"} {
		r := call(t, srv, "GET", "/v1/instances/batch-query?page_no=1&page_size=10&"+q, "")
		assert.Equal(t, "KOOPHONE.API.0002", r.code, "the query's x-request-id must be the header's: %s", q)
		assert.Equal(t, 200, r.status, q)
	}
}

// The SDK sends the same id in the header and the query, on every
// attempt, so the fake's check never refuses it.
func TestListInstancesRequestIDsMatchAcrossRetries(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithFleet(3))
	srv.FailNext(2, koophonetest.HTMLPage(502))
	page, err := srv.Client().ListInstancesPage(ctx(t), 1, nil)
	require.NoError(t, err)
	assert.Len(t, page.Instances, 3)
	reqs := srv.Requests()
	require.Len(t, reqs, 3)
	for _, r := range reqs {
		q, err := url.ParseQuery(r.Query)
		require.NoError(t, err)
		assert.Equal(t, []string{r.Header.Get("X-Request-Id")}, q["x-request-id"])
	}
}

func TestAssignAndUnassign(t *testing.T) {
	t.Parallel()
	clock := newClock()
	srv := newServer(t, koophonetest.WithFleet(2), koophonetest.WithInstances("bob", "b-1"), koophonetest.WithClock(clock.Now))
	c := srv.Client()
	_, err := c.PrepareInstances(ctx(t), "alice", []string{"fleet-00001"})
	require.ErrorContains(t, err, "KOOPHONE.API.1001", "not assigned yet")

	assign := `{"user_instances":[{"user_id":"alice","instance_id":"fleet-00001"}]}`
	assert.Equal(t, "0", call(t, srv, "POST", "/v1/instances/assign", assign).code)
	assert.Equal(t, "0", call(t, srv, "POST", "/v1/instances/assign", assign).code, "again to the same user")
	_, l := list(t, srv, "page_no=1&page_size=10&instance_id=fleet-00001")
	assert.Equal(t, 1, l.Result[0].AssignStatus)
	assert.Equal(t, "alice", l.Result[0].AssignUser)
	_, err = c.PrepareInstances(ctx(t), "alice", []string{"fleet-00001"})
	require.NoError(t, err)

	for body, code := range map[string]string{
		`{"user_instances":[{"user_id":"alice","instance_id":"b-1"}]}`:                             "KOOPHONE.API.2003",
		`{"user_instances":[{"user_id":"a","instance_id":"x"},{"user_id":"b","instance_id":"x"}]}`: "KOOPHONE.API.1000",
		`{"user_instances":[]}`: "KOOPHONE.API.1000",
		`{"user_instances":[{"user_id":"alice","instance_id":"nope"}]}`:                  "KOOPHONE.API.4001",
		`{"user_instances":[{"user_id":"alice","instance_id":"fleet-00002"}],"extra":1}`: "KOOPHONE.API.1000",
	} {
		assert.Equal(t, code, call(t, srv, "POST", "/v1/instances/assign", body).code, body)
	}
	assert.Equal(t, "KOOPHONE.API.2210", call(t, srv, "POST", "/v1/instances/unassign", `{"user_instances":[{"user_id":"alice","instance_id":"b-1"}]}`).code)

	r := call(t, srv, "POST", "/v1/instances/unassign", assign)
	require.Equal(t, "0", r.code)
	tk := into[task](t, r)
	require.Len(t, tk.Jobs, 1)
	assert.Equal(t, "fleet-00001", tk.Jobs[0].InstanceID)
	_, l = list(t, srv, "page_no=1&page_size=10&instance_id=fleet-00001")
	assert.Equal(t, 0, l.Result[0].AssignStatus)
	assert.Equal(t, []int{1}, jobStatuses(t, srv, tk.ID))
	clock.Advance(time.Second)
	assert.Equal(t, []int{2}, jobStatuses(t, srv, tk.ID))
}

func TestCreateAndDelete(t *testing.T) {
	t.Parallel()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	srv := newServer(t, koophonetest.WithInstance(koophonetest.Instance{ID: "ppu", PayPerUse: true}))
	body := func(mod string) string {
		return `{"os":"AOSP11","instanceSkuId":"` + koophonetest.SKUID + `","bandSkuId":"` + koophonetest.BandSKUID +
			`","regionId":"cn-north-4","instanceNamePrefix":"shop","bandSize":4,"count":2,` +
			`"chargeParam":{"chargingMode":1,"periodType":2,"periodNum":3,"isAutoPay":1,"isAutoRenew":0}` + mod + `}`
	}
	r := call(t, srv, "POST", "/v1/instances/create", body(""))
	require.Equal(t, "0", r.code)
	order := into[struct {
		OrderID string `json:"orderId"`
		Infos   []struct {
			ID   string `json:"instanceId"`
			Name string `json:"instanceName"`
		} `json:"instanceInfos"`
	}](t, r)
	assert.NotEmpty(t, order.OrderID)
	require.Len(t, order.Infos, 2)
	assert.Equal(t, "shop0001", order.Infos[0].Name)
	assert.Equal(t, "shop0002", order.Infos[1].Name)
	_, l := list(t, srv, "page_no=1&page_size=10&instance_name=shop")
	assert.Equal(t, 2, l.TotalCount)
	assert.Equal(t, "PERIODIC", l.Result[0].BillingMode)

	for _, mod := range []string{`,"count":0`, `,"instanceNamePrefix":"fifteen-chars-x"`, `,"os":"AOSP2"`, `,"bandSize":3`,
		`,"network":"VPN"`, `,"chargeParam":{"chargingMode":1,"periodType":4,"periodNum":1}`,
		`,"chargeParam":{"chargingMode":2,"periodType":2,"periodNum":1}`, `,"chargeParam":{"chargingMode":1,"periodType":2,"periodNum":1,"isAutoPay":2}`} {
		r := call(t, srv, "POST", "/v1/instances/create", body(mod))
		assert.Equal(t, "KOOPHONE.API.1000", r.code, mod)
	}

	assert.Equal(t, "KOOPHONE.API.5001", call(t, srv, "POST", "/v1/instances/delete", `{"instanceIdList":["`+order.Infos[0].ID+`","ppu"]}`).code)
	r = call(t, srv, "POST", "/v1/instances/delete", `{"instanceIdList":["`+order.Infos[0].ID+`"]}`)
	assert.Equal(t, "0", r.code)
	assert.Equal(t, "null", string(r.data))
	_, ok := srv.Instance(order.Infos[0].ID)
	assert.False(t, ok)
	_, ok = srv.Instance(order.Infos[1].ID)
	assert.True(t, ok)
}

// CreateInstance answers the codes the error-code page documents for its
// parameters, with HTTP 200: 3002 no such SKU or region, 3003 os missing,
// 3006 months out of 1 to 9, 3007 years out of 1 to 3.
func TestCreateInstanceAnswersTheDocumentedParameterCodes(t *testing.T) {
	t.Parallel()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	srv := newServer(t)
	const rest = `"instanceSkuId":"` + koophonetest.SKUID + `","bandSkuId":"` + koophonetest.BandSKUID +
		`","regionId":"cn-north-4","instanceNamePrefix":"shop","bandSize":4,"count":1`
	charge := func(unit, n int) string {
		return fmt.Sprintf(`,"chargeParam":{"chargingMode":1,"periodType":%d,"periodNum":%d,"isAutoPay":1,"isAutoRenew":0}`, unit, n)
	}
	for _, tc := range []struct{ body, code string }{
		{`{` + rest + charge(2, 1) + `}`, "KOOPHONE.API.3003"},
		{`{"os":"",` + rest + charge(2, 1) + `}`, "KOOPHONE.API.3003"},
		{`{"os":"AOSP11",` + rest + `,"regionId":"eu-west-0"` + charge(2, 1) + `}`, "KOOPHONE.API.3002"},
		{`{"os":"AOSP11",` + rest + `,"instanceSkuId":"no-such-sku"` + charge(2, 1) + `}`, "KOOPHONE.API.3002"},
		{`{"os":"AOSP11",` + rest + `,"bandSkuId":"no-such-band"` + charge(2, 1) + `}`, "KOOPHONE.API.3002"},
		{`{"os":"AOSP11",` + rest + charge(2, 0) + `}`, "KOOPHONE.API.3006"},
		{`{"os":"AOSP11",` + rest + charge(2, 10) + `}`, "KOOPHONE.API.3006"},
		{`{"os":"AOSP11",` + rest + charge(3, 0) + `}`, "KOOPHONE.API.3007"},
		{`{"os":"AOSP11",` + rest + charge(3, 4) + `}`, "KOOPHONE.API.3007"},
		{`{"os":"AOSP11",` + rest + charge(2, 9) + `}`, "0"},
		{`{"os":"AOSP11",` + rest + charge(3, 3) + `}`, "0"},
	} {
		r := call(t, srv, "POST", "/v1/instances/create", tc.body)
		assert.Equal(t, tc.code, r.code, tc.body)
		assert.Equal(t, http.StatusOK, r.status, tc.body)
	}

	// Through the SDK: ErrInvalidParameter, with the service's code.
	_, err := srv.Client().CreateInstances(ctx(t), koophone.CreateInstancesRequest{OS: "AOSP11", SKUID: "no-such-sku",
		BandSKUID: koophonetest.BandSKUID, RegionID: "cn-north-4", NamePrefix: "shop", BandwidthMbps: 4, Count: 1,
		Charge: koophone.ChargeParam{Unit: koophone.PeriodMonth, Count: 1}})
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "KOOPHONE.API.3002", apiErr.Code)
	assert.Equal(t, http.StatusOK, apiErr.HTTPStatus)
	assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
}

func TestSKUCatalog(t *testing.T) {
	t.Parallel()
	t.Cleanup(http.DefaultClient.CloseIdleConnections)
	srv := newServer(t)
	assert.Equal(t, "KOOPHONE.API.1000", call(t, srv, "GET", "/v1/instances/sku", "").code)
	r := call(t, srv, "GET", "/v1/instances/sku?type=0", "")
	cat := into[struct {
		BandInfo struct {
			ID string `json:"cbcSkuId"`
		} `json:"bandInfo"`
		Specs []struct {
			RegionID string `json:"regionId"`
			SKUs     []struct {
				ID       string `json:"cbcSkuId"`
				BandSize string `json:"bandSize"`
				PoolInfo struct {
					AOSP []struct {
						Version string `json:"version"`
						Enable  bool   `json:"enable"`
					} `json:"aosp"`
				} `json:"poolInfo"`
			} `json:"skuResponses"`
		} `json:"skuSpecResponseList"`
	}](t, r)
	assert.Equal(t, koophonetest.BandSKUID, cat.BandInfo.ID)
	require.NotEmpty(t, cat.Specs)
	assert.Equal(t, "cn-north-4", cat.Specs[0].RegionID)
	assert.Equal(t, koophonetest.SKUID, cat.Specs[0].SKUs[0].ID)
	assert.Equal(t, "2,4,8", cat.Specs[0].SKUs[0].BandSize)
	assert.Equal(t, "AOSP11", cat.Specs[0].SKUs[0].PoolInfo.AOSP[0].Version)
}

// A page number of any size is a page past the end, never a crash.
func TestHugePageNumbers(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("u", "p1"))
	for _, no := range []string{"9223372036854775807", "4611686018427387904", "2"} {
		r, page := list(t, srv, "page_size=100&page_no="+no)
		assert.Equal(t, http.StatusOK, r.status, no)
		assert.Empty(t, page.Result, no)
		assert.Equal(t, 1, page.TotalCount, no)
		r = call(t, srv, "GET", "/v1/instances/p1/app-list?page_size=200&page_no="+no, "")
		assert.Equal(t, http.StatusOK, r.status, no)
	}
}

// Creating instances never takes an id an instance already has.
func TestCreateKeepsExistingInstances(t *testing.T) {
	t.Parallel()
	srv := newServer(t, koophonetest.WithInstances("alice", "kp-000001"))
	r := call(t, srv, "POST", "/v1/instances/create", `{"os":"AOSP11","instanceSkuId":"`+koophonetest.SKUID+`","bandSkuId":"`+koophonetest.BandSKUID+
		`","regionId":"cn-north-4","instanceNamePrefix":"云手机测试","bandSize":4,"count":1,"chargeParam":{"chargingMode":1,"periodType":2,"periodNum":1,"isAutoPay":1,"isAutoRenew":0}}`)
	require.Equal(t, http.StatusOK, r.status, r.code)
	assert.Equal(t, "0", r.code)
	assert.NotContains(t, string(r.data), `"kp-000001"`)
	in, ok := srv.Instance("kp-000001")
	require.True(t, ok)
	assert.Equal(t, "alice", in.User)
}

// BenchmarkWithFleet seeds a fleet of 10,000 instances, as paging tests do.
func BenchmarkWithFleet(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		koophonetest.NewServer(koophonetest.WithFleet(10000)).Close()
	}
}
