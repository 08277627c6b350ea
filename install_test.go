package koophone_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestInstallApp(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"ok","data":{"task_id":"ZGCA01","cmd_jobs":[{"instance_id":"i-1","job_id":"j-1"}]}}`))
	task, err := c.InstallApp(timeout(t), validInstall())
	require.NoError(t, err)
	assert.Equal(t, "ZGCA01", task.ID)
	assert.Equal(t, []koophone.Job{{InstanceID: "i-1", JobID: "j-1"}}, task.Jobs)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/instances/app/install", reqs[0].Path)
	assert.JSONEq(t, `{
		"fast_install": "0",
		"object_name": "com.example.app",
		"file_name": "app.apk",
		"object_version": "1.2.3",
		"object_size": "12.5",
		"biz_type": "apk",
		"content_type": "application/vnd.android.package-archive",
		"install_package_url": "https://bucket.obs.cn-north-4.myhuaweicloud.com/app.apk",
		"instance_id_list": ["i-1", "i-2"]
	}`, string(reqs[0].Raw), "content_md5 is left out when empty")
}

func TestInstallAppOptionalFields(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","data":{"task_id":"ZGCA02"}}`))
	req := validInstall()
	req.Fast, req.SizeMB, req.MD5, req.ContentType = true, 3, "9e107d9d372bb6826bd81d3542a419d6", "application/octet-stream"
	_, err := c.InstallApp(timeout(t), req)
	require.NoError(t, err)
	body := s.Requests()[0].Body
	assert.Equal(t, "1", body["fast_install"])
	assert.Equal(t, "3", body["object_size"], "the shortest form")
	assert.Equal(t, "9e107d9d372bb6826bd81d3542a419d6", body["content_md5"])
	assert.Equal(t, "application/octet-stream", body["content_type"], "a content type given is sent")

	for i, tc := range []struct {
		mb   float64
		sent string
	}{
		{0.000001, "0.000001"},              // never in exponent form
		{13107201.0 / 1048576, "12.500001"}, // rounded to a byte
		{4096, "4096"},
	} {
		req.SizeMB = tc.mb
		_, err = c.InstallApp(timeout(t), req)
		require.NoError(t, err)
		assert.Equal(t, tc.sent, s.Requests()[1+i].Body["object_size"])
	}
}

// Older versions of the service nest the task in data.data.
func TestInstallAppTaskInDataData(t *testing.T) {
	t.Parallel()
	c, _ := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"ok","data":{"data":{"task_id":"ZGCA03","cmd_jobs":[{"instance_id":"i-2","job_id":"j-9"}]}}}`))
	task, err := c.InstallApp(timeout(t), validInstall())
	require.NoError(t, err)
	assert.Equal(t, "ZGCA03", task.ID)
	assert.Equal(t, []koophone.Job{{InstanceID: "i-2", JobID: "j-9"}}, task.Jobs)
}

func TestInstallAppChecksTheRequest(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0"}`))
	const signed = "Signature=SECRETSIG"
	tests := []struct {
		edit func(*koophone.InstallAppRequest)
		want string
	}{
		{func(r *koophone.InstallAppRequest) { r.InstanceIDs = nil }, "instance ids: none given"},
		{func(r *koophone.InstallAppRequest) { r.InstanceIDs = hundredAndOne() }, "101 given"},
		{func(r *koophone.InstallAppRequest) { r.PackageName = "" }, "package name is empty"},
		{func(r *koophone.InstallAppRequest) { r.PackageName = strings.Repeat("p", 101) }, "package name has 101 characters"},
		{func(r *koophone.InstallAppRequest) { r.FileName = "" }, "file name is empty"},
		{func(r *koophone.InstallAppRequest) { r.FileName = strings.Repeat("f", 101) }, "file name has 101 characters"},
		{func(r *koophone.InstallAppRequest) { r.Version = strings.Repeat("v", 101) }, "version has 101 characters"},
		{func(r *koophone.InstallAppRequest) { r.Version = "" }, "version is empty"},
		{func(r *koophone.InstallAppRequest) { r.MD5 = strings.Repeat("m", 201) }, "md5 has 201 characters"},
		{func(r *koophone.InstallAppRequest) { r.ContentType = "text/plain\n" }, "content type contains a control character"},
		{func(r *koophone.InstallAppRequest) { r.SizeMB = 0 }, "size 0 MB: want 0.000001 (a byte) to 4096 MB"},
		{func(r *koophone.InstallAppRequest) { r.SizeMB = 5e-324 }, "size 5e-324 MB"},
		{func(r *koophone.InstallAppRequest) { r.SizeMB = 0.0000004 }, "size 4e-07 MB"},
		{func(r *koophone.InstallAppRequest) { r.SizeMB = 4096.5 }, "size 4096.5 MB"},
		{func(r *koophone.InstallAppRequest) { r.SizeMB = 1e300 }, "size 1e+300 MB"},
		{func(r *koophone.InstallAppRequest) { r.PackageName = " \u3000 " }, `package name " \u3000 " is only white space`},
		{func(r *koophone.InstallAppRequest) { r.PackageName = "com.\u200bexample" }, "package name \"com.\\u200bexample\" contains an invisible formatting control character (U+200B) at byte 4"},
		{func(r *koophone.InstallAppRequest) { r.InstanceIDs = []string{"i-1", "   "} }, "instance id 1 \"   \" is only white space"},
		{func(r *koophone.InstallAppRequest) { r.ContentType = strings.Repeat("c", 65) }, "content type has 65 characters; at most 64"},
		{func(r *koophone.InstallAppRequest) { r.PackageURL = "https://:443/x" }, "package url has no host"},
		{func(r *koophone.InstallAppRequest) { r.PackageURL = "https://obs.example.com:99999/x?" + signed }, "package url: port 99999: want 1 to 65535"},
		{func(r *koophone.InstallAppRequest) { r.PackageURL = "https://obs.example.com:0/x" }, "port 0"},
		{func(r *koophone.InstallAppRequest) { r.SizeMB = -1 }, "size -1 MB"},
		{func(r *koophone.InstallAppRequest) { r.SizeMB = math.NaN() }, "size NaN MB"},
		{func(r *koophone.InstallAppRequest) { r.SizeMB = math.Inf(1) }, "size +Inf MB"},
		{func(r *koophone.InstallAppRequest) { r.PackageURL = "" }, "package url is empty"},
		{func(r *koophone.InstallAppRequest) { r.PackageURL = "http://obs.example.com/a.apk?" + signed }, `scheme must be https, not "http"`},
		{func(r *koophone.InstallAppRequest) { r.PackageURL = "ftp://obs.example.com/a.apk" }, `not "ftp"`},
		{func(r *koophone.InstallAppRequest) { r.PackageURL = "obs.example.com/a.apk" }, `not ""`},
		{func(r *koophone.InstallAppRequest) { r.PackageURL = "https:///a.apk" }, "package url has no host"},
		{func(r *koophone.InstallAppRequest) { r.PackageURL = "https://obs.example.com/%zz?" + signed }, "package url is not a valid URL"},
		{func(r *koophone.InstallAppRequest) {
			r.PackageURL = "https://obs.example.com/" + strings.Repeat("a", 1977)
		}, "package url has 2001 characters"},
	}
	for _, tt := range tests {
		req := validInstall()
		tt.edit(&req)
		_, err := c.InstallApp(timeout(t), req)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter, tt.want)
		assert.ErrorContains(t, err, tt.want)
		if err != nil {
			assert.NotContains(t, err.Error(), "SECRETSIG", "a signed URL is never quoted")
		}
	}
	assert.Empty(t, s.Requests())

	req := validInstall()
	req.PackageURL = "HTTPS://obs.example.com/" + strings.Repeat("a", 1976)
	_, err := c.InstallApp(timeout(t), req)
	require.NoError(t, err, "2000 characters and an upper-case scheme are fine")
}

// What comes before a colon parses as a scheme, and may be a pasted
// credential: the error names only well-known schemes.
func TestInstallAppNeverQuotesAnUnknownScheme(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"OK"}`))
	req := validInstall()
	// A pasted "key:secret@host": what comes before the colon parses as the scheme.
	req.PackageURL = "hpuaexampleaccesskey:secret@obs.example.com/a.apk"
	_, err := c.InstallApp(timeout(t), req)
	require.ErrorIs(t, err, koophone.ErrInvalidParameter)
	assert.EqualError(t, err, "koophone: invalid parameter: package url: scheme must be https")
	assert.Empty(t, s.Requests())
}

// A signed package URL carries credentials in its query: fmt, encoding/json
// and log/slog show the request without them.
func TestInstallAppRequestRedactsTheSignedURL(t *testing.T) {
	t.Parallel()
	req := validInstall()
	req.PackageURL = "https://user:pw-SECRET@bucket.obs.example.com/app.apk?AccessKeyId=AK-SECRET&Signature=SIG-SECRET#frag-SECRET"
	var text, js bytes.Buffer
	slog.New(slog.NewTextHandler(&text, nil)).Info("install", "req", req)
	slog.New(slog.NewJSONHandler(&js, nil)).Info("install", "req", &req)
	b, err := json.Marshal(req)
	require.NoError(t, err)
	out := []string{text.String(), js.String(), string(b)}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		out = append(out, fmt.Sprintf(verb, req), fmt.Sprintf(verb, &req), fmt.Sprintf(verb, []koophone.InstallAppRequest{req}))
	}
	for _, s := range out {
		assert.NotContains(t, s, "SECRET")
		assert.Contains(t, s, "bucket.obs.example.com/app.apk", "the rest of the URL is kept")
	}
	assert.Contains(t, string(b), `"PackageName":"com.example.app"`)
	assert.Contains(t, text.String(), "req.md5=", "slog shows every field, as fmt and encoding/json do")
}

func TestInstallAppErrorNeverEchoesTheSignedURL(t *testing.T) {
	t.Parallel()
	req := validInstall()
	req.PackageURL = "https://bucket.obs.example.com/app.apk?AccessKeyId=AK-0123&Signature=SIG-SECRET-42"
	c, _ := setup(t, always(http.StatusBadRequest,
		`{"error_code":"KOOPHONE.API.1000","error_msg":"cannot download `+req.PackageURL+`"}`))
	_, err := c.InstallApp(timeout(t), req)
	require.ErrorIs(t, err, koophone.ErrInvalidParameter)
	assert.NotContains(t, err.Error(), "SIG-SECRET-42")
	assert.NotContains(t, err.Error(), "AK-0123")
	assert.Contains(t, err.Error(), "cannot download https://bucket.obs.example.com/app.apk?[redacted]")
}

// urlEchoes are the texts a server may echo InstallApp's signed URL in.
func urlEchoes() map[string]string {
	out := map[string]string{
		"signature decoded":        "bad signature " + plainSig,
		"query reordered":          "https://bucket.obs.example.com/app.apk?Signature=Zm9vSECRET%2Bc2ln%2FYmFy%3D&Expires=1767225600&AccessKeyId=AKSECRET0001",
		"query re-encoded, sorted": "got " + mustParse(signedURL).Query().Encode(),
		"mixed-case escapes":       "sig Zm9vSECRET%2bc2ln%2FYmFy%3d",
		"values one by one":        "key AKSECRET0001 signature " + plainSig,
	}
	for name, form := range echoForms {
		out["url "+name] = "cannot download " + form(signedURL)
		out["signature "+name] = "signature " + form(plainSig) + " expired"
	}
	return out
}

func mustParse(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// Each form of InstallApp's signed URL, echoed in the error's message (a
// JSON answer and a plain-text one), is redacted.
func TestInstallAppRedactsEveryFormOfTheSignedURL(t *testing.T) {
	t.Parallel()
	for name, echo := range urlEchoes() {
		for place, handler := range map[string]func(http.ResponseWriter, *http.Request, int){
			"error message": func(w http.ResponseWriter, _ *http.Request, _ int) {
				body, _ := json.Marshal(map[string]string{"error_code": "KOOPHONE.API.1000", "error_msg": echo})
				answer(w, http.StatusBadRequest, string(body))
			},
			"plain-text error": func(w http.ResponseWriter, _ *http.Request, _ int) {
				w.WriteHeader(http.StatusBadRequest)
				io.WriteString(w, echo)
			},
		} {
			c, _ := setup(t, handler)
			req := validInstall()
			req.PackageURL = signedURL
			_, err := c.InstallApp(timeout(t), req)
			require.Error(t, err, name)
			assert.NotContains(t, err.Error(), "SECRET", "%s in the %s", name, place)
			assert.Contains(t, err.Error(), "[redacted]", "%s in the %s", name, place)
		}
	}
}
