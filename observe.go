package koophone

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"
)

// Observer is told about what a [Client] does: each call (one method call
// that reaches the service, with all its attempts), each attempt, and each
// wait. It is the one hook for telemetry: the module
// github.com/koophone-go/koophone/otelkoophone turns it into OpenTelemetry
// spans and metrics, and the client's own [WithLogger] records are an
// Observer too.
//
// The client calls an Observer on the goroutine that makes the call, while
// the call waits: its methods must be quick, must not block, and must be
// safe for concurrent use. A call refused before sending (a bad argument,
// a context already ended) is not observed. The errors an Observer is given are the ones the caller
// gets, their text already free of the call's secrets. The client does not
// recover an Observer's panic: like any panic it ends the program unless
// the goroutine's caller recovers it, and the polls of WaitAllReady and
// WaitTasks run on goroutines of their own, where nothing can.
//
// Embed [NopObserver] in an implementation: methods added to Observer in
// later versions then have a default, and the implementation keeps
// compiling.
type Observer interface {
	// StartCall is called before the call's first attempt. The context it
	// returns is the call's from then on: its attempts, their HTTP
	// requests and EndCall get it (a tracer returns it with its span). It
	// must be ctx or derived from it, so that the call still ends with
	// ctx; nil leaves the call with ctx.
	StartCall(ctx context.Context, call CallInfo) context.Context
	// StartAttempt is called as each attempt starts, before the client's
	// limiter is asked.
	StartAttempt(ctx context.Context, call CallInfo, attempt AttemptStart)
	// EndAttempt is called when an attempt has ended: answered, failed or
	// refused.
	EndAttempt(ctx context.Context, call CallInfo, attempt AttemptEnd)
	// EndCall is called once the call has its result, before it returns.
	EndCall(ctx context.Context, call CallInfo, result CallResult)
	// StartWait is called as a wait starts. The context it returns is the
	// wait's from then on: its polls (calls) are made with it. It must be
	// ctx or derived from it; nil leaves the wait with ctx.
	StartWait(ctx context.Context, wait WaitInfo) context.Context
	// EndWait is called when the wait returns.
	EndWait(ctx context.Context, wait WaitInfo, result WaitResult)
}

// CallInfo names a call.
type CallInfo struct {
	Operation string // the API reference's name, e.g. "ShowProgress"
	RequestID string // the X-Request-Id sent with every attempt
	Method    string // the HTTP method
	Path      string // the URL path, the endpoint's prefix included, without the query
	Host      string // the endpoint's host, with its port when the endpoint names one, e.g. "koophone.myhuaweicloud.com"
}

// AttemptStart is what an Observer is told as an attempt starts.
type AttemptStart struct {
	Attempt  int           // 1 for the first attempt
	Previous *AttemptEnd   // the attempt before, the reason for this retry; nil for the first
	Delay    time.Duration // how long the call waited since Previous ended
}

// AttemptEnd is how an attempt ended.
type AttemptEnd struct {
	Attempt  int           // 1 for the first attempt
	Status   int           // the answer's HTTP status; 0 when there was none
	Err      error         // nil: a success; else an *APIError, or why there was no answer
	Retry    bool          // another attempt will follow (after a delay), unless the context ends first
	Duration time.Duration // from the start of the attempt to its end, the limiter's wait included
}

// CallResult is how a call ended.
type CallResult struct {
	Attempts int           // attempts made, 0 when none could start
	Status   int           // the HTTP status of the last attempt that got an answer; 0 when none did
	Err      error         // nil: a success; else the error the call returns
	Duration time.Duration // from StartCall to EndCall
}

// WaitInfo names a wait.
type WaitInfo struct {
	Method  string // "WaitUntilReady", "WaitAllReady", "WaitTask" or "WaitTasks"
	Targets int    // the instances or tasks waited for
}

// WaitResult is how a wait ended.
type WaitResult struct {
	Polls    int           // polls made, failed ones included
	Err      error         // nil: every target reached its end; else the error the wait returns
	Duration time.Duration // from StartWait to EndWait
}

// NopObserver is an [Observer] that does nothing. Its zero value is ready
// to use; embed it in an Observer of your own to implement only the
// methods you need.
type NopObserver struct{}

// StartCall returns ctx.
func (NopObserver) StartCall(ctx context.Context, _ CallInfo) context.Context { return ctx }

// StartAttempt does nothing.
func (NopObserver) StartAttempt(context.Context, CallInfo, AttemptStart) {}

// EndAttempt does nothing.
func (NopObserver) EndAttempt(context.Context, CallInfo, AttemptEnd) {}

// EndCall does nothing.
func (NopObserver) EndCall(context.Context, CallInfo, CallResult) {}

// StartWait returns ctx.
func (NopObserver) StartWait(ctx context.Context, _ WaitInfo) context.Context { return ctx }

// EndWait does nothing.
func (NopObserver) EndWait(context.Context, WaitInfo, WaitResult) {}

// WithObserver makes the client tell o about every call, attempt and wait
// (see [Observer]). A nil o is none, the default; without an Observer the
// client does no telemetry work. Several Observers: give one that calls
// each.
func WithObserver(o Observer) Option {
	return func(cfg *clientConfig) error {
		cfg.observer = o
		return nil
	}
}

// observedCall is what the client keeps of a call for its Observer.
type observedCall struct {
	info         CallInfo
	start        time.Time // of the call
	attemptStart time.Time
	prev         AttemptEnd // the last attempt that ended
	prevEnd      time.Time
	status       int // of the last attempt that got an answer
}

// startCall tells the client's Observer, if any, that cl starts, and
// returns the context the Observer returns, the call's from then on.
func (c *Client) startCall(ctx context.Context, cl *call, method, path string) context.Context {
	o := c.observer
	if o == nil {
		return ctx
	}
	if w, ok := ctx.Value(waitKey{}).(*observedWait); ok {
		w.polls.Add(1)
	}
	cl.obs = &observedCall{
		info:  CallInfo{Operation: cl.op.name, RequestID: cl.requestID, Method: method, Path: path, Host: c.host},
		start: time.Now(),
	}
	if octx := o.StartCall(ctx, cl.obs.info); octx != nil {
		return octx
	}
	return ctx
}

// startAttempt tells the Observer that cl's next attempt starts.
func (c *Client) startAttempt(cl *call) {
	if cl.obs == nil {
		return
	}
	now := time.Now()
	s := AttemptStart{Attempt: cl.attempts}
	if cl.attempts > 1 {
		prev := cl.obs.prev
		s.Previous, s.Delay = &prev, now.Sub(cl.obs.prevEnd)
	}
	cl.obs.attemptStart = now
	c.observer.StartAttempt(cl.ctx, cl.obs.info, s)
}

// endAttempt tells the Observer how cl's attempt a ended.
func (c *Client) endAttempt(cl *call, a verdict) {
	if cl.obs == nil {
		return
	}
	now := time.Now()
	e := AttemptEnd{Attempt: cl.attempts, Status: a.status, Err: a.err, Retry: a.retry, Duration: now.Sub(cl.obs.attemptStart)}
	if a.status != 0 {
		cl.obs.status = a.status
	}
	cl.obs.prev, cl.obs.prevEnd = e, now
	c.observer.EndAttempt(cl.ctx, cl.obs.info, e)
}

// endCall tells the Observer that cl returns err, and returns err.
func (c *Client) endCall(cl *call, err error) error {
	if cl.obs == nil {
		return err
	}
	c.observer.EndCall(cl.ctx, cl.obs.info, CallResult{
		Attempts: cl.attempts, Status: cl.obs.status, Err: err, Duration: time.Since(cl.obs.start),
	})
	return err
}

// waitKey is the context key of a wait's *observedWait.
type waitKey struct{}

// observedWait counts a wait's polls: the calls made with its context.
type observedWait struct{ polls atomic.Int64 }

// startWaitFunc is the type of [Client.startWait].
type startWaitFunc func(ctx context.Context, method string, targets int) (context.Context, func(error))

// startWait tells the client's Observer, if any, that a wait starts, and
// returns the wait's context and the function to call with its error when
// it ends.
func (c *Client) startWait(ctx context.Context, method string, targets int) (context.Context, func(error)) {
	o := c.observer
	if o == nil {
		return ctx, func(error) {}
	}
	info := WaitInfo{Method: method, Targets: targets}
	w, start := new(observedWait), time.Now()
	ctx = context.WithValue(ctx, waitKey{}, w)
	if octx := o.StartWait(ctx, info); octx != nil {
		ctx = octx
	}
	return ctx, func(err error) {
		o.EndWait(ctx, info, WaitResult{Polls: int(w.polls.Load()), Err: err, Duration: time.Since(start)})
	}
}

// logObserver is the Observer behind [WithLogger]: one record per attempt.
type logObserver struct {
	NopObserver
	l *slog.Logger
}

// EndAttempt records the attempt, at Debug level for a success and Warn
// for a failure. The error's text is the one the caller gets, free of the
// call's secrets.
func (o logObserver) EndAttempt(ctx context.Context, call CallInfo, a AttemptEnd) {
	level := slog.LevelDebug
	if a.Err != nil {
		level = slog.LevelWarn
	}
	if !o.l.Enabled(ctx, level) {
		return // e.g. successes under a logger at Info: build no record
	}
	attrs := []slog.Attr{
		slog.String("operation", call.Operation),
		slog.String("method", call.Method),
		slog.String("path", call.Path),
		slog.Int("attempt", a.Attempt),
		slog.String("request_id", call.RequestID),
		slog.Duration("duration", a.Duration),
	}
	if a.Status != 0 {
		attrs = append(attrs, slog.Int("status", a.Status))
	}
	if a.Err != nil {
		var apiErr *APIError
		if errors.As(a.Err, &apiErr) && apiErr.Code != "" {
			attrs = append(attrs, slog.String("code", apiErr.Code))
		}
		attrs = append(attrs, slog.String("error", a.Err.Error()), slog.Bool("retry", a.Retry))
	}
	o.l.LogAttrs(ctx, level, "koophone: attempt", attrs...)
}

// observers is an Observer that tells each of its Observers in turn (the
// logger's first), and hands each the context the one before returned.
type observers []Observer

func (os observers) StartCall(ctx context.Context, call CallInfo) context.Context {
	for _, o := range os {
		ctx = o.StartCall(ctx, call)
	}
	return ctx
}

func (os observers) StartAttempt(ctx context.Context, call CallInfo, a AttemptStart) {
	for _, o := range os {
		o.StartAttempt(ctx, call, a)
	}
}

func (os observers) EndAttempt(ctx context.Context, call CallInfo, a AttemptEnd) {
	for _, o := range os {
		o.EndAttempt(ctx, call, a)
	}
}

func (os observers) EndCall(ctx context.Context, call CallInfo, r CallResult) {
	for _, o := range os {
		o.EndCall(ctx, call, r)
	}
}

func (os observers) StartWait(ctx context.Context, w WaitInfo) context.Context {
	for _, o := range os {
		ctx = o.StartWait(ctx, w)
	}
	return ctx
}

func (os observers) EndWait(ctx context.Context, w WaitInfo, r WaitResult) {
	for _, o := range os {
		o.EndWait(ctx, w, r)
	}
}

// clientObserver returns the Observer of a client with logger l and
// Observer o, either of which may be nil; nil when both are.
func clientObserver(l *slog.Logger, o Observer) Observer {
	switch {
	case l == nil:
		return o
	case o == nil:
		return logObserver{l: l}
	}
	return observers{logObserver{l: l}, o}
}
