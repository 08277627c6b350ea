package koophonetest

import (
	"net/http"

	"github.com/koophone-go/koophone"
)

// ShowProgress statuses: the fake's own values from the API reference, not
// the koophone package's constants, so that a wrong constant there cannot
// hide here. 4 resetting and 6 offline (normal) are from the
// pre-October-2025 list.
const (
	statusReady     koophone.PrepareStatus = 0
	statusQueuing   koophone.PrepareStatus = 1
	statusRestoring koophone.PrepareStatus = 2
	statusBackingUp koophone.PrepareStatus = 3
	statusResetting koophone.PrepareStatus = 4
	statusOffline   koophone.PrepareStatus = 6
)

// Instance states of BatchPrepareInstances.
const (
	stateReady        = 0
	stateToBeRestored = 1
	stateBackingUp    = 3
	stateResetting    = 4
)

// Step is one scripted answer of ShowProgress.
type Step struct {
	Status       koophone.PrepareStatus
	WaitingCount int
}

// Script makes ShowProgress answer the given statuses for instanceID, one
// per poll, repeating the last, whether or not it was prepared. Any status
// may be scripted: -1, undocumented values. An instance not registered
// before is registered for any user. With no status it removes the
// script: the instance follows the rules above again, its poll count back
// at zero (a Timeline counted in polls starts over; one of durations
// goes on from when the instance was prepared). It panics if
// instanceID is not 1 to 32 characters.
func (s *Server) Script(instanceID string, statuses ...koophone.PrepareStatus) {
	mustBeID("Script", instanceID)
	steps := make([]Step, len(statuses))
	for i, st := range statuses {
		steps[i] = Step{Status: st}
	}
	s.ScriptSteps(instanceID, steps...)
}

// ScriptSteps is [Server.Script] with a waitingCount for each answer.
func (s *Server) ScriptSteps(instanceID string, steps ...Step) {
	mustBeID("ScriptSteps", instanceID)
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.inventory.byID[instanceID]
	if !ok {
		in = newInstance(Instance{ID: instanceID})
		in.anyUser = true
		s.inventory.add(in)
	}
	in.script = append([]Step(nil), steps...)
	in.polls = 0
}

// Polls returns how many times ShowProgress answered for instanceID (since
// it was prepared or scripted).
func (s *Server) Polls(instanceID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if in, ok := s.inventory.byID[instanceID]; ok {
		return in.polls
	}
	return 0
}

// userInstance is the body of ShowProgress.
type userInstance struct {
	UserID     *string `json:"user_id"`
	InstanceID *string `json:"instance_id"`
}

// showProgress answers ShowProgress: POST /v1/instances/prepare-progress.
func (s *Server) showProgress(_ *http.Request, body []byte) reply {
	var in userInstance
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if msg := firstError(checkID("user_id", in.UserID), checkID("instance_id", in.InstanceID)); msg != "" {
		return invalid("%s", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, rep, ok := s.lookup(*in.UserID, *in.InstanceID)
	if !ok {
		return rep
	}
	inst.polls++
	step := s.stepAt(inst, inst.polls)
	return success(progressJSON{Status: int(step.Status), WaitingCount: step.WaitingCount})
}

// progressJSON is ShowProgress' data.
type progressJSON struct {
	Status       int `json:"status"`
	WaitingCount int `json:"waitingCount"`
}

// stepAt is what an instance reports at its n-th poll (1-based): its
// script if it has one; backing up or resetting while a task does that;
// offline (6) if it is not running or was released or backed up since it
// was last prepared; ready if it was never prepared; else where the
// timeline has got. The caller holds s.mu.
func (s *Server) stepAt(in *instance, n int) Step {
	if len(in.script) > 0 {
		return in.script[min(n, len(in.script))-1]
	}
	if st, busy := s.busy(in); busy {
		return Step{Status: st}
	}
	switch {
	case in.offline || in.RunningStatus != powerRunning:
		return Step{Status: statusOffline}
	case !in.prepared:
		return Step{Status: statusReady}
	}
	return s.timelineOf(in.ID).At(s.now().Sub(in.preparedAt), n)
}

// ready reports whether ShowProgress would say ready now: the one rule
// behind BatchPrepareInstances and GetDeviceToken. The caller holds s.mu.
func (s *Server) ready(in *instance) bool {
	return s.stepAt(in, max(in.polls, 1)).Status == statusReady
}

// state is the instance state of BatchPrepareInstances. The caller holds
// s.mu.
func (s *Server) state(in *instance) int {
	switch st, _ := s.busy(in); {
	case st == statusBackingUp:
		return stateBackingUp
	case st == statusResetting:
		return stateResetting
	case s.ready(in):
		return stateReady
	}
	return stateToBeRestored
}

// batchPrepare answers BatchPrepareInstances: POST /v1/instances/prepare.
// It starts the timeline of every instance not prepared yet or offline
// (powering it on) and reports 1 for it; for the others, their state.
func (s *Server) batchPrepare(_ *http.Request, body []byte) reply {
	var in struct {
		UserID      *string  `json:"user_id"`
		InstanceIDs []string `json:"instance_ids"`
	}
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if msg := firstError(checkID("user_id", in.UserID), checkIDList("instance_ids", in.InstanceIDs)); msg != "" {
		return invalid("%s", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	insts := make([]*instance, len(in.InstanceIDs))
	for i, id := range in.InstanceIDs { // all or nothing, as one call
		inst, rep, ok := s.lookup(*in.UserID, id)
		if !ok {
			return rep
		}
		insts[i] = inst
	}
	list := make([]instanceState, len(insts))
	for i, inst := range insts {
		if _, busy := s.busy(inst); (!inst.prepared || inst.offline) && !busy {
			inst.prepared, inst.offline, inst.preparedAt, inst.RunningStatus = true, false, s.now(), powerRunning
			if len(inst.script) == 0 {
				inst.polls = 0
			}
			list[i] = instanceState{InstanceID: inst.ID, Status: stateToBeRestored}
			continue
		}
		list[i] = instanceState{InstanceID: inst.ID, Status: s.state(inst)}
	}
	return success(map[string]any{"status_list": list})
}

// instanceState is an item of status_list and status_results.
type instanceState struct {
	InstanceID string `json:"instance_id"`
	Status     int    `json:"status"`
}

// batchQueryStatus answers BatchQueryStatus: POST
// /v1/instances/batch-query-status, with each instance's power state (the
// reading of the reference's description and of the official SDK's model:
// 0 unknown, 1 stopped, 2 running, 3 going offline, 4 starting, 5 shut
// down), the running_status ListInstances shows.
func (s *Server) batchQueryStatus(_ *http.Request, body []byte) reply {
	return s.withInstanceIDs(body, func(insts []*instance) reply {
		results := make([]instanceState, len(insts))
		for i, inst := range insts {
			results[i] = instanceState{InstanceID: inst.ID, Status: s.power(inst)}
		}
		return success(map[string]any{"status_results": results})
	})
}
