package koophone

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/koophone-go/koophone/internal/wire"
)

// The one request path (CONTRIBUTING.md, "The request path"). Every
// operation method checks its arguments, builds a wire struct and calls do
// with its operation and request. do sends it with go-retryablehttp, whose
// hooks (retry.go) start each attempt (beginAttempt, transport.go) and judge
// it (judge, transport.go; classify, answer.go); the credentials are added
// by a RoundTripper of their own (credentials, auth.go). Adding an operation
// adds nothing here: see "Adding an operation" in CONTRIBUTING.md.

// operation describes one API operation.
type operation struct {
	name     string    // as the API reference names it, e.g. "ShowProgress": APIError.Operation
	method   string    // http.MethodGet, MethodPost or MethodPut
	write    bool      // retried only where the service cannot have acted on it
	envelope wire.Kind // where the answer carries its error code
	idQuery  bool      // X-Request-Id goes in the query too, as x-request-id
}

// request is what one call sends.
type request struct {
	path    string     // from the endpoint's root, each segment already escaped
	query   url.Values // nil: none
	body    any        // sent as JSON; nil: no body (Content-Length: 0)
	secrets []string   // credentials the body carries, never to be shown (a signed URL's parts)
	// instances are the instance ids the call names: an answer's entries
	// for instances (perInstance) must each name one of them. nil: none.
	instances []string
}

// answerData is implemented by wire data that can check itself once
// decoded: a success whose data fails the check is malformed.
type answerData interface{ Validate() error }

// serverText is implemented by wire data that carries the service's free
// text (job and command messages and output), which may echo what was
// sent: a success's text is scrubbed of the call's secrets (classify).
type serverText interface {
	scrubText(scrub func(string) string)
}

// call is the state of one call, shared by its attempts. It reaches
// go-retryablehttp's hooks and the credentials transport as a value of the
// requests' context, put there once by do (callFrom reads it back).
// Attempts run one after another, so its fields need no lock.
type call struct {
	ctx       context.Context // the caller's, as the Observer returned it, with the call in it
	op        operation
	requestID string
	body      []byte        // the request body as sent and signed; nil: none
	secrets   []string      // request.secrets
	instances []string      // request.instances
	out       any           // where a success's data goes: a pointer to a wire struct, or nil
	attempts  int           // attempts so far
	sent      http.Header   // the last attempt's headers, credentials included (set by credentials.RoundTrip); never logged
	guard     *writeOnce    // the last attempt's write guard (writeonce.go); nil for reads
	last      verdict       // how the last attempt ended
	renewed   bool          // a cached token was rejected and dropped: do sends the call once more (once per call)
	obs       *observedCall // nil: the client has no Observer
}

// secretsSent returns the credentials the last attempt sent: those in its
// headers, and those the call's body carries.
func (cl *call) secretsSent() []string {
	return append(sentSecrets(cl.sent), cl.secrets...)
}

type callKey struct{}

// callFrom returns the call whose request has context ctx, or nil.
func callFrom(ctx context.Context) *call {
	cl, _ := ctx.Value(callKey{}).(*call)
	return cl
}

// do performs one call: it encodes r.body, sends it with retries, checks the
// answer and decodes its data into out (unless out is nil). It returns the
// request id sent and an error that is an *APIError for every answer that
// is not a success.
func (c *Client) do(ctx context.Context, op operation, r request, out any) (string, error) {
	if ctx == nil {
		return "", invalidArg("ctx is nil")
	}
	if c == nil || c.http == nil {
		return "", invalidArg("client is not initialised: use NewClient")
	}
	if c.refuse != nil {
		return "", c.refuse
	}
	if err := ctx.Err(); err != nil { // sends nothing, whatever the transport does
		return "", &callError{op: op.name, err: err}
	}
	cl := &call{op: op, requestID: newRequestID(), out: out, secrets: r.secrets, instances: r.instances}
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return cl.requestID, cl.fail(err)
		}
		cl.body = b
	}
	ctx = c.startCall(ctx, cl, op.method, c.basePath+r.path)
	cl.ctx = context.WithValue(ctx, callKey{}, cl)
	req, err := retryablehttp.NewRequestWithContext(cl.ctx, op.method, c.url(op, r, cl.requestID), nil)
	if err != nil {
		return cl.requestID, c.endCall(cl, cl.fail(err))
	}
	err = c.send(req, cl)
	if cl.renewed {
		// The service rejected a cached token, dropped by checkRetry: repeat
		// a read once with a fresh one (checkRetry renews no write).
		err = c.send(req, cl)
	}
	cl.guard.release()
	return cl.requestID, c.endCall(cl, err)
}

// send runs the attempts of one call through go-retryablehttp and returns
// the last attempt's error, or the context's when the caller gave up.
func (c *Client) send(req *retryablehttp.Request, cl *call) error {
	if err := c.beginAttempt(req.Request); err != nil {
		return err
	}
	resp, err := c.http.Do(req)
	if resp != nil {
		resp.Body.Close() // judge read it; this is only the last response handed back
	}
	if err != nil && cl.ctx.Err() != nil && !limited(err) {
		// The caller gave up, whatever the last attempt got: say so, and
		// what that attempt got unless the caller cut it short.
		ce := &callError{op: cl.op.name, requestID: cl.requestID, err: cl.ctx.Err(), last: cl.last.err}
		if ce.last != nil && errors.Is(ce.last, ce.err) {
			ce.last = nil
		}
		return ce
	}
	return cl.last.err
}

// fail returns the call's error for err, which no answer explains.
func (cl *call) fail(err error) error {
	return &callError{op: cl.op.name, requestID: cl.requestID, err: err}
}

// url builds the request URL: the endpoint, the path and the query, with
// x-request-id in it for the operations that want it there. A space in a
// query value is sent as %20, as the official SDKs send it and the AK/SK
// signature's canonical query has it, never as "+" (which a gateway may
// read as a plus sign); a "+" in a value is sent as %2B.
func (c *Client) url(op operation, r request, requestID string) string {
	u := c.baseURL + r.path
	if !op.idQuery && len(r.query) == 0 {
		return u
	}
	q := make(url.Values, len(r.query)+1)
	for k, v := range r.query {
		q[k] = v
	}
	if op.idQuery {
		q.Set("x-request-id", requestID)
	}
	return u + "?" + strings.ReplaceAll(q.Encode(), "+", "%20")
}
