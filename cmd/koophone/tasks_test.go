package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

var (
	taskIDs = regexp.MustCompile(`(RM_|BK_|UA_|CMD_|ZGCA)[0-9a-f]{32}`)
	jobIDs  = regexp.MustCompile(`job-[0-9a-f]{16}`)
)

// masked is out with its task and job ids masked.
func masked(out string) string {
	return jobIDs.ReplaceAllString(taskIDs.ReplaceAllString(out, "$1<task-id>"), "job-<id>")
}

func TestResetRebootBackup(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1", "phone-2"))
	r := cli(t, srv, "reset", "--instance", "phone-1", "--instance", "phone-2")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "RM_<task-id>\nphone-1\tjob-<id>\nphone-2\tjob-<id>\n", masked(r.stdout))

	r = cli(t, srv, append([]string{"reset", "--wait", "--json", "--instance", "phone-1"}, fast...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	evs := events(t, r.stdout)
	assert.Equal(t, "poll", evs[0]["event"])
	assert.Regexp(t, `^RM_`, evs[0]["task_id"])
	assert.NotContains(t, evs[0], "instance_id", "a task's poll is not about an instance")
	golden(t, "reset-wait.json", masked(lastLine(r.stdout)))

	r = cli(t, srv, "reboot", "--instance", "phone-1", "--instance", "phone-2")
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "phone-1\trebooting\nphone-2\trebooting\n", r.stdout)

	srv.FailJobs("phone-2", "CPS0005", "Phone not found.")
	r = cli(t, srv, append([]string{"backup", "--wait", "--instance", "phone-1", "--instance", "phone-2"}, fast...)...)
	assert.Equal(t, exitFailed, r.code, "a failed job exits 1")
	assert.Equal(t, "BK_<task-id>\njob-<id>\tphone-1\tsucceeded\t\t\t\njob-<id>\tphone-2\tfailed\tCPS0005\tPhone not found.\t\n", masked(r.stdout))
	assert.Contains(t, r.stderr, "koophone backup: 1 of 2 jobs failed\n")

	r = cli(t, srv, "reboot", "--instance", "phone-404")
	assert.Equal(t, exitAPI, r.code)
	assert.Contains(t, r.stderr, "KOOPHONE.API.4001")
}

// lastLine is the last line of stdout: with --json, the result.
func lastLine(stdout string) string {
	lines := strings.Split(strings.TrimSuffix(stdout, "\n"), "\n")
	return lines[len(lines)-1] + "\n"
}

func TestExec(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1", "phone-2"))
	srv.FailJobs("phone-2", "CPS0005", "Phone not found.")
	r := cli(t, srv, "exec", "--instance", "phone-1", "--instance", "phone-2", "--", "getprop", "ro.build.version.release")
	assert.Equal(t, exitFailed, r.code, "it failed on phone-2")
	assert.Equal(t, "phone-1\tsucceeded\t\t\tgetprop ro.build.version.release\nphone-2\tfailed\tCPS0005\tPhone not found.\t\n", r.stdout)
	var body struct {
		Command string `json:"command"`
	}
	reqs := srv.Requests()
	require.NoError(t, json.Unmarshal(reqs[len(reqs)-1].Body, &body))
	assert.Equal(t, "getprop ro.build.version.release", body.Command, "the words are joined with spaces")

	r = cli(t, srv, "exec", "--async", "--instance", "phone-1", "--json", "--", "ls")
	assert.Equal(t, exitOK, r.code, r.stderr)
	evs := events(t, r.stdout)
	require.Len(t, evs, 1)
	assert.Regexp(t, `^CMD_`, evs[0]["task_id"])

	r = cli(t, srv, append(append([]string{"exec", "--async", "--wait", "--instance", "phone-1"}, fast...), "--", "ls", "-l")...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "CMD_<task-id>\njob-<id>\tphone-1\tsucceeded\t\t\tls -l\n", masked(r.stdout))
	assert.Contains(t, r.stderr, ": 1 succeeded after ")
}

// TestExecOutputKeepsLinesInJSON: a command's output is escaped on one
// text line, and keeps its line breaks (and nothing worse) in JSON.
func TestExecOutputKeepsLinesInJSON(t *testing.T) {
	t.Parallel()
	flags := hostile(t, map[string]string{"/v1/instances/sync-command": `{"error_code":"0","request_id":"r","data":{"cmd_results":[` +
		`{"instance_id":"phone-1","status":2,"execute_msg":"line 1\nline 2\tx\u202e\n"}]}}`})
	r := runCLI(t, context.Background(), beforeDashes([]string{"exec", "--instance", "phone-1", "--", "cat", "f"}, flags)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, `phone-1	succeeded			line 1\u000aline 2\u0009x\u000a`+"\n", r.stdout, "the SDK drops the bidi control")

	r = runCLI(t, context.Background(), beforeDashes([]string{"exec", "--json", "--instance", "phone-1", "--", "cat", "f"}, flags)...)
	evs := events(t, r.stdout)
	require.Len(t, evs, 1)
	out := evs[0]["instances"].([]any)[0].(map[string]any)["output"]
	assert.Equal(t, `line 1`+"\n"+`line 2\u0009x`+"\n", out)
}

func TestTaskGetAndWait(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"), koophonetest.WithTaskDuration(time.Hour))
	task, err := srv.Client().StartCommand(context.Background(), "uptime", []string{"phone-1"})
	require.NoError(t, err)

	r := cli(t, srv, "task", "get", task.ID)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, task.ID+"\n"+task.Jobs[0].JobID+"\trunning\t\t\t\n", r.stdout)
	r = cli(t, srv, "task", "get", "--json", task.ID)
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "task-get.json", masked(r.stdout))

	r = cli(t, srv, "task", "wait", task.ID, "--timeout", "10s", "--interval", "1m") // the next poll would come too late: it stops early
	assert.Equal(t, exitTimeout, r.code, r.stderr)
	assert.Equal(t, task.ID+"\n"+task.Jobs[0].JobID+"\trunning\t\t\t\n", r.stdout, "the last results")
	assert.Regexp(t, `koophone task wait: waiting for the task: stopped waiting after (?:`+anyDuration+`), before --timeout 10s ran out`, r.stderr)

	r = cli(t, srv, "task", "get", "CMD_unknown")
	assert.Equal(t, exitAPI, r.code)
	r = cli(t, srv, append([]string{"task", "wait", "ZGCA0000"}, fast...)...)
	assert.Equal(t, exitAPI, r.code)
	assert.Contains(t, r.stderr, "KOOPHONE.API.1323")
}

func TestTaskWaitFailedJob(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	srv.FailJobs("phone-1", "CPS0005", "Phone not found.")
	task, err := srv.Client().StartCommand(context.Background(), "uptime", []string{"phone-1"})
	require.NoError(t, err)
	r := cli(t, srv, append([]string{"task", "wait", "--json", "--quiet", task.ID}, fast...)...)
	assert.Equal(t, exitFailed, r.code)
	evs := events(t, r.stdout)
	require.Len(t, evs, 1)
	assert.Equal(t, false, evs[0]["ok"])
	assert.Equal(t, "1 of 1 jobs failed", evs[0]["error"])
}

func TestVideo(t *testing.T) {
	t.Parallel()
	r := runCLI(t, context.Background(), "video", "template")
	assert.Equal(t, exitOK, r.code, r.stderr)
	golden(t, "video-template.txt", r.stdout)
	var settings []videoSettingFile
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &settings))
	assert.Equal(t, koophone.VideoSettingsForAll(koophone.DefaultVideoSpecGroup()), videoSettings(settings))
	assert.Contains(t, r.stdout, `"network_type": "MOBILE_NETWORK"`, "the API's snake_case names")

	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	file := filepath.Join(t.TempDir(), "video.json")
	require.NoError(t, os.WriteFile(file, []byte(r.stdout), 0o600))
	r = cli(t, srv, "video", "set", "--instance", "phone-1", "--file", file)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "phone-1\tvideo set\n", r.stdout)
	assert.Contains(t, string(srv.VideoSettings("phone-1")), `"code_rate":6000`)

	r = cli(t, srv, "video", "set", "--instance", "phone-404", "--file", file)
	assert.Equal(t, exitAPI, r.code)
}

func TestAppsInstall(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	const signed = "https://bucket.obs.example.com/apps/hello.apk?Signature=s3cr3t"
	args := []string{"apps", "install", "--instance", "phone-1", "--url", signed, "--package", "com.example.hello",
		"--version", "1.2", "--size-mb", "12.5", "--md5", "abc", "--fast", "--wait"}
	r := cli(t, srv, append(args, fast...)...)
	assert.Equal(t, exitOK, r.code, r.stderr)
	assert.Equal(t, "ZGCA<task-id>\njob-<id>\tphone-1\tsucceeded\t\t\tinstall success\n", masked(r.stdout))
	assert.NotContains(t, r.stdout+r.stderr, "s3cr3t", "a signed URL is never printed")
	var body map[string]any
	for _, req := range srv.Requests() {
		if req.Operation == "InstallApp" {
			require.NoError(t, json.Unmarshal(req.Body, &body))
		}
	}
	assert.Equal(t, "hello.apk", body["file_name"], "the URL's last path segment")
	assert.Equal(t, "12.5", body["object_size"])
	assert.Equal(t, "1", body["fast_install"])

	r = cli(t, srv, "apps", "list", "--instance", "phone-1", "--type", "third-party")
	assert.Contains(t, r.stdout, "com.example.hello")

	r = cli(t, srv, append(args[:len(args)-1], "--instance", "phone-404")...)
	assert.Equal(t, exitAPI, r.code)
}

// TestNewCommandsUsageErrors: bad flags and arguments exit 2 and send
// nothing.
func TestNewCommandsUsageErrors(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
	long := strings.Repeat("x", 33)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"instances"}, "want a subcommand: instances list"},
		{[]string{"task", "wait", "T1", "--poll-rate", "0"}, "--poll-rate 0 must be above 0 and at most 100000"},
		{[]string{"wait", "--user", "user-1", "--instance", "phone-1", "--poll-rate", "NaN"}, "--poll-rate NaN must be above 0"},
		{[]string{"task", "--json"}, "want a subcommand: task get, task wait"},
		{[]string{"instances", "list", "--all", "--page", "2"}, "--page and --all"},
		{[]string{"instances", "list", "--since", "yesterday"}, "want RFC 3339"},
		{[]string{"instances", "list", "--order", "sideways"}, "invalid parameter"},
		{[]string{"instances", "list", "--page-size", "501"}, "--page-size 501: want 1 to 500"},
		{[]string{"instances", "list", "--page-size", "0"}, "--page-size 0: want 1 to 500"},
		{[]string{"instances", "list", "--page", "0"}, "--page 0: want 1 or more"},
		{[]string{"apps", "list", "--instance", "phone-1", "--page-size", "201"}, "--page-size 201: want 1 to 200"},
		{[]string{"instances", "list", "extra"}, `unexpected argument "extra"`},
		{[]string{"apps", "list"}, "--instance is required, once"},
		{[]string{"apps", "list", "--instance", "phone-1", "--type", "games"}, `--type "games"`},
		{[]string{"assign", "--pair", "nocolon"}, "want USER:INSTANCE"},
		{[]string{"assign"}, "give 1 to 100 pairs"},
		{[]string{"assign", "--pair", "u:" + long}, "the first --pair has 33 characters; at most 32 are allowed"},
		{[]string{"unassign", "--pair", "u:phone-1", "--pair", "v:phone-1"}, "invalid parameter"},
		{[]string{"create", "--yes", "--period", "week"}, `--period "week"`},
		{[]string{"create", "--yes", "--region", "cn-north-4"}, "--os, --sku, --band-sku, --name-prefix, --bandwidth are required"},
		{[]string{"create", "--yes", "--os", "A", "--sku", "S", "--band-sku", "B", "--region", "R", "--name-prefix", "fifteen-chars-x",
			"--bandwidth", "0", "--count", "0", "--period", "year", "--period-count", "4", "--network", "5G"},
			`--period-count 4: want 1 to 3 for --period year; --name-prefix has 15 characters: want 1 to 14; --bandwidth 0: want a number above 0; --count 0: want 1 to 2000; --network "5G": want EIP or ADN`},
		{[]string{"apps", "install", "--size-mb", "-1"}, "--url, --package, --version are required; --size-mb -1: want a number above 0; --instance is required (1 to 100 times; 0 given)"},
		{[]string{"create", "--period", "week"}, `--os, --sku, --band-sku, --region, --name-prefix, --bandwidth are required; --period "week": want month or year; this command buys instances and spends money: add --yes to confirm`},
		{[]string{"delete", "--yes"}, "--instance is required"},
		{[]string{"reset", "--instance", long}, "the first --instance has 33 characters; at most 32 are allowed"},
		{[]string{"reset", "--instance", "phone-1", "--instance", "phone-1"}, `--instance "phone-1" is given twice`},
		{[]string{"reset", "--instance", "phone-1", "--wait", "--timeout", "0s"}, "--timeout 0s must be positive"},
		{[]string{"reset", "--instance", "phone-1", "--timeout", "1s"}, "--timeout needs --wait"},
		{[]string{"apps", "install", "--instance", "phone-1", "--interval", "1s"}, "--url, --package, --version, --size-mb are required; --interval needs --wait"},
		{[]string{"exec", "--instance", "phone-1", "--timeout", "1s", "--", "ls"}, "--timeout needs --wait"},
		{[]string{"video", "set", "--file", "-"}, "--instance is required"},
		{[]string{"backup"}, "--instance is required"},
		{[]string{"reboot", "--instance", "phone-1", "--wait"}, "unknown flag: --wait"},
		{[]string{"reboot", "--instance", "phone-1", "--wiat"}, "unknown flag: --wiat"},
		{[]string{"rebot", "--instance", "phone-1"}, `unknown command "rebot" (did you mean reset or reboot?)`},
		{[]string{"task", "wiat"}, `unknown command "wiat" for "koophone task" (did you mean wait?)`},
		{[]string{"wait", "--instance", "phone-1", "--timeout", "5"}, `invalid argument "5" for "--timeout" flag: want a duration with a unit, such as 30s, 10m or 1h30m`},
		{[]string{"exec", "--instance", "phone-1"}, "the command is missing"},
		{[]string{"exec", "--instance", "phone-1", "--wait", "--", "ls"}, "--wait needs --async"},
		{[]string{"exec", "--instance", "phone-1", "--", strings.Repeat("x", 1025)}, "invalid parameter"},
		{[]string{"task", "get"}, "want one TASK_ID argument"},
		{[]string{"task", "get", "a", "b"}, "want one TASK_ID argument"},
		{[]string{"task", "wait", ".."}, "invalid parameter"},
		{[]string{"video", "set", "--instance", "phone-1"}, "--file is required"},
		{[]string{"video", "set", "--instance", "phone-1", "--file", filepath.Join(t.TempDir(), "none")}, "--file: cannot open"},
		{[]string{"video", "template", "--instance", "phone-1"}, "unknown flag: --instance"},
		{[]string{"video", "template", "--user", "u"}, "video template takes only --json and --jq"},
		{[]string{"apps", "install", "--instance", "phone-1", "--url", "http://plain.example.com/a.apk", "--package", "p", "--size-mb", "1", "--version", "1"}, "invalid parameter"},
	}
	for _, tt := range tests {
		args := beforeDashes(tt.args, at(t, srv))
		r := runCLI(t, context.Background(), args...)
		assert.Equal(t, exitUsage, r.code, "%v: %s", tt.args, r.stderr)
		assert.Contains(t, r.stderr, tt.want, tt.args)
	}
	assert.Empty(t, srv.Requests(), "a usage error sends nothing")
}

// TestNewCommandsAPIErrors: a failure the service reports exits 3, or 5
// for authentication.
func TestNewCommandsAPIErrors(t *testing.T) {
	t.Parallel()
	commands := [][]string{
		{"instances", "list"}, {"apps", "list", "--instance", "phone-1"}, {"skus"},
		{"assign", "--instance", "phone-1"}, {"unassign", "--instance", "phone-1"},
		append([]string{"create", "--yes"}, order...), {"delete", "--yes", "--instance", "phone-1"},
		{"reset", "--instance", "phone-1"}, {"reboot", "--instance", "phone-1"}, {"backup", "--instance", "phone-1"},
		{"exec", "--instance", "phone-1", "--", "ls"}, {"task", "get", "CMD_1"}, {"task", "wait", "CMD_1"},
		{"apps", "install", "--instance", "phone-1", "--url", "https://x.example.com/a.apk", "--package", "p", "--size-mb", "1", "--version", "1"},
	}
	for _, args := range commands {
		srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"))
		srv.FailNext(1, koophonetest.APIError(403, koophone.CodePermissionDenied, "denied"))
		r := cli(t, srv, args...)
		assert.Equal(t, exitAPI, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stderr, "KOOPHONE.API.1001", args)

		srv.FailNext(1, koophonetest.APIError(401, koophone.CodeGatewayUnauthorized, "bad token"))
		r = cli(t, srv, args...)
		assert.Equal(t, exitAuth, r.code, "%v: %s", args, r.stderr)
	}
}

// TestEveryCommandSimulates: --simulate gives every command something to
// act on.
func TestEveryCommandSimulates(t *testing.T) {
	t.Parallel()
	commands := [][]string{
		{"instances", "list", "--all"}, {"apps", "list", "--instance", "phone-1"}, {"skus"},
		{"assign", "--user", "u", "--instance", "phone-1"}, {"unassign", "--pair", "u:phone-1", "--wait"},
		append([]string{"create", "--yes"}, order...), {"delete", "--yes", "--instance", "phone-1"},
		{"reset", "--instance", "phone-1", "--wait"}, {"reboot", "--instance", "phone-1"}, {"backup", "--instance", "phone-1", "--wait"},
		{"exec", "--instance", "phone-1", "--", "ls"}, {"exec", "--async", "--wait", "--instance", "phone-1", "--", "ls"},
		{"task", "get"}, {"task", "wait"},
		{"apps", "install", "--instance", "phone-1", "--url", "https://x.example.com/a.apk", "--package", "p", "--size-mb", "1", "--version", "1", "--wait"},
	}
	for _, args := range commands {
		r := runCLI(t, context.Background(), beforeDashes(args, append([]string{"--simulate"}, waitFlagsOf(args)...))...)
		assert.Equal(t, exitOK, r.code, "%v: %s", args, r.stderr)
		assert.NotEmpty(t, r.stdout, args)
		assert.Contains(t, r.stderr, "koophone: simulating the service at http://127.0.0.1:", args)
	}
	r := runCLI(t, context.Background(), "backup", "--simulate", "--instance", "will-fail", "--wait", "--interval", "1ms..5ms")
	assert.Equal(t, exitFailed, r.code, "a job on an instance named *fail* fails")
}

// waitFlagsOf is fast for a command that waits, else nothing.
func waitFlagsOf(args []string) []string {
	for _, a := range args {
		if a == "--wait" || a == "wait" {
			return fast
		}
	}
	return nil
}

func TestTaskWaitInterrupted(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"), koophonetest.WithTaskDuration(time.Hour))
	task, err := srv.Client().StartCommand(context.Background(), "uptime", []string{"phone-1"})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		args := append([]string{"task", "wait", task.ID, "--interval", "1m", "--timeout", "1h"}, against(t, srv)...)
		done <- run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	}()
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.Contains(c, stderr.String(), ": 1 running after ") }, safetyNet, time.Millisecond)
	cancel() // what Ctrl-C does through signal.NotifyContext
	assert.Equal(t, exitInterrupted, <-done)
	assert.Contains(t, stderr.String(), "koophone task wait: the wait was cancelled; last job statuses: 1 running\n")
	// As wait does: the last statuses reach stdout, the task id first.
	assert.Regexp(t, "^"+task.ID+"\njob-[0-9a-f]+\trunning\t", stdout.String())
}

// Ctrl-C during reset --wait: the reset was started, so its task id (and
// each job's last status) reaches stdout, in JSON as a result event.
func TestStartedTaskWaitInterrupted(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"), koophonetest.WithTaskDuration(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		args := append([]string{"reset", "--json", "--instance", "phone-1", "--wait", "--interval", "1m", "--timeout", "1h"}, against(t, srv)...)
		done <- run(ctx, args, strings.NewReader(""), &stdout, &stderr)
	}()
	require.EventuallyWithT(t, func(c *assert.CollectT) { assert.Contains(c, stdout.String(), `"event":"poll"`) }, safetyNet, time.Millisecond)
	cancel()
	assert.Equal(t, exitInterrupted, <-done)
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	var poll map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &poll))
	assert.Equal(t, "phone-1", poll["jobs"].([]any)[0].(map[string]any)["instance_id"], "a poll's jobs name their instance, as the result's do")
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &res))
	assert.Equal(t, "result", res["event"])
	assert.EqualValues(t, exitInterrupted, res["exit_code"])
	assert.Equal(t, false, res["ok"])
	assert.Regexp(t, "^RM_", res["task_id"])
	require.Len(t, res["jobs"], 1)
	job := res["jobs"].([]any)[0].(map[string]any)
	assert.Equal(t, "phone-1", job["instance_id"])
	assert.Equal(t, "running", job["status_name"])
}

// A task wait that runs out of time before the task answered once still
// prints the task it started: a script can wait for it again.
func TestStartedTaskTimedOutBeforeItsFirstAnswer(t *testing.T) {
	t.Parallel()
	srv := fakeWith(t, koophonetest.WithInstances("user-1", "phone-1"), koophonetest.WithTaskDuration(time.Hour))
	r := runCLI(t, context.Background(), append([]string{"reset", "--instance", "phone-1", "--wait", "--timeout", "1ns"}, against(t, srv)...)...)
	assert.Equal(t, exitTimeout, r.code, r.stderr)
	assert.Regexp(t, `^RM_[0-9a-f]+\n$`, r.stdout)
	// The wait stops before its first poll, or its deadline comes during it,
	// as the machine's speed decides.
	assert.Regexp(t, `koophone reset: waiting for the task: (?:stopped waiting after (?:`+anyDuration+`), before --timeout 1ns ran out|`+
		`timed out after (?:`+anyDuration+`) \(--timeout 1ns\))`, r.stderr)
	assert.Contains(t, r.stderr, "; no status was seen\n")
}
