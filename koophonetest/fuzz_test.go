package koophonetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/koophone-go/koophone"
)

// FuzzServeHTTP sends the fake any request: it must never panic, and every
// answer is a JSON envelope with an error_code (inside data on ListInstances).
func FuzzServeHTTP(f *testing.F) {
	f.Add("POST", "/v1/instances/prepare-progress", `{"user_id":"u","instance_id":"i"}`, true, true)
	f.Add("POST", "/v1/instances/prepare", `{"user_id":"u","instance_ids":["i","j"]}`, true, true)
	f.Add("POST", "/v1/instances/batch-query-status", `{"instance_ids":["i"]}`, true, true)
	f.Add("POST", "/v1/instances/i/auth?stream_type=2", ``, true, true)
	f.Add("POST", "/v1/instances/streaming/stop", `{"instance_id":"i"}`, true, false)
	f.Add("POST", "/v1/instances/session/release", `{"instance_id":null}`, false, true)
	f.Add("GET", "/v1/instances/%2F/auth", `[`, true, true)
	f.Add("GET", "/v1/instances/batch-query?x-request-id=r&page_no=1&page_size=2&order=desc", ``, true, true)
	f.Add("POST", "/v1/instances/unassign", `{"user_instances":[{"user_id":"u","instance_id":"i"}]}`, true, true)
	f.Add("POST", "/v1/instances/async-command", `{"command":"ls","instance_ids":["fleet-00001"]}`, true, true)
	f.Add("GET", "/v1/instances/tasks/ZGCA1", ``, true, true)
	f.Add("PUT", "/v1/instances/video-setting", `{"instance_ids":["i"],"instance_settings":[]}`, true, true)
	f.Fuzz(func(t *testing.T, method, target, body string, withToken, withRequestID bool) {
		if !strings.HasPrefix(target, "/") {
			target = "/" + target
		}
		req, err := http.NewRequest(method, "http://fake"+target, strings.NewReader(body))
		if err != nil {
			return // not a request an HTTP server would get
		}
		s := newServer(WithInstances("u", "i", "j"), WithFleet(3))
		s.Script("k", koophone.PrepareReady)
		if withToken {
			req.Header.Set("X-Auth-Token", DefaultToken)
		}
		if withRequestID {
			req.Header.Set("X-Request-Id", "r")
		}
		rec := httptest.NewRecorder()
		s.serveHTTP(rec, req)
		var env struct {
			Code *string `json:"error_code"`
			Data struct {
				Code *string `json:"error_code"` // ListInstances keeps it in data
			} `json:"data"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%s %s: the answer is not JSON: %q", method, target, rec.Body.String())
		}
		if env.Code == nil && env.Data.Code == nil {
			t.Fatalf("%s %s: no error_code in %q", method, target, rec.Body.String())
		}
	})
}

// FuzzSignatureCheck sends a signing server any Authorization, X-Sdk-Date
// and X-Project-Id: it must never panic, and answers only a correct
// signature with anything but APIGW.0301.
func FuzzSignatureCheck(f *testing.F) {
	f.Add("SDK-HMAC-SHA256 Access=ak, SignedHeaders=host;x-sdk-date, Signature=00", "20260301T080000Z", "p")
	f.Add("SDK-HMAC-SHA256 Access=ak, SignedHeaders=;;, Signature=", "20260301T080000.1Z", "")
	f.Add("SDK-HMAC-SHA256 ,,,Access=ak,SignedHeaders=Host", "99991231T235959Z", "p")
	f.Fuzz(func(t *testing.T, auth, date, project string) {
		now := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
		s := newServer(WithAKSK("ak", "sk", "p"), WithClock(func() time.Time { return now }))
		req := httptest.NewRequest("GET", "/v1/instances/tasks/t-1", nil)
		req.Header = http.Header{"Authorization": {auth}, "X-Sdk-Date": {date}, "X-Project-Id": {project}, "X-Request-Id": {"r"}}
		rec := httptest.NewRecorder()
		s.serveHTTP(rec, req)
		var env struct {
			Code string `json:"error_code"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil || env.Code != codeGatewayUnauthorized {
			t.Fatalf("%q %q %q: %d %q", auth, date, project, rec.Code, rec.Body.String())
		}
	})
}
