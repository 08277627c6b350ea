package koophonetest

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Values of pool_scene_tag.
const (
	sceneCloudPhone = "CLOUD_PHONE"
	sceneCloudApp   = "CLOUD_APP"
)

// maxListPageSize is the largest page_size ListInstances accepts.
const maxListPageSize = 1000

// instanceJSON is an item of ListInstances' result.
type instanceJSON struct {
	InstanceID    string `json:"instance_id"`
	InstanceName  string `json:"instance_name"`
	Region        string `json:"region"`
	InstanceSKU   string `json:"instance_sku"`
	FrozenStatus  int    `json:"frozen_status"`
	RunningStatus int    `json:"running_status"`
	LoginStatus   int    `json:"login_status"`
	AssignStatus  int    `json:"assign_status"`
	AssignUser    string `json:"assign_user"`
	BillingMode   string `json:"billing_mode"`
	ProjectID     string `json:"project_id"`
	ProjectName   string `json:"project_name"`
	PhoneID       string `json:"phone_id"`
	MemberName    string `json:"member_name"`
	AccountName   string `json:"account_name"`
	RegionName    string `json:"region_name"`
	RegionNameEN  string `json:"region_name_en"`
	BackupStatus  int    `json:"backup_status"`
	RestoreStatus int    `json:"restore_status"`
	BackupTime    string `json:"backup_time"`
	RestoreTime   string `json:"restore_time"`
}

// instancePage is ListInstances' data, which holds its error code too.
type instancePage struct {
	Result     []instanceJSON `json:"result"`
	PageNo     int            `json:"page_no"`
	PageSize   int            `json:"page_size"`
	TotalCount int            `json:"total_count"`
	Code       string         `json:"error_code"`
	Msg        string         `json:"error_msg"`
}

// listQuery is what ListInstances was asked.
type listQuery struct {
	pageNo, pageSize      int
	id, name, scene, pool string
	order, orderBy        string
	since, until          time.Time
}

// listInstances answers ListInstances: GET /v1/instances/batch-query.
func (s *Server) listInstances(r *http.Request, _ []byte) reply {
	q := r.URL.Query()
	switch ids := q["x-request-id"]; {
	case len(ids) == 0 || ids[0] == "":
		return fail(codeMissingRequestID, "missing query parameter x-request-id")
	case len(ids) > 1 || ids[0] != r.Header.Get("X-Request-Id"):
		return fail(codeMissingRequestID, "query parameter x-request-id is not the X-Request-Id header")
	}
	lq, rep, ok := parseListQuery(q)
	if !ok {
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var found []*instance
	for _, in := range s.inventory.order {
		if lq.matches(in) {
			found = append(found, in)
		}
	}
	sortInstances(found, lq.orderBy, lq.order == "desc")
	page := &instancePage{Result: []instanceJSON{}, PageNo: lq.pageNo, PageSize: lq.pageSize, TotalCount: len(found)}
	for _, in := range pageOf(found, lq.pageNo, lq.pageSize) {
		s.settle(in)
		page.Result = append(page.Result, s.instanceJSON(in))
	}
	return success(page)
}

// parseListQuery checks ListInstances' query parameters.
func parseListQuery(q url.Values) (listQuery, reply, bool) {
	lq := listQuery{id: q.Get("instance_id"), name: q.Get("instance_name"), scene: q.Get("pool_scene_tag"),
		pool: q.Get("pool_name"), order: q.Get("order"), orderBy: q.Get("order_by")}
	var pageMsg string
	lq.pageNo, lq.pageSize, pageMsg = parsePage(q, maxListPageSize)
	msg := firstError(
		pageMsg,
		check(slices.Contains([]string{"", sceneCloudPhone, sceneCloudApp}, lq.scene), "pool_scene_tag must be CLOUD_PHONE or CLOUD_APP"),
		check(slices.Contains([]string{"", "asc", "desc"}, lq.order), "order must be asc or desc"),
		check(slices.Contains([]string{"", "create_time", "instance_name", "instance_id"}, lq.orderBy), "order_by must be create_time, instance_name or instance_id"),
	)
	if msg != "" {
		return lq, invalid("%s", msg), false
	}
	var err error
	for _, t := range []struct {
		param string
		to    *time.Time
	}{{"query_start_time", &lq.since}, {"query_end_time", &lq.until}} {
		if v := q.Get(t.param); v != "" {
			if *t.to, err = time.ParseInLocation(timeLayout, v, time.UTC); err != nil {
				return lq, fail(codeBadTimeFormat, "%s must look like 2006-01-02 15:04:05", t.param), false
			}
		}
	}
	if !lq.since.IsZero() && !lq.until.IsZero() && lq.until.Before(lq.since) {
		return lq, fail(codeEndBeforeStart, "query_end_time is before query_start_time"), false
	}
	return lq, reply{}, true
}

// matches reports whether an instance passes the filters: instance_id,
// pool_scene_tag and pool_name exactly, instance_name as a substring, the
// creation time within the bounds (inclusive).
func (lq listQuery) matches(in *instance) bool {
	return (lq.id == "" || in.ID == lq.id) &&
		(lq.name == "" || strings.Contains(in.Name, lq.name)) &&
		(lq.scene == "" || in.Scene == lq.scene) &&
		(lq.pool == "" || in.PoolName == lq.pool) &&
		(lq.since.IsZero() || !in.Created.Before(lq.since)) &&
		(lq.until.IsZero() || !in.Created.After(lq.until))
}

// sortInstances orders instances by orderBy ("" keeps the order they were
// added in), descending if desc.
func sortInstances(ins []*instance, orderBy string, desc bool) {
	key := map[string]func(a, b *instance) int{
		"create_time":   func(a, b *instance) int { return a.Created.Compare(b.Created) },
		"instance_name": func(a, b *instance) int { return cmp.Compare(a.Name, b.Name) },
		"instance_id":   func(a, b *instance) int { return cmp.Compare(a.ID, b.ID) },
	}[orderBy]
	if key != nil {
		slices.SortStableFunc(ins, key)
	}
	if desc {
		slices.Reverse(ins)
	}
}

// instanceJSON is how ListInstances shows an instance. The caller holds s.mu.
func (s *Server) instanceJSON(in *instance) instanceJSON {
	names, ok := regionNames[in.Region]
	if !ok {
		names = [2]string{in.Region, in.Region}
	}
	j := instanceJSON{
		InstanceID: in.ID, InstanceName: in.Name, Region: in.Region, InstanceSKU: in.SKU,
		FrozenStatus: b2i(in.Frozen), RunningStatus: s.power(in), LoginStatus: b2i(in.LoggedIn),
		AssignStatus: b2i(in.User != ""), AssignUser: in.User, BillingMode: "PERIODIC",
		ProjectID: "koophonetest-project", ProjectName: "koophonetest", PhoneID: "phone-" + in.ID,
		MemberName: "koophonetest-member", AccountName: "koophonetest-account",
		RegionName: names[0], RegionNameEN: names[1],
		BackupStatus: in.BackupStatus, BackupTime: in.BackupTime, RestoreStatus: in.RestoreStatus, RestoreTime: in.RestoreTime,
	}
	if in.PayPerUse {
		j.BillingMode = "ON_DEMAND"
	}
	if st, busy := s.busy(in); busy && st == statusBackingUp {
		j.BackupStatus = dataJobRunning
	}
	if in.prepared { // preparing restores the instance's data
		j.RestoreStatus, j.RestoreTime = dataJobRunning, in.preparedAt.UTC().Format(timeLayout)
		if s.ready(in) {
			j.RestoreStatus = dataJobSucceeded
		}
	}
	return j
}

// Values of backup_status and restore_status.
const (
	dataJobRunning   = 1
	dataJobSucceeded = 2
	dataJobFailed    = 3
)

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
