package koophonetest

import (
	"net/http"
	"time"
)

// withInstanceIDs checks a body {"instance_ids":[…]} and calls do with
// its instances, holding s.mu; an unknown instance gets 4001.
func (s *Server) withInstanceIDs(body []byte, do func(insts []*instance) reply) reply {
	var in struct {
		InstanceIDs []string `json:"instance_ids"`
	}
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if msg := checkIDList("instance_ids", in.InstanceIDs); msg != "" {
		return invalid("%s", msg)
	}
	return s.onInstances(in.InstanceIDs, do)
}

// reset answers BatchReset: POST /v1/instances/batch-reset, with a task
// ("RM_…"). While its job runs, the instance is resetting (ShowProgress 4,
// state 4, running_status 4); a successful reset removes the installed
// apps and logs the user out.
func (s *Server) reset(_ *http.Request, body []byte) reply {
	return s.withInstanceIDs(body, func(insts []*instance) reply {
		for _, in := range insts {
			in.streaming = false
		}
		return success(s.startTask("RM_", insts, jobSpec{kind: commandJob, activity: statusResetting,
			effect: func(in *instance, failed bool, _ time.Time) {
				if !failed {
					in.apps, in.LoggedIn = nil, false
				}
			}}))
	})
}

// reboot answers BatchRebootInstance: POST /v1/instances/reboot. Any
// instance that is not running gets KOOPHONE.API.5005 for the whole call.
func (s *Server) reboot(_ *http.Request, body []byte) reply {
	return s.withInstanceIDs(body, func(insts []*instance) reply {
		for _, in := range insts {
			if s.power(in) != powerRunning {
				return fail(codeNotRunning, "not all instances are running: %s", in.ID)
			}
		}
		for _, in := range insts {
			in.streaming = false
		}
		return success(nil)
	})
}

// backup answers BatchBackupInstances: POST /v1/instances/backup, with a
// task. While its job runs, the instance is backing up (ShowProgress 3,
// state 3, backup_status 1); then backup_status is 2 and backup_time the
// job's end, and the machine is released: the instance must be prepared
// again. A failed job sets backup_status 3 and changes nothing else.
func (s *Server) backup(_ *http.Request, body []byte) reply {
	return s.withInstanceIDs(body, func(insts []*instance) reply {
		return success(s.startTask("BK_", insts, jobSpec{kind: commandJob, activity: statusBackingUp,
			effect: func(in *instance, failed bool, end time.Time) {
				if failed {
					in.BackupStatus = dataJobFailed
					return
				}
				in.BackupStatus, in.BackupTime = dataJobSucceeded, end.UTC().Format(timeLayout)
				in.offline, in.polls, in.streaming = true, 0, false
			}}))
	})
}
