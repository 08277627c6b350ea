package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// hostile starts a server that answers every path in answers with that
// body and HTTP 200.
func hostile(t *testing.T, answers map[string]string) []string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		body, ok := answers[r.URL.Path]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return []string{"--endpoint", srv.URL, "--token-file", tokenFile(t, secretToken), "--user", "user-1"}
}

// forged is a server-supplied string that would add a "phone-2 ready"
// line, hide text behind bidi controls, and go on for 300,000 bytes.
var forged = `x\nphone-2\tready\r\n\u202e\u2066evil\u0007` + strings.Repeat("A", 300_000)

// TestServerStringsCannotForgeOutput: every string a server supplies is
// printed escaped and bounded, as text and as JSON.
func TestServerStringsCannotForgeOutput(t *testing.T) {
	t.Parallel()
	ok := func(data string) string {
		return `{"error_code":"0","error_msg":"","request_id":"r-1","data":` + data + `}`
	}
	flags := hostile(t, map[string]string{
		"/v1/instances/prepare-progress":   `{"error_code":"KOOPHONE.API.4001` + forged + `","error_msg":"` + forged + `","request_id":"` + forged + `"}`,
		"/v1/instances/batch-query-status": ok(`{"status_results":[{"instance_id":"` + forged + `","status":0}]}`),
		"/v1/instances/prepare":            ok(`{"status_list":[{"instance_id":"` + forged + `","status":1}]}`),
		"/v1/instances/phone-1/auth":       ok(`{"streamingId":"` + forged + `","device_token":"dt","resource":{"rtc":{"ice_signaling":{"signaling_url":"` + forged + `"}}}}`),
		"/v1/instances/tasks/t-1":          ok(`{"jobs":[{"job_id":"j-1","status":-1,"error_code":"` + forged + `","error_msg":"` + forged + `","execute_msg":"` + forged + `"}]}`),
		"/v1/instances/batch-query":        ok(`{"result":[{"instance_id":"` + forged + `","instance_name":"` + forged + `","assign_user":"` + forged + `"}],"total_count":1}`),
		"/v1/instances/sync-command":       ok(`{"cmd_results":[{"instance_id":"` + forged + `","status":2,"execute_msg":"` + forged + `"}]}`),
	})
	commands := [][]string{
		{"wait", "--instance", "phone-1", "--interval", "1ms..5ms"},
		{"progress", "--instance", "phone-1"},
		{"status", "--instance", "phone-1"},
		{"prepare", "--instance", "phone-1"},
		{"token", "--instance", "phone-1"},
		{"task", "get", "t-1"},
		{"instances", "list"},
		{"exec", "--instance", "phone-1", "--", "ls"},
	}
	for _, args := range commands {
		for _, mode := range [][]string{nil, {"--json"}} {
			args := beforeDashes(args, append(append([]string{}, flags...), mode...))
			r := runCLI(t, context.Background(), args...)
			assert.NotEqual(t, exitUsage, r.code, "%v: %s", args, r.stderr)
			for name, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				assert.Empty(t, unsafeOutput(out), "%v %s", args, name)
			}
		}
	}
}

// unsafeOutput says what in out a server could have forged, or "".
func unsafeOutput(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if l == "phone-2\tready" {
			return "a forged line"
		}
		if len(l) >= 16<<10 {
			return fmt.Sprintf("a line of %d bytes", len(l))
		}
	}
	for _, c := range []string{"\r", "\u202e", "\u2066", "\a"} {
		if strings.Contains(out, c) {
			return fmt.Sprintf("a raw %q", c)
		}
	}
	return ""
}

// TestClean: control, format and bidi characters are escaped, invalid
// UTF-8 too, and long strings are cut.
func TestClean(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"phone-1":              "phone-1",
		"日本語 ok":               "日本語 ok",
		"a\tb\nc\r":            `a\u0009b\u000ac\u000d`,
		"x\u202ey\u2069\u200f": `x\u202ey\u2069\u200f`,
		"\x1b[2Jhi":            `\u001b[2Jhi`,
		"bad\xffutf8":          `bad\xffutf8`,
		"\u2028line\u2029":     `\u2028line\u2029`,
		"\U000E0001tag":        `\U000e0001tag`,
	}
	for in, want := range tests {
		assert.Equal(t, want, clean(in), "%q", in)
	}
	long := clean(strings.Repeat("é", 5000))
	assert.LessOrEqual(t, len(long), maxField+len("…"))
	assert.True(t, strings.HasSuffix(long, "…"), fmt.Sprintf("%.20q", long))
}

// fullDisk is standard output on a full disk: every write fails.
type fullDisk struct{}

func (fullDisk) Write([]byte) (int, error) {
	return 0, errors.New("write /dev/stdout: no space left on device")
}

// TestResultThatCannotBeWrittenIsAnError: a result lost to a full disk
// exited 0, so `koophone instances list --all > ids.txt` "succeeded" with
// an empty file. It exits 3 and says why; a command that failed keeps its
// own exit code.
func TestResultThatCannotBeWrittenIsAnError(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"version"}, exitAPI},
		{[]string{"status", "--simulate", "--quiet", "--instance", "phone-1", "--json"}, exitAPI},
		{[]string{"wait", "--help"}, exitAPI},
		{[]string{"completion", "bash"}, exitAPI}, // cobra returns the write error: not a usage error
		{[]string{"completion", "zsh"}, exitAPI},
		{[]string{"wait", "--bogus", "--json"}, exitUsage},
	} {
		var stderr strings.Builder
		code := run(context.Background(), tt.args, strings.NewReader(""), fullDisk{}, &stderr)
		assert.Equal(t, tt.code, code, tt.args)
		assert.Contains(t, stderr.String(), "koophone: cannot write to standard output: write /dev/stdout: no space left on device\n", tt.args)
		if tt.code == exitAPI {
			assert.NotContains(t, stderr.String(), "--help)", "a write error is no usage error: %v", tt.args)
		}
	}
}
