package koophone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// A server that echoes the token in a failed job's error_msg must not get
// it into the error WaitTask returns: "Tokens ... never appear in errors
// ... even when a server echoes them" (README, Security).
func TestAttackEchoedTokenInJobErrorIsScrubbed(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, always(200, `{"error_code":"0","error_msg":"ok","data":{"jobs":[`+
		`{"job_id":"j1","status":-1,"error_code":"CPS0005","error_msg":"auth failed for X-Auth-Token `+testToken+`"}]}}`))
	_, err := c.WaitTask(timeout(t), "CMD_1", koophone.WithMaxWait(time.Second))
	require.ErrorIs(t, err, koophone.ErrTaskFailed)
	assert.NotContains(t, err.Error(), testToken, "the echoed token reaches the error")
	for _, je := range koophone.JobErrors(err) {
		assert.NotContains(t, fmt.Sprintf("%+v", je), testToken)
	}
}

// Each form of the token, echoed in an error's message, a job's message or
// a command's output, is redacted.
func TestEveryFormOfAnEchoedTokenIsRedacted(t *testing.T) {
	t.Parallel()
	places := map[string]struct {
		answer func(echo string) (int, any)
		call   func(ctx context.Context, c *koophone.Client) []string
	}{
		"error message": {
			func(echo string) (int, any) {
				return http.StatusUnauthorized, map[string]string{"error_code": "APIGW.0301", "error_msg": "bad token " + echo}
			},
			func(ctx context.Context, c *koophone.Client) []string {
				_, err := c.PrepareProgress(ctx, "u", "i")
				return []string{err.Error()}
			},
		},
		"job message": {
			func(echo string) (int, any) {
				return http.StatusOK, map[string]any{"error_code": "0", "data": map[string]any{"jobs": []any{
					map[string]any{"job_id": "j-1", "status": -1, "error_code": "E1", "error_msg": "token " + echo, "execute_msg": "$ echo " + echo},
				}}}
			},
			func(ctx context.Context, c *koophone.Client) []string {
				jobs, err := c.GetTask(ctx, "t-1")
				if err != nil || len(jobs) != 1 {
					return []string{"unexpected", err.Error()}
				}
				return []string{jobs[0].Message, jobs[0].Output}
			},
		},
		"command output": {
			func(echo string) (int, any) {
				return http.StatusOK, map[string]any{"error_code": "0", "data": map[string]any{"cmd_results": []any{
					map[string]any{"instance_id": "i-1", "status": 2, "error_msg": "token " + echo, "execute_msg": "X-Auth-Token: " + echo},
				}}}
			},
			func(ctx context.Context, c *koophone.Client) []string {
				results, err := c.RunCommand(ctx, "env", []string{"i-1"})
				if err != nil || len(results) != 1 {
					return []string{"unexpected", err.Error()}
				}
				return []string{results[0].Message, results[0].Output}
			},
		},
	}
	for form, encode := range echoForms {
		for place, p := range places {
			echo := encode(specialToken)
			c, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				status, v := p.answer(echo)
				body, _ := json.Marshal(v)
				answer(w, status, string(body))
			}, koophone.WithToken(specialToken))
			for _, text := range p.call(timeout(t), c) {
				assert.NotContains(t, text, "SECRET", "%s in the %s", form, place)
				assert.Contains(t, text, "[redacted]", "%s in the %s", form, place)
			}
		}
	}
}

// A token of any length that a server echoes is scrubbed.
func TestShortEchoedTokenIsScrubbed(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		answer(w, http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"token `+r.Header.Get("X-Auth-Token")+` is invalid"}`)
	}, koophone.WithToken("tok1234"))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "tok1234")
	assert.Contains(t, err.Error(), "token [redacted] is invalid", "the server did echo the token")
}

// errorCase is one row of the error mapping: an answer the server gives to
// every attempt, and what the caller must get.
type errorCase struct {
	name     string
	status   int
	body     string
	sentinel error // nil: the error matches none of the categories below
	code     string
	message  string
	attempts int // 1 when not retried; 1+fastRetries.MaxRetries when retried
	reqID    string
}

var categories = []error{
	koophone.ErrInvalidParameter, koophone.ErrPermissionDenied, koophone.ErrInstanceNotFound,
	koophone.ErrInternal, koophone.ErrUnauthorized, koophone.ErrThrottled, koophone.ErrMalformedResponse,
}

var errorCases = []errorCase{
	{"bad parameter, HTTP 200", 200, `{"error_code":"KOOPHONE.API.1000","error_msg":"bad parameter"}`, koophone.ErrInvalidParameter, "KOOPHONE.API.1000", "bad parameter", 1, ""},
	{"bad parameter, HTTP 400", 400, `{"error_code":"KOOPHONE.API.1000","error_msg":"bad parameter"}`, koophone.ErrInvalidParameter, "KOOPHONE.API.1000", "bad parameter", 1, ""},
	{"no permission", 200, `{"error_code":"KOOPHONE.API.1001","error_msg":"no permission"}`, koophone.ErrPermissionDenied, "KOOPHONE.API.1001", "no permission", 1, ""},
	{"not found, HTTP 200", 200, `{"error_code":"KOOPHONE.API.4001","error_msg":"instance not exist"}`, koophone.ErrInstanceNotFound, "KOOPHONE.API.4001", "instance not exist", 1, ""},
	{"not found, HTTP 400", 400, `{"error_code":"KOOPHONE.API.4001","error_msg":"instance not exist"}`, koophone.ErrInstanceNotFound, "KOOPHONE.API.4001", "instance not exist", 1, ""},
	{"not found, HTTP 500, mixed case", 500, `{"error_code":"KooPhone.API.4001","error_msg":"instance not exist"}`, koophone.ErrInstanceNotFound, "KOOPHONE.API.4001", "instance not exist", 1, ""},
	{"not found, KP prefix", 200, `{"error_code":"KP.API.4001","error_msg":"instance not exist"}`, koophone.ErrInstanceNotFound, "KOOPHONE.API.4001", "instance not exist", 1, ""},
	{"not found, lower case", 200, `{"error_code":"koophone.api.4001","error_msg":"instance not exist"}`, koophone.ErrInstanceNotFound, "KOOPHONE.API.4001", "instance not exist", 1, ""},
	{"internal, HTTP 200", 200, `{"error_code":"KOOPHONE.API.9999","error_msg":"internal error"}`, koophone.ErrInternal, "KOOPHONE.API.9999", "internal error", retried, ""},
	{"internal, HTTP 500", 500, `{"error_code":"KOOPHONE.API.9999","error_msg":"internal error"}`, koophone.ErrInternal, "KOOPHONE.API.9999", "internal error", retried, ""},
	{"HTTP 500 without code", 500, ``, koophone.ErrInternal, "", "Internal Server Error", retried, ""},
	{"HTTP 500 with a permanent code", 500, `{"error_code":"KOOPHONE.API.1000","error_msg":"bad"}`, koophone.ErrInvalidParameter, "KOOPHONE.API.1000", "bad", 1, ""},
	{"missing request id header", 200, `{"error_code":"KOOPHONE.API.0002","error_msg":"missing header x-request-id"}`, nil, "KOOPHONE.API.0002", "missing header x-request-id", 1, ""},
	{"no idle instance", 200, `{"error_code":"KOOPHONE.API.2003","error_msg":"no idle instance"}`, nil, "KOOPHONE.API.2003", "no idle instance", 1, ""},
	{"gateway unauthorized", 401, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information","request_id":"gw-401"}`, koophone.ErrUnauthorized, "APIGW.0301", "Incorrect IAM authentication information", 1, "gw-401"},
	{"gateway token must be renewed", 401, `{"error_code":"APIGW.0307","error_msg":"The token must be updated.","request_id":"gw-0307"}`, koophone.ErrUnauthorized, "APIGW.0307", "The token must be updated.", 1, "gw-0307"},
	{"gateway forbidden", 403, `{"error_code":"APIGW.0302","error_msg":"The IAM user is forbidden","request_id":"gw-403"}`, koophone.ErrPermissionDenied, "APIGW.0302", "The IAM user is forbidden", 1, "gw-403"},
	{"gateway throttled", 429, `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached","request_id":"gw-429"}`, koophone.ErrThrottled, "APIGW.0308", "The throttling threshold has been reached", retried, "gw-429"},
	{"gateway API not found", 404, `{"error_code":"APIGW.0101","error_msg":"The API does not exist","request_id":"gw-404"}`, nil, "APIGW.0101", "The API does not exist", 1, "gw-404"},
	{"gateway bad request", 400, `{"error_code":"APIGW.0201","error_msg":"Request error","request_id":"gw-400"}`, koophone.ErrInvalidParameter, "APIGW.0201", "Request error", 1, "gw-400"},
	{"gateway backend unavailable", 502, `{"error_code":"APIGW.0201","error_msg":"Backend unavailable","request_id":"gw-502"}`, nil, "APIGW.0201", "Backend unavailable", retried, "gw-502"},
	{"HTML 502 page", 502, `<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>`, nil, "", "Bad Gateway", retried, ""},
	{"empty 503", 503, ``, nil, "", "Service Unavailable", retried, ""},
	{"504", 504, `gateway timeout`, nil, "", "gateway timeout", retried, ""},
	{"HTTP 401 without body", 401, ``, koophone.ErrUnauthorized, "", "Unauthorized", 1, ""},
	{"HTTP 403 without body", 403, ``, koophone.ErrPermissionDenied, "", "Forbidden", 1, ""},
	{"HTTP 429 without body", 429, ``, koophone.ErrThrottled, "", "Too Many Requests", retried, ""},
	{"2xx that is not JSON", 200, `<html>hello</html>`, koophone.ErrMalformedResponse, "", "body is not a JSON object", retried, ""},
	{"2xx truncated JSON", 200, `{"data":{"status":0,"wai`, koophone.ErrMalformedResponse, "", "truncated JSON", retried, ""},
	{"2xx without data", 200, `{"error_code":"0","error_msg":"OK"}`, koophone.ErrMalformedResponse, "", "data.status is missing", retried, ""},
	{"2xx with null data", 200, `{"error_code":"0","error_msg":"OK","data":null}`, koophone.ErrMalformedResponse, "", "data.status is missing", retried, ""},
	{"2xx without status", 200, `{"error_code":"0","error_msg":"OK","data":{"waitingCount":1}}`, koophone.ErrMalformedResponse, "", "data.status is missing", retried, ""},
	{"2xx with a non-numeric string status", 200, `{"error_code":"0","data":{"status":"zero"}}`, koophone.ErrMalformedResponse, "", "status is a JSON string, not int", retried, ""},
	{"2xx with a fractional status", 200, `{"error_code":"0","data":{"status":1.5}}`, koophone.ErrMalformedResponse, "", "status is a JSON number, not int", retried, ""},
	{"oversized 429 keeps its category", 429, `{"error_msg":"` + strings.Repeat("x", 1<<20) + `"}`, koophone.ErrThrottled, "", "Too Many Requests", retried, ""},
	{"2xx with neither code nor data", 200, `{}`, koophone.ErrMalformedResponse, "", "neither error_code nor data", retried, ""},
	{"invalid UTF-8 and control characters in error_msg", 200, "{\"error_code\":\"KOOPHONE.API.1000\",\"error_msg\":\"bad\xff\\n\\u0007 value\"}", koophone.ErrInvalidParameter, "KOOPHONE.API.1000", "bad\uFFFD value", 1, ""},
}

// checkErrorCase checks err against one row of the mapping.
func checkErrorCase(t *testing.T, tc errorCase, err error, sentID string) {
	t.Helper()
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "ShowProgress", apiErr.Operation)
	assert.Equal(t, tc.status, apiErr.HTTPStatus)
	assert.Equal(t, tc.code, apiErr.Code)
	assert.Contains(t, apiErr.Message, tc.message)
	wantID := tc.reqID
	if wantID == "" {
		wantID = sentID
	}
	assert.Equal(t, wantID, apiErr.RequestID)
	for _, cat := range categories {
		assert.Equal(t, cat == tc.sentinel, errors.Is(err, cat), "errors.Is(err, %v)", cat)
	}
	msg := err.Error()
	assert.True(t, strings.HasPrefix(msg, "koophone: ShowProgress: "), msg)
	assert.Contains(t, msg, "(request id "+wantID+")")
	assert.NotContains(t, msg, "giving up", "go-retryablehttp's own error never shows")
	assert.LessOrEqual(t, len(msg), 800)
}

func TestErrorMappingWithHTTPTest(t *testing.T) {
	t.Parallel()
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, s := setup(t, always(tc.status, tc.body))
			_, err := c.PrepareProgress(timeout(t), "user", "inst")
			reqs := s.Requests()
			require.NotEmpty(t, reqs)
			checkErrorCase(t, tc, err, reqs[0].Header.Get("X-Request-Id"))
			assert.Len(t, reqs, tc.attempts)
		})
	}
}

func TestErrorMappingWithHTTPMock(t *testing.T) {
	t.Parallel()
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mock := httpmock.NewMockTransport()
			var sentID string
			mock.RegisterResponder(http.MethodPost, "https://koophone.test/v1/instances/prepare-progress",
				func(r *http.Request) (*http.Response, error) {
					sentID = r.Header.Get("X-Request-Id")
					return httpmock.NewStringResponse(tc.status, tc.body), nil
				})
			c := newClient(t, koophone.WithEndpoint("https://koophone.test"), koophone.WithHTTPClient(&http.Client{Transport: mock}))
			_, err := c.PrepareProgress(timeout(t), "user", "inst")
			checkErrorCase(t, tc, err, sentID)
			assert.Equal(t, tc.attempts, mock.GetTotalCallCount())
		})
	}
}

func TestRequestIDFromResponseHeader(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-Request-Id", "server-side-id")
		answer(w, http.StatusOK, `{"error_code":"KOOPHONE.API.4001","error_msg":"instance not exist"}`)
	})
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, "server-side-id", apiErr.RequestID)
}

// A hostile server's code, message and request id reach the error bounded,
// sanitised and canonical: no forged lines, no bidi tricks, under 2 KiB.
func TestServerStringsAreSanitisedAndBounded(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("A", 300000)
	body := `{"error_code":"kp.api.4001` + huge + `\nready\t0","error_msg":"` + huge + `\n\u202eready","request_id":"` + huge + `\r\nready"}`
	c, _ := setup(t, always(http.StatusOK, body))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	msg := err.Error()
	assert.Less(t, len(msg), 2048)
	assert.NotContains(t, msg, "\n")
	assert.NotContains(t, msg, "\r")
	assert.NotContains(t, msg, "\t")
	assert.NotContains(t, msg, "\u202e")
	assert.True(t, strings.HasPrefix(apiErr.Code, "KOOPHONE.API.4001AAA"), apiErr.Code)
	assert.LessOrEqual(t, len(apiErr.Code), 64+len("…"))
	assert.LessOrEqual(t, len(apiErr.RequestID), 128+len("…"))
}

// The SDK knows what it sent: a server that echoes the token, in JSON or in
// a plain-text body, does not put it in the error.
func TestEchoedCredentialsAreScrubbed(t *testing.T) {
	t.Parallel()
	for name, handler := range map[string]func(http.ResponseWriter, *http.Request, int){
		"json": func(w http.ResponseWriter, r *http.Request, _ int) {
			answer(w, http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"token `+r.Header.Get("X-Auth-Token")+` is invalid","request_id":"`+r.Header.Get("X-Auth-Token")+`"}`)
		},
		"plain text": func(w http.ResponseWriter, r *http.Request, _ int) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "bad header X-Auth-Token: "+r.Header.Get("X-Auth-Token"))
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, _ := setup(t, handler)
			_, err := c.PrepareProgress(timeout(t), "u", "i")
			require.Error(t, err)
			assert.NotContains(t, err.Error(), testToken)
			assert.Contains(t, err.Error(), "[redacted]")
		})
	}
}

func TestEchoedSignatureAndKeysAreScrubbed(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		answer(w, http.StatusUnauthorized, `{"error_code":"APIGW.0301","error_msg":"bad `+r.Header.Get("Authorization")+` and `+r.Header.Get("X-Security-Token")+`"}`)
	}, koophone.WithTemporaryAKSK("AKEXAMPLE12345678", "sk-secret-value", "sec-token-value-123", "project-1"))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "AKEXAMPLE12345678")
	assert.NotContains(t, err.Error(), "sec-token-value-123")
	assert.NotRegexp(t, `Signature=[0-9a-f]{64}`, err.Error())
	assert.Contains(t, err.Error(), "Access=[redacted]", "the server did echo the Authorization header")
	assert.Contains(t, err.Error(), "and [redacted]", "the server did echo the security token")
}

// A server that echoes the token with an invisible character inside it
// (which sanitising drops afterwards) does not get it into the error or
// the log; nor does a plain-text body whose excerpt would cut a long
// token short.
func TestEchoedTokenWithInvisibleCharactersIsScrubbed(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("L0ngT0ken", 100)
	for name, tc := range map[string]struct {
		token   string
		handler func(http.ResponseWriter, *http.Request, int)
	}{
		"zero-width in json": {testToken, func(w http.ResponseWriter, r *http.Request, _ int) {
			tok := r.Header.Get("X-Auth-Token")
			answer(w, http.StatusBadRequest, `{"error_code":"KOOPHONE.API.1000","error_msg":"bad token `+tok[:5]+`\u200b`+tok[5:]+`"}`)
		}},
		"bidi in json": {testToken, func(w http.ResponseWriter, r *http.Request, _ int) {
			tok := r.Header.Get("X-Auth-Token")
			answer(w, http.StatusBadRequest, `{"error_code":"KOOPHONE.API.1000","error_msg":"bad token `+tok[:5]+`\u2066`+tok[5:]+`"}`)
		}},
		"long token in plain text": {long, func(w http.ResponseWriter, r *http.Request, _ int) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, "bad token "+r.Header.Get("X-Auth-Token"))
		}},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			c, _ := setup(t, tc.handler, koophone.WithToken(tc.token),
				koophone.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			_, err := c.PrepareProgress(timeout(t), "u", "i")
			require.Error(t, err)
			secret := tc.token[:min(len(tc.token), 20)] // of a long token, any 20 characters would leak
			assert.NotContains(t, err.Error(), secret)
			assert.NotContains(t, logs.String(), secret)
			assert.Contains(t, err.Error(), "[redacted]")
		})
	}
}

func TestPlainTextErrorBodyIsKeptShort(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, _ int) { http.NotFound(w, r) })
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusNotFound, apiErr.HTTPStatus)
	assert.Equal(t, "404 page not found", apiErr.Message, "a short plain-text body is kept, sanitised")
}
