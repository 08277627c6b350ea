package wire

import (
	"strings"
	"testing"
)

func TestCheckID(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"T1", "i-00001", "a b", strings.Repeat("x", 128), "实例-1", "ü", "x.", "..."} {
		if err := CheckID(id); err != nil {
			t.Errorf("CheckID(%q) = %v; want nil", id, err)
		}
	}
	for id, want := range map[string]string{
		"":                       "is missing or empty",
		strings.Repeat("x", 129): "is 129 bytes long",
		strings.Repeat("é", 65):  "is 130 bytes long",
		"T\u200b1":               "U+200B",
		"\u200b":                 "U+200B",
		"T\u202e1":               "U+202E",
		"T\x001":                 "U+0000",
		"T\n1":                   "U+000A",
		"T\u20281":               "U+2028",
		"\u3164":                 "U+3164",
		"T\ufe0f":                "U+FE0F",
		"   ":                    "only white space",
		"\u3000":                 "only white space",
		".":                      `"."`,
		"..":                     `".."`,
		"T\xff":                  "not valid UTF-8",
	} {
		err := CheckID(id)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CheckID(%q) = %v; want an error with %q", id, err, want)
		}
	}
}
