package koophonetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// The codes the fake answers with. They are the fake's own copies, not the
// koophone package's, so that a wrong constant there cannot hide here.
const (
	codeOK               = "0"
	codeMissingRequestID = "KOOPHONE.API.0002"
	codeInvalidParameter = "KOOPHONE.API.1000"
	codePermissionDenied = "KOOPHONE.API.1001"
	codeAssignedElse     = "KOOPHONE.API.2003" // no idle instance: assigned to another user
	codeBindingNotFound  = "KOOPHONE.API.2210"
	codeSKUNotFound      = "KOOPHONE.API.3002" // no such SKU or region
	codeOSMissing        = "KOOPHONE.API.3003" // the OS version is missing
	codeMonthsOutOfRange = "KOOPHONE.API.3006" // periodType month, periodNum not 1 to 9
	codeYearsOutOfRange  = "KOOPHONE.API.3007" // periodType year, periodNum not 1 to 3
	codeFastInstall      = "KOOPHONE.API.3008" // fast_install must be 0 or 1
	codeInstanceNotFound = "KOOPHONE.API.4001"
	codePayPerUse        = "KOOPHONE.API.5001"
	codeBadTimeFormat    = "KOOPHONE.API.5002"
	codeEndBeforeStart   = "KOOPHONE.API.5004"
	codeNotRunning       = "KOOPHONE.API.5005"
	codeInstallNotFound  = "KOOPHONE.API.1323"
	codeInternal         = "KOOPHONE.API.9999"

	codeGatewayNotFound     = "APIGW.0101"
	codeGatewayUnauthorized = "APIGW.0301"
	codeGatewayThrottled    = "APIGW.0308"
)

// reply is what a handler answers, before the envelope is chosen.
type reply struct {
	code    string // "0" for success
	msg     string
	data    any // nil: no data field
	gateway int // when set, an API gateway error with this HTTP status
}

// success is a successful reply; nil data leaves the data field out.
func success(data any) reply { return reply{code: codeOK, msg: "OK", data: data} }

// fail is a business error reply.
func fail(code, format string, args ...any) reply {
	return reply{code: code, msg: fmt.Sprintf(format, args...)}
}

// invalid is a KOOPHONE.API.1000 reply.
func invalid(format string, args ...any) reply { return fail(codeInvalidParameter, format, args...) }

// gatewayError is an API gateway error, which carries a request_id.
func gatewayError(status int, code, msg string) reply {
	return reply{code: code, msg: msg, gateway: status}
}

// errorEnvelope is the body of an error answer.
type errorEnvelope struct {
	Code      string `json:"error_code"`
	Msg       string `json:"error_msg"`
	RequestID string `json:"request_id,omitempty"`
}

// envelope is the usual body: error_code, error_msg and data.
type envelope struct {
	Code string `json:"error_code"`
	Msg  string `json:"error_msg"`
	Data any    `json:"data,omitempty"`
}

// httpStatus is the HTTP status of a business answer: as the operation
// pages document, 400 for 1000, 1001 and 4001, 500 for 9999, 200 for the
// rest; always 200 with [WithBusinessErrorsAsHTTP200].
func httpStatus(code string, all200 bool) int {
	switch {
	case all200:
		return http.StatusOK
	case code == codeInvalidParameter || code == codePermissionDenied || code == codeInstanceNotFound:
		return http.StatusBadRequest
	case code == codeInternal:
		return http.StatusInternalServerError
	}
	return http.StatusOK
}

// render turns a reply into an answer; inData puts error_code and
// error_msg inside data, as ListInstances does.
func render(r reply, all200, inData bool) answer {
	if r.gateway != 0 {
		return errorAnswer(r.gateway, r.code, r.msg, false)
	}
	status := httpStatus(r.code, all200)
	if inData {
		return jsonAnswer(status, map[string]any{"data": listData(r)})
	}
	return jsonAnswer(status, envelope{Code: r.code, Msg: r.msg, Data: r.data})
}

// errorAnswer is an error answer with the given HTTP status, shaped as
// the one who sends code sends it: the gateway (APIGW.*) with a
// request_id; the service without one, inside data when inData.
func errorAnswer(status int, code, msg string, inData bool) answer {
	switch {
	case len(code) >= len(gatewayPrefix) && strings.EqualFold(code[:len(gatewayPrefix)], gatewayPrefix):
		return jsonAnswer(status, errorEnvelope{Code: code, Msg: msg, RequestID: newGatewayID()})
	case inData:
		return jsonAnswer(status, map[string]any{"data": errorEnvelope{Code: code, Msg: msg}})
	}
	return jsonAnswer(status, envelope{Code: code, Msg: msg})
}

// gatewayPrefix starts the codes the API gateway answers with.
const gatewayPrefix = "APIGW."

// listData merges error_code and error_msg into a ListInstances page.
func listData(r reply) any {
	page, _ := r.data.(*instancePage)
	if page == nil {
		return errorEnvelope{Code: r.code, Msg: r.msg}
	}
	page.Code, page.Msg = r.code, r.msg
	return page
}

// answer is a response before it is written.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func jsonAnswer(status int, v any) answer {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // the fake's own structs always encode
		panic("koophonetest: encoding an answer: " + err.Error())
	}
	return answer{status: status, header: http.Header{"Content-Type": {"application/json;charset=UTF-8"}}, body: bytes.TrimRight(buf.Bytes(), "\n")}
}

func write(w http.ResponseWriter, a answer) {
	for k, v := range a.header {
		w.Header()[k] = v
	}
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(a.status)
	w.Write(a.body)
}

// newGatewayID returns a random request id in the gateway's style.
func newGatewayID() string { return randomHex(16) }
