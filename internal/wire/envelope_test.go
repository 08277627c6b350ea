package wire

import (
	"encoding/json"
	"errors"
	"reflect"
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
	ans := Decode([]byte(documented[0]), TopLevel, nil)
	require.NoError(t, ans.Err)
	assert.Equal(t, Code{Value: "0", Set: true}, ans.Code)
	assert.Equal(t, "OK", ans.Message)
	assert.True(t, ans.HasData)

	ans = Decode([]byte(documented[3]), TopLevel, nil)
	require.NoError(t, ans.Err)
	assert.Equal(t, "APIGW.0308", ans.Code.Value)
	assert.Equal(t, "8f0b...", ans.RequestID)
	assert.False(t, ans.HasData)

	ans = Decode([]byte(`{"error_code":123}`), TopLevel, nil)
	require.NoError(t, ans.Err)
	assert.Equal(t, "123", ans.Code.Value)

	ans = Decode([]byte(`{"error_code":null,"data":{}}`), TopLevel, nil)
	require.NoError(t, ans.Err)
	assert.False(t, ans.Code.Set)
	assert.True(t, ans.HasData)
}

func TestZeroCodeInAnySpellingIsSuccess(t *testing.T) {
	t.Parallel()
	for _, body := range []string{`{"error_code":0}`, `{"error_code":0.0}`, `{"error_code":-0}`, `{"error_code":0e3}`, `{"error_code":"0"}`} {
		assert.Equal(t, CodeOK, Decode([]byte(body), TopLevel, nil).Code.Value, body)
	}
	assert.Equal(t, "0.5", Decode([]byte(`{"error_code":0.5}`), TopLevel, nil).Code.Value)
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
		err := Decode([]byte(body), TopLevel, nil).Err
		require.Error(t, err, body)
		assert.ErrorIs(t, err, ErrNotJSON, body)
		assert.Contains(t, err.Error(), want, body)
	}
}

func TestDecodeInData(t *testing.T) {
	t.Parallel()
	var out struct {
		Result []struct {
			InstanceID string `json:"instance_id"`
		} `json:"result"`
		TotalCount Int `json:"total_count"`
	}
	ans := Decode([]byte(`{"data":{"result":[{"instance_id":"i-1"}],"total_count":"1","error_code":"0","error_msg":"ok"}}`), InData, &out)
	require.NoError(t, ans.Err)
	assert.Equal(t, "0", ans.Code.Value)
	assert.Equal(t, "ok", ans.Message)
	assert.True(t, ans.HasData)
	assert.Equal(t, Int(1), out.TotalCount)
	require.Len(t, out.Result, 1)

	ans = Decode([]byte(`{"data":{"error_code":"KOOPHONE.API.1000","error_msg":"bad page"}}`), InData, &out)
	assert.Equal(t, "KOOPHONE.API.1000", ans.Code.Value)
	assert.Equal(t, "bad page", ans.Message)

	// Gateway errors come at the top level even here.
	ans = Decode([]byte(`{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"r"}`), InData, &out)
	assert.Equal(t, "APIGW.0308", ans.Code.Value)
	assert.Equal(t, "r", ans.RequestID)
	ans = Decode([]byte(`{"error_code":"APIGW.0301","error_msg":"auth"}`), InData, nil)
	assert.Equal(t, "APIGW.0301", ans.Code.Value)
}

func TestInt(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Int{`1`: 1, `"1"`: 1, `" -3 "`: -3, `2.0`: 2, `"7.0"`: 7, `0`: 0, `null`: 5,
		`1e10`: 10000000000, `10000000000`: 10000000000, `"99999999999"`: 99999999999} {
		n := Int(5)
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		assert.Equal(t, want, n, in)
	}
	for _, in := range []string{`1.5`, `"x"`, `""`, `true`, `{}`, `1e40`, `"1e40"`, `9.3e18`} {
		var n Int
		assert.Error(t, json.Unmarshal([]byte(in), &n), in)
	}
	var d ProgressData
	ans := Decode([]byte(`{"error_code":"0","data":{"status":"abc"}}`), TopLevel, &d)
	assert.EqualError(t, ans.Err, "data.status is a JSON string, not int")
}

func TestLenientText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`null`:                     "",
		`"10.0.0.1,10.0.0.2"`:      "10.0.0.1,10.0.0.2",
		`12.50`:                    "12.50",
		`[]`:                       "[]",
		`["10.0.0.1", 2]`:          `["10.0.0.1",2]`,
		`[{"ip": "a", "port": 1}]`: `[{"ip":"a","port":1}]`,
		`true`:                     "true",
	} {
		var l LenientText
		require.NoError(t, json.Unmarshal([]byte(in), &l), in)
		assert.Equal(t, want, string(l), in)
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
	assert.Equal(t, "evil txt.exe", SanitiseMessage("evil \u202etxt.exe\u2066\u2069"), "bidi controls are dropped")
	wide := SanitiseMessage(strings.Repeat("\U0001F600", 600))
	assert.LessOrEqual(t, len(wide), maxMessageBytes+len("…"))
	code := SanitiseCode(strings.Repeat("A", 300000) + "\nready")
	assert.LessOrEqual(t, len(code), maxCodeBytes+len("…"))
	assert.NotContains(t, code, "\n")
	assert.Equal(t, "req-1", SanitiseID("req-1"))
	assert.LessOrEqual(t, len(SanitiseID(strings.Repeat("é", 1000))), maxIDBytes+len("…"))
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
	f.Add([]byte(`{"data":{"result":[],"error_code":"0"}}`))
	f.Add([]byte("<html>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		bare := Decode(body, TopLevel, nil)
		var p ProgressData
		withData := Decode(body, TopLevel, &p)
		var l PrepareData
		_ = Decode(body, InData, &l)
		err := CheckNames(body, &p)
		if err != nil && checkNames(body, nil) == nil {
			t.Fatalf("CheckNames(%q) = %v, but its names are all distinct", body, err)
		}
		if known := checkNames(body, knownFolds(reflect.TypeOf(&p))); err == nil && known != nil {
			t.Fatalf("CheckNames(%q) = nil, but it repeats a field's name: %v", body, known)
		}
		if errors.Is(bare.Err, ErrNotJSON) != errors.Is(withData.Err, ErrNotJSON) {
			t.Fatalf("the two decodings disagree on %q: %v, %v", body, bare.Err, withData.Err)
		}
		if bare.Err != nil {
			return
		}
		if withData.Code != bare.Code || withData.Message != bare.Message {
			t.Fatalf("the two decodings read %q differently", body)
		}
		msg := SanitiseMessage(bare.Message)
		if !utf8.ValidString(msg) || utf8.RuneCountInString(msg) > maxMessageRunes+1 || len(msg) > maxMessageBytes+3 {
			t.Fatalf("SanitiseMessage(%q) = %q", bare.Message, msg)
		}
		if s := Snippet(body); utf8.RuneCountInString(s) > maxSnippetRunes+1 {
			t.Fatalf("Snippet too long: %q", s)
		}
	})
}

func TestDecodeWithData(t *testing.T) {
	t.Parallel()
	var d ProgressData
	ans := Decode([]byte(documented[0]), TopLevel, &d)
	require.NoError(t, ans.Err)
	assert.Equal(t, "0", ans.Code.Value)
	assert.True(t, ans.HasData)
	require.NotNil(t, d.Status)
	assert.Equal(t, Int(0), *d.Status)

	// A second decode starts from zero: nothing of the first is left.
	ans = Decode([]byte(`{"error_code":"0","data":{"waitingCount":4}}`), TopLevel, &d)
	require.NoError(t, ans.Err)
	assert.Nil(t, d.Status)
	assert.Equal(t, Int(4), d.WaitingCount)

	for body, seen := range map[string]bool{`{"error_code":"0"}`: false, `{"error_code":"0","data":null}`: false, `{"data":{"status":2}}`: true} {
		ans = Decode([]byte(body), TopLevel, &d)
		require.NoError(t, ans.Err, body)
		assert.Equal(t, seen, ans.HasData, body)
	}

	ans = Decode([]byte(`{"error_code":"0","error_msg":"OK","data":{"status":"0"}}`), TopLevel, &d)
	require.NoError(t, ans.Err, "a numeric string is a number")
	assert.Equal(t, Int(0), *d.Status)
	ans = Decode([]byte(`{"error_code":"0","error_msg":"OK","data":{"status":[0]}}`), TopLevel, &d)
	assert.EqualError(t, ans.Err, "data.status is a JSON array, not int")
	assert.NotErrorIs(t, ans.Err, ErrNotJSON)
	assert.Equal(t, "OK", ans.Message, "the envelope is still read")
	ans = Decode([]byte(`{"data":{"status":[0]},"error_code":"KP.API.1","error_msg":"after data","request_id":"r"}`), TopLevel, &d)
	assert.Error(t, ans.Err)
	assert.Equal(t, Code{Value: "KP.API.1", Set: true}, ans.Code, "members after a bad data member are read too")
	assert.Equal(t, "after data", ans.Message)
	assert.Equal(t, "r", ans.RequestID)

	assert.ErrorIs(t, Decode([]byte(`{"error_code":"0","data":{"status":1`), TopLevel, &d).Err, ErrNotJSON)
	assert.ErrorIs(t, Decode([]byte(`<html>`), TopLevel, &d).Err, ErrNotJSON)
	assert.ErrorIs(t, Decode([]byte(`{"error_code":{}}`), TopLevel, &d).Err, ErrNotJSON)
}

// BenchmarkDecode decodes the documented ShowProgress answer the way a call
// does: envelope and data in one pass.
func BenchmarkDecode(b *testing.B) {
	body := []byte(documented[0])
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var d ProgressData
		ans := Decode(body, TopLevel, &d)
		if ans.Err != nil || ans.Code.Value != CodeOK || d.Status == nil {
			b.Fatal(ans.Err)
		}
	}
}

// BenchmarkDecodeEnvelope decodes an error answer's envelope alone.
func BenchmarkDecodeEnvelope(b *testing.B) {
	body := []byte(documented[2])
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if ans := Decode(body, TopLevel, nil); ans.Err != nil {
			b.Fatal(ans.Err)
		}
	}
}

func TestStripInvisible(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "SECRET token\nx", StripInvisible("SE\u200bCR\u2066ET\x00 token\nx"))
	assert.Equal(t, "plain", StripInvisible("plain"))
	assert.Equal(t, "a\xffb", StripInvisible("a\xff\u200bb"), "invalid bytes are kept for the sanitiser to judge")
}
