// Package benchmarks compares the koophone SDK with the official Huawei
// Cloud Go SDK core and a minimal hand-written net/http call, on the same
// loopback server (BenchmarkShowProgress) and through an in-memory
// RoundTripper (BenchmarkOverhead, without the official core, which needs
// an *http.Transport), and checks the SDK's signer against the official one.
//
// It is a module of its own so that the official SDK never enters the
// library's dependency graph; its go.mod points at the checkout above it.
// It has no code to import: run its benchmarks and tests with go test.
package benchmarks
