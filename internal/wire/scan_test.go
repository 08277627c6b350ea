package wire

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// agree decodes body with Decode and with the general path alone, into a
// fresh value of each data type, and reports how they differ ("" if not).
func agree(body []byte) string {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return ""
	}
	for _, fresh := range []func() any{
		func() any { return nil },
		func() any { return new(ProgressData) },
		func() any { return new(StatusData) },
		func() any { return new(SKUData) },
		func() any { return new(TaskJobsData) },
	} {
		fastOut, slowOut := fresh(), fresh()
		fast := Decode(body, TopLevel, fastOut)
		slow := decode(trimmed, TopLevel, slowOut)
		if errText(fast.Err) != errText(slow.Err) || fast.Code != slow.Code || fast.Message != slow.Message ||
			fast.RequestID != slow.RequestID || fast.HasData != slow.HasData {
			return fmt.Sprintf("%T: fast %+v, general %+v", fastOut, fast, slow)
		}
		if !reflect.DeepEqual(fastOut, slowOut) {
			return fmt.Sprintf("%T: fast %+v, general %+v", fastOut, fastOut, slowOut)
		}
	}
	return ""
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// scanCases are bodies at the edges of the fast path: each must decode as
// the general path decodes it, whichever path takes it.
var scanCases = []string{
	`{}`, ` {} `, `{"data":null}`, `{"data":{}}`, `{"DATA":{"status":1}}`, `{"Error_Code":"0","ERROR_MSG":"ok"}`,
	`{"error_code":"0","error_code":"1"}`, `{"error_code":"0","Error_code":"1"}`, `{"data":{"status":1},"data":{"waitingCount":2}}`,
	`{"error_code":0}`, `{"error_code":0.0}`, `{"error_code":1e3}`, `{"error_code":-0}`, `{"error_code":true}`, `{"error_code":null}`,
	`{"error_code":{}}`, `{"error_code":[]}`, `{"error_msg":1}`, `{"error_msg":null}`, `{"error_msg":"a\"b"}`, `{"error_msg":"\u00e9"}`,
	`{"error_msg":"é"}`, "{\"error_msg\":\"\xff\"}", "{\"error_msg\":\"a\x01\"}", `{"request_id":["r"]}`, `{"request_id":"r"}`,
	`{"data":{"status":"1"}}`, `{"data":{"status":1.5}}`, `{"data":{"status":[0]}}`, `{"data":{"status":0}`, `{"data":{"status":0}}x`,
	`{"data":{"status":0},}`, `{"data" {"status":0}}`, `{"data":{"status":01}}`, `{"data":{"status":-}}`, `{"data":{"status":1.}}`,
	`{"data":{"status":1e}}`, `{"data":{"status":tru}}`, `{"x":[1,2,{"a":[true,false,null]}],"error_code":"0"}`, `{"x":[1,2,]}`,
	`{"x":[}`, `{"x":{"a"}}`, `{"x":{"a":1,}}`, `{"x":"\x"}`, `{"x":"\u12G4"}`, `{"x":"\u1234"}`, `{"\u0064ata":{"status":3}}`,
	`{"dätä":1}`, `{"x":` + strings.Repeat("[", 40) + strings.Repeat("]", 40) + `}`, `{"x":` + strings.Repeat("[", 20) + strings.Repeat("]", 20) + `}`,
	"{\t\"error_code\"\n:\r\"0\" }", "\v{\"error_code\":\"0\"}\f", `{"data":{"status_list":[{"instance_id":"i-1","status":0}]},"error_code":"0"}`,
	`{"data":{"status_list":[{"instance_id":"i-1","status":"x"}]}}`, `{"data":[]}`, `{"data":"s"}`, `{"data":1}`, `{"data":true}`,
	`{"x":01}`, `{"x":-}`, `{"x":-0.5e+7}`, `{"x":1.}`, `{"x":1e}`, `{"x":1E-}`, `{"x":.5}`, `{"x":+1}`, `{"x":tru}`, `{"x":nul}`,
	`{"x":[1 2]}`, `{"x":{"a":1 "b":2}}`, `{"x":{1:2}}`, "{\"x\":\"a\n\"}", `{"x":"\u00"}`, `{"x":[]]}`, `{"x":{}}}`, `{"x"}`,
	`{"data":{"status":null}}`, `{"data":{"status":null,"waitingCount":null}}`, `{"data":{"Status":1,"STATUS":2}}`,
	`{"data":{"WAITINGCOUNT":"3","status":" 1 "}}`, `{"data":{"status":1e2}}`, `{"data":{"status":"\u0031"}}`,
	`{"data":{"status":true}}`, `{"data":{"status":{}}}`, `{"data":{"st\u0061tus":4}}`, `{"data":{"status":1,"x":[{"status":2}]}}`,
}

func TestFastPathAgreesWithTheGeneralPath(t *testing.T) {
	t.Parallel()
	for _, body := range append(scanCases, documented...) {
		assert.Empty(t, agree([]byte(body)), body)
	}
}

func TestFastPathTakesTheCommonAnswers(t *testing.T) {
	t.Parallel()
	for _, body := range append([]string{`{}`, `{"data":{"status":1},"error_code":"0","error_msg":"OK","extra":[1,{"a":null}]}`}, documented...) {
		if strings.Contains(body, "status_list") {
			continue // not a ProgressData
		}
		_, ok := decodeTopLevel([]byte(body), new(ProgressData))
		assert.True(t, ok, body)
	}
}

func FuzzDecodeFastPathAgrees(f *testing.F) {
	for _, body := range append(scanCases, documented...) {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if diff := agree(body); diff != "" {
			t.Fatalf("%q: %s", body, diff)
		}
	})
}

func BenchmarkSkipValue(b *testing.B) {
	v := []byte(`{"result":[{"instance_id":"i-1","status":0,"tags":["a","b"],"x":1.5e3,"y":null,"z":true}],"total_count":1}`)
	for i := 0; i < b.N; i++ {
		if skipValue(v, 0) != len(v) {
			b.Fatal()
		}
	}
}
