package koophonetest

import (
	"net/http"
	"time"
)

// pairJSON is an item of user_instances.
type pairJSON struct {
	UserID     *string `json:"user_id"`
	InstanceID *string `json:"instance_id"`
}

// withPairs checks a body {"user_instances":[…]} (1 to 100 pairs, no
// instance twice) and calls do with the pairs' instances, holding s.mu.
func (s *Server) withPairs(body []byte, do func(pairs []pairJSON, insts []*instance) reply) reply {
	var in struct {
		Pairs []pairJSON `json:"user_instances"`
	}
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if len(in.Pairs) == 0 || len(in.Pairs) > 100 {
		return invalid("user_instances must hold 1 to 100 pairs")
	}
	ids := make([]string, len(in.Pairs))
	seen := map[string]bool{}
	for i, p := range in.Pairs {
		if msg := firstError(checkID("user_id", p.UserID), checkID("instance_id", p.InstanceID)); msg != "" {
			return invalid("%s", msg)
		}
		if seen[*p.InstanceID] {
			return invalid("instance %s is given twice", *p.InstanceID)
		}
		ids[i], seen[*p.InstanceID] = *p.InstanceID, true
	}
	return s.onInstances(ids, func(insts []*instance) reply { return do(in.Pairs, insts) })
}

// assign answers AssignInstance: POST /v1/instances/assign. Each instance
// becomes its user's (assigning it to the same user again is fine); an
// instance assigned to another user gets KOOPHONE.API.2003 for the whole
// call.
func (s *Server) assign(_ *http.Request, body []byte) reply {
	return s.withPairs(body, func(pairs []pairJSON, insts []*instance) reply {
		for i, in := range insts {
			if in.User != "" && in.User != *pairs[i].UserID {
				return fail(codeAssignedElse, "no idle instance: %s is assigned to another user", in.ID)
			}
		}
		for i, in := range insts {
			in.User, in.anyUser = *pairs[i].UserID, false
		}
		return success(nil)
	})
}

// unassign answers UnassignInstance: POST /v1/instances/unassign. A pair
// that is not bound gets KOOPHONE.API.2210 for the whole call. Each
// instance is unassigned at once, its session ends, and a task clears the
// user's data (the installed apps) on the phone.
func (s *Server) unassign(_ *http.Request, body []byte) reply {
	return s.withPairs(body, func(pairs []pairJSON, insts []*instance) reply {
		for i, in := range insts {
			if in.User != *pairs[i].UserID {
				return fail(codeBindingNotFound, "user-instance binding does not exist: %s, %s", *pairs[i].UserID, in.ID)
			}
		}
		for _, in := range insts {
			in.User, in.streaming = "", false
		}
		return success(s.startTask("UA_", insts, jobSpec{kind: commandJob,
			effect: func(in *instance, failed bool, _ time.Time) {
				if !failed {
					in.apps = nil
				}
			}}))
	})
}
