// Package otelkoophone reports what a koophone.Client does as OpenTelemetry
// spans and metrics.
//
//	client, err := koophone.NewClient(koophone.WithEnvCredentials(),
//		koophone.WithObserver(otelkoophone.NewObserver(otelkoophone.Config{})))
//
// Each call is a span of kind client named after the API reference's
// operation (KooPhone.ShowProgress), a child of the span in the call's
// context; each wait is a span of kind internal (KooPhone.WaitAllReady)
// whose polls are its children. Metrics: koophone.client.call.duration,
// koophone.client.attempts and koophone.client.wait.duration. No secret is
// ever an attribute or an event: errors are recorded by their type, one of
// a small stable set ([ErrorType]), never by their text.
//
// The package is a module of its own, so that the koophone module never
// depends on OpenTelemetry.
package otelkoophone

import (
	"context"
	"errors"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/koophone-go/koophone"
)

// ScopeName is the instrumentation scope of the tracer and the meter.
const ScopeName = "github.com/koophone-go/koophone/otelkoophone"

// Config says where the spans and metrics go. Its zero value sends them to
// OpenTelemetry's global providers, as they are when NewObserver is called.
type Config struct {
	TracerProvider trace.TracerProvider // nil: otel.GetTracerProvider()
	MeterProvider  metric.MeterProvider // nil: otel.GetMeterProvider()
}

// Attribute keys this package sets beyond OpenTelemetry's semantic
// conventions (rpc.*, http.request.method, http.response.status_code,
// server.address, server.port, error.type).
const (
	AttrRequestID = attribute.Key("koophone.request_id") // the call's X-Request-Id
	AttrAttempts  = attribute.Key("koophone.attempts")   // attempts a call made
	AttrAttempt   = attribute.Key("koophone.attempt")    // on a retry event: the attempt starting
	AttrWait      = attribute.Key("koophone.wait")       // on wait.duration: the wait method
	AttrRetried   = attribute.Key("retried")             // on attempts: true for every attempt after a call's first
	AttrLimiter   = attribute.Key("koophone.limiter")    // on a failed call's or wait's span: true when its Limiter refused (koophone.ErrLimiter)
)

// The bucket boundaries, in seconds, the histograms advise (a View of the
// MeterProvider may set others). OpenTelemetry's default boundaries (0, 5,
// 10, 25 … 10000) are meant for milliseconds: in seconds they would put
// almost every call in the first bucket.
var (
	// callBuckets are the semantic conventions' for http.client.request.duration.
	callBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}
	// waitBuckets span a wait's seconds to an hour.
	waitBuckets = []float64{0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600}
)

var (
	attrSystem  = attribute.String("rpc.system", "huaweicloud")
	attrService = attribute.String("rpc.service", "KooPhone")
	keyMethod   = attribute.Key("rpc.method")
	keyHTTP     = attribute.Key("http.request.method")
	keyAddress  = attribute.Key("server.address")
	keyPort     = attribute.Key("server.port")
	keyStatus   = attribute.Key("http.response.status_code")
	keyErrType  = attribute.Key("error.type")
)

// observer is the koophone.Observer NewObserver returns.
type observer struct {
	koophone.NopObserver // methods added to koophone.Observer later do nothing here
	tracer               trace.Tracer
	callDuration         metric.Float64Histogram
	attempts             metric.Int64Counter
	waitDuration         metric.Float64Histogram
}

// NewObserver returns a koophone.Observer that records spans and metrics
// with cfg's providers. It is safe for concurrent use by any number of
// clients. Instruments the meter cannot make are left out (OpenTelemetry
// hands back no-op ones with the error, which goes to otel.Handle). The
// duration histograms advise bucket boundaries in seconds: the semantic
// conventions' HTTP client ones (5 ms to 10 s) for calls, 0.1 s to an
// hour for waits.
func NewObserver(cfg Config) koophone.Observer {
	tp, mp := cfg.TracerProvider, cfg.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	meter := mp.Meter(ScopeName)
	o := &observer{tracer: tp.Tracer(ScopeName)}
	var err error
	o.callDuration, err = meter.Float64Histogram("koophone.client.call.duration",
		metric.WithUnit("s"), metric.WithDescription("Duration of KooPhone API calls, retries included."),
		metric.WithExplicitBucketBoundaries(callBuckets...))
	handle(err)
	o.attempts, err = meter.Int64Counter("koophone.client.attempts",
		metric.WithUnit("{attempt}"), metric.WithDescription("Attempts of KooPhone API calls, retries included."))
	handle(err)
	o.waitDuration, err = meter.Float64Histogram("koophone.client.wait.duration",
		metric.WithUnit("s"), metric.WithDescription("Duration of waits for instances or tasks."),
		metric.WithExplicitBucketBoundaries(waitBuckets...))
	handle(err)
	return o
}

func handle(err error) {
	if err != nil {
		otel.Handle(err)
	}
}

// StartCall starts the call's span, a child of the span in ctx.
func (o *observer) StartCall(ctx context.Context, call koophone.CallInfo) context.Context {
	attrs := []attribute.KeyValue{attrSystem, attrService, keyMethod.String(call.Operation),
		AttrRequestID.String(call.RequestID), keyHTTP.String(call.Method)}
	host := url.URL{Host: call.Host}
	if h := host.Hostname(); h != "" {
		attrs = append(attrs, keyAddress.String(h))
	}
	if port, err := strconv.Atoi(host.Port()); err == nil {
		attrs = append(attrs, keyPort.Int(port))
	}
	ctx, span := o.tracer.Start(ctx, "KooPhone."+call.Operation,
		trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return context.WithValue(ctx, spanKey{o}, span)
}

// spanKey is the context key of the span an observer started for a call
// or a wait. The current span of the context may be another's: an
// Observer that calls several in turn hands each the context the one
// before returned, and a second tracer's span is then the current one.
type spanKey struct{ o *observer }

// span returns the span o started for the call or wait of ctx.
func (o *observer) span(ctx context.Context) trace.Span {
	if s, ok := ctx.Value(spanKey{o}).(trace.Span); ok {
		return s
	}
	return trace.SpanFromContext(ctx)
}

// StartAttempt adds a retry event to the call's span for every attempt
// after the first: the attempt starting, and why the one before failed.
func (o *observer) StartAttempt(ctx context.Context, _ koophone.CallInfo, a koophone.AttemptStart) {
	if a.Attempt < 2 {
		return
	}
	attrs := []attribute.KeyValue{AttrAttempt.Int(a.Attempt)}
	if p := a.Previous; p != nil {
		if p.Status != 0 {
			attrs = append(attrs, keyStatus.Int(p.Status))
		}
		if p.Err != nil {
			attrs = append(attrs, keyErrType.String(ErrorType(p.Err)))
		}
	}
	o.span(ctx).AddEvent("retry", trace.WithAttributes(attrs...))
}

// EndAttempt counts the attempt.
func (o *observer) EndAttempt(ctx context.Context, call koophone.CallInfo, a koophone.AttemptEnd) {
	o.attempts.Add(ctx, 1, metric.WithAttributes(keyMethod.String(call.Operation), AttrRetried.Bool(a.Attempt > 1)))
}

// EndCall ends the call's span and records its duration.
func (o *observer) EndCall(ctx context.Context, call koophone.CallInfo, r koophone.CallResult) {
	span := o.span(ctx)
	span.SetAttributes(AttrAttempts.Int(r.Attempts))
	if r.Status != 0 {
		span.SetAttributes(keyStatus.Int(r.Status))
	}
	attrs := []attribute.KeyValue{keyMethod.String(call.Operation)}
	if r.Err != nil {
		attrs = append(attrs, keyErrType.String(failed(span, r.Err)))
	}
	span.End()
	o.callDuration.Record(ctx, r.Duration.Seconds(), metric.WithAttributes(attrs...))
}

// StartWait starts the wait's span; its polls' spans are its children.
func (o *observer) StartWait(ctx context.Context, w koophone.WaitInfo) context.Context {
	ctx, span := o.tracer.Start(ctx, "KooPhone."+w.Method, trace.WithSpanKind(trace.SpanKindInternal))
	return context.WithValue(ctx, spanKey{o}, span)
}

// EndWait ends the wait's span and records its duration.
func (o *observer) EndWait(ctx context.Context, w koophone.WaitInfo, r koophone.WaitResult) {
	span := o.span(ctx)
	if r.Err != nil {
		failed(span, r.Err)
	}
	span.End()
	o.waitDuration.Record(ctx, r.Duration.Seconds(), metric.WithAttributes(AttrWait.String(w.Method)))
}

// failed marks span as failed with err: status Error, error.type and,
// when a Limiter refused, koophone.limiter. It returns the error.type.
func failed(span trace.Span, err error) string {
	typ := ErrorType(err)
	span.SetAttributes(keyErrType.String(typ))
	if errors.Is(err, koophone.ErrLimiter) {
		span.SetAttributes(AttrLimiter.Bool(true))
	}
	span.SetStatus(codes.Error, typ)
	return typ
}

// ErrorType is the error.type this package records for err, one of a
// small stable set, never the error's text (which may quote what was sent
// or what a server said):
//
//   - the API's error code (such as KOOPHONE.API.4001 or APIGW.0308) when
//     the service answered with one of the documented form, a prefix
//     (KOOPHONE.API, KPAPI, APIGW or APIG) and four digits, as
//     koophone.APIError.Code holds it; a code of any other form (a server's
//     text, an id, a redacted secret) is "_OTHER", so that no server can
//     put what it likes into a metric's attributes;
//   - "context.DeadlineExceeded" (the caller's deadline, an attempt that
//     got no answer within the client's request timeout, or a limiter that
//     saw its quota would hold the attempt past the deadline) or
//     "context.Canceled";
//   - "network": no answer came (the service's host could not be reached,
//     the connection failed);
//   - "_OTHER": anything else, such as a koophone.Limiter that refused for
//     a reason of its own (its Redis down), which is not the network's
//     failure: nothing was sent. The span says so with koophone.limiter.
func ErrorType(err error) string {
	var apiErr *koophone.APIError
	var netErr net.Error
	switch {
	case errors.As(err, &apiErr) && apiErr.Code != "":
		if code := strings.ToUpper(apiErr.Code); documentedCode.MatchString(code) {
			return code
		}
		return "_OTHER"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return "context" + contextSuffix(err)
	case errors.Is(err, koophone.ErrLimiter): // its store's network is not the service's
		return "_OTHER"
	case errors.As(err, &netErr):
		return "network"
	}
	return "_OTHER"
}

// documentedCode is the form of the error codes KooPhone and its gateway
// document.
var documentedCode = regexp.MustCompile(`^(KOOPHONE\.API|KPAPI|APIGW|APIG)\.[0-9]{4}$`)

// contextSuffix is ".DeadlineExceeded" or ".Canceled" when err matches
// that context error, else "".
func contextSuffix(err error) string {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return ".DeadlineExceeded"
	case errors.Is(err, context.Canceled):
		return ".Canceled"
	}
	return ""
}
