package koophone_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/koophone-go/koophone"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const testToken = "tok-S3CR3T-4f9a2c"

// fastRetries keeps retry tests quick: tiny backoffs, three retries.
var fastRetries = koophone.RetryPolicy{MaxRetries: 3, MinBackoff: time.Microsecond, MaxBackoff: time.Millisecond}

// received is one request as the test server saw it.
type received struct {
	Method, Path string
	Header       http.Header
	Raw          []byte
	Body         map[string]any
}

// server is an httptest server that records requests and answers with a
// per-test handler that knows the request's number (1-based).
type server struct {
	*httptest.Server
	mu   sync.Mutex
	reqs []received
}

// Requests returns what the server received so far.
func (s *server) Requests() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.reqs...)
}

// answer writes a JSON body with a status.
func answer(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

const (
	okQueuing = `{"data":{"status":1,"waitingCount":3},"error_code":"0","error_msg":"OK"}`
	okReady   = `{"data":{"status":0,"waitingCount":0},"error_code":"0","error_msg":"OK"}`
)

// setup starts a test server with handler and returns a client wired to it
// with the test token and fast retries; opts come last and override.
func setup(t *testing.T, handler func(w http.ResponseWriter, r *http.Request, n int), opts ...koophone.Option) (*koophone.Client, *server) {
	t.Helper()
	s := &server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(raw)) // for the handler
		rec := received{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Raw: raw}
		_ = json.Unmarshal(raw, &rec.Body)
		s.mu.Lock()
		s.reqs = append(s.reqs, rec)
		n := len(s.reqs)
		s.mu.Unlock()
		handler(w, r, n)
	}))
	t.Cleanup(s.Close)
	c := newClient(t, append([]koophone.Option{koophone.WithEndpoint(s.URL)}, opts...)...)
	return c, s
}

// newClient builds a client with the test token and fast retries, closing
// its idle connections when the test ends.
func newClient(t *testing.T, opts ...koophone.Option) *koophone.Client {
	t.Helper()
	all := append([]koophone.Option{koophone.WithToken(testToken), koophone.WithRetryPolicy(fastRetries)}, opts...)
	c, err := koophone.NewClient(all...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// always answers every request the same way.
func always(status int, body string) func(http.ResponseWriter, *http.Request, int) {
	return func(w http.ResponseWriter, _ *http.Request, _ int) { answer(w, status, body) }
}

// timeout bounds a test's calls so that a bug fails the test instead of hanging it.
func timeout(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// decodeJSON decodes a request's JSON body.
func decodeJSON(r *http.Request, v any) error { return json.NewDecoder(r.Body).Decode(v) }

// hundredAndOne returns 101 distinct instance ids: one more than a batch takes.
func hundredAndOne() []string {
	ids := make([]string, 101)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-%d", i)
	}
	return ids
}

// validInstall is an InstallApp request that passes every check.
func validInstall() koophone.InstallAppRequest {
	return koophone.InstallAppRequest{
		InstanceIDs: []string{"i-1", "i-2"},
		PackageName: "com.example.app",
		FileName:    "app.apk",
		Version:     "1.2.3",
		SizeMB:      12.5,
		PackageURL:  "https://bucket.obs.cn-north-4.myhuaweicloud.com/app.apk",
	}
}

// A signed package URL whose every secret part holds "SECRET": its access
// key, its expiry-bound signature (base64: "+", "/" and "=" escaped in the
// query) and the query as a whole.
const (
	signedURL    = "https://bucket.obs.example.com/app.apk?AccessKeyId=AKSECRET0001&Expires=1767225600&Signature=Zm9vSECRET%2Bc2ln%2FYmFy%3D"
	signedQuery  = "AccessKeyId=AKSECRET0001&Expires=1767225600&Signature=Zm9vSECRET%2Bc2ln%2FYmFy%3D"
	plainSig     = "Zm9vSECRET+c2ln/YmFy="
	specialToken = "tokSECRET+a/b=c&d<e>f%g"
)

// echoForms are the ways a server may echo a secret in its text, each
// applied to the secret (or to the text holding it).
var echoForms = map[string]func(string) string{
	"as sent":                  func(s string) string { return s },
	"percent-encoded":          url.QueryEscape,
	"percent-encoded, %20":     func(s string) string { return strings.ReplaceAll(url.QueryEscape(s), "+", "%20") },
	"lower-case escapes":       func(s string) string { return lowerEscapes(url.QueryEscape(s)) },
	"path-escaped":             url.PathEscape,
	"query-escaped, + a space": func(s string) string { return url.QueryEscape(s + " x") },
	"JSON-escaped":             func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) },
	"JSON-escaped, \\/": func(s string) string {
		b, _ := json.Marshal(s)
		return strings.ReplaceAll(string(b[1:len(b)-1]), "/", `\/`)
	},
	"HTML-escaped":         html.EscapeString,
	"HTML-escaped, &quot;": func(s string) string { return strings.ReplaceAll(html.EscapeString(s+`"`), "&#34;", "&quot;") },
}

// lowerEscapes lower-cases the hex digits of every percent escape in s.
func lowerEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = byte(strings.ToLower(string(b[i+1]))[0]), byte(strings.ToLower(string(b[i+2]))[0])
		}
	}
	return string(b)
}

// rawServer answers every connection with what reply makes of the request
// head, bypassing net/http's server, as a hostile peer can.
func rawServer(t *testing.T, reply func(head string) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				br := bufio.NewReader(c)
				var head strings.Builder
				for {
					l, err := br.ReadString('\n')
					head.WriteString(l)
					if err != nil || l == "\r\n" {
						break
					}
				}
				io.WriteString(c, reply(head.String()))
			}(c)
		}
	}()
	return "http://" + ln.Addr().String()
}

// headerValue returns the value of header name in a raw request head.
func headerValue(head, name string) string {
	for _, l := range strings.Split(head, "\r\n") {
		if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, name) {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

const retried = 4 // 1 + fastRetries.MaxRetries
