package otelkoophone_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
	"github.com/koophone-go/koophone/otelkoophone"
)

// telemetry is an observer over an in-memory span recorder and a manual
// metric reader.
type telemetry struct {
	spans    *tracetest.SpanRecorder
	reader   *sdkmetric.ManualReader
	tp       *sdktrace.TracerProvider
	observer koophone.Observer
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	tel.observer = otelkoophone.NewObserver(otelkoophone.Config{TracerProvider: tel.tp, MeterProvider: mp})
	return tel
}

func (tel *telemetry) ended(name string) []sdktrace.ReadOnlySpan {
	var out []sdktrace.ReadOnlySpan
	for _, s := range tel.spans.Ended() {
		if s.Name() == name {
			out = append(out, s)
		}
	}
	return out
}

func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func (tel *telemetry) metrics(t *testing.T) map[string]metricdata.Aggregation {
	t.Helper()
	var rm metricdata.ResourceMetrics
	require.NoError(t, tel.reader.Collect(context.Background(), &rm))
	out := map[string]metricdata.Aggregation{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			out[m.Name] = m.Data
		}
	}
	return out
}

func fastClient(srv *koophonetest.Server, o koophone.Observer) *koophone.Client {
	return srv.Client(koophone.WithObserver(o),
		koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
}

func TestCallSpanAndRetryEvent(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	srv.FailNext(1, koophonetest.Throttle("0"))
	client := fastClient(srv, tel.observer)

	parentCtx, parent := tel.tp.Tracer("test").Start(context.Background(), "parent")
	_, err := client.PrepareProgress(parentCtx, "alice", "phone-1")
	require.NoError(t, err)
	parent.End()

	spans := tel.ended("KooPhone.ShowProgress")
	require.Len(t, spans, 1)
	s := spans[0]
	assert.Equal(t, trace.SpanKindClient, s.SpanKind())
	assert.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID(), "a child of the span in the call's context")
	a := attrs(s)
	assert.Equal(t, "huaweicloud", a["rpc.system"].AsString())
	assert.Equal(t, "KooPhone", a["rpc.service"].AsString())
	assert.Equal(t, "ShowProgress", a["rpc.method"].AsString())
	assert.Len(t, a["koophone.request_id"].AsString(), 36)
	assert.Equal(t, "POST", a["http.request.method"].AsString())
	assert.Equal(t, "127.0.0.1", a["server.address"].AsString())
	assert.Equal(t, srv.URL, fmt.Sprintf("http://%s:%d", a["server.address"].AsString(), a["server.port"].AsInt64()))
	assert.Equal(t, int64(2), a["koophone.attempts"].AsInt64())
	assert.Equal(t, int64(200), a["http.response.status_code"].AsInt64())
	assert.NotContains(t, a, attribute.Key("error.type"))
	assert.Equal(t, codes.Unset, s.Status().Code)

	require.Len(t, s.Events(), 1)
	ev := s.Events()[0]
	assert.Equal(t, "retry", ev.Name)
	evAttrs := map[attribute.Key]attribute.Value{}
	for _, kv := range ev.Attributes {
		evAttrs[kv.Key] = kv.Value
	}
	assert.Equal(t, int64(2), evAttrs["koophone.attempt"].AsInt64())
	assert.Equal(t, int64(429), evAttrs["http.response.status_code"].AsInt64())
	assert.Equal(t, "APIGW.0308", evAttrs["error.type"].AsString())

	m := tel.metrics(t)
	counts := map[bool]int64{}
	for _, dp := range m["koophone.client.attempts"].(metricdata.Sum[int64]).DataPoints {
		retried, _ := dp.Attributes.Value("retried")
		method, _ := dp.Attributes.Value("rpc.method")
		assert.Equal(t, "ShowProgress", method.AsString())
		counts[retried.AsBool()] += dp.Value
	}
	assert.Equal(t, map[bool]int64{false: 1, true: 1}, counts)
	hist := m["koophone.client.call.duration"].(metricdata.Histogram[float64])
	require.Len(t, hist.DataPoints, 1)
	assert.Equal(t, uint64(1), hist.DataPoints[0].Count)
	_, hasErr := hist.DataPoints[0].Attributes.Value("error.type")
	assert.False(t, hasErr)
}

func TestFailedCallSpan(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	client := fastClient(srv, tel.observer)

	_, err := client.PrepareProgress(context.Background(), "bob", "phone-1")
	require.ErrorIs(t, err, koophone.ErrPermissionDenied)
	spans := tel.ended("KooPhone.ShowProgress")
	require.Len(t, spans, 1)
	a := attrs(spans[0])
	assert.Equal(t, codes.Error, spans[0].Status().Code)
	code := a["error.type"].AsString()
	assert.True(t, strings.HasPrefix(code, "KOOPHONE.API."), code)
	assert.Equal(t, int64(1), a["koophone.attempts"].AsInt64())

	hist := tel.metrics(t)["koophone.client.call.duration"].(metricdata.Histogram[float64])
	require.Len(t, hist.DataPoints, 1)
	typ, ok := hist.DataPoints[0].Attributes.Value("error.type")
	require.True(t, ok)
	assert.Equal(t, code, typ.AsString())
}

func TestRefusedCallMakesNoSpan(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer()
	defer srv.Close()
	_, err := fastClient(srv, tel.observer).PrepareProgress(context.Background(), "alice", "")
	require.ErrorIs(t, err, koophone.ErrInvalidParameter)
	assert.Empty(t, tel.spans.Ended())
	assert.Empty(t, tel.spans.Started())
}

func TestWaitSpanIsTheParentOfItsPolls(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1", "phone-2"),
		koophonetest.WithTimeline(koophonetest.Timeline{QueuePolls: 1, RestorePolls: 1}))
	defer srv.Close()
	client := fastClient(srv, tel.observer)
	_, err := client.PrepareInstances(context.Background(), "alice", []string{"phone-1", "phone-2"})
	require.NoError(t, err)

	_, err = client.WaitAllReady(context.Background(), "alice", []string{"phone-1", "phone-2"},
		koophone.WithPollInterval(time.Millisecond, time.Millisecond))
	require.NoError(t, err)

	waits := tel.ended("KooPhone.WaitAllReady")
	require.Len(t, waits, 1)
	assert.Equal(t, trace.SpanKindInternal, waits[0].SpanKind())
	polls := tel.ended("KooPhone.ShowProgress")
	require.Len(t, polls, 6, "three polls for each instance")
	for _, p := range polls {
		assert.Equal(t, waits[0].SpanContext().SpanID(), p.Parent().SpanID())
		assert.Equal(t, waits[0].SpanContext().TraceID(), p.SpanContext().TraceID())
	}
	hist := tel.metrics(t)["koophone.client.wait.duration"].(metricdata.Histogram[float64])
	require.Len(t, hist.DataPoints, 1)
	w, _ := hist.DataPoints[0].Attributes.Value("koophone.wait")
	assert.Equal(t, "WaitAllReady", w.AsString())
}

func TestFailedWaitSpan(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	client := fastClient(srv, tel.observer)
	_, err := client.WaitUntilReady(context.Background(), "bob", "phone-1")
	require.Error(t, err)
	waits := tel.ended("KooPhone.WaitUntilReady")
	require.Len(t, waits, 1)
	assert.Equal(t, codes.Error, waits[0].Status().Code)
}

// TestNoSecretInTelemetry: neither the IAM token nor a device token the
// service hands out reaches a span's name, status, attributes or events.
func TestNoSecretInTelemetry(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	srv.FailNext(2, koophonetest.Throttle("0"))
	client := fastClient(srv, tel.observer)
	_, _ = client.PrepareProgress(context.Background(), "alice", "phone-1")
	dt, err := client.GetDeviceToken(context.Background(), "phone-1", nil)
	require.NoError(t, err)

	var all strings.Builder
	for _, s := range tel.spans.Ended() {
		all.WriteString(s.Name() + " " + s.Status().Description)
		for _, kv := range s.Attributes() {
			all.WriteString(" " + string(kv.Key) + "=" + kv.Value.String())
		}
		for _, e := range s.Events() {
			for _, kv := range e.Attributes {
				all.WriteString(" " + string(kv.Key) + "=" + kv.Value.String())
			}
		}
	}
	assert.NotContains(t, all.String(), srv.Token())
	require.NotEmpty(t, dt.Token)
	assert.NotContains(t, all.String(), dt.Token)
	assert.Contains(t, all.String(), "KooPhone.ShowProgress")
}

func TestNetworkFailureSpan(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer()
	client := srv.Client(koophone.WithObserver(tel.observer), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
	srv.Close() // nothing listens any more
	_, err := client.PrepareProgress(context.Background(), "alice", "phone-1")
	require.Error(t, err)
	spans := tel.ended("KooPhone.ShowProgress")
	require.Len(t, spans, 1)
	assert.Equal(t, "network", attrs(spans[0])["error.type"].AsString())
	assert.NotContains(t, attrs(spans[0]), attribute.Key("http.response.status_code"), "no answer, no status")
}

func TestErrorType(t *testing.T) {
	limiterErr := func(errs ...error) error { // as a call refused by its limiter wraps them
		return fmt.Errorf("koophone: ShowProgress: waiting for the rate limit: %w", errors.Join(append(errs, koophone.ErrLimiter)...))
	}
	for want, err := range map[string]error{
		"context.DeadlineExceeded": context.DeadlineExceeded,
		"context.Canceled":         context.Canceled,
		"KOOPHONE.API.4001":        &koophone.APIError{Code: "KOOPHONE.API.4001"},
		"APIGW.0308":               &koophone.APIError{Code: "APIGW.0308"},
		"KPAPI.2209":               &koophone.APIError{Code: "KPAPI.2209"},
		"network":                  &net.OpError{Op: "dial", Err: errors.New("refused")},
		"_OTHER":                   limiterErr(&net.OpError{Op: "dial", Err: errors.New("refused")}), // its Redis's network, not the service's
	} {
		assert.Equal(t, want, otelkoophone.ErrorType(err), err.Error())
	}
	// A limiter's refusal when the call's context ended is the context's.
	assert.Equal(t, "context.DeadlineExceeded", otelkoophone.ErrorType(limiterErr(context.DeadlineExceeded)))
	assert.Equal(t, "context.Canceled", otelkoophone.ErrorType(limiterErr(errors.New("gave up"), context.Canceled)))
	for _, err := range []error{
		&koophone.APIError{HTTPStatus: 500},
		assert.AnError,
		nil,
		// Codes of no documented form: a server's text, an id, a redacted secret.
		&koophone.APIError{Code: "[REDACTED]"},
		&koophone.APIError{Code: "INSTANCE-7f3a9c-NOT-FOUND"},
		&koophone.APIError{Code: "KOOPHONE.API.40011"},
		&koophone.APIError{Code: "APIGW.0308X"},
		&koophone.APIError{Code: "6f0c2b1e-9d4a-4c1b-8a5e-2f7d3c9b1a00"},
	} {
		assert.Equal(t, "_OTHER", otelkoophone.ErrorType(err), fmt.Sprint(err))
	}
}

// TestServerCodesCannotGrowTheMetrics: a server that answers each call
// with an error code of its own making (an id, a text) adds one
// error.type to the call-duration metric, not one per answer.
func TestServerCodesCannotGrowTheMetrics(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, `{"error_code":"ERR-%d-instance-i-%d","error_msg":"no"}`, n.Add(1), n.Load())
	}))
	defer srv.Close()
	tel := newTelemetry(t)
	client, err := koophone.NewClient(koophone.WithToken("tok-123456"), koophone.WithEndpoint(srv.URL),
		koophone.WithObserver(tel.observer), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
	require.NoError(t, err)
	for range 20 {
		_, err = client.PrepareProgress(context.Background(), "alice", "phone-1")
		require.Error(t, err)
	}
	hist := tel.metrics(t)["koophone.client.call.duration"].(metricdata.Histogram[float64])
	require.Len(t, hist.DataPoints, 1)
	typ, _ := hist.DataPoints[0].Attributes.Value("error.type")
	assert.Equal(t, "_OTHER", typ.AsString())
	assert.Equal(t, uint64(20), hist.DataPoints[0].Count)
}

// TestEveryWaitSpanIsTheParentOfItsPolls: WaitUntilReady, WaitTask and
// WaitTasks too (WaitAllReady above).
func TestEveryWaitSpanIsTheParentOfItsPolls(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1", "phone-2"),
		koophonetest.WithTimeline(koophonetest.Timeline{QueuePolls: 1}), koophonetest.WithTaskDuration(time.Nanosecond))
	defer srv.Close()
	client := fastClient(srv, tel.observer)
	ctx, fast := context.Background(), koophone.WithPollInterval(time.Millisecond, time.Millisecond)
	_, err := client.PrepareInstances(ctx, "alice", []string{"phone-1"})
	require.NoError(t, err)
	_, err = client.WaitUntilReady(ctx, "alice", "phone-1", fast)
	require.NoError(t, err)
	t1, err := client.ResetInstances(ctx, []string{"phone-1"})
	require.NoError(t, err)
	_, err = client.WaitTask(ctx, t1.ID, fast)
	require.NoError(t, err)
	t2, err := client.ResetInstances(ctx, []string{"phone-2"})
	require.NoError(t, err)
	_, err = client.WaitTasks(ctx, []string{t1.ID, t2.ID}, fast)
	require.NoError(t, err)

	for wait, poll := range map[string]string{"WaitUntilReady": "ShowProgress", "WaitTask": "GetTask", "WaitTasks": "GetTask"} {
		waits := tel.ended("KooPhone." + wait)
		require.Len(t, waits, 1, wait)
		assert.Equal(t, trace.SpanKindInternal, waits[0].SpanKind(), wait)
		var children int
		for _, p := range tel.ended("KooPhone." + poll) {
			if p.Parent().SpanID() == waits[0].SpanContext().SpanID() {
				children++
				assert.Equal(t, trace.SpanKindClient, p.SpanKind())
			}
		}
		assert.GreaterOrEqual(t, children, map[string]int{"WaitUntilReady": 2, "WaitTask": 1, "WaitTasks": 2}[wait], wait)
	}
	assert.False(t, tel.ended("KooPhone.BatchReset")[0].Parent().IsValid(), "a call outside a wait has no parent")
}

// unreachableStore is a Limiter whose store cannot be reached.
type unreachableStore struct{}

func (unreachableStore) Wait(context.Context, string) error {
	return &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
}

// cancellingLimiter ends the call's context while the call waits for it.
type cancellingLimiter struct{ cancel context.CancelFunc }

func (l cancellingLimiter) Wait(ctx context.Context, _ string) error {
	l.cancel()
	<-ctx.Done()
	return ctx.Err()
}

// spentQuota is a Limiter whose quota would hold the attempt past the
// call's deadline, as redislimit's says.
type spentQuota struct{}

func (spentQuota) Wait(context.Context, string) error {
	return fmt.Errorf("koophone: redislimit: the next attempt is due after the deadline: %w", context.DeadlineExceeded)
}

// TestErrorTypeOfTimeoutsAndLimiters: an attempt with no answer within the
// request timeout, a limiter whose store is down, one whose wait the
// caller cancelled and one whose quota would hold the call past its
// deadline, as ErrorType says.
func TestErrorTypeOfTimeoutsAndLimiters(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		<-r.Context().Done()
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, tt := range []struct {
		name, want string
		opt        koophone.Option
		limiter    bool // the span says koophone.limiter
	}{
		{"request timeout", "context.DeadlineExceeded", koophone.WithRequestTimeout(20 * time.Millisecond), false},
		{"limiter's store down", "_OTHER", koophone.WithLimiter(unreachableStore{}), true},
		{"limiter's wait cancelled", "context.Canceled", koophone.WithLimiter(cancellingLimiter{cancel}), true},
		{"quota past the deadline", "context.DeadlineExceeded", koophone.WithLimiter(spentQuota{}), true},
	} {
		tel := newTelemetry(t)
		client, err := koophone.NewClient(koophone.WithToken("tok-123456"), koophone.WithEndpoint(srv.URL), tt.opt,
			koophone.WithObserver(tel.observer), koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: -1}))
		require.NoError(t, err)
		callCtx, stop := context.WithTimeout(context.Background(), time.Hour)
		if tt.name == "limiter's wait cancelled" {
			callCtx = ctx
		}
		_, err = client.PrepareProgress(callCtx, "alice", "phone-1")
		stop()
		require.Error(t, err)
		assert.Equal(t, tt.want, otelkoophone.ErrorType(err), tt.name)
		spans := tel.ended("KooPhone.ShowProgress")
		require.NotEmpty(t, spans, tt.name)
		last := spans[len(spans)-1]
		assert.Equal(t, tt.want, attrs(last)["error.type"].AsString(), tt.name)
		assert.Equal(t, codes.Error, last.Status().Code, tt.name)
		assert.Equal(t, tt.limiter, attrs(last)["koophone.limiter"].AsBool(), tt.name)
	}
}

// both is an Observer that calls two in turn, as WithObserver's doc says
// to combine them.
type both [2]koophone.Observer

func (b both) StartCall(ctx context.Context, c koophone.CallInfo) context.Context {
	return b[1].StartCall(b[0].StartCall(ctx, c), c)
}

func (b both) StartAttempt(ctx context.Context, c koophone.CallInfo, a koophone.AttemptStart) {
	b[0].StartAttempt(ctx, c, a)
	b[1].StartAttempt(ctx, c, a)
}

func (b both) EndAttempt(ctx context.Context, c koophone.CallInfo, a koophone.AttemptEnd) {
	b[0].EndAttempt(ctx, c, a)
	b[1].EndAttempt(ctx, c, a)
}

func (b both) EndCall(ctx context.Context, c koophone.CallInfo, r koophone.CallResult) {
	b[1].EndCall(ctx, c, r)
	b[0].EndCall(ctx, c, r)
}

func (b both) StartWait(ctx context.Context, w koophone.WaitInfo) context.Context {
	return b[1].StartWait(b[0].StartWait(ctx, w), w)
}

func (b both) EndWait(ctx context.Context, w koophone.WaitInfo, r koophone.WaitResult) {
	b[1].EndWait(ctx, w, r)
	b[0].EndWait(ctx, w, r)
}

// TestTwoObserversEachEndTheirOwnSpans: two otelkoophone Observers (two
// tracer providers) called in turn each end, and annotate, the spans
// they started, though the context's current span is the second's. (Each
// span's parent is the current span of the context it was given, as
// ever: the first's call span is a child of the second's wait span.)
func TestTwoObserversEachEndTheirOwnSpans(t *testing.T) {
	first, second := newTelemetry(t), newTelemetry(t)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	srv.FailNext(1, koophonetest.Throttle("0"))
	client := fastClient(srv, both{first.observer, second.observer})
	_, err := client.WaitUntilReady(context.Background(), "alice", "phone-1")
	require.NoError(t, err)

	for name, tel := range map[string]*telemetry{"first": first, "second": second} {
		require.Len(t, tel.ended("KooPhone.WaitUntilReady"), 1, name)
		calls := tel.ended("KooPhone.ShowProgress")
		require.Len(t, calls, 1, name)
		assert.Equal(t, int64(2), attrs(calls[0])["koophone.attempts"].AsInt64(), name)
		assert.Len(t, calls[0].Events(), 1, "%s: its own retry event", name)
		assert.Len(t, tel.spans.Started(), 2, "%s: every span it started has ended", name)
	}
}

// TestCancelledCallEndsItsSpan: a call whose caller gives up while the
// service holds the request still ends its span, as cancelled.
func TestCancelledCallEndsItsSpan(t *testing.T) {
	received := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		close(received)
		<-r.Context().Done()
	}))
	defer srv.Close()
	tel := newTelemetry(t)
	client, err := koophone.NewClient(koophone.WithToken("tok-123456"), koophone.WithEndpoint(srv.URL),
		koophone.WithObserver(tel.observer))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-received; cancel() }()
	_, err = client.PrepareProgress(ctx, "alice", "phone-1")
	require.ErrorIs(t, err, context.Canceled)
	spans := tel.ended("KooPhone.ShowProgress")
	require.Len(t, spans, 1)
	assert.Equal(t, "context.Canceled", attrs(spans[0])["error.type"].AsString())
	assert.Equal(t, codes.Error, spans[0].Status().Code)
	assert.Len(t, tel.spans.Started(), 1)
}

// TestWaitRefusedByItsLimiter: a wait whose poll the limiter refused ends
// with the limiter's error.type, as the poll's span does.
func TestWaitRefusedByItsLimiter(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1", "phone-2"))
	defer srv.Close()
	client := srv.Client(koophone.WithObserver(tel.observer), koophone.WithLimiter(unreachableStore{}))
	_, err := client.WaitUntilReady(context.Background(), "alice", "phone-1")
	require.ErrorIs(t, err, koophone.ErrLimiter)
	_, err = client.WaitAllReady(context.Background(), "alice", []string{"phone-1", "phone-2"})
	require.ErrorIs(t, err, koophone.ErrLimiter)
	for _, name := range []string{"KooPhone.WaitUntilReady", "KooPhone.WaitAllReady"} {
		waits := tel.ended(name)
		require.Len(t, waits, 1, name)
		assert.Equal(t, "_OTHER", attrs(waits[0])["error.type"].AsString(), name)
		assert.True(t, attrs(waits[0])["koophone.limiter"].AsBool(), name)
	}
	assert.Empty(t, srv.Requests())
}

// TestHistogramsHaveBucketsInSeconds: the duration histograms' buckets
// suit seconds, not OpenTelemetry's default ones for milliseconds.
func TestHistogramsHaveBucketsInSeconds(t *testing.T) {
	tel := newTelemetry(t)
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	_, err := fastClient(srv, tel.observer).WaitUntilReady(context.Background(), "alice", "phone-1")
	require.NoError(t, err)
	m := tel.metrics(t)
	for name, want := range map[string][2]float64{
		"koophone.client.call.duration": {0.005, 10},
		"koophone.client.wait.duration": {0.1, 3600},
	} {
		hist := m[name].(metricdata.Histogram[float64])
		require.NotEmpty(t, hist.DataPoints, name)
		bounds := hist.DataPoints[0].Bounds
		require.NotEmpty(t, bounds, name)
		assert.Equal(t, want, [2]float64{bounds[0], bounds[len(bounds)-1]}, name)
	}
}
