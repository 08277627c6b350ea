package benchmarks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	"github.com/koophone-go/koophone"
)

// The call every client makes, and the credentials it makes it with.
const (
	userID     = "user-1"
	instanceID = "instance-1"
	token      = "token"
	accessKey  = "HPUAEXAMPLEACCESSKEY"
	secretKey  = "example/secret+key/0123456789abcdefghijklmn"
	projectID  = "0123456789abcdef0123456789abcdef"
)

// call makes one ShowProgress call and checks that the instance is ready.
type call func(ctx context.Context) error

// contender makes a client that calls endpoint through rt, a transport of
// its own. The official core takes only an *http.Transport (its
// HttpConfig.WithHttpTransport): it does not run on other RoundTrippers.
type contender struct {
	name           string
	new            func(tb testing.TB, endpoint string, rt http.RoundTripper) call
	needsTransport bool
}

// contenders run in this order, one after another on the same server.
var contenders = []contender{
	{name: "raw", new: newRaw},
	{name: "sdk-token", new: func(tb testing.TB, endpoint string, rt http.RoundTripper) call {
		return newSDK(tb, endpoint, rt, koophone.WithToken(token))
	}},
	{name: "sdk-aksk", new: func(tb testing.TB, endpoint string, rt http.RoundTripper) call {
		return newSDK(tb, endpoint, rt, koophone.WithAKSK(accessKey, secretKey, projectID))
	}},
	{name: "official-aksk", new: newOfficial, needsTransport: true},
}

// progressBody is the ShowProgress request body.
type progressBody struct {
	UserID     string `json:"user_id"`
	InstanceID string `json:"instance_id"`
}

// envelope is the ShowProgress answer.
type envelope struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	Data      struct {
		Status       int `json:"status"`
		WaitingCount int `json:"waitingCount"`
	} `json:"data"`
}

func (e *envelope) check() error {
	if e.ErrorCode != "0" || e.Data.Status != 0 {
		return fmt.Errorf("unexpected answer %+v", *e)
	}
	return nil
}

// newSDK calls through this SDK with the given credentials.
func newSDK(tb testing.TB, endpoint string, rt http.RoundTripper, creds koophone.Option) call {
	c, err := koophone.NewClient(creds, koophone.WithEndpoint(endpoint), koophone.WithHTTPClient(&http.Client{Transport: rt}))
	if err != nil {
		tb.Fatal(err)
	}
	return func(ctx context.Context) error {
		p, err := c.PrepareProgress(ctx, userID, instanceID)
		if err == nil && p.Status != koophone.PrepareReady {
			err = fmt.Errorf("status %v", p.Status)
		}
		return err
	}
}

// Constant header values, shared by every raw request.
var (
	headerJSON      = []string{"application/json"}
	headerUserAgent = []string{"raw/1.0"}
	headerToken     = []string{token}
)

// newRaw is the minimal hand-written call: a struct body, the SDK's
// headers, a random request id, the answer read to the end and decoded,
// and no per-call timeout.
func newRaw(_ testing.TB, endpoint string, rt http.RoundTripper) call {
	hc := &http.Client{Transport: rt}
	url := endpoint + "/v1/instances/prepare-progress"
	return func(ctx context.Context) error {
		body, err := json.Marshal(progressBody{UserID: userID, InstanceID: instanceID})
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		var id [16]byte
		_, _ = rand.Read(id[:])
		req.Header["Content-Type"] = headerJSON
		req.Header["User-Agent"] = headerUserAgent
		req.Header["X-Auth-Token"] = headerToken
		req.Header["X-Request-Id"] = []string{string(hex.AppendEncode(make([]byte, 0, 32), id[:]))}
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		data, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		var env envelope
		if err := json.Unmarshal(data, &env); err != nil {
			return err
		}
		return env.check()
	}
}

// officialRequest and officialResponse are ShowProgress as the official
// SDK's generated service clients model a call.
type officialRequest struct {
	Body *progressBody `json:"body,omitempty"`
}

type officialResponse struct {
	ErrorCode *string `json:"error_code,omitempty"`
	ErrorMsg  *string `json:"error_msg,omitempty"`
	Data      *struct {
		Status       *int32 `json:"status,omitempty"`
		WaitingCount *int32 `json:"waitingCount,omitempty"`
	} `json:"data,omitempty"`
	HttpStatusCode int `json:"-"`
}

// officialDef is the request definition, made for each call as the
// official SDK's generated clients do.
func officialDef() *def.HttpRequestDef {
	return def.NewHttpRequestDefBuilder().
		WithMethod(http.MethodPost).
		WithPath("/v1/instances/prepare-progress").
		WithResponse(new(officialResponse)).
		WithContentType("application/json").
		WithRequestField(def.NewFieldDef().WithName("Body").WithLocationType(def.Body)).
		Build()
}

// newOfficial calls through the official Huawei Cloud Go SDK core,
// HcHttpClient.Sync with basic AK/SK credentials, as its generated
// service clients do.
func newOfficial(tb testing.TB, endpoint string, rt http.RoundTripper) call {
	tr, ok := rt.(*http.Transport)
	if !ok {
		tb.Fatalf("the official core needs an *http.Transport, not %T", rt)
	}
	creds, err := basic.NewCredentialsBuilder().WithAk(accessKey).WithSk(secretKey).WithProjectId(projectID).SafeBuild()
	if err != nil {
		tb.Fatal(err)
	}
	hc, err := core.NewHcHttpClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(creds).
		WithHttpConfig(config.DefaultHttpConfig().WithHttpTransport(tr)).
		SafeBuild()
	if err != nil {
		tb.Fatal(err)
	}
	return func(context.Context) error { // the official core takes no context
		out, err := hc.Sync(&officialRequest{Body: &progressBody{UserID: userID, InstanceID: instanceID}}, officialDef())
		if err != nil {
			return err
		}
		r := out.(*officialResponse)
		if r.ErrorCode == nil || *r.ErrorCode != "0" || r.Data == nil || r.Data.Status == nil || *r.Data.Status != 0 {
			return fmt.Errorf("unexpected answer %+v", r)
		}
		return nil
	}
}
