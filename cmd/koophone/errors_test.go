package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone/koophonetest"
)

// events decodes stdout's JSON lines.
func events(t *testing.T, stdout string) []map[string]any {
	t.Helper()
	var evs []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var ev map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &ev), "line %q", l)
		evs = append(evs, ev)
	}
	return evs
}

// TestBadArgumentsAreUsageErrors: arguments the SDK refuses before sending
// end every command with exit 2, never with "ready".
func TestBadArgumentsAreUsageErrors(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	long := strings.Repeat("x", 33)
	tests := [][]string{
		{"wait", "--instance", long, "--interval", "1ms..5ms"},
		{"wait", "--instance", "phone-1", "--instance", "phone-1", "--interval", "1ms..5ms"},
		{"wait", "--instance", "phone-1", "--interval", "1ms..5ms", "--user", long},
		{"wait", "--prepare", "--instance", long, "--interval", "1ms..5ms"},
		{"prepare", "--instance", "phone-1", "--instance", "phone-1"},
		{"progress", "--instance", long},
		{"status", "--instance", long},
		{"token", "--instance", long},
		{"stop", "--instance", long},
		{"release", "--instance", long},
	}
	for _, args := range tests {
		args = append(append([]string{args[0]}, against(t, srv)...), args[1:]...) // the last --user wins
		r := runCLI(t, context.Background(), args...)
		assert.Equal(t, exitUsage, r.code, "%v: stdout %q", args, r.stdout)
		assert.NotContains(t, r.stdout, "ready", args)
		assert.Regexp(t, `--(instance|user)`, r.stderr, "%v: the message names the flag", args)

		r = runCLI(t, context.Background(), append(args, "--json")...)
		assert.Equal(t, exitUsage, r.code, "%v --json", args)
		evs := events(t, r.stdout)
		require.Len(t, evs, 1, "%v --json", args)
		assert.Equal(t, "error", evs[0]["event"], args)
		assert.EqualValues(t, exitUsage, evs[0]["exit_code"], args)
	}
	assert.Empty(t, srv.Requests(), "nothing is sent")
}

// TestJSONReportsFlagAndCommandErrors: with --json, a bad flag or command
// is an error event on stdout too.
func TestJSONReportsFlagAndCommandErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args    []string
		command string
		want    string
	}{
		{[]string{"launch", "--json"}, "launch", `unknown command "launch"`},
		{[]string{"wait", "--json", "--bogus"}, "wait", "unknown flag: --bogus"},
		{[]string{"wait", "--bogus", "--json"}, "wait", "unknown flag: --bogus"},
		{[]string{"progress", "--json", "--interval", "x"}, "progress", "unknown flag: --interval"},
		{[]string{"wait", "--json", "--interval", "5s..1s"}, "wait", "want MIN..MAX"},
		{[]string{"--json"}, "", "want a command"}, // printed only the help, on stderr
		{[]string{"--jq", "."}, "", "want a command"},
	}
	for _, tt := range tests {
		r := runCLI(t, context.Background(), tt.args...)
		assert.Equal(t, exitUsage, r.code, tt.args)
		evs := events(t, r.stdout)
		require.Len(t, evs, 1, tt.args)
		assert.Equal(t, map[string]any{"event": "error", "command": tt.command, "exit_code": float64(exitUsage), "error": evs[0]["error"]}, evs[0], tt.args)
		assert.Contains(t, evs[0]["error"], tt.want, tt.args)
		assert.NotEmpty(t, r.stderr, "the message is on stderr too")
	}
	r := runCLI(t, context.Background(), "wait", "--bogus")
	assert.Empty(t, r.stdout, "no JSON without --json")

	// With --jq, a flag or argument refused before --jq was compiled printed
	// the raw error event, which ID=$(koophone … --jq EXPR) captured as a value.
	for _, args := range [][]string{
		{"status", "--simulate", "--instance", "p-1", "--jq", ".exit_code", "--bogus"},
		{"status", "--bogus", "--jq=.exit_code"},
		{"--jq", ".exit_code", "launch"},
		{"status", "--simulate", "--instance", "p-1", "extra", "--jq", ".exit_code"},
		{"version", "--simulate", "--jq", ".exit_code"},
		{"task", "--jq", ".exit_code"},
	} {
		r := runCLI(t, context.Background(), args...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Equal(t, "2\n", r.stdout, args)
	}
	r = runCLI(t, context.Background(), "status", "--bogus", "--json", "--jq", ".[")
	assert.Empty(t, r.stdout, "a bad --jq: no JSON it would not have made")
}

// TestTimeoutNamesTheTimeSpent: a wait that times out says how long it
// waited, not only the budget. The fake holds the poll until the wait gives
// up on it, so the wait runs out of --timeout however fast or slow the
// machine is (a slow one only names a longer time), and never stops early.
func TestTimeoutNamesTheTimeSpent(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	args := append([]string{"wait", "--instance", "phone-1", "--timeout", "50ms"}, against(t, srv)...)
	srv.FailNext(1, koophonetest.Latency(time.Hour))
	r := runCLI(t, context.Background(), args...)
	assert.Equal(t, exitTimeout, r.code, r.stderr)
	m := regexp.MustCompile(`^phone-1\tunknown\tkoophone: timed out after (` + anyDuration + `) \(--timeout 50ms\)\n$`).FindStringSubmatch(r.stdout)
	require.NotNil(t, m, r.stdout)
	spent, err := time.ParseDuration(m[1])
	require.NoError(t, err)
	assert.GreaterOrEqual(t, spent, 50*time.Millisecond)

	srv.FailNext(1, koophonetest.Latency(time.Hour))
	r = runCLI(t, context.Background(), append(args, "--json", "--quiet")...)
	assert.Equal(t, exitTimeout, r.code, r.stderr)
	evs := events(t, r.stdout)
	require.Len(t, evs, 1)
	assert.GreaterOrEqual(t, evs[0]["elapsed_ms"], float64(50))
}

// TestHelpListsOnlyPossibleExitCodes: a command's help lists the exit
// codes it can return and no other, and "koophone help" lists every
// command.
func TestHelpListsOnlyPossibleExitCodes(t *testing.T) {
	t.Parallel()
	for cmd, want := range map[string]string{
		"wait":           "Exit codes: 0 ok · 1 an instance failed to prepare · 2 usage error · 3 API or network error · 4 timed out · 5 authentication failed · 130 interrupted\n",
		"progress":       "Exit codes: 0 ok · 2 usage error · 3 API or network error · 5 authentication failed · 130 interrupted\n",
		"token":          "Exit codes: 0 ok · 2 usage error · 3 API or network error · 5 authentication failed · 130 interrupted\n",
		"version":        "Exit codes: 0 ok · 2 usage error\n",
		"instances list": "Exit codes: 0 ok · 2 usage error · 3 API or network error · 5 authentication failed · 130 interrupted\n",
		"create":         "Exit codes: 0 ok · 2 usage error · 3 API or network error · 5 authentication failed · 130 interrupted\n",
		"reboot":         "Exit codes: 0 ok · 2 usage error · 3 API or network error · 5 authentication failed · 130 interrupted\n",
		"task wait":      "Exit codes: 0 ok · 1 a job failed · 2 usage error · 3 API or network error · 4 timed out · 5 authentication failed · 130 interrupted\n",
		"video template": "Exit codes: 0 ok · 2 usage error\n",
	} {
		r := runCLI(t, context.Background(), append(strings.Fields(cmd), "--help")...)
		assert.Equal(t, exitOK, r.code, cmd)
		assert.Contains(t, r.stdout, want, cmd)
		assert.Contains(t, r.stdout, "Usage:\n  koophone "+cmd+" [flags]", cmd)
	}
	r := runCLI(t, context.Background(), "help")
	for _, name := range []string{"wait", "prepare", "progress", "status", "token", "stop", "release", "instances list",
		"apps list", "apps install", "skus", "create", "delete", "assign", "unassign", "reset", "reboot", "backup",
		"exec", "task get", "task wait", "video set", "video template", "version"} {
		assert.Contains(t, r.stdout, "  "+name+" ", "help lists every command")
	}
}

// TestSimulateRefusesEndpointAndTokenFile: --simulate would ignore them,
// so it refuses them.
func TestSimulateRefusesEndpointAndTokenFile(t *testing.T) {
	t.Parallel()
	for _, extra := range [][]string{{"--endpoint", "https://example.com"}, {"--token-file", tokenFile(t, secretToken)}} {
		args := append([]string{"progress", "--simulate", "--user", "demo", "--instance", "phone-1"}, extra...)
		r := runCLI(t, context.Background(), args...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Contains(t, r.stderr, "--simulate", args)
		assert.Empty(t, r.stdout, args)
	}
}

// TestPlainHTTPToARemoteHostIsAUsageError: the SDK refuses it before
// sending; that is the command line's fault, not the service's.
func TestPlainHTTPToARemoteHostIsAUsageError(t *testing.T) {
	t.Parallel()
	r := runCLI(t, context.Background(), "progress", "--endpoint", "http://koophone.example", "--token-file", tokenFile(t, secretToken),
		"--user", "u", "--instance", "phone-1")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "plain http")
}

// TestMessagesDoNotStutter: "koophone progress: " is not followed by
// another "koophone: ".
func TestMessagesDoNotStutter(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	r := runCLI(t, context.Background(), append([]string{"progress", "--instance", "phone-404"}, against(t, srv)...)...)
	assert.Equal(t, exitAPI, r.code)
	assert.True(t, strings.HasPrefix(r.stderr, "koophone progress: ShowProgress: KOOPHONE.API.4001"), r.stderr)
	assert.NotContains(t, r.stderr, "koophone: ")

	r = runCLI(t, context.Background(), "progress", "--user", strings.Repeat("u", 33), "--instance", "phone-1")
	assert.True(t, strings.HasPrefix(r.stderr, "koophone progress: --user has 33 characters"), r.stderr)
}

// TestRequestTimeoutIsANetworkError: --request-timeout bounds each attempt,
// and a call whose attempts all time out exits 3, not 4 (which is a wait
// running out of --timeout).
func TestRequestTimeoutIsANetworkError(t *testing.T) {
	t.Parallel()
	stall := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // then the server sees the client hang up
		<-r.Context().Done()               // until the client gives up on the attempt
	}))
	t.Cleanup(stall.Close)
	r := runCLI(t, context.Background(), "progress", "--endpoint", stall.URL, "--token-file", tokenFile(t, secretToken),
		"--user", "u", "--instance", "phone-1", "--request-timeout", "20ms")
	assert.Equal(t, exitAPI, r.code, r.stderr)
	assert.Contains(t, r.stderr, "koophone progress: ShowProgress: ")
}

// A bad --request-timeout is a usage error with --simulate too, never a
// panic, also with --json.
func TestBadRequestTimeoutWithSimulate(t *testing.T) {
	t.Parallel()
	for _, extra := range [][]string{nil, {"--json"}, {"--request-timeout", "0"}} {
		args := append([]string{"progress", "--simulate", "--user", "u", "--instance", "i", "--request-timeout", "-1ns"}, extra...)
		r := runCLI(t, context.Background(), args...)
		assert.Equal(t, exitUsage, r.code, r.stderr)
		assert.Contains(t, r.stderr+r.stdout, "--request-timeout", "0 is no more a limit than -1ns: the help says the default is 30s")
	}
}

func TestTimedOutNamesTheTimeSpent(t *testing.T) {
	t.Parallel()
	timeout := durationFlag(10 * time.Second)
	for _, tc := range []struct {
		spent time.Duration
		want  string
	}{
		{0, "stopped waiting after less than 1ms, before --timeout 10s ran out"},
		{400 * time.Microsecond, "stopped waiting after less than 1ms, before --timeout 10s ran out"},
		{1600 * time.Microsecond, "stopped waiting after 2ms, before --timeout 10s ran out"},
		{10 * time.Second, "timed out after 10s (--timeout 10s)"},
	} {
		assert.True(t, strings.HasPrefix(timedOut(tc.spent, timeout), tc.want), "%v: %s", tc.spent, timedOut(tc.spent, timeout))
	}
}
