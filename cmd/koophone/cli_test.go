package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// runStdin runs the CLI with stdin as its standard input.
func runStdin(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &stdout, &stderr)
	return result{code, stdout.String(), stderr.String()}
}

func TestHelpOnEveryGroupAndCommand(t *testing.T) {
	t.Parallel()
	for group, subs := range map[string][]string{"task": {"get", "wait"}, "apps": {"list", "install"},
		"video": {"set", "template"}, "instances": {"list"}} {
		for _, args := range [][]string{{group, "--help"}, {"help", group}} {
			r := runCLI(t, context.Background(), args...)
			assert.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
			for _, sub := range subs {
				assert.Contains(t, r.stdout, "  "+sub+" ", args)
			}
		}
	}
	for _, args := range [][]string{{"help", "wait"}, {"wait", "-h"}, {"help", "task", "get"}} {
		r := runCLI(t, context.Background(), args...)
		assert.Equal(t, exitOK, r.code, args)
		name := strings.Join(slices.DeleteFunc(slices.Clone(args), func(a string) bool { return a == "help" || a == "-h" }), " ")
		assert.Contains(t, r.stdout, "Usage:\n  koophone "+name+" [flags]", args)
		assert.NotContains(t, r.stdout, "Commands:\n  prepare", "%v: not the general help", args)
	}
	for args, want := range map[string]string{"help wiat": `koophone: unknown command "wiat" (did you mean wait?)`,
		"help task gte": `koophone task: unknown command "gte" for "koophone task" (did you mean get?)`} {
		r := runCLI(t, context.Background(), strings.Fields(args)...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Contains(t, r.stderr, want, args)
	}
	r := runCLI(t, context.Background(), "exec", "--help")
	assert.Contains(t, r.stdout, "      --instance id ", "--flag style, with the value's type")
	assert.Contains(t, r.stdout, "      --endpoint string ", "the global flags too")
}

func TestGlobalFlagsInAnyPosition(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"--simulate", "status", "--instance", "phone-1"},
		{"--simulate", "--user", "demo", "--json", "prepare", "--instance", "phone-1"},
		{"prepare", "--simulate", "--instance", "phone-1", "--user", "demo"},
		{"--quiet", "--simulate", "task", "get"},
	} {
		r := runCLI(t, context.Background(), args...)
		assert.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
		assert.NotEmpty(t, r.stdout, args)
	}
}

// TestEveryProblemAtOnce: a command reports every bad flag in one message.
func TestEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"wait", "--timeout", "0s", "--concurrency", "0"},
			"--timeout 0s must be positive; --concurrency 0 must be at least 1; --user is required (or set KOOPHONE_USER_ID); --instance is required (repeat it for more instances)"},
		{[]string{"reset", "--timeout", "1s"}, "--instance is required (1 to 100 times; 0 given); --timeout needs --wait"},
	} {
		r := runCLI(t, context.Background(), append(tt.args, "--simulate")...)
		assert.Equal(t, exitUsage, r.code, tt.args)
		assert.Contains(t, r.stderr, tt.want, tt.args)
	}
}

// TestUnknownFlagIsOneLine: a bad flag is one line on stderr, not the
// usage.
func TestUnknownFlagIsOneLine(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"wait", "--bogus"}, {"--bogus", "wait"}, {"task", "get", "--bogus"}} {
		r := runCLI(t, context.Background(), args...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%v: %q", args, r.stderr)
		assert.Contains(t, r.stderr, "unknown flag: --bogus", args)
	}
}

func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		r := runCLI(t, context.Background(), "completion", shell)
		assert.Equal(t, exitOK, r.code, shell)
		assert.Contains(t, r.stdout, "koophone", shell)
	}
	r := runCLI(t, context.Background(), "__complete", "ta")
	assert.Contains(t, r.stdout, "task\t", "what a shell asks for when the user presses tab")
}

// TestCompletionWithoutAShellIsAUsageError: "koophone completion" alone or
// with a shell it does not know printed its help on stdout and exited 0,
// so `source <(koophone completion bahs)` sourced the help text.
func TestCompletionWithoutAShellIsAUsageError(t *testing.T) {
	t.Parallel()
	for args, want := range map[string]string{
		"completion":      "koophone completion: want a subcommand: completion bash, completion zsh, completion fish, completion powershell",
		"completion bahs": `koophone completion: unknown command "bahs" for "koophone completion" (did you mean bash?)`,
	} {
		r := runCLI(t, context.Background(), strings.Fields(args)...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Empty(t, r.stdout, args)
		assert.Equal(t, want+" (see koophone completion --help)\n", r.stderr, args)
		r = runCLI(t, context.Background(), append(strings.Fields(args), "--json")...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Equal(t, "error", events(t, r.stdout)[0]["event"], args)
	}
}

func TestJQ(t *testing.T) {
	t.Parallel()
	r := runCLI(t, context.Background(), "--simulate", "exec", "--async", "--jq", ".task_id", "--instance", "phone-1", "--", "ls")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, `^CMD_[0-9a-f]{32}\n$`, r.stdout, "one raw line: TASK=$(...) needs no head")

	r = runCLI(t, context.Background(), "instances", "list", "--simulate", "--all", "--jq", `select(.event == "instance") | .instance_id`)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "fleet-00001\nfleet-00002\nfleet-00003\nfleet-00004\nfleet-00005\n", r.stdout)

	r = runCLI(t, context.Background(), "version", "--jq", "{v: .version, ok}")
	assert.Equal(t, exitOK, r.code, r.stderr)
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &v))
	assert.Equal(t, true, v["ok"])

	srv := fake(t, "phone-1")
	r = runCLI(t, context.Background(), append([]string{"progress", "--instance", "phone-1", "--jq", ".["}, against(t, srv)...)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `--jq ".[":`)
	assert.Empty(t, srv.Requests(), "a bad expression sends nothing")
	// An empty expression ("$EXPR" unset) printed text, as if --jq were not there.
	for _, args := range [][]string{{"status", "--instance", "phone-1", "--jq", ""}, {"status", "--instance", "phone-1", "--jq="}} {
		r = runCLI(t, context.Background(), append(args, against(t, srv)...)...)
		assert.Equal(t, exitUsage, r.code, args)
		assert.Contains(t, r.stderr, `--jq "": missing query`, args)
		assert.Empty(t, r.stdout, args)
	}
	assert.Empty(t, srv.Requests(), "an empty expression sends nothing")

	r = runCLI(t, context.Background(), append([]string{"progress", "--instance", "phone-404", "--jq", ".exit_code"}, against(t, srv)...)...)
	assert.Equal(t, exitAPI, r.code)
	assert.Equal(t, "3\n", r.stdout, "the error event goes through the expression too")

	// halt ends the output, as jq's does, without failing the command; it was
	// an error ("halt error: null", exit 2).
	r = runCLI(t, context.Background(), "instances", "list", "--simulate", "--jq", `select(.event == "instance") | .instance_id, halt`)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "fleet-00001\n", r.stdout)
	for _, expr := range []string{"halt_error", "null | halt_error", `"x" | halt_error(0)`} {
		r = runCLI(t, context.Background(), "version", "--jq", expr)
		assert.Equal(t, exitUsage, r.code, "%s fails the command", expr)
		assert.Contains(t, r.stderr, "halt error", expr)
	}

	r = runCLI(t, context.Background(), "version", "--jq", `error("boom")`)
	assert.Equal(t, exitUsage, r.code, "an expression that fails on the output fails the command")
	assert.Contains(t, r.stderr, "boom")
}

func TestInstancesFromStandardInput(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1", "phone-2", "phone-3")
	r := runStdin(t, "phone-1\n\n  phone-2 \r\n", append([]string{"status", "--instance", "phone-3", "--instance", "-"}, at(t, srv)...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Regexp(t, "^phone-3\t[^\n]+\nphone-1\t[^\n]+\nphone-2\t[^\n]+\n$", r.stdout, "the flag's id, then standard input's")

	ids := strings.Repeat("phone-1\n", 101)
	for _, tt := range []struct {
		stdin string
		extra []string
		want  string
	}{
		{"", nil, "--instance -: standard input holds no id"},
		{ids, nil, "--instance: at most 100 instances in one call; 101 given (run it once per 100)"},
		{strings.Repeat("x", 70000), nil, "--instance -: a line of standard input is longer than 65536 bytes"},
		{strings.Repeat("phone-1\n", 200000), nil, "--instance -: cannot read standard input (at most 1048576 bytes"},
		{"phone-1\n", []string{"--token-file=-"}, "--instance - and --token-file - both read standard input: give one"},
	} {
		args := append([]string{"status", "--instance", "-", "--endpoint", srv.URL}, tt.extra...)
		r = runStdin(t, tt.stdin, args...)
		assert.Equal(t, exitUsage, r.code, tt.want)
		assert.Contains(t, r.stderr, tt.want)
	}
	assert.Len(t, srv.Requests(), 1, "a usage error sends nothing")
}

// TestExecCommandIsVerbatim: everything from the first word that is not
// one of exec's flags, or after the first --, is the command exactly.
func TestExecCommandIsVerbatim(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"rm", "--", "-rf", "/sdcard/x"}, "rm -- -rf /sdcard/x"},
		{[]string{"--", "rm", "--", "-rf", "/sdcard/x"}, "rm -- -rf /sdcard/x"},
		{[]string{"echo", "--quiet"}, "echo --quiet"},
		{[]string{"--", "--", "x"}, "-- x"},
	} {
		r := runCLI(t, context.Background(), append(append(at(t, srv), "exec", "--instance", "phone-1"), tt.args...)...)
		assert.Equal(t, exitOK, r.code, "%v: %s", tt.args, r.stderr)
		var body struct {
			Command string `json:"command"`
		}
		reqs := srv.Requests()
		require.NoError(t, json.Unmarshal(reqs[len(reqs)-1].Body, &body))
		assert.Equal(t, tt.want, body.Command, tt.args)
	}
}

// TestVideoTemplateRoundTrips: what video template prints, as text or
// --json, video set takes back; anything after the one JSON value is a
// usage error.
func TestVideoTemplateRoundTrips(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	text := runCLI(t, context.Background(), "video", "template").stdout
	asJSON := runCLI(t, context.Background(), "video", "template", "--json").stdout
	for _, file := range []string{text, asJSON, " \n" + asJSON + "\n\n"} {
		r := runStdin(t, file, append(at(t, srv), "video", "set", "--instance", "phone-1", "--file", "-")...)
		assert.Equal(t, exitOK, r.code, r.stderr)
	}
	sent := len(srv.Requests())
	for file, want := range map[string]string{
		text + text:                       "data after the settings, at byte",
		text + "x":                        "data after the settings",
		asJSON + `{"x":1}`:                "data after the settings",
		`{"settings":[],"x":1}`:           `unknown field "x"`,
		`[{"Network":"WIFI"}]`:            `unknown field "Network"`,
		strings.Repeat(" ", 1<<20) + "[]": "more than 1048576 bytes",
		"":                                "--file -: it is empty: want the JSON that video template prints",
		" \n":                             "--file -: it is empty",
		"[":                               "--file -: it ends in the middle of the JSON",
	} {
		r := runStdin(t, file, append(at(t, srv), "video", "set", "--instance", "phone-1", "--file", "-")...)
		assert.Equal(t, exitUsage, r.code, want)
		assert.Contains(t, r.stderr, want)
	}
	assert.Len(t, srv.Requests(), sent, "a usage error sends nothing")
}

// TestShortTimeoutSaysWhatHappened: a wait whose next poll cannot finish
// within --timeout stops early, and says so.
func TestShortTimeoutSaysWhatHappened(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	srv.Script("phone-1", koophone.PrepareQueuing)
	r := runCLI(t, context.Background(), append([]string{"wait", "--instance", "phone-1", "--timeout", "10s", "--interval", "1m"}, against(t, srv)...)...)
	assert.Equal(t, exitTimeout, r.code, r.stderr)
	assert.Regexp(t, `^phone-1\tqueuing\tkoophone: stopped waiting after (?:`+anyDuration+`), before --timeout 10s ran out: the next poll could not have finished in time`, r.stdout)
}

// TestPlainHTTPIsRefusedUpFront: plain http to a remote host is a usage
// error that names where the endpoint came from, before anything starts.
func TestPlainHTTPIsRefusedUpFront(t *testing.T) {
	t.Parallel()
	r := runCLI(t, context.Background(), "wait", "--endpoint", "http://user:pw@koophone.example/x?k=v", "--token-file", tokenFile(t, secretToken),
		"--user", "u", "--instance", "phone-1", "--json")
	assert.Equal(t, exitUsage, r.code, r.stderr)
	assert.Contains(t, r.stderr, "koophone wait: --endpoint: plain http to koophone.example: endpoints must be https")
	assert.NotContains(t, r.stdout+r.stderr, "pw", "the endpoint's credentials are not quoted")
	assert.NotContains(t, r.stdout, "poll", "no instance was polled")
}

// TestDumbTerminalGetsPlainLines: TERM=dumb moves no cursor. It sets the
// environment, so it does not run in parallel.
func TestDumbTerminalGetsPlainLines(t *testing.T) {
	t.Setenv("TERM", "dumb")
	srv := fake(t, "phone-1")
	var stdout bytes.Buffer
	var stderr terminal
	code := run(context.Background(), append(append([]string{"wait", "--prepare", "--instance", "phone-1"}, fast...), against(t, srv)...),
		strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, exitOK, code)
	assert.NotContains(t, stderr.String(), "\x1b", "no escape sequence")
	assert.NotContains(t, stderr.String(), "\r")
	assert.Contains(t, stderr.String(), "phone-1: ready")
}

// TestSimulatedUnassignFails: under --simulate an instance whose id
// contains "fail" fails its job for unassign too.
func TestSimulatedUnassignFails(t *testing.T) {
	t.Parallel()
	r := runCLI(t, context.Background(), append([]string{"--simulate", "unassign", "--pair", "u:will-fail", "--pair", "u:phone-1", "--wait"}, fast...)...)
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stderr, "1 of 2 jobs failed")
}

// firstWrite is a writer that records what fn returns when it is first
// written to.
type firstWrite struct {
	bytes.Buffer
	fn   func() int
	seen int
}

func (w *firstWrite) Write(p []byte) (int, error) {
	if w.Len() == 0 {
		w.seen = w.fn()
	}
	return w.Buffer.Write(p)
}

// TestListAllStreams: instances list --all prints each page's rows before
// it asks for the next page, in text and JSON.
func TestListAllStreams(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithFleet(250))
	for _, extra := range [][]string{nil, {"--json"}} {
		before := len(srv.Requests())
		stdout := &firstWrite{fn: func() int { return len(srv.Requests()) - before }}
		var stderr bytes.Buffer
		code := run(context.Background(), append(append(at(t, srv), "instances", "list", "--all"), extra...), strings.NewReader(""), stdout, &stderr)
		assert.Equal(t, exitOK, code, stderr.String())
		assert.Equal(t, 1, stdout.seen, "%v: the first row is printed after the first page", extra)
		assert.Equal(t, 3, len(srv.Requests())-before, extra)
		assert.Equal(t, 250+len(extra), strings.Count(stdout.String(), "\n"), extra)
	}
}

// TestCtrlCWhileReadingStandardInput: `--instance -` (or --token-file -,
// --file -) with nothing on standard input (a terminal, a pipe nobody
// writes) ignored Ctrl-C, the first and every other: the read never
// returned. It exits 130 and sends nothing.
// enteredReader closes entered once a Read of it has begun.
type enteredReader struct {
	r       io.Reader
	entered chan struct{}
	once    sync.Once
}

func (e *enteredReader) Read(p []byte) (int, error) {
	e.once.Do(func() { close(e.entered) })
	return e.r.Read(p)
}

func TestCtrlCWhileReadingStandardInput(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"status", "--instance", "-"},
		{"status", "--instance", "phone-1", "--token-file", "-"},
		{"video", "set", "--instance", "phone-1", "--file", "-"},
	} {
		srv := fake(t, "phone-1")
		pipe, writer := io.Pipe()
		t.Cleanup(func() { writer.Close() }) // ends the read left behind
		stdin := &enteredReader{r: pipe, entered: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		var stdout, stderr syncBuffer
		done := make(chan int, 1)
		go func() {
			done <- run(ctx, append(args, "--endpoint", srv.URL), stdin, &stdout, &stderr)
		}()
		<-stdin.entered
		cancel() // Ctrl-C while the command reads
		var code int
		select {
		case code = <-done:
		case <-time.After(safetyNet):
			t.Fatalf("%v: still reading standard input a minute after Ctrl-C", args)
		}
		assert.Equal(t, exitInterrupted, code, "%v: %s", args, stderr.String())
		assert.Contains(t, stderr.String(), "interrupted while reading standard input", args)
		assert.Empty(t, srv.Requests(), args)
	}
}
