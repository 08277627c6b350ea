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
	assert.True(t, env.HasData())

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
		var p ProgressData
		var l PrepareData
		withData, envErr, _ := DecodeWithData(body, &p)
		_, _, _ = DecodeWithData(body, &l)
		if (err == nil) != (envErr == nil) {
			t.Fatalf("the two decoders disagree on %q: %v, %v", body, err, envErr)
		}
		if err != nil {
			return
		}
		if withData.ErrorCode != env.ErrorCode || withData.ErrorMsg != env.ErrorMsg {
			t.Fatalf("the two decoders read %q differently", body)
		}
		msg := SanitiseMessage(env.ErrorMsg)
		if !utf8.ValidString(msg) || utf8.RuneCountInString(msg) > maxMessageRunes+1 {
			t.Fatalf("SanitiseMessage(%q) = %q", env.ErrorMsg, msg)
		}
		if s := Snippet(body); utf8.RuneCountInString(s) > maxSnippetRunes+1 {
			t.Fatalf("Snippet too long: %q", s)
		}
	})
}

func TestDecodeWithData(t *testing.T) {
	t.Parallel()
	var d ProgressData
	env, envErr, dataErr := DecodeWithData([]byte(documented[0]), &d)
	require.NoError(t, envErr)
	require.NoError(t, dataErr)
	assert.Equal(t, "0", env.ErrorCode.Value)
	assert.True(t, env.HasData())
	require.NotNil(t, d.Status)
	assert.Equal(t, 0, *d.Status)

	// A second decode starts from zero: nothing of the first is left.
	_, envErr, dataErr = DecodeWithData([]byte(`{"error_code":"0","data":{"waitingCount":4}}`), &d)
	require.NoError(t, envErr)
	require.NoError(t, dataErr)
	assert.Nil(t, d.Status)
	assert.Equal(t, 4, d.WaitingCount)

	for body, seen := range map[string]bool{`{"error_code":"0"}`: false, `{"error_code":"0","data":null}`: false, `{"data":{"status":2}}`: true} {
		env, envErr, dataErr = DecodeWithData([]byte(body), &d)
		require.NoError(t, envErr, body)
		require.NoError(t, dataErr, body)
		assert.Equal(t, seen, env.HasData(), body)
	}

	env, envErr, dataErr = DecodeWithData([]byte(`{"error_code":"0","error_msg":"OK","data":{"status":"0"}}`), &d)
	require.NoError(t, envErr)
	assert.EqualError(t, dataErr, "data.status is a JSON string, not int")
	assert.Equal(t, "OK", env.ErrorMsg, "the envelope is still read")

	_, envErr, _ = DecodeWithData([]byte(`{"error_code":"0","data":{"status":1`), &d)
	assert.ErrorIs(t, envErr, ErrNotJSON)
	_, envErr, _ = DecodeWithData([]byte(`<html>`), &d)
	assert.ErrorIs(t, envErr, ErrNotJSON)
	_, envErr, _ = DecodeWithData([]byte(`{"error_code":{}}`), &d)
	assert.ErrorIs(t, envErr, ErrNotJSON)
}

// BenchmarkDecode decodes the documented ShowProgress answer the way a call
// does: envelope and data in one pass.
func BenchmarkDecode(b *testing.B) {
	body := []byte(documented[0])
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var d ProgressData
		env, envErr, dataErr := DecodeWithData(body, &d)
		if envErr != nil || dataErr != nil || env.ErrorCode.Value != CodeOK || d.Status == nil {
			b.Fatal(envErr, dataErr)
		}
	}
}

// BenchmarkDecodeEnvelope decodes an error answer's envelope alone.
func BenchmarkDecodeEnvelope(b *testing.B) {
	body := []byte(documented[2])
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := DecodeEnvelope(body); err != nil {
			b.Fatal(err)
		}
	}
}
