package benchmarks

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	official "github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/signer"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/request"
	"github.com/koophone-go/koophone/internal/signer"
)

// signBoth signs one request with the SDK's signer and the official one
// and fails t when their Authorization headers differ. headers are sent as
// given, besides Content-Type: application/json, which both leave unsigned.
func signBoth(t *testing.T, path string, query [][2]string, headers map[string]string, body, secret string, at time.Time) {
	t.Helper()
	const host = "koophone.myhuaweicloud.com"
	q := url.Values{}
	for _, kv := range query {
		q.Add(kv[0], kv[1])
	}
	req := &http.Request{Method: http.MethodPost, Host: host, Header: http.Header{"Content-Type": {"application/json"}},
		URL: &url.URL{Scheme: "https", Host: host, Path: path, RawQuery: q.Encode()}}
	for k, v := range headers {
		req.Header[k] = []string{v}
	}
	signer.Sign(req, []byte(body), accessKey, secret, at)

	b := request.NewHttpRequestBuilder().WithEndpoint("https://"+host).WithPath(path).WithMethod(http.MethodPost).
		AddHeaderParam("Content-Type", "application/json").
		AddHeaderParam("Host", host). // the official signer signs host only when the map has it
		AddHeaderParam(signer.HeaderDate, at.UTC().Format(signer.DateFormat))
	for k, v := range headers {
		b.AddHeaderParam(k, v)
	}
	for _, kv := range query {
		b.AddQueryParam(kv[0], reflect.ValueOf(kv[1]))
	}
	if body != "" {
		b.WithBody("", body)
	}
	want, err := official.Sign(b.Build(), accessKey, secret)
	if err != nil {
		t.Fatal(err)
	}
	if got := req.Header.Get("Authorization"); got != want["Authorization"] {
		t.Errorf("path %q query %q headers %q body %q:\n got %s\nwant %s", path, query, headers, body, got, want["Authorization"])
	}
}

// TestSignerMatchesOfficial signs requests like the SDK's with both signers.
func TestSignerMatchesOfficial(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 25, 17, 50, 12, 0, time.UTC)
	std := map[string]string{"Accept": "application/json", "User-Agent": "koophone-go/0.1.0", "X-Project-Id": projectID, "X-Request-Id": "6f0b1d2e"}
	signBoth(t, "/v1/instances/prepare-progress", nil, std, `{"user_id":"u","instance_id":"i"}`, secretKey, at)
	signBoth(t, "/v1/instances", [][2]string{{"limit", "100"}, {"offset", "0"}, {"name", "a b&c=d/é"}, {"Name", "A"}}, std, "", secretKey, at)
	signBoth(t, "/v1/instances/inst 1+é~._-/auth/", [][2]string{{"stream_type", "2"}}, std, "{}", "sk", at.Add(time.Hour))
	signBoth(t, "/v1/x", nil, map[string]string{"X-Custom": "  padded  ", "X_Ignored": "x", "x-lower": "v", "X-Security-Token": "st"}, "é", secretKey, at)
}

// FuzzSignerMatchesOfficial compares the two signers on arbitrary paths,
// query parameters, one extra header, bodies and secrets.
func FuzzSignerMatchesOfficial(f *testing.F) {
	f.Add("/v1/instances/prepare-progress", "limit", "100", "X-Custom", "value", `{"a":1}`, secretKey, int64(1795716612))
	f.Add("/a b/%2F/é/", "", "", "x_under", " padded ", "", "s", int64(0))
	f.Fuzz(func(t *testing.T, path, key, value, header, headerValue, body, secret string, unix int64) {
		if !validHeader(header, headerValue) || secret == "" || unix < 0 || unix > 253402300799 {
			t.Skip()
		}
		var query [][2]string
		if key != "" || value != "" {
			query = [][2]string{{key, value}}
		}
		signBoth(t, path, query, map[string]string{header: headerValue}, body, secret, time.Unix(unix, 0))
	})
}

// validHeader reports whether name and value make a header both signers
// take as it is: a token name other than those the signers set or treat
// apart, and a value of printable ASCII.
func validHeader(name, value string) bool {
	switch strings.ToLower(name) {
	case "", "host", "authorization", "x-sdk-date", "content-type", "x-sdk-content-sha256":
		return false
	}
	for _, c := range name {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	for _, c := range value {
		if c < ' ' || c > '~' {
			return false
		}
	}
	return true
}
