package koophone_test

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// gzipped returns s compressed with gzip.
func gzipped(t *testing.T, s string) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, err := w.Write([]byte(s))
	require.NoError(t, err)
	require.NoError(t, w.Close())
	return b.Bytes()
}

// An answer in gzip, which net/http asks for and undoes by itself, is read
// as its content; a decompression bomb is read only up to the limit on an
// answer (1 MiB) and is malformed, never retried.
func TestGzipAnswersAreBounded(t *testing.T) {
	t.Parallel()
	bomb := gzipped(t, `{"error_code":"0","data":{"status":0,"pad":"`+strings.Repeat(" ", 64<<20)+`"}}`)
	for name, tc := range map[string]struct {
		body []byte
		want error
	}{
		"a success":           {gzipped(t, okReady), nil},
		"a bomb of 64 MiB":    {bomb, koophone.ErrMalformedResponse},
		"broken gzip":         {[]byte("\x1f\x8b\x08\x00garbage"), nil}, // an error reading the answer
		"gzip that lies":      {[]byte(okReady), nil},                   // Content-Encoding: gzip on plain JSON
		"truncated gzip":      {gzipped(t, okReady)[:20], nil},
		"gzip of an HTML 200": {gzipped(t, "<html>ok</html>"), koophone.ErrMalformedResponse},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var hits atomic.Int32
			c, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				hits.Add(1)
				w.Header().Set("Content-Encoding", "gzip")
				w.Header().Set("Content-Type", "application/json")
				w.Write(tc.body)
			})
			start := time.Now()
			p, err := c.PrepareProgress(timeout(t), "u", "i")
			assert.Less(t, time.Since(start), 5*time.Second)
			switch {
			case name == "a success":
				require.NoError(t, err)
				assert.Equal(t, koophone.PrepareReady, p.Status)
			case tc.want != nil:
				assert.ErrorIs(t, err, tc.want)
			default:
				assert.Error(t, err)
			}
			if name == "a bomb of 64 MiB" {
				assert.EqualValues(t, 1, hits.Load(), "an oversized success is not retried")
			}
		})
	}
}

// Informational answers (1xx) before the answer are skipped, as net/http
// does within the client's limit on response headers (64 KiB in all);
// past it the call fails. Either way a write is sent once.
func TestInformationalAnswers(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 1000, 2000} {
		var sent atomic.Int32
		url := rawServerReadingBodies(t, func() string {
			sent.Add(1)
			return strings.Repeat("HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n", n) +
				fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(prepareOK), prepareOK)
		})
		c := newClient(t, koophone.WithEndpoint(url))
		states, err := c.PrepareInstances(timeout(t), "u", []string{"i-1"})
		if n*len("HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n") < 64<<10 {
			require.NoError(t, err, n)
			assert.Len(t, states, 1)
		} else {
			require.Error(t, err)
		}
		assert.EqualValues(t, 1, sent.Load(), "%d informational answers: the write is sent once", n)
	}
}

// A 101 Switching Protocols to a call, whose body is the connection
// itself, is an error within the attempt's time, not a hang.
func TestSwitchingProtocolsIsAnError(t *testing.T) {
	t.Parallel()
	url := rawServer(t, func(string) string {
		return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: evil\r\nConnection: Upgrade\r\n\r\n" + okReady
	})
	c := newClient(t, koophone.WithEndpoint(url), koophone.WithRequestTimeout(2*time.Second))
	_, err := c.PrepareProgress(timeout(t), "u", "i")
	var apiErr *koophone.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusSwitchingProtocols, apiErr.HTTPStatus)
}

// The answer's headers are bounded: 1 MiB of them fails the call, and a
// write is sent once.
func TestHugeHeadersAreRefused(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	url := rawServerReadingBodies(t, func() string {
		sent.Add(1)
		return "HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 1000)+"\r\n", 1000) +
			fmt.Sprintf("Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(prepareOK), prepareOK)
	})
	c := newClient(t, koophone.WithEndpoint(url))
	_, err := c.PrepareInstances(timeout(t), "u", []string{"i-1"})
	require.Error(t, err)
	assert.ErrorContains(t, err, "65536")
	assert.EqualValues(t, 1, sent.Load())
}

// rawServerReadingBodies answers each request with reply's bytes as they
// are, once it has read the request whole (head and body), so that a write
// was sent in full when the answer comes, however the client's goroutines
// are scheduled.
func rawServerReadingBodies(t *testing.T, reply func() string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err != nil {
			return
		}
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		rw.WriteString(reply())
		rw.Flush()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
