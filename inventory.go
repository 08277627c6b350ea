package koophone

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"time"

	"github.com/koophone-go/koophone/internal/wire"
)

// The pool scenes [ListInstancesOptions.Scene] can filter on.
const (
	SceneCloudPhone = "CLOUD_PHONE"
	SceneCloudApp   = "CLOUD_APP"
)

// Limits of ListInstances' filters. The API reference gives no maximum
// page size: 500 keeps a page well inside the 1 MiB an answer may have
// (an instance takes about 600 bytes).
const (
	maxInstancePageSize = 500
	maxFilterLen        = 128 // instance name, pool name
	maxOrderByLen       = 64
	listTimeLayout      = "2006-01-02 15:04:05" // query_start_time, query_end_time, in UTC
)

// ListInstancesOptions are the filters and page size of
// [Client.ListInstancesPage] and [Client.ListInstances]. A nil
// *ListInstancesOptions, like the zero value, lists every instance 100 at
// a time. The methods do not keep it: changing it later changes nothing.
type ListInstancesOptions struct {
	PageSize     int       // instances per page: 1 to 500; 0 = 100; negative is invalid
	InstanceID   string    // only this instance; "" = not sent
	InstanceName string    // at most 128 characters; "" = not sent
	Since, Until time.Time // query_start_time / query_end_time, sent in UTC as "2006-01-02 15:04:05" (whole seconds); zero = not sent; Until may not be before Since
	Scene        string    // pool_scene_tag: SceneCloudPhone or SceneCloudApp; "" = not sent
	PoolName     string    // at most 128 characters; "" = not sent
	Order        string    // "asc" or "desc"; "" = not sent
	OrderBy      string    // the field to sort by, at most 64 characters; "" = not sent
}

// PowerState is an instance's running_status. Values the SDK does not know
// are kept as they came. The zero value is PowerUnknown.
type PowerState int

// The documented power states.
const (
	PowerUnknown      PowerState = 0
	PowerStopped      PowerState = 1
	PowerRunning      PowerState = 2
	PowerGoingOffline PowerState = 3
	PowerStarting     PowerState = 4
	PowerShutDown     PowerState = 5
)

var powerStateNames = []string{"unknown", "stopped", "running", "going-offline", "starting", "shut-down"}

// String returns "unknown", "stopped", "running", "going-offline",
// "starting" or "shut-down", and "PowerState(9)" for a value the SDK does
// not know.
func (s PowerState) String() string { return enumName("PowerState", int(s), powerStateNames) }

// DataJobStatus is the status of an instance's last backup or restore
// (backup_status, restore_status). Values the SDK does not know are kept
// as they came. The zero value is DataJobPreparing.
type DataJobStatus int

// The documented backup and restore statuses.
const (
	DataJobPreparing DataJobStatus = 0
	DataJobRunning   DataJobStatus = 1
	DataJobSucceeded DataJobStatus = 2
	DataJobFailed    DataJobStatus = 3
	DataJobOther     DataJobStatus = 4
)

var dataJobStatusNames = []string{"preparing", "running", "succeeded", "failed", "other"}

// String returns "preparing", "running", "succeeded", "failed" or "other",
// and "DataJobStatus(9)" for a value the SDK does not know.
func (s DataJobStatus) String() string {
	return enumName("DataJobStatus", int(s), dataJobStatusNames)
}

// DataJob is an instance's last backup or restore.
type DataJob struct {
	Status DataJobStatus
	Time   string // backup_time / restore_time, as sent
}

// Instance is one cloud phone as ListInstances reports it. Its text comes
// from the service, sanitised: no control or bidi characters, bounded.
// InstanceID is kept exactly as sent: a page with an id that cannot be kept
// as it is (empty, over 128 bytes, holding a control, format or bidi
// character) matches [ErrMalformedResponse].
type Instance struct {
	InstanceID   string
	Name         string // instance_name
	Region       string // e.g. "cn-north-4"
	RegionName   string
	RegionNameEN string
	SKU          string     // instance_sku, the spec as text
	Frozen       bool       // frozen_status == 1
	Power        PowerState // running_status
	LoggedIn     bool       // login_status == 1
	Assigned     bool       // assign_status == 1
	AssignedUser string     // assign_user, exactly as sent (what UnassignInstances takes)
	BillingMode  string
	ProjectID    string
	ProjectName  string
	PhoneID      string
	MemberName   string
	AccountName  string
	Backup       DataJob
	Restore      DataJob
}

// InstancePage is one page of [Client.ListInstancesPage].
type InstancePage struct {
	Instances  []Instance
	PageNo     int // 1-based, as the service numbered it (the page asked for, if it did not say)
	PageSize   int // as the service said (the size asked for, if it did not say)
	TotalCount int // instances in the whole listing
	RequestID  string
}

var opListInstances = operation{name: "ListInstances", method: http.MethodGet, envelope: wire.InData, idQuery: true}

// ListInstancesPage returns one page of the tenant's instances; pageNo
// starts at 1. It calls GET /v1/instances/batch-query, a read retried on
// every transient failure, with the request id as the x-request-id query
// parameter too. See [Client.ListInstances] to go through every page.
//
// A pageNo below 1 or a bad field of opts (see [ListInstancesOptions])
// returns an error matching [ErrInvalidParameter] that names it, and sends
// nothing. The service's error code, which this operation sends inside
// data, gives an [*APIError] as for any operation: KOOPHONE.API.5002 (a
// bad time) and 5004 (the end before the start) match ErrInvalidParameter.
func (c *Client) ListInstancesPage(ctx context.Context, pageNo int, opts *ListInstancesOptions) (*InstancePage, error) {
	q, size, err := instancesQuery(pageNo, opts)
	if err != nil {
		return nil, err
	}
	var out instancePageData
	id, err := c.do(ctx, opListInstances, request{path: "/v1/instances/batch-query", query: q}, &out)
	if err != nil {
		return nil, err
	}
	page := &InstancePage{Instances: make([]Instance, len(out.Result)), RequestID: id}
	page.PageNo, page.PageSize, page.TotalCount = pageHead(out.PageInfo, pageNo, size)
	for i := range out.Result {
		page.Instances[i] = instanceOf(&out.Result[i])
	}
	return page, nil
}

// ListInstances returns every instance matching opts, page after page:
// each page is fetched when the loop reaches it, never ahead, and only one
// is held at a time. Breaking out of the loop stops fetching. A failure
// (a bad argument included) is yielded once as (zero Instance, err) and
// ends the sequence.
//
// The listing ends after the total_count instances the service announced
// (the service's count can only lower it on later pages), at an empty or
// short page, or after ceil(total_count/page size)+1 pages, whichever
// comes first. A page whose instances (by InstanceID) all came on earlier
// pages, as from a server that alternates pages or sends one again with a
// field changed, ends it with an error matching [ErrMalformedResponse]:
// whatever the server sends, it ends. Telling such pages takes 64 KiB and
// a few bytes per page besides the page held. Instances created or deleted
// while it runs may be missed or seen twice, as with any paged listing.
// Each range over the sequence starts again from page 1.
func (c *Client) ListInstances(ctx context.Context, opts *ListInstancesOptions) iter.Seq2[Instance, error] {
	var o ListInstancesOptions
	if opts != nil {
		o = *opts
	}
	return paginate(o.PageSize, func(in Instance) string { return in.InstanceID }, func(pageNo int) ([]Instance, pageResult, error) {
		p, err := c.ListInstancesPage(ctx, pageNo, &o)
		if err != nil {
			return nil, pageResult{}, err
		}
		return p.Instances, pageResult{size: p.PageSize, total: p.TotalCount}, nil
	})
}

// instancesQuery checks ListInstances' arguments and returns its query and
// the page size it asks for.
func instancesQuery(pageNo int, opts *ListInstancesOptions) (url.Values, int, error) {
	var o ListInstancesOptions
	if opts != nil {
		o = *opts
	}
	q, size, err := pageQuery(pageNo, o.PageSize, maxInstancePageSize)
	if err != nil {
		return nil, 0, err
	}
	if err := o.check(); err != nil {
		return nil, 0, err
	}
	set := func(key, value string) {
		if value != "" {
			q.Set(key, value)
		}
	}
	set("instance_id", o.InstanceID)
	set("instance_name", o.InstanceName)
	set("query_start_time", listTime(o.Since))
	set("query_end_time", listTime(o.Until))
	set("pool_scene_tag", o.Scene)
	set("pool_name", o.PoolName)
	set("order", o.Order)
	set("order_by", o.OrderBy)
	return q, size, nil
}

// check checks the filters, naming the first one that is wrong.
func (o *ListInstancesOptions) check() error {
	if o.InstanceID != "" {
		if err := checkID("InstanceID", o.InstanceID); err != nil {
			return err
		}
	}
	if !o.Since.IsZero() && !o.Until.IsZero() && o.Until.Truncate(time.Second).Before(o.Since.Truncate(time.Second)) {
		return invalidArg("Until (%s) is before Since (%s)", listTime(o.Until), listTime(o.Since))
	}
	return firstError(
		checkLen("InstanceName", o.InstanceName, maxFilterLen),
		checkYear("Since", o.Since),
		checkYear("Until", o.Until),
		oneOf("Scene", o.Scene, "", SceneCloudPhone, SceneCloudApp),
		checkLen("PoolName", o.PoolName, maxFilterLen),
		oneOf("Order", o.Order, "", "asc", "desc"),
		checkLen("OrderBy", o.OrderBy, maxOrderByLen),
	)
}

// listTime formats t in UTC as ListInstances wants it; "" for the zero time.
func listTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(listTimeLayout)
}

// checkYear refuses a time whose UTC year has not four digits, which the
// time format cannot carry.
func checkYear(name string, t time.Time) error {
	if y := t.UTC().Year(); !t.IsZero() && (y < 1 || y > 9999) {
		return invalidArg("%s is in the year %d; want 1 to 9999", name, y)
	}
	return nil
}

// instancePageData is ListInstances' data, which must carry total_count
// and, for every instance, an id that can be kept as sent.
type instancePageData wire.InstancePageData

func (d *instancePageData) Validate() error {
	for i := range d.Result {
		at := entry{"data.result", i}
		if err := firstError(at.checkID("instance_id", d.Result[i].InstanceID), at.checkOptionalID("assign_user", d.Result[i].AssignUser)); err != nil {
			return err
		}
	}
	return checkPageInfo(d.PageInfo)
}

// instanceOf maps one wire instance to an Instance, sanitising its text;
// its id was checked and is kept.
func instanceOf(in *wire.InstanceItem) Instance {
	text := wire.SanitiseMessage
	return Instance{
		InstanceID:   in.InstanceID,
		Name:         text(in.InstanceName),
		Region:       text(in.Region),
		RegionName:   text(in.RegionName),
		RegionNameEN: text(in.RegionNameEN),
		SKU:          text(in.InstanceSKU),
		Frozen:       in.FrozenStatus == 1,
		Power:        PowerState(in.RunningStatus),
		LoggedIn:     in.LoginStatus == 1,
		Assigned:     in.AssignStatus == 1,
		AssignedUser: in.AssignUser,
		BillingMode:  text(string(in.BillingMode)),
		ProjectID:    wire.SanitiseID(in.ProjectID),
		ProjectName:  text(in.ProjectName),
		PhoneID:      wire.SanitiseID(string(in.PhoneID)),
		MemberName:   text(in.MemberName),
		AccountName:  text(in.AccountName),
		Backup:       DataJob{Status: DataJobStatus(in.BackupStatus), Time: text(string(in.BackupTime))},
		Restore:      DataJob{Status: DataJobStatus(in.RestoreStatus), Time: text(string(in.RestoreTime))},
	}
}
