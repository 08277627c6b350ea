package koophonetest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fault is an answer that replaces the service's, queued with
// [Server.FailNext] or [Server.FailNextFor]: an error answer, a gateway page, a delay, a dropped
// connection or a cut-off body. Build one with the functions below, or set
// the fields: Delay applies first; then Drop, Truncate, or the answer given
// by Status, Code, Message, Body and Header; with none of those the
// service answers as usual after the delay.
type Fault struct {
	Status   int           // HTTP status of the answer; 0 means 200 when Code or Body is set
	Code     string        // error_code of a JSON error answer
	Message  string        // error_msg of a JSON error answer
	Body     string        // a raw body instead of JSON (an HTML page, nothing, ...)
	Header   http.Header   // extra headers, such as Retry-After
	Delay    time.Duration // wait this long first (less if the client gives up or Close is called)
	Drop     bool          // close the connection without answering
	Truncate bool          // send the service's answer cut off halfway
}

// APIError answers with a JSON error envelope: status, code and message,
// e.g. APIError(200, koophone.CodeInternal, "internal error"). It is shaped
// as the service shapes that code: a gateway code (APIGW.*) with the
// gateway's request_id; any other without one, and inside data on
// ListInstances.
func APIError(status int, code, message string) Fault {
	return Fault{Status: status, Code: code, Message: message}
}

// HTMLPage answers with an HTML error page, as a proxy in front of the
// gateway does, e.g. HTMLPage(502).
func HTMLPage(status int) Fault {
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	return Fault{
		Status: status,
		Body:   "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text + "</h1></center>\r\n</body>\r\n</html>\r\n",
		Header: http.Header{"Content-Type": {"text/html"}},
	}
}

// Throttle answers HTTP 429 with APIGW.0308 and, unless retryAfter is
// empty, a Retry-After header (seconds or an HTTP date).
func Throttle(retryAfter string) Fault {
	f := APIError(http.StatusTooManyRequests, codeGatewayThrottled, "The throttling threshold has been reached: policy user over ratelimit,limit:200,time:1 second")
	if retryAfter != "" {
		f.Header = http.Header{"Retry-After": {retryAfter}}
	}
	return f
}

// Latency delays the answer by d; the service then answers as usual.
func Latency(d time.Duration) Fault { return Fault{Delay: d} }

// DropConnection closes the connection after reading the request, without
// answering.
func DropConnection() Fault { return Fault{Drop: true} }

// TruncatedBody sends the service's answer with its full Content-Length but
// only half of its body, then closes the connection. The service has acted
// on the request.
func TruncatedBody() Fault { return Fault{Truncate: true} }

// queuedFault is a fault waiting for the next left requests of operation
// op ("" for any) about instance ("" for any).
type queuedFault struct {
	op, instance string
	fault        Fault
	left         int
}

// FailNext makes the next n requests, whatever their route, be answered by
// f instead of the service; see [Fault]. Faults queue up in order.
func (s *Server) FailNext(n int, f Fault) { s.FailNextFor("", "", n, f) }

// FailNextFor makes the next n requests of operation op (an API operation
// name such as "ShowProgress"; "" for any) about instanceID ("" for any) be
// answered by f. A request is about an instance when its path, its
// instance_id query parameter or its body's instance_id, instance_ids,
// instance_id_list, instanceIdList or user_instances name it; a batch
// request naming it is answered by f as a whole. Faults, whether queued by
// FailNext or FailNextFor, are used in the order they were queued, each by
// the first request it matches. n may be as large as math.MaxInt (fail
// from now on); n < 1 queues nothing. It panics if op names no operation
// (a misspelt name would never match, and the test would pass without its
// fault) or if f.Status is neither 0 nor a three-digit HTTP status.
func (s *Server) FailNextFor(op, instanceID string, n int, f Fault) {
	if op != "" && !slices.Contains(s.ops, op) {
		panic(fmt.Sprintf("koophonetest: FailNextFor: no operation %q; the operations are %s", op, strings.Join(s.ops, ", ")))
	}
	if f.Status != 0 && (f.Status < 100 || f.Status > 999) {
		panic(fmt.Sprintf("koophonetest: FailNextFor: Fault.Status %d is not an HTTP status", f.Status))
	}
	if n < 1 {
		return
	}
	f.Header = f.Header.Clone() // the caller may reuse its map
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, queuedFault{op: op, instance: instanceID, fault: f, left: n})
}

// takeFault uses the first queued fault that matches a request of op, and
// returns it, or nil. targetsOf gives the instances the request is about;
// it is called, once, only when a fault aimed at an instance could match,
// so that most requests are not decoded twice. The caller holds s.mu.
func (s *Server) takeFault(op string, targetsOf func() []string) *Fault {
	var targets []string
	for i := range s.faults {
		q := &s.faults[i]
		if q.op != "" && q.op != op {
			continue
		}
		if q.instance != "" {
			if targets == nil {
				targets = targetsOf()
			}
			if !slices.Contains(targets, q.instance) {
				continue
			}
		}
		f := q.fault
		if q.left--; q.left == 0 {
			s.faults = slices.Delete(s.faults, i, i+1)
		}
		return &f
	}
	return nil
}

// serve answers r with the fault; service computes the real answer when
// the fault needs it, and inData says that the operation's errors sit in
// data (ListInstances). A delay ends early when the client gives up, or
// when closing is closed: then the connection is closed unanswered.
func (f *Fault) serve(w http.ResponseWriter, r *http.Request, closing <-chan struct{}, inData bool, service func() answer) {
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		case <-closing:
			hijackAndClose(w)
			return
		}
	}
	switch {
	case f.Drop:
		hijackAndClose(w)
	case f.Truncate:
		a := service()
		for k, v := range a.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(a.body)))
		w.WriteHeader(a.status)
		w.Write(a.body[:len(a.body)/2])
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		hijackAndClose(w)
	case f.Code != "" || f.Body != "" || f.Status != 0:
		a := answer{status: f.Status, header: http.Header{}, body: []byte(f.Body)}
		if a.status == 0 {
			a.status = http.StatusOK
		}
		if f.Code != "" {
			a = errorAnswer(a.status, f.Code, f.Message, inData)
		}
		for k, v := range f.Header {
			a.header[k] = v
		}
		write(w, a)
	default:
		write(w, service())
	}
}

// hijackAndClose closes the connection under w.
func hijackAndClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler) // net/http closes the connection quietly
}

// targetsOf returns the instance ids a request is about, from its path,
// its query and the usual body fields, for faults aimed at an instance.
func targetsOf(r *http.Request, body []byte) []string {
	var in struct {
		InstanceID  string   `json:"instance_id"`
		InstanceIDs []string `json:"instance_ids"`
		IDList      []string `json:"instance_id_list"`
		CamelList   []string `json:"instanceIdList"`
		Pairs       []struct {
			InstanceID string `json:"instance_id"`
		} `json:"user_instances"`
	}
	_ = json.Unmarshal(body, &in) // best effort: what decodes is enough
	ids := []string{r.PathValue("instance_id"), r.URL.Query().Get("instance_id"), in.InstanceID}
	ids = append(append(append(ids, in.InstanceIDs...), in.IDList...), in.CamelList...)
	for _, p := range in.Pairs {
		ids = append(ids, p.InstanceID)
	}
	return ids
}
