package koophone

import (
	"context"
	"iter"
	"math"
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
	AssignedUser string     // assign_user
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
		if err := (entry{"data.result", i}).checkID("instance_id", d.Result[i].InstanceID); err != nil {
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
		AssignedUser: wire.SanitiseID(in.AssignUser),
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

// PeriodUnit is the unit of a yearly/monthly subscription's period.
type PeriodUnit int

// The period units CreateInstances takes.
const (
	PeriodMonth PeriodUnit = 2 // periodNum 1 to 9
	PeriodYear  PeriodUnit = 3 // periodNum 1 to 3
)

// ChargeParam is how instances bought with [Client.CreateInstances] are
// paid for: always yearly/monthly (chargingMode 1), for Count units.
type ChargeParam struct {
	Unit      PeriodUnit // PeriodMonth or PeriodYear
	Count     int        // periodNum: 1 to 9 months or 1 to 3 years
	AutoPay   bool       // isAutoPay: pay the order at once from the account
	AutoRenew bool       // isAutoRenew: renew at the end of the period
}

// CreateInstancesRequest is what [Client.CreateInstances] buys. Take the
// ids from [Client.ListSKUs].
type CreateInstancesRequest struct {
	OS            string      // os, e.g. "AOSP11" or "AOSP14"; required, at most 32 characters
	SKUID         string      // instanceSkuId: an SKU's ID, 1 to 64 characters
	BandSKUID     string      // bandSkuId: the catalog's BandSKUID, 1 to 64 characters
	RegionID      string      // regionId, e.g. "cn-north-4", 1 to 64 characters
	NamePrefix    string      // instanceNamePrefix: instances are named after it; 1 to 14 characters
	BandwidthMbps float64     // bandSize in Mbit/s, above 0 (an SKU's BandSizes lists those on offer)
	Count         int         // count: 1 to 2000 instances
	Charge        ChargeParam // chargeParam
	Network       string      // "EIP" (the service's default when "") or "ADN"
	NodeGroupID   string      // nodeGroupId, at most 64 characters; "" = not sent
}

// Limits of CreateInstance. The API reference gives 1500 and 2000 as the
// largest count in different places: the SDK lets the larger through and
// leaves the service to judge.
const (
	maxCreateCount = 2000
	maxOSLen       = 32
	maxCreateIDLen = 64 // SKU, band SKU, region and node group ids
	maxPrefixLen   = 14
	maxMonths      = 9
	maxYears       = 3
)

// CreatedInstance is an instance an order created.
type CreatedInstance struct {
	InstanceID string // instanceId, exactly as sent; "" when the answer has none
	Name       string // instanceName
}

// Order is the answer of [Client.CreateInstances]. Its text comes from the
// service, sanitised.
type Order struct {
	OrderID   string // orderId
	Instances []CreatedInstance
	RequestID string // the X-Request-Id of the call
}

var opCreateInstance = operation{name: "CreateInstance", method: http.MethodPost, write: true}

// CreateInstances buys req.Count cloud phones, paid yearly or monthly: it
// spends money. It calls POST /v1/instances/create and returns the order
// and the instances it created.
//
// Every field of req is checked first (see [CreateInstancesRequest]); a bad
// one returns an error matching [ErrInvalidParameter] that names it, and
// nothing is sent. The service refusing a parameter (KOOPHONE.API.3002 no
// such SKU or region, 3003 OS version missing, 3006 and 3007 period count
// out of range) matches [ErrInvalidParameter].
//
// It is never repeated once it may have reached the service: it is retried
// only after HTTP 429 or a connection that failed before the request was
// written. After any other failure without a business error code (a
// timeout, a lost connection, HTTP 5xx, a cancelled ctx, an answer matching
// [ErrMalformedResponse]) the order may or may not have been placed. Do not
// simply call it again: first list the instances whose names start with
// req.NamePrefix ([Client.ListInstances] with
// [ListInstancesOptions].InstanceName; if the service matches whole names
// only, list them all and compare the names), and then buy only what is
// missing. A unique NamePrefix per order makes this check reliable.
func (c *Client) CreateInstances(ctx context.Context, req CreateInstancesRequest) (*Order, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	in := wire.CreateRequest{
		OS:                 req.OS,
		InstanceSKUID:      req.SKUID,
		BandSKUID:          req.BandSKUID,
		RegionID:           req.RegionID,
		InstanceNamePrefix: req.NamePrefix,
		BandSize:           req.BandwidthMbps,
		Count:              req.Count,
		ChargeParam: wire.ChargeParam{
			ChargingMode: 1,
			PeriodType:   int(req.Charge.Unit),
			PeriodNum:    req.Charge.Count,
			IsAutoPay:    flag(req.Charge.AutoPay),
			IsAutoRenew:  flag(req.Charge.AutoRenew),
		},
		Network:     req.Network,
		NodeGroupID: req.NodeGroupID,
	}
	var out createData
	id, err := c.do(ctx, opCreateInstance, request{path: "/v1/instances/create", body: in}, &out)
	if err != nil {
		return nil, err
	}
	order := &Order{OrderID: wire.SanitiseID(string(out.OrderID)), RequestID: id}
	if len(out.InstanceInfos) > 0 {
		order.Instances = make([]CreatedInstance, len(out.InstanceInfos))
	}
	for i, ci := range out.InstanceInfos {
		order.Instances[i] = CreatedInstance{InstanceID: ci.InstanceID, Name: wire.SanitiseMessage(ci.InstanceName)}
	}
	return order, nil
}

// createData is CreateInstance's data. An instance may come without an id
// (an order not paid yet); an id it has must be one that can be kept as
// sent.
type createData wire.CreateData

func (d *createData) Validate() error {
	for i, ci := range d.InstanceInfos {
		if err := (entry{"data.instanceInfos", i}).checkOptionalID("instanceId", ci.InstanceID); err != nil {
			return err
		}
	}
	return nil
}

// check checks a CreateInstancesRequest, naming the first field that is wrong.
func (r *CreateInstancesRequest) check() error {
	return firstError(
		checkText("OS", r.OS, maxOSLen),
		checkText("SKUID", r.SKUID, maxCreateIDLen),
		checkText("BandSKUID", r.BandSKUID, maxCreateIDLen),
		checkText("RegionID", r.RegionID, maxCreateIDLen),
		checkText("NamePrefix", r.NamePrefix, maxPrefixLen),
		checkBandwidth(r.BandwidthMbps),
		checkRange("Count", r.Count, 1, maxCreateCount),
		r.Charge.check(),
		oneOf("Network", r.Network, "", "EIP", "ADN"),
		checkLen("NodeGroupID", r.NodeGroupID, maxCreateIDLen),
	)
}

// check checks the period: its unit, and a count of 1 to 9 months or 1 to 3 years.
func (ch ChargeParam) check() error {
	switch ch.Unit {
	case PeriodMonth:
		return checkRange("Charge.Count (months)", ch.Count, 1, maxMonths)
	case PeriodYear:
		return checkRange("Charge.Count (years)", ch.Count, 1, maxYears)
	}
	return invalidArg("Charge.Unit is %d; want PeriodMonth (2) or PeriodYear (3)", ch.Unit)
}

// checkBandwidth checks that a bandwidth is a number above 0.
func checkBandwidth(mbps float64) error {
	if !(mbps > 0) || math.IsInf(mbps, 1) {
		return invalidArg("BandwidthMbps is %v; want a number above 0", mbps)
	}
	return nil
}

// flag is a bool as the service's 0/1 flags.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

var opDeleteInstance = operation{name: "DeleteInstance", method: http.MethodPost, write: true}

// DeleteInstances returns 1 to 100 yearly/monthly instances, ending their
// subscription. It calls POST /v1/instances/delete, a write retried only
// where the service cannot have acted on it. Whatever data the answer
// carries (none, null, a string) is ignored.
//
// The ids must be distinct and 1 to 32 characters each; otherwise it
// returns an error matching [ErrInvalidParameter] and sends nothing.
// Pay-per-use instances cannot be deleted: KOOPHONE.API.5001 matches
// [ErrOperationNotAllowed].
func (c *Client) DeleteInstances(ctx context.Context, instanceIDs []string) error {
	if err := checkIDs(instanceIDs, maxBatch); err != nil {
		return err
	}
	_, err := c.do(ctx, opDeleteInstance, request{path: "/v1/instances/delete", body: wire.DeleteRequest{InstanceIDList: instanceIDs}}, nil)
	return err
}
