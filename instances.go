package koophone

import (
	"context"
	"net/http"
	"strconv"

	"github.com/koophone-go/koophone/internal/wire"
)

// InstanceStatus is the state of an instance as BatchPrepareInstances
// reports it. The documented list has grown over time: values the SDK does
// not know are kept as they came. The zero value is InstanceReady.
type InstanceStatus int

// The documented instance states.
const (
	InstanceReady                    InstanceStatus = 0  // ready
	InstanceToBeRestored             InstanceStatus = 1  // to be restored
	InstanceToBeAssigned             InstanceStatus = 2  // to be assigned
	InstanceBackingUp                InstanceStatus = 3  // backing up
	InstanceResetting                InstanceStatus = 4  // resetting
	InstanceRestarting               InstanceStatus = 5  // restarting
	InstanceOffline                  InstanceStatus = 6  // offline (normal)
	InstanceChangingDevice           InstanceStatus = 7  // changing device
	InstanceRestoringAfterExpiry     InstanceStatus = 8  // restoring after expiry
	InstanceRestoreAfterExpiryFailed InstanceStatus = 9  // restore after expiry failed
	InstanceUnderMaintenance         InstanceStatus = 10 // under maintenance
)

var instanceStatusNames = []string{
	"ready", "to-be-restored", "to-be-assigned", "backing-up", "resetting", "restarting",
	"offline", "changing-device", "restoring-after-expiry", "restore-after-expiry-failed",
	"under-maintenance",
}

// String returns the state's name ("ready", "to-be-restored", ...), or
// "InstanceStatus(11)" for a value the SDK does not know.
func (s InstanceStatus) String() string {
	return enumName("InstanceStatus", int(s), instanceStatusNames)
}

// enumName returns names[v], or "typ(v)" when v has no name: the String
// of the statuses numbered from 0.
func enumName(typ string, v int, names []string) string {
	if v >= 0 && v < len(names) {
		return names[v]
	}
	return typ + "(" + strconv.Itoa(v) + ")"
}

// InstanceState is the state of one instance. InstanceID is exactly as the
// service sent it: an answer with an id that cannot be kept as it is (empty,
// over 128 bytes, holding a control, format or bidi character) matches
// [ErrMalformedResponse], as does one that lists an instance the call did
// not name, or one instance twice. An instance the answer leaves out has no
// InstanceState.
type InstanceState struct {
	InstanceID string
	Status     InstanceStatus
}

var opBatchPrepare = operation{name: "BatchPrepareInstances", method: http.MethodPost, write: true}

// PrepareInstances asks the service to prepare instanceIDs for userID to
// stream, and returns the state of each as the service lists it. Follow it
// with [Client.WaitUntilReady] or [Client.WaitAllReady].
// It calls POST /v1/instances/prepare.
//
// It takes 1 to 100 distinct instance ids of 1 to 32 characters each and a
// user id of 1 to 32; anything else returns an error matching
// [ErrInvalidParameter] and sends nothing. Being a write, it is retried only
// where the service cannot have acted on it: after HTTP 429 (APIGW.0308) or
// a connection that failed before the request was written; never after a
// 5xx or a timeout.
func (c *Client) PrepareInstances(ctx context.Context, userID string, instanceIDs []string) ([]InstanceState, error) {
	if err := checkID("user id", userID); err != nil {
		return nil, err
	}
	if err := checkIDs(instanceIDs, maxBatch); err != nil {
		return nil, err
	}
	var out prepareData
	in := wire.PrepareRequest{UserID: userID, InstanceIDs: instanceIDs}
	if _, err := c.do(ctx, opBatchPrepare, request{path: "/v1/instances/prepare", body: in, instances: instanceIDs}, &out); err != nil {
		return nil, err
	}
	return mapStatuses(*out.StatusList, func(id string, status int) InstanceState {
		return InstanceState{InstanceID: id, Status: InstanceStatus(status)}
	}), nil
}

// prepareData is BatchPrepareInstances's data, which must carry a status list.
type prepareData wire.PrepareData

func (d *prepareData) Validate() error { return checkStatusList("data.status_list", d.StatusList) }

func (d *prepareData) instanceEntries() (string, []string, bool) {
	return "data.status_list", statusIDs(*d.StatusList), true
}

// StatusResult is the status of one instance as BatchQueryStatus reports it:
// its power state, as the official SDK's model and every version of the
// API reference's description read it (0 unknown, 1 stopped, 2 running, 3
// going offline, 4 starting, 5 shut down; ListInstances' running_status).
// A value the SDK does not know is kept as it came. (One table of the
// reference once listed other meanings; the SDK and koophonetest follow the
// description.) InstanceID is exactly as sent, and the answer checked, as
// for InstanceState.
type StatusResult struct {
	InstanceID string
	Status     PowerState
}

var opBatchQueryStatus = operation{name: "BatchQueryStatus", method: http.MethodPost}

// BatchQueryStatus reports the status of up to 100 instances. It calls POST
// /v1/instances/batch-query-status and, being a read, is retried on every
// transient failure.
//
// It takes 1 to 100 distinct ids of 1 to 32 characters; anything else
// returns an error matching [ErrInvalidParameter] and sends nothing.
func (c *Client) BatchQueryStatus(ctx context.Context, instanceIDs []string) ([]StatusResult, error) {
	if err := checkIDs(instanceIDs, maxBatch); err != nil {
		return nil, err
	}
	var out statusData
	r := request{path: "/v1/instances/batch-query-status", body: wire.InstanceIDsRequest{InstanceIDs: instanceIDs}, instances: instanceIDs}
	if _, err := c.do(ctx, opBatchQueryStatus, r, &out); err != nil {
		return nil, err
	}
	return mapStatuses(*out.StatusResults, func(id string, status int) StatusResult {
		return StatusResult{InstanceID: id, Status: PowerState(status)}
	}), nil
}

// statusData is BatchQueryStatus's data, which must carry the results.
type statusData wire.StatusData

func (d *statusData) Validate() error { return checkStatusList("data.status_results", d.StatusResults) }

func (d *statusData) instanceEntries() (string, []string, bool) {
	return "data.status_results", statusIDs(*d.StatusResults), true
}

// statusIDs returns the instance ids of a checked status list.
func statusIDs(list []wire.InstanceStatus) []string {
	ids := make([]string, len(list))
	for i, s := range list {
		ids[i] = s.InstanceID
	}
	return ids
}

// mapStatuses maps a checked status list (see checkStatusList) with f,
// giving it each instance id as sent.
func mapStatuses[T any](list []wire.InstanceStatus, f func(instanceID string, status int) T) []T {
	out := make([]T, len(list))
	for i, s := range list {
		out[i] = f(s.InstanceID, int(*s.Status))
	}
	return out
}

// checkStatusList checks that a list of instance statuses is there and
// that every entry has an instance id that can be kept and a status.
func checkStatusList(field string, list *[]wire.InstanceStatus) error {
	if list == nil {
		return errMissing(field)
	}
	for i, s := range *list {
		at := entry{field, i}
		if err := at.checkID("instance_id", s.InstanceID); err != nil {
			return err
		}
		if s.Status == nil {
			return errMissing(at.field("status"))
		}
	}
	return nil
}
