// Command telemetry waits for two cloud phones on the embedded fake service
// with OpenTelemetry tracing on, and prints the spans: first as the stdout
// exporter writes them, then as a tree (the wait, and each poll as its
// child).
//
//	go run ./examples/telemetry          # from otelkoophone/
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"sort"
	"strings"
	"time"

	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
	"github.com/koophone-go/koophone/otelkoophone"
)

func main() {
	if err := run(os.Stdout); err != nil {
		log.Fatal(err)
	}
}

func run(out io.Writer) error {
	exporter, err := stdouttrace.New(stdouttrace.WithWriter(out), stdouttrace.WithoutTimestamps())
	if err != nil {
		return err
	}
	recorder := tracetest.NewSpanRecorder() // for the tree at the end
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter), sdktrace.WithSpanProcessor(recorder))
	mp := sdkmetric.NewMeterProvider() // a real service adds a reader or an exporter here
	defer tp.Shutdown(context.Background())

	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1", "phone-2"),
		koophonetest.WithTimeline(koophonetest.Timeline{QueuePolls: 1, RestorePolls: 1}))
	defer srv.Close()
	client := srv.Client(koophone.WithObserver(otelkoophone.NewObserver(otelkoophone.Config{TracerProvider: tp, MeterProvider: mp})))

	ctx := context.Background()
	if _, err := client.PrepareInstances(ctx, "alice", []string{"phone-1", "phone-2"}); err != nil {
		return err
	}
	if _, err := client.WaitAllReady(ctx, "alice", []string{"phone-1", "phone-2"},
		koophone.WithPollInterval(10*time.Millisecond, 10*time.Millisecond)); err != nil {
		return err
	}
	fmt.Fprintln(out)
	printTree(out, recorder.Ended())
	return nil
}

// printTree prints spans as a tree, children under their parent in the
// order they started.
func printTree(out io.Writer, spans []sdktrace.ReadOnlySpan) {
	sort.Slice(spans, func(i, j int) bool { return spans[i].StartTime().Before(spans[j].StartTime()) })
	children := map[string][]sdktrace.ReadOnlySpan{}
	ids := map[string]bool{}
	for _, s := range spans {
		ids[s.SpanContext().SpanID().String()] = true
	}
	var roots []sdktrace.ReadOnlySpan
	for _, s := range spans {
		parent := s.Parent().SpanID().String()
		if s.Parent().IsValid() && ids[parent] {
			children[parent] = append(children[parent], s)
		} else {
			roots = append(roots, s)
		}
	}
	var walk func(s sdktrace.ReadOnlySpan, depth int)
	walk = func(s sdktrace.ReadOnlySpan, depth int) {
		var attrs []string
		for _, kv := range s.Attributes() {
			switch kv.Key {
			case "koophone.attempts", "http.response.status_code", "error.type":
				attrs = append(attrs, fmt.Sprintf("%s=%s", kv.Key, kv.Value.String()))
			}
		}
		fmt.Fprintf(out, "%s%s (%s) %s\n", strings.Repeat("  ", depth), s.Name(), s.SpanKind(), strings.Join(attrs, " "))
		for _, c := range children[s.SpanContext().SpanID().String()] {
			walk(c, depth+1)
		}
	}
	for _, r := range roots {
		walk(r, 0)
	}
}
