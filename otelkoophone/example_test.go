package otelkoophone_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
	"github.com/koophone-go/koophone/otelkoophone"
)

// A call the service refuses is a span with status Error and the API's
// error code as its error.type. Here the spans go to an in-memory
// recorder and the fake service stands in for the real one.
func ExampleNewObserver() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	srv := koophonetest.NewServer(koophonetest.WithInstances("alice", "phone-1"))
	defer srv.Close()
	client := srv.Client(koophone.WithObserver(otelkoophone.NewObserver(otelkoophone.Config{TracerProvider: tp})))

	_, err := client.PrepareProgress(context.Background(), "bob", "phone-1") // not bob's phone
	fmt.Println(otelkoophone.ErrorType(err))
	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.SpanKind(), s.Status().Code)
	}
	// Output:
	// KOOPHONE.API.1001
	// KooPhone.ShowProgress client Error
}
