package koophone

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http/httptrace"
	"strings"
	"sync/atomic"
)

// One attempt of a write puts its request on the wire at most once.
//
// net/http sends a request again by itself in some cases. Its HTTP/2
// client does so after a stream reset with PROTOCOL_ERROR or
// REFUSED_STREAM and after a GOAWAY (h2_bundle.go, shouldRetryRequest and
// canRetryError), with a body from Request.GetBody, or with the same
// request when it has no body; its HTTP/1 client after a connection that
// failed before anything was written, or for idempotent requests. A
// server that resets every stream with PROTOCOL_ERROR once it has read the
// request would see one attempt of a write hundreds of times.
//
// Two guards stop that, for any transport built on net/http:
//
//   - A write's request has no GetBody (go-retryablehttp's would give
//     net/http an empty body to send). net/http then sends a request with
//     a body again only when it never began to send it (HTTP/2's
//     errClientConnUnusable, HTTP/1's nothingWrittenError), and otherwise
//     fails with an error that names the cause.
//   - A write's attempt runs under writeOnce, an httptrace hook: once the
//     request has been written in full, the next connection the transport
//     gets for it (GotConn comes before every send) cancels the attempt's
//     context, which HTTP/2 checks before it writes the headers. This
//     covers a write without a body, which HTTP/2 sends again as it is.
//     (HTTP/1 never sends a POST or PUT again once it was written.)
//
// Whether the service may have acted on an attempt that failed is what
// net/http told the hooks: the request written in full (WroteRequest
// without an error), or not (with one, as when a kept-alive connection
// the server had closed failed the write). A transport that never told
// them (a caller's own, or net/http's HTTP/2 client when the attempt
// timed out between writing the request's end and calling the hook) took
// the request if it read its body to the end, or, for a write without a
// body (GetDeviceToken), wrote its headers (WroteHeaders): then the
// service may have acted. A write without a body through a transport that
// never asked for a connection (GetConn, which net/http calls before any)
// may have been sent in full with nothing to tell it: it is not retried.
// An attempt judged as not sent seals its body first (guardedBody.Read),
// so a transport that returned from RoundTrip while a goroutine of its own
// still sends cannot send the whole request after it is sent again.
//
// Only an HTTP/2 REFUSED_STREAM from the server, or a GOAWAY whose last
// stream id is below the request's, proves that the service did not act on
// a request it was sent (RFC 9113, section 8.7). notProcessed recognises
// them; a write that met one is retried as an attempt of its own, within
// RetryPolicy.MaxRetries.

// writeOnce watches one attempt of a write. Its methods are safe for
// concurrent use: net/http calls the hooks from its own goroutines.
type writeOnce struct {
	wrote    atomic.Bool  // WroteRequest: the request was written in full
	unsent   atomic.Bool  // WroteRequest with an error: it was not
	taken    atomic.Int32 // what the transport took of the request: takenNone, takenAll or takenSealed
	hooked   atomic.Bool  // GetConn: the transport tells the hooks (net/http does, before any connection)
	bodyless bool
	stopped  atomic.Bool // the transport went to send it again, and was stopped
	cancel   context.CancelCauseFunc
}

// The states of writeOnce.taken. takenAll: the transport read the body's
// last byte, or, for a write without a body, wrote its headers. takenSealed:
// the attempt was judged before that, as not sent; no more of its body can
// be read, so a transport that goes on sending it after RoundTrip returned
// (the RoundTripper contract allows a goroutine of its own to) cannot
// complete it while the write is sent again.
const (
	takenNone int32 = iota
	takenAll
	takenSealed
)

// errAttemptJudged is what a guarded body's Read returns once its attempt
// was judged as not sent.
var errAttemptJudged = errors.New("koophone: this attempt of the write has ended; its body can no longer be read")

// errSentAgain is the cause of an attempt whose transport went to send the
// request again after it had written it in full.
var errSentAgain = errors.New("the HTTP transport went to send the request again by itself after writing it in full; stopped, since the service may have acted on it")

// guardWrite returns the context of one attempt of a write, over actx, and
// its guard. A write with a body must send it as the guard's body. The
// caller must call release when the attempt has ended.
func guardWrite(actx context.Context, bodyless bool) (context.Context, *writeOnce) {
	w := &writeOnce{bodyless: bodyless}
	ctx, cancel := context.WithCancelCause(actx) // over actx, so that cancel ends it at once
	w.cancel = cancel
	return httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		GetConn:      w.getConn,
		GotConn:      w.gotConn,
		WroteHeaders: w.wroteHeaders,
		WroteRequest: w.wroteRequest,
	}), w
}

// body returns a reader of b, the attempt's body, that tells the guard
// once the transport has read its last byte (guardedBody.Read).
func (w *writeOnce) body(b []byte) io.ReadCloser {
	return &guardedBody{r: bytes.NewReader(b), w: w}
}

// guardedBody has Read and Close only: a WriteTo (bytes.Reader's) would
// let io.Copy read it without Read.
type guardedBody struct {
	r *bytes.Reader
	w *writeOnce
}

// Read tells the guard once the transport has every byte of the body,
// before it can write the last of them: a transport need not read on to
// EOF (io.CopyN reads exactly ContentLength bytes), and net/http's HTTP/1
// client copies a body it does not know to be in memory straight to the
// connection, writing its last bytes before its next Read meets EOF.
// Once the attempt was judged as not sent (takenSealed), Read returns
// errAttemptJudged and no bytes, so its last bytes never go out.
func (b *guardedBody) Read(p []byte) (int, error) {
	if b.w.taken.Load() == takenSealed {
		return 0, errAttemptJudged
	}
	n, err := b.r.Read(p)
	if b.r.Len() == 0 && !b.w.take() {
		return 0, errAttemptJudged // judged while this Read ran: its bytes are not handed over
	}
	return n, err
}

// take records that the transport took the whole request, unless the
// attempt was judged before; it reports whether the transport took it.
func (w *writeOnce) take() bool {
	return w.taken.CompareAndSwap(takenNone, takenAll) || w.taken.Load() == takenAll
}

// seal ends what the transport can take of the request, and reports
// whether it had taken all of it.
func (w *writeOnce) seal() bool {
	return !w.taken.CompareAndSwap(takenNone, takenSealed) && w.taken.Load() == takenAll
}

func (b *guardedBody) Close() error { return nil }

// gotConn is called before every send of the request: the first one goes,
// any after the request was written in full is stopped before its headers.
func (w *writeOnce) gotConn(httptrace.GotConnInfo) {
	if w.wrote.Load() {
		w.stopped.Store(true)
		w.cancel(errSentAgain)
	}
}

func (w *writeOnce) getConn(string) { w.hooked.Store(true) }

func (w *writeOnce) wroteHeaders() {
	if w.bodyless {
		w.take()
	}
}

func (w *writeOnce) wroteRequest(info httptrace.WroteRequestInfo) {
	if info.Err == nil {
		w.wrote.Store(true)
	} else {
		w.unsent.Store(true)
	}
}

// release frees the attempt's context. On a nil writeOnce (a read) it does
// nothing.
func (w *writeOnce) release() {
	if w != nil {
		w.cancel(nil)
	}
}

// mayHaveActed reports whether the service may have acted on the request,
// given the transport's error (nil: an answer, which says it got it). On a
// nil writeOnce (a read, which is not watched) it reports false.
func (w *writeOnce) mayHaveActed(err error) bool {
	switch {
	case w == nil:
		return false
	case err == nil || w.stopped.Load():
		return true
	}
	took := w.seal() || w.bodyless && !w.hooked.Load() // a transport that tells nothing may have sent it all
	sent := w.wrote.Load() || !w.unsent.Load() && took
	return sent && !notProcessed(err)
}

// failure returns the error to report for the transport's error err.
func (w *writeOnce) failure(err error) error {
	switch {
	case w == nil:
		return err
	case w.stopped.Load():
		return errSentAgain // err is only the context the guard cancelled
	}
	msg := err.Error()
	if i := strings.Index(msg, h2CannotRetryPrefix); i >= 0 && strings.Contains(msg[i:], h2CannotRetrySuffix) {
		// net/http's advice, to define GetBody, is not for the SDK's callers.
		msg = msg[:i] + strings.Replace(msg[i+len(h2CannotRetryPrefix):], h2CannotRetrySuffix, " (the HTTP transport does not send a write again)", 1)
		return &cleanedError{msg: msg, err: err}
	}
	return err
}

// The texts of net/http's HTTP/2 errors (the same in golang.org/x/net/http2)
// that say the server did not process a request. net/http gives them no
// type that can be matched outside it, and quotes them in the error it
// returns when it cannot send a request again. Each is matched in full, so
// that no text a server sends (a GOAWAY's debug data) can pass for one.
const (
	h2CannotRetryPrefix = "http2: Transport: cannot retry err ["
	h2CannotRetrySuffix = "] after Request.Body was written; define Request.GetBody to avoid this error"
	h2RefusedPrefix     = "stream error: stream ID "
	h2RefusedSuffix     = "; REFUSED_STREAM; received from peer"
	// A GOAWAY whose last stream id is below the request's (setGoAway).
	h2GoAwayAbove = "http2: Transport received Server's graceful shutdown GOAWAY"
	// The same, with an error code, for the first stream of a connection.
	h2GoAwayFirstStream = "http2: Transport received GOAWAY from server ErrCode:"
)

// notProcessed reports whether err, or an error it wraps, is net/http's
// report that the server did not process the request: an HTTP/2
// REFUSED_STREAM from the server, or a GOAWAY whose last stream id is below
// the request's.
func notProcessed(err error) bool {
	for ; err != nil; err = errors.Unwrap(err) {
		msg := err.Error()
		if cause, ok := cannotRetryCause(msg); ok {
			msg = cause
		}
		if h2NotProcessedText(msg) {
			return true
		}
	}
	return false
}

// cannotRetryCause returns the text of the error quoted in msg when msg is
// net/http's HTTP/2 error for a request it cannot send again.
func cannotRetryCause(msg string) (string, bool) {
	cause, ok := strings.CutPrefix(msg, h2CannotRetryPrefix)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(cause, h2CannotRetrySuffix)
}

// h2NotProcessedText reports whether msg is the whole text of one of the
// errors notProcessed looks for.
func h2NotProcessedText(msg string) bool {
	if msg == h2GoAwayAbove {
		return true
	}
	if code, ok := strings.CutPrefix(msg, h2GoAwayFirstStream); ok {
		return code != "" && !strings.ContainsAny(code, "[];")
	}
	id, ok := strings.CutPrefix(msg, h2RefusedPrefix)
	if !ok {
		return false
	}
	id, ok = strings.CutSuffix(id, h2RefusedSuffix)
	return ok && id != "" && strings.Trim(id, "0123456789") == ""
}
