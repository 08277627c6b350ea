package wire

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckNames(t *testing.T) {
	t.Parallel()
	many := func(extra string) string {
		var b strings.Builder
		b.WriteString(`{"data":{`)
		for i := range 40 {
			fmt.Fprintf(&b, `"n%d":%d,`, i, i)
		}
		b.WriteString(extra + `}}`)
		return b.String()
	}
	for doc, want := range map[string]string{
		`{"error_code":"KOOPHONE.API.9999","error_code":"0"}`:                    `"error_code" twice`,
		`{"error_code":"KOOPHONE.API.4001","Error_Code":"0","data":{}}`:          `"error_code" and "Error_Code"`,
		`{"data":{"status":-1,"Status":0}}`:                                      `"status" and "Status"`,
		`{"data":{"status":-1,"STATUS":0}}`:                                      `"status" and "STATUS"`,
		`{"data":{"status":-1,"ſtatus":0}}`:                                      `"status" and "ſtatus"`,
		`{"data":{"kp_id":"a","\u212Ap_id":"b"}}`:                                "\"kp_id\" and \"\u212ap_id\"",
		`{"data":{"status":-1,"st\u0061tus":0}}`:                                 `"status" twice`,
		`{"data":{"list":[{"instance_id":"i-1","Instance_Id":"i-2"}]}}`:          `"instance_id" and "Instance_Id"`,
		`{"data":{"a":{"b":[1,{"c":{}}]},"A":1}}`:                                `"a" and "A"`,
		`{"data":{},"data":{"status":0}}`:                                        `"data" twice`,
		many(`"n7":0`):                                                           `"n7" twice`,
		many(`"N39":0`):                                                          `"n39" and "N39"`,
		`{"data":{"status_list":[{"instance_id":"i-1"},{"instance_id":"i-1"}]}}`: "",
		`{"data":{"x":{"status":1},"status":0}}`:                                 "",
		`{"a":"a","b":"a","c":["a","a"],"d":{"a":"a"}}`:                          "",
		`{"error_code":"0","data":{"status":0},"error_msg":"OK"}`:                "",
		`{"a":`:                    "", // invalid JSON is decoding's to report
		`[{"a":1},{"a":2}]`:        "",
		many(`"n40":0`):            "",
		`{"data":{"İd":1,"id":2}}`: "", // not equal under case folding, so not one field
	} {
		err := checkNames([]byte(doc), nil)
		if want == "" {
			assert.NoError(t, err, doc)
			continue
		}
		if assert.Error(t, err, doc) {
			assert.Contains(t, err.Error(), want, doc)
		}
	}
}

// CheckNames reads the names only where a struct's field may be named
// twice; what it finds then is checkNames'.
func TestCheckNamesReadsNamesOnlyWhereAFieldMayRepeat(t *testing.T) {
	t.Parallel()
	var p ProgressData
	for doc, may := range map[string]bool{
		documented[0]: false,
		`{"error_code":"0","data":{"status":1},"x":{"y":1,"y":2}}`:              false, // no field of the answer's
		`{"error_code":"0","data":{"status":1,"Status":0}}`:                     true,
		`{"error_code":"0","data":{"status":1},"ERROR_CODE":"9"}`:               true,
		`{"error_code":"0","data":{"status":1},"error_msg":"status ok"}`:        false, // not the name quoted
		`{"error_code":"0","data":{"status":1},"error_msg":"\"status\""}`:       true,  // an escape
		`{"error_code":"0","data":{"status":1,"ſtatus":0}}`:                     true,  // not ASCII
		`{"error_code":"0","data":{"status":1},"error_msg":"参数错误"}`:             true,
		`{"error_code":"0","data":{"status_list":[{"status":1},{"status":2}]}}`: true,
	} {
		assert.Equal(t, may, mayRepeat([]byte(doc), &p), doc)
		if !may {
			assert.NoError(t, CheckNames([]byte(doc), &p), doc)
		}
	}
	assert.Error(t, CheckNames([]byte(`{"error_code":"0","data":{"status":1,"Status":0}}`), &p))
	assert.Error(t, CheckNames([]byte(`{"error_code":"0","Error_Code":"1"}`), nil))
	assert.NoError(t, CheckNames([]byte(`{"error_code":"0","data":{"status":1,"Status":0}}`), nil), "no field of nil's")
	// A repeat of a name no field is read by is not refused, whatever else
	// the answer holds (non-ASCII text, a list, an escape).
	for _, doc := range []string{
		`{"error_code":"0","data":{"status":1,"extra":{"a":1,"a":2}},"error_msg":"参数错误"}`,
		`{"error_code":"0","data":{"status":1,"extra":{"a":1,"A":2}},"x":[{"status":1},{"status":2}]}`,
		`{"error_code":"0","data":{"status":1,"ext":{"k\u00e9":1,"k\u00e9":2}}}`,
	} {
		assert.NoError(t, CheckNames([]byte(doc), &p), doc)
	}
	assert.Error(t, CheckNames([]byte(`{"error_code":"0","data":{"status":1,"Status":0},"error_msg":"参数错误"}`), &p))

	var j TaskData // a type that holds itself (data.data)
	assert.Error(t, CheckNames([]byte(`{"error_code":"0","data":{"data":{"task_id":"a","Task_ID":"b"}}}`), &j))
	var d struct {
		Inner struct {
			Deep []struct {
				N Int `json:"n"`
			} `json:"deep"`
		} `json:"inner"`
		Lenient LenientText `json:"lenient"`
	}
	assert.Error(t, CheckNames([]byte(`{"data":{"inner":{"deep":[{"n":1,"N":2}]}}}`), &d))
	assert.NoError(t, CheckNames([]byte(`{"data":{"lenient":{"n":1},"x":{"n":2}}}`), &d), "a type with its own UnmarshalJSON is not looked into")
}

func BenchmarkCheckNames(b *testing.B) {
	doc := []byte(documented[0])
	var p ProgressData
	b.ReportAllocs()
	for range b.N {
		if CheckNames(doc, &p) != nil {
			b.Fatal()
		}
	}
}
