package koophone

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/koophone-go/koophone/internal/wire"
)

// The one request path. Every operation method checks its arguments, builds
// a wire struct and calls do with its operation and request; do sends it
// with retries (go-retryablehttp over attemptTransport, transport.go) and
// returns the request id and the decoded data or an error. Adding an
// operation adds nothing here: see "Adding an operation" in CONTRIBUTING.md.

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

// call is what every attempt of one call needs. It is the context of the
// call's request: the caller's context, which it embeds, with the call as
// a value. go-retryablehttp and net/http pass a request's context through
// to the attempts, and nothing else of the call's; being the context
// itself saves a context.WithValue per call.
type call struct {
	context.Context
	op        operation
	requestID string
	idHeader  [1]string // X-Request-Id's value, kept here to save an allocation
	body      []byte    // the request body as sent and signed; nil: none
	secrets   []string  // request.secrets
	out       any       // where a success's data goes: a pointer to a wire struct, or nil
	attempts  int       // attempts so far; attempts run one after another
	last      attempt
	limit     io.LimitedReader // bounds the reading of an answer
	reader    bytes.Reader     // the first attempt's body
	obs       *observedCall    // nil: the client has no Observer
}

// getBody returns a new reader of the call's body: the body of each
// attempt after the first, and the GetBody of every attempt, which net/http
// calls to send the body again on a new connection. It is an io.NopCloser
// over a *bytes.Reader, a body net/http knows is in memory and writes with
// the headers in one write.
func (cl *call) getBody() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(cl.body)), nil
}

// secretsSent returns the credentials an attempt sent: those in its
// headers, and those the call's body carries.
func (cl *call) secretsSent(h http.Header) []string {
	return append(sentSecrets(h), cl.secrets...)
}

type callKey struct{}

// Value returns the call for callKey and otherwise asks the caller's context.
func (cl *call) Value(key any) any {
	if _, ok := key.(callKey); ok {
		return cl
	}
	return cl.Context.Value(key)
}

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
	cl := &call{Context: ctx, op: op, requestID: newRequestID(), out: out, secrets: r.secrets}
	cl.idHeader[0] = cl.requestID
	if r.body != nil {
		b, err := json.Marshal(r.body)
		if err != nil {
			return cl.requestID, &callError{op: op.name, requestID: cl.requestID, err: err}
		}
		cl.body = b
	}
	// No body for go-retryablehttp: each attempt gets its own (exchange),
	// which saves its per-attempt copies. Without one, an empty POST is
	// sent with Content-Length: 0.
	req, err := retryablehttp.NewRequestWithContext(cl, op.method, c.url(op, r, cl.requestID), nil)
	if err != nil {
		return cl.requestID, &callError{op: op.name, requestID: cl.requestID, err: err}
	}
	c.setHeaders(req.Header, cl)
	c.startCall(cl, op.method, req.URL.Path)

	a, err := c.send(ctx, req, cl)
	if err == nil && a.credentialsRejected() && c.auth.rejected(a.sent) {
		// The service rejected a cached token, now dropped: repeat the call
		// once with a fresh one. It cannot have acted on a rejected call.
		a, err = c.send(ctx, req, cl)
	}
	if err == nil {
		err = a.err
	}
	c.endCall(cl, err)
	return cl.requestID, err
}

// setHeaders sets the headers the SDK sends with every attempt of cl, the
// credentials and cookies aside. Their values are shared, never changed.
func (c *Client) setHeaders(h http.Header, cl *call) {
	h["Content-Type"] = headerJSON
	h["User-Agent"] = c.userAgent
	h["X-Request-Id"] = cl.idHeader[:]
}

// send runs the attempts of one call and returns the last one, or the
// error that ended the call without one (the context ended).
func (c *Client) send(ctx context.Context, req *retryablehttp.Request, cl *call) (*attempt, error) {
	resp, err := c.http.Do(req)
	if err != nil && ctx.Err() != nil && !limited(err) {
		// The caller gave up, whatever the last attempt got: say so.
		if resp != nil {
			resp.Body.Close()
		}
		return nil, &callError{op: cl.op.name, requestID: cl.requestID, err: ctx.Err()}
	}
	if a := attemptOf(resp, err); a != nil {
		return a, nil
	}
	return nil, &callError{op: cl.op.name, requestID: cl.requestID, err: err}
}

// url builds the request URL: the endpoint, the path and the query, with
// x-request-id in it for the operations that want it there.
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
	return u + "?" + q.Encode()
}

// attemptOf returns the attempt behind what go-retryablehttp returned: the
// body of a response, or the error of an attempt that got none.
func attemptOf(resp *http.Response, err error) *attempt {
	if resp != nil {
		if a, ok := resp.Body.(*attempt); ok {
			return a
		}
		resp.Body.Close()
	}
	var f *failedAttempt
	if errors.As(err, &f) {
		return f.attempt
	}
	return nil
}
