package koophone

import (
	"context"
	"net/http"
	"strconv"

	"github.com/koophone-go/koophone/internal/wire"
)

// PrepareStatus is how far preparing an instance has got, as ShowProgress
// reports it. Values the SDK does not know are kept as they came and mean
// "not finished yet". The zero value is PrepareReady.
type PrepareStatus int

// The documented statuses. Before October 2025 the service also documented
// 4 resetting, 5 restarting and 6 normal-offline; they decode like any
// other unknown value.
const (
	PrepareFailed    PrepareStatus = -1 // processing failed: terminal
	PrepareReady     PrepareStatus = 0  // ready to stream: terminal
	PrepareQueuing   PrepareStatus = 1
	PrepareRestoring PrepareStatus = 2 // restoring (and offline)
	PrepareBackingUp PrepareStatus = 3
)

// String returns "failed", "ready", "queuing", "restoring" or "backing-up",
// and "PrepareStatus(7)" for a value the SDK does not know.
func (s PrepareStatus) String() string {
	switch s {
	case PrepareFailed:
		return "failed"
	case PrepareReady:
		return "ready"
	case PrepareQueuing:
		return "queuing"
	case PrepareRestoring:
		return "restoring"
	case PrepareBackingUp:
		return "backing-up"
	}
	return "PrepareStatus(" + strconv.Itoa(int(s)) + ")"
}

// Terminal reports whether the status is final: true for PrepareReady and
// PrepareFailed only.
func (s PrepareStatus) Terminal() bool { return s == PrepareReady || s == PrepareFailed }

// Progress is one answer of ShowProgress. Its zero value reads as
// PrepareReady (the status 0 of the API); where a Progress comes with an
// error, check the error first.
type Progress struct {
	Status       PrepareStatus
	WaitingCount int    // data.waitingCount as sent; the service documents no unit
	RequestID    string // the X-Request-Id of the call that produced it
}

var opShowProgress = operation{name: "ShowProgress", method: http.MethodPost}

// PrepareProgress reports how far preparing instanceID for userID has got.
// It calls POST /v1/instances/prepare-progress, retrying transient failures.
//
// Both ids must be 1 to 32 characters without control characters; otherwise
// it returns an error matching [ErrInvalidParameter] and sends nothing.
// Answers that are not a success are an [*APIError]: errors.Is matches
// ErrInstanceNotFound, ErrPermissionDenied, ErrUnauthorized and so on.
func (c *Client) PrepareProgress(ctx context.Context, userID, instanceID string) (Progress, error) {
	if err := checkID("user id", userID); err != nil {
		return Progress{}, err
	}
	if err := checkID("instance id", instanceID); err != nil {
		return Progress{}, err
	}
	return c.prepareProgress(ctx, userID, instanceID)
}

// prepareProgress is PrepareProgress with ids already checked: what every
// poll of a wait calls.
func (c *Client) prepareProgress(ctx context.Context, userID, instanceID string) (Progress, error) {
	var out progressData
	in := wire.ProgressRequest{UserID: userID, InstanceID: instanceID}
	id, err := c.do(ctx, opShowProgress, request{path: "/v1/instances/prepare-progress", body: in}, &out)
	if err != nil {
		return Progress{}, err
	}
	return Progress{Status: PrepareStatus(*out.Status), WaitingCount: int(out.WaitingCount), RequestID: id}, nil
}

// progressData is ShowProgress's data, which must carry a status.
type progressData wire.ProgressData

func (d *progressData) Validate() error {
	if d.Status == nil {
		return errMissing("data.status")
	}
	return nil
}
