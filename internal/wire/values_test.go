package wire

import (
	"errors"
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
