package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var update = flag.Bool("update", false, "rewrite the golden files")

const secretToken = "cli-S3CR3T-token-77"

// fake starts a fake service that knows user-1's instances and accepts secretToken.
func fake(t *testing.T, ids ...string) *koophonetest.Server {
	t.Helper()
	return fakeWith(t, koophonetest.WithInstances("user-1", ids...))
}

// fakeWith starts a fake service with opts that accepts secretToken.
func fakeWith(t *testing.T, opts ...koophonetest.Option) *koophonetest.Server {
	t.Helper()
	srv := koophonetest.NewServer(append([]koophonetest.Option{koophonetest.WithToken(secretToken)}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// tokenFile writes the token to a file and returns its path.
func tokenFile(t *testing.T, token string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(path, []byte(token+"\n"), 0o600))
	return path
}

// result is one run of the CLI.
type result struct {
	code           int
	stdout, stderr string
}

// terminal is a buffer that says it is a terminal.
type terminal struct{ bytes.Buffer }

func (*terminal) IsTerminal() bool { return true }

func runCLI(t *testing.T, ctx context.Context, args ...string) result {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	r := result{code, stdout.String(), stderr.String()}
	for _, s := range []string{r.stdout, r.stderr} {
		assert.NotContains(t, s, secretToken, "the token is never printed")
		assert.NotContains(t, s, "goroutine ", "no stack trace")
	}
	return r
}

// against returns the flags that point the CLI at srv, as user-1.
func against(t *testing.T, srv *koophonetest.Server) []string {
	return append(at(t, srv), "--user", "user-1")
}

// at returns the flags that point the CLI at srv, without a user.
func at(t *testing.T, srv *koophonetest.Server) []string {
	return []string{"--endpoint", srv.URL, "--token-file", tokenFile(t, secretToken)}
}

var (
	requestIDs = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	millis     = regexp.MustCompile(`"(elapsed_ms|next_delay_ms)":\d+`)
	seconds    = regexp.MustCompile(`after \d+\.\ds`)
)

// golden compares output with testdata/name.golden, with the request ids
// and times that change from run to run masked.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = requestIDs.ReplaceAllString(got, "<request-id>")
	got = millis.ReplaceAllString(got, `"$1":<ms>`)
	got = seconds.ReplaceAllString(got, "after <s>")
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

func TestVersionAndHelp(t *testing.T) {
	t.Parallel()
	r := runCLI(t, context.Background(), "version")
	assert.Equal(t, 0, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "koophone "+koophone.Version+" "), r.stdout)
	r = runCLI(t, context.Background(), "--version")
	assert.Equal(t, exitOK, r.code)
	assert.True(t, strings.HasPrefix(r.stdout, "koophone "+koophone.Version+" "), r.stdout)
	r = runCLI(t, context.Background(), "version", "--json")
	assert.Contains(t, r.stdout, `"version":"`+koophone.Version+`"`)

	r = runCLI(t, context.Background(), "help")
	assert.Equal(t, 0, r.code)
	assert.Contains(t, r.stdout, "Exit codes:")
	for _, cmd := range []string{"prepare", "progress", "wait"} {
		r = runCLI(t, context.Background(), cmd, "--help")
		assert.Equal(t, 0, r.code, cmd)
		assert.Contains(t, r.stdout, "Examples:\n  koophone "+cmd, cmd)
		assert.Contains(t, r.stdout, "130 interrupted", cmd)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "Usage:"}, // main passes os.Args[1:], never nil: with nil, cobra would read the test binary's own flags
		{[]string{"launch"}, `unknown command "launch"`},
		{[]string{"--simulate", "--", "status"}, `koophone status: the command comes after "--"`}, // was: "status" (did you mean status?)
		{[]string{"wait", "--user", "u"}, "--instance is required"},
		{[]string{"progress", "--user", "u", "--instance", "a", "--instance", "b"}, "--instance takes one instance here; 2 given"},
		{[]string{"wait", "--user", "u", "--instance", "a", "--interval", "5s..1s"}, `invalid argument "5s..1s" for "--interval" flag: want MIN..MAX`},
		{[]string{"wait", "--user", "u", "--instance", "a", "--timeout", "0s"}, "--timeout 0s must be positive"},
		{[]string{"wait", "--user", "u", "--instance", "a", "--concurrency", "0"}, "--concurrency 0 must be at least 1"},
		{[]string{"wait", "--token", "abc"}, "unknown flag: --token"},
		{[]string{"progress", "--user", "u", "--instance", "a", "extra"}, `unexpected argument "extra"`},
		{[]string{"progress", "--user", "u", "--instance", "a", "--endpoint", "ftp://x", "--token-file", tokenFile(t, "t")}, `invalid parameter: endpoint "ftp://x"`},
		{[]string{"progress", "--user", "u", "--instance", "a", "--token-file", filepath.Join(t.TempDir(), "none")}, "--token-file: cannot open"},
		{[]string{"progress", "--user", "u", "--instance", "a", "--token-file", tokenFile(t, " ")}, "--token-file: the token is empty"},
		// Cut at 64 KiB, a file of 64 KiB and more was sent as a token.
		{[]string{"progress", "--user", "u", "--instance", "a", "--endpoint", srv.URL, "--token-file", tokenFile(t, strings.Repeat("A", 64<<10))},
			"--token-file: more than 64 KiB: want a file that holds only the token"},
	}
	for _, tt := range tests {
		r := runCLI(t, context.Background(), tt.args...)
		assert.Equal(t, exitUsage, r.code, "%v", tt.args)
		assert.Contains(t, r.stderr, tt.want, "%v", tt.args)
	}
	assert.Empty(t, srv.Requests(), "a usage error sends nothing")
}

// TestMissingCredentials clears the environment, so it does not run in parallel.
func TestMissingCredentials(t *testing.T) {
	for _, k := range []string{"KOOPHONE_TOKEN", "HUAWEICLOUD_SDK_AK", "HUAWEICLOUD_SDK_SK", "KOOPHONE_IAM_USER", "KOOPHONE_IAM_PASSWORD", "KOOPHONE_USER_ID", "KOOPHONE_ENDPOINT"} {
		t.Setenv(k, "")
	}
	r := runCLI(t, context.Background(), "progress", "--user", "u", "--instance", "i")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "no credentials in the environment: looked for KOOPHONE_TOKEN")

	srv := fake(t, "phone-1")
	for _, args := range [][]string{{"wait", "--instance", "phone-1"}, {"assign", "--instance", "phone-1"}} {
		r = runCLI(t, context.Background(), append(args, at(t, srv)...)...)
		assert.Equal(t, exitUsage, r.code, "%v: --instance needs --user", args)
		assert.Contains(t, r.stderr, "--user is required", args)
	}
	assert.Empty(t, srv.Requests(), "a usage error sends nothing")

	t.Setenv("KOOPHONE_TOKEN", secretToken)
	t.Setenv("KOOPHONE_USER_ID", "user-1")
	t.Setenv("KOOPHONE_ENDPOINT", srv.URL)
	r = runCLI(t, context.Background(), "progress", "--instance", "phone-1")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "phone-1\tready\twaitingCount=0\n", r.stdout)
}

func TestPrepareAndProgress(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1", "phone-2")
	r := runCLI(t, context.Background(), append([]string{"prepare", "--instance", "phone-1", "--instance", "phone-2"}, against(t, srv)...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "prepare.txt", r.stdout)

	r = runCLI(t, context.Background(), append([]string{"progress", "--instance", "phone-1"}, against(t, srv)...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "progress.txt", r.stdout)

	r = runCLI(t, context.Background(), append([]string{"progress", "--json", "--instance", "phone-2"}, against(t, srv)...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "progress.json", r.stdout)

	r = runCLI(t, context.Background(), append([]string{"prepare", "--json", "--instance", "phone-1"}, against(t, srv)...)...)
	golden(t, "prepare.json", r.stdout)
	assert.Empty(t, r.stderr)
}

func TestTokenFromStandardInput(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"progress", "--endpoint", srv.URL, "--token-file", "-", "--user", "user-1", "--instance", "phone-1"},
		strings.NewReader(secretToken+"\n"), &stdout, &stderr)
	assert.Equal(t, exitOK, code, stderr.String())
	assert.NotContains(t, stdout.String()+stderr.String(), secretToken)
}

var fast = []string{"--interval", "1ms..5ms"}

// anyDuration matches a time spent as the CLI names it, however fast or
// slow the machine: "less than 1ms", "7ms", "1.234s", "1m2.5s".
const anyDuration = `less than 1ms|(?:\d+h)?(?:\d+m)?\d+(?:\.\d+)?(?:ms|s)`

// safetyNet bounds a wait for what must happen (a first poll), so that a
// bug fails the test instead of hanging it. It is never what a test
// measures, and a slow machine only makes the wait longer: it is generous.
const safetyNet = time.Minute

func TestWaitAllReady(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1", "phone-2")
	args := append(append([]string{"wait", "--prepare", "--instance", "phone-1", "--instance", "phone-2"}, fast...), against(t, srv)...)
	r := runCLI(t, context.Background(), args...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "wait.txt", r.stdout)
	golden(t, "wait.stderr.txt", sortLines(r.stderr))
}

// sortLines sorts the lines of s: the two instances' lines interleave in
// any order.
func sortLines(s string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

func TestWaitJSON(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	srv.Script("phone-1", koophone.PrepareQueuing, koophone.PrepareStatus(9), koophone.PrepareReady)
	r := runCLI(t, context.Background(), append(append([]string{"wait", "--json", "--instance", "phone-1"}, fast...), against(t, srv)...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "wait.json", r.stdout)
	assert.Empty(t, r.stderr)
}

func TestWaitExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  func(srv *koophonetest.Server)
		extra  []string
		code   int
		stdout string
	}{
		{"failed to prepare", func(s *koophonetest.Server) { s.Script("phone-1", koophone.PrepareQueuing, koophone.PrepareFailed) }, nil,
			exitFailed, "phone-1\tfailed\tkoophone: preparing the instance failed (status -1)"},
		{"timed out", func(s *koophonetest.Server) { s.Script("phone-1", koophone.PrepareQueuing) }, []string{"--timeout", "10s", "--interval", "1m"},
			exitTimeout, "--timeout 10s"},
		{"not found", func(*koophonetest.Server) {}, []string{"--instance", "phone-404"},
			exitAPI, "phone-404\tunknown\tkoophone: ShowProgress: KOOPHONE.API.4001"},
		{"no permission", func(s *koophonetest.Server) { s.AddInstance("someone-else", "phone-1") }, nil,
			exitAPI, "KOOPHONE.API.1001"},
		{"authentication failed", func(s *koophonetest.Server) {
			s.FailNext(1, koophonetest.APIError(401, koophone.CodeGatewayUnauthorized, "bad token"))
		}, nil,
			exitAuth, "APIGW.0301"},
		{"a business code with HTTP 401, as older versions send it", func(s *koophonetest.Server) {
			s.FailNext(1, koophonetest.APIError(401, koophone.CodeInstanceNotFound, "no such instance"))
		}, nil, exitAPI, "KOOPHONE.API.4001"},
		{"auth beats failure", func(s *koophonetest.Server) {
			s.Script("phone-1", koophone.PrepareFailed)
			s.FailNext(1, koophonetest.APIError(401, koophone.CodeGatewayUnauthorized, "bad token"))
		}, []string{"--instance", "phone-2", "--concurrency", "1"}, exitAuth, "phone-1\tunknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := fake(t, "phone-1", "phone-2")
			tt.setup(srv)
			args := append(append(append([]string{"wait", "--instance", "phone-1"}, fast...), against(t, srv)...), tt.extra...)
			r := runCLI(t, context.Background(), args...)
			assert.Equal(t, tt.code, r.code, "stdout %q stderr %q", r.stdout, r.stderr)
			assert.Contains(t, r.stdout, tt.stdout)
		})
	}
}

// syncBuffer is a buffer safe to read while the CLI writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestWaitInterrupted(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	srv.Script("phone-1", koophone.PrepareQueuing)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		args := append([]string{"wait", "--instance", "phone-1", "--interval", "1m", "--timeout", "1h"}, against(t, srv)...)
		done <- run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	}()
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.Contains(c, stderr.String(), "phone-1: queuing") }, safetyNet, time.Millisecond)
	cancel() // what Ctrl-C does through signal.NotifyContext
	assert.Equal(t, exitInterrupted, <-done)
	assert.Contains(t, stderr.String(), "interrupted; last status: phone-1 queuing")
	assert.Contains(t, stdout.String(), "phone-1\tqueuing\tkoophone: the wait was cancelled")
	assert.NotContains(t, stderr.String(), "goroutine ")
}

func TestWaitOnATerminal(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1", "phone-2")
	var stdout bytes.Buffer
	var stderr terminal
	args := append(append([]string{"wait", "--prepare", "--instance", "phone-1", "--instance", "phone-2"}, fast...), against(t, srv)...)
	code := run(context.Background(), args, strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stderr.String(), "\r\x1b[Kready 0 · waiting 2 · failed 0")
	assert.Contains(t, stderr.String(), "\r\x1b[Kready 2 · waiting 0 · failed 0\n")

	srv.Script("phone-1", koophone.PrepareQueuing, koophone.PrepareReady)
	stderr.Reset()
	code = run(context.Background(), append(append([]string{"wait", "--instance", "phone-1"}, fast...), against(t, srv)...),
		strings.NewReader(""), &stdout, &stderr)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stderr.String(), "\r\x1b[Kphone-1  queuing  waitingCount 0  attempt 1  ")
	assert.Contains(t, stderr.String(), "\r\x1b[Kphone-1  ready  waitingCount 0  attempt 2  ")
}

func TestQuiet(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	r := runCLI(t, context.Background(), append(append([]string{"wait", "--quiet", "--prepare", "--instance", "phone-1"}, fast...), against(t, srv)...)...)
	assert.Equal(t, exitOK, r.code)
	assert.Empty(t, r.stderr)
	assert.Equal(t, "phone-1\tready\n", r.stdout)
}

func TestSimulate(t *testing.T) {
	t.Parallel()
	r := runCLI(t, context.Background(), append([]string{"wait", "--simulate", "--user", "demo", "--instance", "phone-1", "--instance", "will-fail"}, fast...)...)
	assert.Equal(t, exitFailed, r.code, r.stderr)
	assert.Contains(t, r.stdout, "phone-1\tready\n")
	assert.Contains(t, r.stdout, "will-fail\tfailed\t")
	// phone-1 follows a timeline on the wall clock: which of its steps a
	// poll sees depends on the machine's speed (a slow one sees it ready at
	// once), so only its end is certain. will-fail's steps are scripted per
	// poll: every one is seen, in order.
	assert.Regexp(t, `(?m)^phone-1: ready \(waitingCount 0\) after `, r.stderr)
	assert.Regexp(t, `(?s)will-fail: queuing \(waitingCount 2\) after .*\nwill-fail: restoring \(waitingCount 0\) after .*\nwill-fail: failed \(waitingCount 0\) after `, r.stderr)

	r = runCLI(t, context.Background(), "prepare", "--simulate", "--json", "--user", "demo", "--instance", "phone-1")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, `"state":1,"state_name":"to-be-restored"`, "a prepare state, not a progress status")
}

// TestSimulatedInstancesQueueFirst: under --simulate, a prepared instance
// queues for three of the seed's paces (the wait's shortest interval), then
// restores for two: with a pace of an hour, its first poll sees it queuing
// however slow the machine is.
func TestSimulatedInstancesQueueFirst(t *testing.T) {
	t.Parallel()
	s := &session{g: globals{simulate: true, user: "demo", quiet: true}, getenv: func(string) string { return "" }}
	defer s.close()
	c, err := s.client(context.Background(), seed{ids: []string{"phone-1"}, prepared: true, pace: time.Hour})
	require.NoError(t, err)
	p, err := c.PrepareProgress(context.Background(), "demo", "phone-1")
	require.NoError(t, err)
	assert.Equal(t, koophone.PrepareQueuing, p.Status)
	assert.LessOrEqual(t, p.WaitingCount, 3*60*60, "three hours to go, one step a second")
	assert.Greater(t, p.WaitingCount, 2*60*60, "less what the machine took")
}

func TestJSONErrors(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1")
	r := runCLI(t, context.Background(), append([]string{"progress", "--json", "--instance", "phone-404"}, against(t, srv)...)...)
	assert.Equal(t, exitAPI, r.code)
	golden(t, "progress-error.json", r.stdout)
}

func TestStreamingCommands(t *testing.T) {
	t.Parallel()
	srv := fake(t, "phone-1", "phone-2")
	srv.Script("phone-1", koophone.PrepareReady)
	flags := at(t, srv) // endpoint and token file: these commands need no user

	r := runCLI(t, context.Background(), append([]string{"status", "--instance", "phone-1", "--instance", "phone-2"}, flags...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "phone-1\trunning\nphone-2\trunning\n", r.stdout)
	r = runCLI(t, context.Background(), append([]string{"status", "--instance", "phone-1", "--jq", ".instances[0]"}, flags...)...)
	assert.JSONEq(t, `{"instance_id":"phone-1","status":2,"status_name":"running"}`, r.stdout, "JSON names the state too")

	r = runCLI(t, context.Background(), append([]string{"token", "--instance", "phone-1", "--stream-type", "h5"}, flags...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "device_id\tdevice-phone-1\n")
	assert.Contains(t, r.stdout, "external\taddress=203.0.113.10 address_ipv6=2001:db8::10 aport=8001 atype=1\n")
	assert.Contains(t, r.stdout, "streaming_duration_s\t3600\n")
	assert.Contains(t, r.stdout, "device_token\t(hidden: add --show-secret to print it)\n")
	assert.NotContains(t, r.stdout, "dt-", "the device token is a secret")
	assert.Equal(t, "stream_type=2", lastQuery(srv))

	r = runCLI(t, context.Background(), append([]string{"token", "--json", "--instance", "phone-1"}, flags...)...)
	assert.Equal(t, exitOK, r.code)
	assert.NotContains(t, r.stdout, "device_token")
	r = runCLI(t, context.Background(), append([]string{"token", "--json", "--show-secret", "--instance", "phone-1"}, flags...)...)
	assert.Contains(t, r.stdout, `"device_token":"dt-`)

	r = runCLI(t, context.Background(), append([]string{"token", "--instance", "phone-1", "--stream-type", "vr"}, flags...)...)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `--stream-type "vr": want sdk or h5`)

	r = runCLI(t, context.Background(), append([]string{"stop", "--instance", "phone-1"}, flags...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "phone-1\tstopped\n", r.stdout)
	assert.False(t, srv.Streaming("phone-1"))
	r = runCLI(t, context.Background(), append([]string{"release", "--json", "--instance", "phone-1"}, flags...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "release.json", r.stdout)

	r = runCLI(t, context.Background(), append([]string{"token", "--instance", "phone-1"}, flags...)...)
	assert.Equal(t, exitAPI, r.code, "released: to be prepared again")
	assert.Contains(t, r.stderr, "KOOPHONE.API.5005")
	r = runCLI(t, context.Background(), append([]string{"release", "--instance", "phone-404"}, flags...)...)
	assert.Equal(t, exitAPI, r.code)
	assert.Contains(t, r.stderr, "KOOPHONE.API.4001")
}

// lastQuery is the query of the last request srv received.
func lastQuery(srv *koophonetest.Server) string {
	reqs := srv.Requests()
	if len(reqs) == 0 {
		return ""
	}
	return reqs[len(reqs)-1].Query
}
