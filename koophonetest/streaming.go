package koophonetest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"

	"github.com/koophone-go/koophone"
)

// batchQueryStatus answers BatchQueryStatus: 0 for an instance that is
// ready (or was never prepared), 1 while it is being prepared.
func (s *Server) batchQueryStatus(body []byte) answer {
	var in struct {
		InstanceIDs []string `json:"instance_ids"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return businessError(koophone.CodeInvalidParameter, "request body is not valid JSON")
	}
	if msg := checkIDList(in.InstanceIDs); msg != "" {
		return businessError(koophone.CodeInvalidParameter, msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	results := make([]map[string]any, 0, len(in.InstanceIDs))
	for _, id := range in.InstanceIDs {
		inst, ok := s.instances[id]
		if !ok {
			return businessError(koophone.CodeInstanceNotFound, "instance not exist")
		}
		status := int(koophone.InstanceToBeRestored)
		if s.stepAt(inst, max(inst.polls, 1)).Status == koophone.PrepareReady {
			status = int(koophone.InstanceReady)
		}
		results = append(results, map[string]any{"instance_id": id, "status": status})
	}
	return success(map[string]any{"status_results": results})
}

// checkIDList checks a list of 1 to 100 ids.
func checkIDList(ids []string) string {
	if len(ids) == 0 || len(ids) > 100 {
		return "instance_ids must hold 1 to 100 ids"
	}
	for i := range ids {
		if msg := checkID("instance_ids", &ids[i]); msg != "" {
			return msg
		}
	}
	return ""
}

// deviceToken answers GetDeviceToken, for an instance prepared and ready.
func (s *Server) deviceToken(r *http.Request) answer {
	id, _ := deviceTokenPath(r.URL.EscapedPath())
	if msg := checkID("instance_id", &id); msg != "" {
		return businessError(koophone.CodeInvalidParameter, msg)
	}
	if st := r.URL.Query().Get("stream_type"); st != "" && st != "1" && st != "2" {
		return businessError(koophone.CodeInvalidParameter, "stream_type must be 1 or 2")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.instances[id]
	if !ok {
		return businessError(koophone.CodeInstanceNotFound, "instance not exist")
	}
	prepared := inst.prepared || len(inst.script) > 0
	if !prepared || s.stepAt(inst, max(inst.polls, 1)).Status != koophone.PrepareReady {
		return businessError(koophone.CodeInstancesNotRunning, "instance is not ready to stream: prepare it and wait for status 0")
	}
	inst.streaming = true
	return success(map[string]any{
		"streamingId":  "stream-" + randomHex(8),
		"device_token": "dt-" + randomHex(24),
		"resource": map[string]any{
			"device_id": "device-" + id,
			"kp_id":     "kp" + randomHex(3),
			"sdk": map[string]any{
				// As documented: aport and atype are strings inside, integers outside.
				"internal": map[string]any{"address": "192.168.0.10", "aport": "8001", "atype": "1", "address_ipv6": "fd00::10"},
				"external": map[string]any{"address": "203.0.113.10", "aport": 8001, "atype": 1, "address_ipv6": "2001:db8::10"},
			},
			"rtc": map[string]any{"ice_signaling": map[string]any{
				"signaling_url": "wss://signaling.koophonetest.invalid/v1/" + id,
				"expired_time":  "3600",
				"ice_servers":   []string{"stun:stun.koophonetest.invalid:3478", "turn:turn.koophonetest.invalid:3478"},
			}},
		},
	})
}

// endSession answers StopInstancesStreaming and ReleaseInstancesSession.
// Stopping ends streaming; releasing also ends the preparation, so the
// instance must be prepared again before its next device token.
func (s *Server) endSession(op string, body []byte) answer {
	var in struct {
		InstanceID *string `json:"instance_id"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return businessError(koophone.CodeInvalidParameter, "request body is not valid JSON")
	}
	if msg := checkID("instance_id", in.InstanceID); msg != "" {
		return businessError(koophone.CodeInvalidParameter, msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.instances[*in.InstanceID]
	if !ok {
		return businessError(koophone.CodeInstanceNotFound, "instance not exist")
	}
	inst.streaming = false
	if op == "ReleaseInstancesSession" {
		inst.prepared, inst.polls, inst.script = false, 0, nil
	}
	return jsonAnswer(http.StatusOK, map[string]any{"error_code": "0", "error_msg": "OK"})
}

// Streaming reports whether a device token was issued for instanceID and
// its streaming has not been stopped or released since.
func (s *Server) Streaming(instanceID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.instances[instanceID]
	return ok && inst.streaming
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
