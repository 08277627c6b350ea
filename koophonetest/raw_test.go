package koophonetest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone/koophonetest"
)

// result is a decoded answer of the fake.
type result struct {
	status int
	code   string          // error_code, from data for ListInstances
	data   json.RawMessage // data
}

// send sends a raw request with exactly the given headers, for the
// checks a koophone.Client never fails, and returns the status and body.
func send(t *testing.T, srv *koophonetest.Server, method, target, body string, header map[string]string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx(t), method, srv.URL+target, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// call sends a raw request with the token and a request id, and decodes
// the envelope.
func call(t *testing.T, srv *koophonetest.Server, method, target, body string) result {
	t.Helper()
	status, b := send(t, srv, method, target, body,
		map[string]string{"X-Auth-Token": srv.Token(), "X-Request-Id": "r-1", "Content-Type": "application/json"})
	var env struct {
		Code string          `json:"error_code"`
		Data json.RawMessage `json:"data"`
	}
	require.NoError(t, json.Unmarshal(b, &env), string(b))
	if env.Code == "" && len(env.Data) > 0 { // ListInstances: the code sits in data
		var inner struct {
			Code string `json:"error_code"`
		}
		require.NoError(t, json.Unmarshal(env.Data, &inner))
		env.Code = inner.Code
	}
	return result{status: status, code: env.Code, data: env.Data}
}

// into decodes the data of an answer.
func into[T any](t *testing.T, r result) T {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal(r.data, &v), string(r.data))
	return v
}

// fakeClock is a clock that moves only when told.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }

func (c *fakeClock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }
