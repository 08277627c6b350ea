package koophone

import (
	"context"
	"math"
	"net/http"

	"github.com/koophone-go/koophone/internal/wire"
)

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

// Order is the answer of [Client.CreateInstances]. Its ids are exactly as
// the service sent them (an answer with an id that cannot be kept as it is
// matches [ErrMalformedResponse]); instance names are sanitised.
type Order struct {
	OrderID   string // orderId, exactly as sent; "" when the answer has none
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
	order := &Order{OrderID: string(out.OrderID), RequestID: id}
	if len(out.InstanceInfos) > 0 {
		order.Instances = make([]CreatedInstance, len(out.InstanceInfos))
	}
	for i, ci := range out.InstanceInfos {
		order.Instances[i] = CreatedInstance{InstanceID: ci.InstanceID, Name: wire.SanitiseMessage(ci.InstanceName)}
	}
	return order, nil
}

// createData is CreateInstance's data. An instance may come without an id
// (an order not paid yet); an id it has, and the order's, must be one that
// can be kept as sent: a sanitised order id would name another order.
type createData wire.CreateData

func (d *createData) Validate() error {
	if err := (entry{"data", -1}).checkOptionalID("orderId", string(d.OrderID)); err != nil {
		return err
	}
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
