package wire

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A field read as Text that holds neither a string nor a number names
// itself: the answer is a JSON object with a field of the wrong type, not
// a body that is not JSON, and its code and message are still read.
func TestTextOfTheWrongTypeNamesItsField(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"error_code":"0","error_msg":"OK","data":{"v":{"x":1}}}`:         "data.v is a JSON object, not string",
		`{"error_code":"0","error_msg":"OK","data":{"v":[1]}}`:             "data.v is a JSON array, not string",
		`{"error_code":"0","error_msg":"OK","data":{"list":[{"v":true}]}}`: "data.list.v is a JSON bool, not string",
	} {
		var out struct {
			V    Text `json:"v"`
			List []struct {
				V Text `json:"v"`
			} `json:"list"`
		}
		ans := Decode([]byte(body), TopLevel, &out)
		require.Error(t, ans.Err, body)
		assert.False(t, errors.Is(ans.Err, ErrNotJSON), "%s: %v", body, ans.Err)
		assert.Equal(t, want, ans.Err.Error(), body)
		assert.Equal(t, CodeOK, ans.Code.Value, body)
		assert.Equal(t, "OK", ans.Message, body)
		assert.True(t, ans.HasData, body)
	}
}

// A number is an integer only when it is exactly one: a float64 reading
// rounds 1e-400 to 0 (ready) and 0.99999999999999999999 to 1, and
// strconv.ParseFloat reads Go syntax ("0_0", "0x1p0") that is no JSON
// number. A numeric string holds a decimal integer (a sign and leading
// zeros allowed, as Java reads it) or a JSON number, nothing else.
func TestIntIsExact(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`1e-400`, `-1e-400`, `0.99999999999999999999`, `-0.99999999999999999999`, `2.9999999999999999999`,
		`1.0000000000000000001`, `9007199254740993.5`, `1e999999999`, `1e-999999999`, `0e999999999`,
		`"1e-400"`, `"0.99999999999999999999"`, `"0_0"`, `"0x1p0"`, `"0x0p0"`, `"+1.5"`, `"++1"`, `"Inf"`,
		`"NaN"`, `"1_000"`, `"null"`, `"0 1"`, `"01.5"`, `"1."`, `".5"`, `"\"1\""`, `"0x10"`, `"1e"`, `01`, `+1`,
		`"1` + strings.Repeat("0", 80) + `e-80"`, `9223372036854775808`, `-9223372036854775809`,
	} {
		var n Int
		assert.Error(t, json.Unmarshal([]byte(in), &n), in)
	}
	for in, want := range map[string]Int{`-0`: 0, `-0.0`: 0, `"-0"`: 0, `1E2`: 100, `1e+2`: 100, `150e-1`: 15,
		`"2.000"`: 2, `"+1"`: 1, `"01"`: 1, `"-007"`: -7, `" +0 "`: 0, `9223372036854775807`: 9223372036854775807, `-9223372036854775808.0`: -9223372036854775808} {
		var n Int
		require.NoError(t, json.Unmarshal([]byte(in), &n), in)
		assert.Equal(t, want, n, in)
	}
}

// An error_code sent as a number is a success only when the number is
// exactly zero: 1e-400 is not (a float64 reading makes it 0).
func TestCodeZeroIsExact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{`0`: CodeOK, `-0`: CodeOK, `0.0`: CodeOK, `0e5`: CodeOK,
		`1e-400`: `1e-400`, `-1e-400`: `-1e-400`, `0.0000000000000000000000000000001`: `0.0000000000000000000000000000001`,
		`0e999999999`: `0e999999999`, `4001`: `4001`} {
		var c Code
		require.NoError(t, json.Unmarshal([]byte(in), &c), in)
		assert.Equal(t, want, c.Value, in)
		assert.True(t, c.Set, in)
	}
	ans := Decode([]byte(`{"error_code":1e-400,"data":{"status":0}}`), TopLevel, nil)
	assert.NotEqual(t, CodeOK, ans.Code.Value)
}

// A band size is a JSON number (in a string, a list or alone), read as
// such: not Go's syntax ("0x1p2" is 4 to strconv), and not one a float64
// rounds to zero.
func TestBandSizesAreJSONNumbers(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`"0x1p2"`, `"1_0"`, `"+4"`, `"Inf"`, `"4,0x8"`, `1e-400`, `"2,1e-400"`, `[".5"]`} {
		var b BandSizes
		assert.Error(t, json.Unmarshal([]byte(in), &b), in)
	}
	for in, want := range map[string]BandSizes{`"0,2.5,4e0"`: {0, 2.5, 4}, `[0.0, "8"]`: {0, 8}} {
		var b BandSizes
		require.NoError(t, json.Unmarshal([]byte(in), &b), in)
		assert.Equal(t, want, b, in)
	}
}
