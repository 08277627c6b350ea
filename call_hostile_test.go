package koophone_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/koophone-go/koophone"
)

// hostileAnswers are what a hostile server answers, one by request number.
var hostileAnswers = []func(w http.ResponseWriter, r *http.Request){
	func(w http.ResponseWriter, _ *http.Request) { answer(w, 200, okReady) },
	func(w http.ResponseWriter, _ *http.Request) {
		answer(w, 200, `{"error_code":"0","data":{"status":-1,"ſtatus":0}}`)
	},
	func(w http.ResponseWriter, _ *http.Request) { answer(w, 429, `{"error_code":"APIGW.0308"}`) },
	func(w http.ResponseWriter, _ *http.Request) {
		answer(w, 200, `{"error_code":"0","data":{"status":1e-400}}`)
	},
	func(w http.ResponseWriter, _ *http.Request) { // a body far over the limit
		w.WriteHeader(200)
		w.Write([]byte(`{"error_code":"0","data":{"status":0,"x":"` + strings.Repeat("x", 2<<20) + `"}}`))
	},
	func(w http.ResponseWriter, r *http.Request) { // half a body, then nothing until the caller gives up
		w.Header().Set("Content-Length", "500")
		w.WriteHeader(200)
		w.Write([]byte(`{"error_code":"0","data":`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	},
	func(w http.ResponseWriter, _ *http.Request) { // the connection dropped mid-body
		w.Header().Set("Content-Length", "500")
		w.WriteHeader(200)
		w.Write([]byte(`{"error_code":"0"`))
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	},
	func(w http.ResponseWriter, _ *http.Request) { answer(w, 502, `<html>bad gateway</html>`) },
}

// TestManyCallersAgainstAHostileServer: 30 goroutines share one client and
// make reads and writes against a server that answers each request with one
// of hostileAnswers, some with a context cancelled at a random moment. Every
// call returns by its deadline, no success is read from a bad answer, and
// no goroutine is left behind (TestMain's goleak).
func TestManyCallersAgainstAHostileServer(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, func(w http.ResponseWriter, r *http.Request, n int) {
		hostileAnswers[n%len(hostileAnswers)](w, r)
	}, koophone.WithRequestTimeout(500*time.Millisecond))
	var wg sync.WaitGroup
	for g := range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 3 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				if (g+i)%3 == 0 {
					time.AfterFunc(time.Duration(rand.IntN(3000))*time.Microsecond, cancel)
				}
				start := time.Now()
				if g%2 == 0 {
					p, err := c.PrepareProgress(ctx, "u", "i")
					if err == nil {
						assert.Equal(t, koophone.PrepareReady, p.Status, "a success is only ever the one good answer")
					}
				} else {
					_, err := c.PrepareInstances(ctx, "u", []string{"i-1"})
					assert.Error(t, err, "no answer is a BatchPrepareInstances success")
				}
				cancel()
				assert.Less(t, time.Since(start), 8*time.Second, "returned by its deadline")
			}
		}()
	}
	wg.Wait()
}
