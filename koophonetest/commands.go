package koophonetest

import (
	"fmt"
	"net/http"
)

// maxCommand is the longest command, in bytes.
const maxCommand = 1024

// commandJSON is the body of SyncCommand and AsyncCommand.
type commandJSON struct {
	Command     string   `json:"command"`
	InstanceIDs []string `json:"instance_ids"`
}

// cmdResultJSON is an item of SyncCommand's cmd_results.
type cmdResultJSON struct {
	InstanceID string `json:"instance_id"`
	Status     int    `json:"status"`
	ErrorCode  string `json:"error_code"`
	ErrorMsg   string `json:"error_msg"`
	ExecuteMsg string `json:"execute_msg"`
}

// command checks a command request and calls run with its instances,
// holding s.mu.
func (s *Server) command(body []byte, run func(cmd string, insts []*instance) reply) reply {
	var in commandJSON
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if msg := firstError(check(len(in.Command) >= 1 && len(in.Command) <= maxCommand, fmt.Sprintf("command must be 1 to %d bytes", maxCommand)), checkIDList("instance_ids", in.InstanceIDs)); msg != "" {
		return invalid("%s", msg)
	}
	return s.onInstances(in.InstanceIDs, func(insts []*instance) reply { return run(in.Command, insts) })
}

// syncCommand answers SyncCommand: POST /v1/instances/sync-command. Each
// instance "runs" the command at once: its execute_msg is the command
// itself, unless FailJobs made it fail (status -1).
func (s *Server) syncCommand(_ *http.Request, body []byte) reply {
	return s.command(body, func(cmd string, insts []*instance) reply {
		results := make([]cmdResultJSON, len(insts))
		for i, in := range insts {
			results[i] = cmdResultJSON{InstanceID: in.ID, Status: jobSucceeded, ExecuteMsg: cmd}
			if f := s.takeJobFailure(in.ID); f != nil {
				results[i] = cmdResultJSON{InstanceID: in.ID, Status: jobFailed, ErrorCode: f.code, ErrorMsg: f.message}
			}
		}
		return success(map[string]any{"cmd_results": results})
	})
}

// asyncCommand answers AsyncCommand: POST /v1/instances/async-command,
// with a task whose jobs end with the command as their execute_msg.
func (s *Server) asyncCommand(_ *http.Request, body []byte) reply {
	return s.command(body, func(cmd string, insts []*instance) reply {
		return success(s.startTask("CMD_", insts, jobSpec{kind: commandJob, output: cmd}))
	})
}
