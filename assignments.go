package koophone

import (
	"context"
	"net/http"
	"strconv"

	"github.com/koophone-go/koophone/internal/wire"
)

// UserInstance is an instance and the end user it is (to be) assigned to.
type UserInstance struct {
	UserID     string
	InstanceID string
}

var (
	opAssignInstance   = operation{name: "AssignInstance", method: http.MethodPost, write: true}
	opUnassignInstance = operation{name: "UnassignInstance", method: http.MethodPost, write: true}
)

// AssignInstances assigns each pair's instance to its user, who can then
// prepare and stream it (see [Client.PrepareInstances]). It calls POST
// /v1/instances/assign, a write retried only where the service cannot have
// acted on it.
//
// It takes 1 to 100 pairs, each with a user id and an instance id of 1 to
// 32 characters, and no instance twice; anything else returns an error
// matching [ErrInvalidParameter] that names the pair, and sends nothing.
// No instance left to assign (KOOPHONE.API.2003, KPAPI.2209) matches
// [ErrNoInstanceAvailable].
func (c *Client) AssignInstances(ctx context.Context, pairs []UserInstance) error {
	in, err := assignRequest(pairs)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, opAssignInstance, request{path: "/v1/instances/assign", body: in}, nil)
	return err
}

// UnassignInstances takes each pair's instance back from its user and
// clears the user's data on it. It calls POST /v1/instances/unassign, a
// write retried only where the service cannot have acted on it, and
// returns the [Task] that clears the data (follow it with
// [Client.WaitTask]); an answer without a task, as older API versions
// send, gives a Task with an empty ID.
//
// The pairs are checked as for [Client.AssignInstances]. A pair that is not
// assigned (KOOPHONE.API.2210) matches [ErrNotAssigned].
func (c *Client) UnassignInstances(ctx context.Context, pairs []UserInstance) (*Task, error) {
	in, err := assignRequest(pairs)
	if err != nil {
		return nil, err
	}
	instances := make([]string, len(pairs))
	for i, p := range pairs {
		instances[i] = p.InstanceID
	}
	return c.startTask(ctx, opUnassignInstance, request{path: "/v1/instances/unassign", body: in, instances: instances})
}

// assignRequest checks user–instance pairs (1 to 100, valid ids, no
// instance twice) and returns them as the body of AssignInstance and
// UnassignInstance.
func assignRequest(pairs []UserInstance) (wire.AssignRequest, error) {
	if len(pairs) == 0 {
		return wire.AssignRequest{}, invalidArg("user-instance pairs: none given")
	}
	if len(pairs) > maxBatch {
		return wire.AssignRequest{}, invalidArg("user-instance pairs: %d given; at most %d are allowed", len(pairs), maxBatch)
	}
	in := wire.AssignRequest{UserInstances: make([]wire.UserInstance, len(pairs))}
	seen := make(map[string]struct{}, len(pairs))
	for i, p := range pairs {
		name := "pair " + strconv.Itoa(i)
		if err := firstError(checkID(name+": user id", p.UserID), checkID(name+": instance id", p.InstanceID)); err != nil {
			return wire.AssignRequest{}, err
		}
		if _, dup := seen[p.InstanceID]; dup {
			return wire.AssignRequest{}, invalidArg("%s: instance %q is given twice", name, p.InstanceID)
		}
		seen[p.InstanceID] = struct{}{}
		in.UserInstances[i] = wire.UserInstance{UserID: p.UserID, InstanceID: p.InstanceID}
	}
	return in, nil
}
