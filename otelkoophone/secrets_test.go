package otelkoophone_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/koophone-go/koophone"
)

var signature = regexp.MustCompile(`Signature=([0-9a-f]+)`)

// echoSecrets is a hostile service: it answers HTTP 429 and then 400,
// with everything it was sent as the message, and on the 400 the most
// secret thing it was sent as the error code (a signed URL's signature, a
// security token, a request signature or a token).
func echoSecrets(t *testing.T) *httptest.Server {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var install struct {
			URL string `json:"install_package_url"`
		}
		_ = json.Unmarshal(body, &install)
		var code string
		if u, err := url.Parse(install.URL); err == nil && u.Query().Get("Signature") != "" {
			code = u.Query().Get("Signature")
		} else if m := signature.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			code = m[1]
		} else {
			code = r.Header.Get("X-Auth-Token")
		}
		if tok := r.Header.Get("X-Security-Token"); tok != "" {
			code = tok
		}
		status := http.StatusBadRequest
		if n.Add(1) == 1 {
			status, code = http.StatusTooManyRequests, "APIGW.0308"
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		c, _ := json.Marshal(code)
		m, _ := json.Marshal(fmt.Sprint(r.Header, string(body)))
		fmt.Fprintf(w, `{"error_code":%s,"error_msg":%s}`, c, m)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// everything is the text of every span (name, status, attributes, events)
// and every metric attribute recorded.
func (tel *telemetry) everything(t *testing.T) string {
	var all strings.Builder
	add := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			all.WriteString(" " + string(kv.Key) + "=" + kv.Value.String())
		}
	}
	for _, s := range tel.spans.Ended() {
		all.WriteString("\n" + s.Name() + " " + s.Status().Description)
		add(s.Attributes())
		for _, e := range s.Events() {
			all.WriteString(" " + e.Name)
			add(e.Attributes)
		}
	}
	for _, data := range tel.metrics(t) {
		switch d := data.(type) {
		case metricdata.Histogram[float64]:
			for _, dp := range d.DataPoints {
				add(dp.Attributes.ToSlice())
			}
		case metricdata.Sum[int64]:
			for _, dp := range d.DataPoints {
				add(dp.Attributes.ToSlice())
			}
		}
	}
	return all.String()
}

// TestNoSecretFromAHostileServer: a server that echoes the credentials and
// a signed URL's query in its error codes gets none of them into a span,
// an event or a metric, with a token, with access keys and with
// temporary access keys.
func TestNoSecretFromAHostileServer(t *testing.T) {
	const (
		token    = "tok-S3CR3T-4f9a2c"
		sk       = "sk-S3CR3T-77d1e0"
		stsToken = "sts-S3CR3T-0c3b9a"
		urlSig   = "0123456789abcdef0123"
	)
	signed := "https://bucket.obs.example.com/app.apk?AccessKeyId=AKID&Expires=1900000000&Signature=" + urlSig
	for name, auth := range map[string]koophone.Option{
		"token":          koophone.WithToken(token),
		"AK/SK":          koophone.WithAKSK("AK-S3CR3T-1", sk, "project-1"),
		"temporary keys": koophone.WithTemporaryAKSK("AK-S3CR3T-2", sk, stsToken, "project-1"),
	} {
		t.Run(name, func(t *testing.T) {
			tel := newTelemetry(t)
			srv := echoSecrets(t)
			client, err := koophone.NewClient(auth, koophone.WithEndpoint(srv.URL), koophone.WithObserver(tel.observer),
				koophone.WithRetryPolicy(koophone.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
			require.NoError(t, err)
			_, err = client.InstallApp(context.Background(), koophone.InstallAppRequest{
				InstanceIDs: []string{"phone-1"}, PackageName: "com.example.app", FileName: "app.apk",
				Version: "1", SizeMB: 1, PackageURL: signed,
			})
			require.Error(t, err)
			_, err = client.PrepareProgress(context.Background(), "alice", "phone-1")
			require.Error(t, err)

			all := tel.everything(t)
			assert.Contains(t, all, "KooPhone.InstallApp")
			assert.Contains(t, all, "retry", "the 429 was retried")
			assert.Contains(t, all, "error.type=_OTHER", "the server's codes were secrets, of no documented form")
			for _, secret := range []string{token, sk, stsToken, urlSig, "Expires=", "AKID", "S3CR3T"} {
				assert.NotContains(t, all, secret)
			}
		})
	}
}
