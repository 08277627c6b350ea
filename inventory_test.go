package koophone_test

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"strings"
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
