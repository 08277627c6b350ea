package benchmarks

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
)

// BenchmarkOverhead makes the ShowProgress call of BenchmarkShowProgress
// through an in-memory RoundTripper that answers at once: no socket, no
// server goroutines, no scheduling between them. What is left is each
// client's own work on the caller's goroutine (building, authorising,
// bounding, reading and decoding the call), which varies far less from
// round to round than a loopback call on a shared machine. The official
// core is not in it: it runs only on an *http.Transport.
func BenchmarkOverhead(b *testing.B) {
	for _, c := range contenders {
		if c.needsTransport {
			continue
		}
		b.Run("client="+c.name, func(b *testing.B) {
			call := c.new(b, "https://koophone.example", inMemory{})
			ctx := context.Background()
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := call(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// inMemory answers every request that carries credentials with
// progressAnswer, as the loopback server does, after reading its body.
type inMemory struct{}

// answerHeader is shared by every answer: no client writes to it.
var answerHeader = http.Header{"Content-Type": {"application/json"}}

func (inMemory) RoundTrip(req *http.Request) (*http.Response, error) {
	status, body := http.StatusOK, progressAnswer
	if req.Header.Get("X-Auth-Token") == "" && req.Header.Get("Authorization") == "" {
		status, body = http.StatusUnauthorized, []byte(`{"error_code":"APIGW.0301","error_msg":"no credentials"}`)
	}
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{
		StatusCode: status, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: answerHeader, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: req,
	}, nil
}
