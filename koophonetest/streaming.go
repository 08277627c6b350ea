package koophonetest

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// deviceToken answers GetDeviceToken: POST /v1/instances/{instance_id}/auth,
// for an instance that is ready (see [Server.ready]).
func (s *Server) deviceToken(r *http.Request, _ []byte) reply {
	id := r.PathValue("instance_id")
	if msg := checkID("instance_id", &id); msg != "" {
		return invalid("%s", msg)
	}
	if st := r.URL.Query().Get("stream_type"); st != "" && st != "1" && st != "2" {
		return invalid("stream_type must be 1 or 2")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.get(id)
	if !ok {
		return notFound()
	}
	if !s.ready(inst) {
		return fail(codeNotRunning, "instance is not ready to stream: prepare it and wait for status 0")
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
				"external": map[string]any{"address": "203.0.113.10", "aport": 8001, "atype": 1, "address_ipv6": "2001:db8::10", "address_adn": "198.51.100.10"},
			},
			"rtc": map[string]any{"ice_signaling": map[string]any{
				"signaling_url": "wss://signaling.koophonetest.invalid/v1/" + id,
				"expired_time":  "3600",
				"ice_servers":   []string{"stun:stun.koophonetest.invalid:3478", "turn:turn.koophonetest.invalid:3478"},
			}},
			"app_ip_synchronize_list": "198.51.100.20", // a string, as documented
		},
	})
}

// stopStreaming answers StopInstancesStreaming: POST
// /v1/instances/streaming/stop. Streaming ends.
func (s *Server) stopStreaming(_ *http.Request, body []byte) reply {
	return s.endSession(body, func(in *instance) { in.streaming = false })
}

// releaseSession answers ReleaseInstancesSession: POST
// /v1/instances/session/release. Streaming and the preparation end: the
// instance must be prepared again before its next device token.
func (s *Server) releaseSession(_ *http.Request, body []byte) reply {
	return s.endSession(body, func(in *instance) {
		in.streaming, in.offline, in.polls, in.script = false, true, 0, nil
	})
}

// endSession applies end to the instance of the body's instance_id.
func (s *Server) endSession(body []byte, end func(*instance)) reply {
	var in struct {
		InstanceID *string `json:"instance_id"`
	}
	if rep, ok := decode(body, &in); !ok {
		return rep
	}
	if msg := checkID("instance_id", in.InstanceID); msg != "" {
		return invalid("%s", msg)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.get(*in.InstanceID)
	if !ok {
		return notFound()
	}
	end(inst)
	return success(nil)
}

// Streaming reports whether a device token was issued for instanceID and
// its streaming has not been stopped or released since.
func (s *Server) Streaming(instanceID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	inst, ok := s.inventory.byID[instanceID]
	return ok && inst.streaming
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
