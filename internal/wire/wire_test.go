package wire

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// documented are the bodies the API reference shows, used as test cases
// and fuzz seeds.
var documented = []string{
	`{"data":{"status":0,"waitingCount":0},"error_code":"0","error_msg":"OK"}`,
	`{"data":{"status_list":[{"instance_id":"i-1","status":0}]},"error_code":"0","error_msg":"ok"}`,
	`{"error_code":"KOOPHONE.API.4001","error_msg":"instance not exist"}`,
	`{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached","request_id":"8f0b..."}`,
	`{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information","request_id":"0a1b"}`,
}

func TestDecodeEnvelope(t *testing.T) {
	t.Parallel()
	env, err := DecodeEnvelope([]byte(documented[0]))
	require.NoError(t, err)
	assert.Equal(t, Code{Value: "0", Set: true}, env.ErrorCode)
	assert.Equal(t, "OK", env.ErrorMsg)
	var d ProgressData
	require.NoError(t, env.DecodeData(&d))
	require.NotNil(t, d.Status)
	assert.Equal(t, 0, *d.Status)

	env, err = DecodeEnvelope([]byte(documented[3]))
	require.NoError(t, err)
	assert.Equal(t, "APIGW.0308", env.ErrorCode.Value)
	assert.Equal(t, "8f0b...", env.RequestID)
	assert.False(t, env.HasData())

	env, err = DecodeEnvelope([]byte(`{"error_code":123}`))
	require.NoError(t, err)
	assert.Equal(t, "123", env.ErrorCode.Value)

	env, err = DecodeEnvelope([]byte(`{"error_code":null,"data":{}}`))
	require.NoError(t, err)
	assert.False(t, env.ErrorCode.Set)
	assert.True(t, env.HasData())
}

func TestDecodeEnvelopeErrors(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		``:                       "not a JSON object",
		`   `:                    "not a JSON object",
		`<html>502</html>`:       "not a JSON object",
		`[1,2]`:                  "not a JSON object",
		`{"data":`:               "truncated JSON",
		`{"data":x}`:             "invalid JSON at byte",
		`{"error_code":true}`:    "neither a string nor a number",
		`{"error_code":{"a":1}}`: "neither a string nor a number",
		`{"error_msg":5}`:        "error_msg is a JSON number, not string",
	} {
		_, err := DecodeEnvelope([]byte(body))
		require.Error(t, err, body)
		assert.ErrorIs(t, err, ErrNotJSON, body)
		assert.Contains(t, err.Error(), want, body)
	}
}

func TestSanitiseMessage(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "instance not exist", SanitiseMessage("  instance\tnot\r\nexist\x00 "))
	assert.Equal(t, "bad\uFFFDbyte", SanitiseMessage("bad\xffbyte"))
	long := SanitiseMessage(strings.Repeat("é", 600))
	assert.Equal(t, 513, utf8.RuneCountInString(long))
	assert.True(t, strings.HasSuffix(long, "…"))
	assert.Equal(t, "", SanitiseMessage("\x01\x02"))
}

func TestSnippet(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "", Snippet(nil))
	assert.Equal(t, "", Snippet([]byte("  <html><title>502</title></html>")))
	assert.Equal(t, "", Snippet([]byte{0xff, 0xfe, 0x00}))
	assert.Equal(t, "upstream connect error", Snippet([]byte("upstream connect error\n")))
	assert.Equal(t, 121, utf8.RuneCountInString(Snippet([]byte(strings.Repeat("a", 500)))))
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, d := range documented {
		f.Add([]byte(d))
	}
	f.Add([]byte(`{"data":{"status":"0"},"error_code":0}`))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		env, err := DecodeEnvelope(body)
		if err != nil {
			return
		}
		var p ProgressData
		_ = env.DecodeData(&p)
		var l PrepareData
		_ = env.DecodeData(&l)
		msg := SanitiseMessage(env.ErrorMsg)
		if !utf8.ValidString(msg) || utf8.RuneCountInString(msg) > maxMessageRunes+1 {
			t.Fatalf("SanitiseMessage(%q) = %q", env.ErrorMsg, msg)
		}
		if s := Snippet(body); utf8.RuneCountInString(s) > maxSnippetRunes+1 {
			t.Fatalf("Snippet too long: %q", s)
		}
	})
}
