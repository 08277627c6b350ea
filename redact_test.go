package koophone_test

import (
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

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

// Each form of the token, echoed in an error's message, a job's message or
// a command's output, is redacted.
func TestEveryFormOfAnEchoedTokenIsRedacted(t *testing.T) {
	t.Parallel()
	places := map[string]struct {
		answer func(echo string) (int, any)
		call   func(ctx context.Context, c *koophone.Client) []string
	}{
		"error message": {
			func(echo string) (int, any) {
				return http.StatusUnauthorized, map[string]string{"error_code": "APIGW.0301", "error_msg": "bad token " + echo}
			},
			func(ctx context.Context, c *koophone.Client) []string {
				_, err := c.PrepareProgress(ctx, "u", "i")
				return []string{err.Error()}
			},
		},
		"job message": {
			func(echo string) (int, any) {
				return http.StatusOK, map[string]any{"error_code": "0", "data": map[string]any{"jobs": []any{
					map[string]any{"job_id": "j-1", "status": -1, "error_code": "E1", "error_msg": "token " + echo, "execute_msg": "$ echo " + echo},
				}}}
			},
			func(ctx context.Context, c *koophone.Client) []string {
				jobs, err := c.GetTask(ctx, "t-1")
				if err != nil || len(jobs) != 1 {
					return []string{"unexpected", err.Error()}
				}
				return []string{jobs[0].Message, jobs[0].Output}
			},
		},
		"command output": {
			func(echo string) (int, any) {
				return http.StatusOK, map[string]any{"error_code": "0", "data": map[string]any{"cmd_results": []any{
					map[string]any{"instance_id": "i-1", "status": 2, "error_msg": "token " + echo, "execute_msg": "X-Auth-Token: " + echo},
				}}}
			},
			func(ctx context.Context, c *koophone.Client) []string {
				results, err := c.RunCommand(ctx, "env", []string{"i-1"})
				if err != nil || len(results) != 1 {
					return []string{"unexpected", err.Error()}
				}
				return []string{results[0].Message, results[0].Output}
			},
		},
	}
	for form, encode := range echoForms {
		for place, p := range places {
			echo := encode(specialToken)
			c, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				status, v := p.answer(echo)
				body, _ := json.Marshal(v)
				answer(w, status, string(body))
			}, koophone.WithToken(specialToken))
			for _, text := range p.call(timeout(t), c) {
				assert.NotContains(t, text, "SECRET", "%s in the %s", form, place)
				assert.Contains(t, text, "[redacted]", "%s in the %s", form, place)
			}
		}
	}
}
