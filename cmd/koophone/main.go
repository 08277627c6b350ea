// Command koophone prepares KooPhone cloud phones and waits until they can
// stream, for integration scripts and CI pipelines. Run "koophone help"
// for the commands, "koophone COMMAND --help" for one command.
//
//	go install github.com/koophone-go/koophone/cmd/koophone@latest
//	export KOOPHONE_TOKEN=... KOOPHONE_USER_ID=user-1
//	koophone wait --prepare --instance phone-1 --timeout 10m
//
// Exit codes: 0 all ready, 1 an instance failed to prepare, 2 usage error,
// 3 API or network error, 4 timed out, 5 authentication failed,
// 130 interrupted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/koophone-go/koophone"
	"github.com/koophone-go/koophone/koophonetest"
)

// Exit codes, documented in the usage text and the README.
const (
	exitOK          = 0
	exitFailed      = 1 // an instance failed to prepare (status -1)
	exitUsage       = 2
	exitAPI         = 3 // bad parameter, not found, no permission, or the service could not be reached
	exitTimeout     = 4
	exitAuth        = 5
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `koophone prepares KooPhone cloud phones and waits until they can stream.

Usage:
  koophone COMMAND [flags]

Commands:
  prepare    ask the service to prepare instances for a user; prints each state
  progress   poll the preparation progress of one instance once
  wait       wait until instances are ready (with --prepare, prepare them first)
  status     query the status of instances
  token      get the device token and addresses for streaming a ready instance
  stop       stop streaming an instance
  release    release an instance's session after streaming
  version    print the version
  help       print this help

Flags of every command:
  --endpoint URL      service endpoint (env KOOPHONE_ENDPOINT; default ` + koophone.DefaultEndpoint + `)
  --token-file PATH   read the IAM token from a file ("-" for standard input)
  --user ID           the user id (env KOOPHONE_USER_ID); prepare, progress and wait need it
  --json              print one JSON object per line: every event, then the result
  --quiet             print only the result
  --simulate          run against an in-process fake service (no account needed)

Credentials: --token-file, else the environment: KOOPHONE_TOKEN; or HUAWEICLOUD_SDK_AK,
HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID; or KOOPHONE_IAM_USER, KOOPHONE_IAM_PASSWORD,
KOOPHONE_IAM_DOMAIN, KOOPHONE_IAM_PROJECT and KOOPHONE_IAM_REGION. There is no --token flag:
a token on the command line would show in the process list.

Exit codes:
  0 all ready · 1 an instance failed to prepare · 2 usage error · 3 API or network error
  4 timed out · 5 authentication failed · 130 interrupted

Examples:
  koophone wait --prepare --user user-1 --instance phone-1 --timeout 10m
  koophone wait --simulate --user demo --instance phone-1 --instance phone-2
  koophone progress --json --user user-1 --instance phone-1
`

// run is the whole command: it parses args, runs one command and returns
// the exit code. main only wires it to the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "version", "--version":
		return runVersion(rest, stdout, stderr)
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "koophone: unknown command %q\n\n%s", name, usage)
		return exitUsage
	}
	a := &app{name: name, stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	fs := a.flags(cmd)
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage // the flag package has printed the error and the usage
	}
	if fs.NArg() > 0 {
		return a.usageError("unexpected argument %q", fs.Arg(0))
	}
	return cmd.run(a, ctx)
}

func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("koophone version", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print a JSON object")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *asJSON {
		writeJSON(stdout, map[string]any{"event": "result", "command": "version", "version": koophone.Version, "go": runtime.Version()})
		return exitOK
	}
	fmt.Fprintf(stdout, "koophone %s (koophone-go SDK, %s %s/%s)\n", koophone.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

// command is one subcommand.
type command struct {
	summary  string
	examples string
	flags    func(a *app, fs *flag.FlagSet) // the command's own flags
	run      func(a *app, ctx context.Context) int
}

var commands = map[string]command{
	"prepare": {
		summary:  "Ask the service to prepare instances for a user (POST /v1/instances/prepare) and print each instance's state.",
		examples: "koophone prepare --user user-1 --instance phone-1 --instance phone-2",
		flags:    instancesFlag("an instance id; repeat for more (up to 100)"),
		run:      (*app).prepare,
	},
	"progress": {
		summary:  "Poll the preparation progress of one instance once (POST /v1/instances/prepare-progress).",
		examples: "koophone progress --user user-1 --instance phone-1\nkoophone progress --json --user user-1 --instance phone-1",
		flags:    instancesFlag("the instance id"),
		run:      (*app).progress,
	},
	"status": {
		summary:  "Query the status of up to 100 instances (POST /v1/instances/batch-query-status). The number is printed as sent: its meaning differs between versions of the API reference.",
		examples: "koophone status --instance phone-1 --instance phone-2",
		flags:    instancesFlag("an instance id; repeat for more (up to 100)"),
		run:      (*app).status,
	},
	"token": {
		summary: "Get what a streaming client needs for a ready instance (POST /v1/instances/{id}/auth). The device token is a secret: it is printed only with --show-secret.",
		examples: "koophone token --instance phone-1\n" +
			"koophone token --instance phone-1 --stream-type h5 --show-secret --json",
		flags: func(a *app, fs *flag.FlagSet) {
			fs.Var(&a.instances, "instance", "the instance id")
			fs.StringVar(&a.streamType, "stream-type", "", `"sdk" or "h5" (default: the service's)`)
			fs.BoolVar(&a.showSecret, "show-secret", false, "print the device token too")
		},
		run: (*app).token,
	},
	"stop": {
		summary:  "Stop the streaming of an instance (POST /v1/instances/streaming/stop).",
		examples: "koophone stop --instance phone-1",
		flags:    instancesFlag("the instance id"),
		run:      (*app).stop,
	},
	"release": {
		summary:  "Release the session of an instance after streaming (POST /v1/instances/session/release).",
		examples: "koophone release --instance phone-1",
		flags:    instancesFlag("the instance id"),
		run:      (*app).release,
	},
	"wait": {
		summary: "Wait until every instance is ready. Exits 0 when all are ready, 1 when one failed to prepare, 4 on timeout.",
		examples: "koophone wait --user user-1 --instance phone-1 --timeout 10m\n" +
			"koophone wait --prepare --user user-1 --instance phone-1 --instance phone-2 --interval 2s..30s\n" +
			"koophone wait --simulate --user demo --instance phone-1 --instance will-fail",
		flags: func(a *app, fs *flag.FlagSet) {
			fs.Var(&a.instances, "instance", "an instance id; repeat for more")
			fs.BoolVar(&a.prepareFirst, "prepare", false, "prepare the instances first")
			fs.DurationVar(&a.timeout, "timeout", koophone.DefaultMaxWait, "give up after this long")
			fs.Var(&a.interval, "interval", "backoff bounds between polls, MIN..MAX (or one duration)")
			fs.IntVar(&a.concurrency, "concurrency", koophone.DefaultConcurrency, "polls in flight at once")
		},
		run: (*app).wait,
	},
}

// instancesFlag registers --instance alone, with its usage text.
func instancesFlag(usage string) func(a *app, fs *flag.FlagSet) {
	return func(a *app, fs *flag.FlagSet) { fs.Var(&a.instances, "instance", usage) }
}

// app holds one invocation's flags and streams.
type app struct {
	name           string
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string

	endpoint, tokenFile, user string
	asJSON, quiet, simulate   bool
	instances                 stringList
	prepareFirst              bool
	timeout                   time.Duration
	interval                  intervalFlag
	concurrency               int
	streamType                string
	showSecret                bool
}

// flags builds the flag set of a command: the common flags and its own.
func (a *app) flags(cmd command) *flag.FlagSet {
	fs := flag.NewFlagSet("koophone "+a.name, flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	fs.StringVar(&a.endpoint, "endpoint", "", "service endpoint (env KOOPHONE_ENDPOINT)")
	fs.StringVar(&a.tokenFile, "token-file", "", `read the IAM token from this file ("-": standard input)`)
	fs.StringVar(&a.user, "user", "", "the user id (env KOOPHONE_USER_ID)")
	fs.BoolVar(&a.asJSON, "json", false, "print one JSON object per line")
	fs.BoolVar(&a.quiet, "quiet", false, "print only the result")
	fs.BoolVar(&a.simulate, "simulate", false, "use an in-process fake service")
	a.interval = intervalFlag{min: koophone.DefaultMinPollInterval, max: koophone.DefaultMaxPollInterval}
	cmd.flags(a, fs)
	fs.Usage = func() {
		fmt.Fprintf(a.stderr, "Usage: koophone %s [flags]\n\n%s\n\nFlags:\n", a.name, cmd.summary)
		fs.PrintDefaults()
		fmt.Fprintf(a.stderr, "\nExamples:\n  %s\n\nExit codes: 0 ok · 1 failed to prepare · 2 usage · 3 API or network error · 4 timed out · 5 authentication failed · 130 interrupted\n",
			strings.ReplaceAll(cmd.examples, "\n", "\n  "))
	}
	return fs
}

// usageError reports a usage error and returns its exit code.
func (a *app) usageError(format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	if a.asJSON {
		writeJSON(a.stdout, map[string]any{"event": "error", "command": a.name, "exit_code": exitUsage, "error": msg})
	}
	fmt.Fprintf(a.stderr, "koophone %s: %s (see koophone %s --help)\n", a.name, msg, a.name)
	return exitUsage
}

// fail reports an error from the SDK and returns its exit code.
func (a *app) fail(err error) int {
	code := exitCode(err)
	if a.asJSON {
		ev := map[string]any{"event": "error", "command": a.name, "exit_code": code, "error": err.Error()}
		var apiErr *koophone.APIError
		if errors.As(err, &apiErr) {
			ev["code"], ev["http_status"], ev["request_id"] = apiErr.Code, apiErr.HTTPStatus, apiErr.RequestID
		}
		writeJSON(a.stdout, ev)
	}
	fmt.Fprintf(a.stderr, "koophone %s: %v\n", a.name, err)
	return code
}

// exitCode maps an error to the exit code a script can trust.
func exitCode(err error) int {
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, koophone.ErrUnauthorized):
		return exitAuth
	case errors.Is(err, koophone.ErrWaitTimeout), errors.Is(err, context.DeadlineExceeded):
		return exitTimeout
	case errors.Is(err, koophone.ErrPrepareFailed):
		return exitFailed
	}
	return exitAPI
}

// setup checks the common flags and returns the client and user id. The
// returned cleanup stops the simulated service, if any.
func (a *app) setup(needUser bool, minInstances, maxInstances int) (*koophone.Client, func(), int) {
	if a.user == "" {
		a.user = a.getenv("KOOPHONE_USER_ID")
	}
	if a.user == "" && needUser {
		return nil, nil, a.usageError("--user is required (or set KOOPHONE_USER_ID)")
	}
	if n := len(a.instances); n < minInstances || (maxInstances > 0 && n > maxInstances) {
		if maxInstances == 1 {
			return nil, nil, a.usageError("--instance is required, once")
		}
		return nil, nil, a.usageError("--instance is required (1 to %d times)", maxInstances)
	}
	ua := koophone.WithUserAgent("koophone-cli/" + koophone.Version)
	if a.simulate {
		srv := simulator(a.name, a.user, a.instances, a.interval.min)
		if !a.quiet {
			fmt.Fprintf(a.stderr, "koophone: simulating the service at %s\n", srv.URL)
		}
		c := srv.Client(ua)
		if a.name != "prepare" && a.user != "" {
			// As if they had been prepared just before: the timeline starts now.
			if err := prepareAll(context.Background(), c, a.user, a.instances); err != nil {
				srv.Close()
				return nil, nil, a.fail(err)
			}
		}
		return c, srv.Close, exitOK
	}
	opts := []koophone.Option{ua}
	endpoint := a.endpoint
	if endpoint == "" {
		endpoint = a.getenv("KOOPHONE_ENDPOINT")
	}
	if endpoint != "" {
		opts = append(opts, koophone.WithEndpoint(endpoint))
	}
	if a.tokenFile != "" {
		tok, err := a.readToken()
		if err != nil {
			return nil, nil, a.usageError("--token-file: %v", err)
		}
		opts = append(opts, koophone.WithToken(tok))
	} else {
		opts = append(opts, koophone.WithEnvCredentials())
	}
	c, err := koophone.NewClient(opts...)
	if err != nil {
		if a.endpoint != "" && strings.Contains(err.Error(), "endpoint") {
			return nil, nil, a.usageError("--endpoint: %v", err)
		}
		return nil, nil, a.usageError("%v", err)
	}
	return c, c.CloseIdleConnections, exitOK
}

// readToken reads the token file (or standard input), never echoing it.
func (a *app) readToken() (string, error) {
	var r io.Reader = a.stdin
	if a.tokenFile != "-" {
		f, err := os.Open(a.tokenFile)
		if err != nil {
			return "", fmt.Errorf("cannot open %s", a.tokenFile)
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return "", errors.New("cannot read the token")
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", errors.New("the token is empty")
	}
	return tok, nil
}

// simulator starts a fake service that knows the given instances for
// user. Its timeline lasts about five minimum poll intervals; an instance
// whose id contains "fail" fails to prepare. For the commands that need a
// ready instance (token, stop, release), the instances are ready at once.
func simulator(command, user string, ids []string, pace time.Duration) *koophonetest.Server {
	srv := koophonetest.NewServer(koophonetest.WithTimeline(koophonetest.Timeline{Queue: 3 * pace, Restore: 2 * pace}))
	for _, id := range ids {
		switch {
		case command == "token" || command == "stop" || command == "release":
			srv.Script(id, koophone.PrepareReady)
			continue
		case strings.Contains(id, "fail"):
			srv.ScriptSteps(id, koophonetest.Step{Status: koophone.PrepareQueuing, WaitingCount: 2},
				koophonetest.Step{Status: koophone.PrepareRestoring}, koophonetest.Step{Status: koophone.PrepareFailed})
			continue
		}
		srv.AddInstance(user, id)
	}
	return srv
}

func (a *app) prepare(ctx context.Context) int {
	c, done, code := a.setup(true, 1, 100)
	if code != exitOK {
		return code
	}
	defer done()
	states, err := c.PrepareInstances(ctx, a.user, a.instances)
	if err != nil {
		return a.fail(err)
	}
	list := make([]map[string]any, len(states))
	for i, s := range states {
		list[i] = map[string]any{"instance_id": s.InstanceID, "status": int(s.Status), "status_name": s.Status.String()}
		if !a.asJSON {
			fmt.Fprintf(a.stdout, "%s\t%s\n", s.InstanceID, s.Status)
		}
	}
	if a.asJSON {
		writeJSON(a.stdout, map[string]any{"event": "result", "command": "prepare", "ok": true, "exit_code": exitOK, "instances": list})
	}
	return exitOK
}

func (a *app) progress(ctx context.Context) int {
	c, done, code := a.setup(true, 1, 1)
	if code != exitOK {
		return code
	}
	defer done()
	p, err := c.PrepareProgress(ctx, a.user, a.instances[0])
	if err != nil {
		return a.fail(err)
	}
	if a.asJSON {
		writeJSON(a.stdout, map[string]any{"event": "result", "command": "progress", "ok": true, "exit_code": exitOK,
			"instance_id": a.instances[0], "status": int(p.Status), "status_name": p.Status.String(),
			"waiting_count": p.WaitingCount, "request_id": p.RequestID})
		return exitOK
	}
	fmt.Fprintf(a.stdout, "%s\t%s\twaitingCount=%d\n", a.instances[0], p.Status, p.WaitingCount)
	return exitOK
}

func (a *app) wait(ctx context.Context) int {
	if a.timeout <= 0 {
		return a.usageError("--timeout %s must be positive", a.timeout)
	}
	if a.concurrency < 1 {
		return a.usageError("--concurrency %d must be at least 1", a.concurrency)
	}
	c, done, code := a.setup(true, 1, 0)
	if code != exitOK {
		return code
	}
	defer done()
	if a.prepareFirst {
		if err := prepareAll(ctx, c, a.user, a.instances); err != nil {
			return a.fail(err)
		}
	}
	out := newProgressPrinter(a, len(a.instances))
	progress, err := c.WaitAllReady(ctx, a.user, a.instances,
		koophone.WithMaxWait(a.timeout),
		koophone.WithPollInterval(a.interval.min, a.interval.max),
		koophone.WithConcurrency(a.concurrency),
		koophone.WithOnPoll(out.event))
	out.finish()
	return a.waitResult(progress, err, out)
}

// prepareAll prepares instances 100 at a time, the most one call takes.
func prepareAll(ctx context.Context, c *koophone.Client, user string, ids []string) error {
	for start := 0; start < len(ids); start += 100 {
		if _, err := c.PrepareInstances(ctx, user, ids[start:min(start+100, len(ids))]); err != nil {
			return err
		}
	}
	return nil
}

// waitResult prints the outcome of a wait and returns the exit code: the
// first that applies of interrupted, authentication, API error, timeout,
// failed to prepare.
func (a *app) waitResult(progress map[string]koophone.Progress, err error, out *progressPrinter) int {
	errs := map[string]error{}
	if joined, ok := err.(interface{ Unwrap() []error }); ok {
		for _, e := range joined.Unwrap() {
			var ie *koophone.InstanceError
			if errors.As(e, &ie) {
				errs[ie.InstanceID] = ie.Err
			}
		}
	}
	code := exitOK
	for _, candidate := range []int{exitInterrupted, exitAuth, exitAPI, exitTimeout, exitFailed} {
		for _, e := range errs {
			if exitCode(e) == candidate && code == exitOK {
				code = candidate
			}
		}
	}
	if code == exitInterrupted {
		fmt.Fprintf(a.stderr, "koophone %s: interrupted; last status: %s\n", a.name, out.lastStatuses())
	}
	list := make([]map[string]any, 0, len(a.instances))
	for _, id := range a.instances {
		item := map[string]any{"instance_id": id, "ready": errs[id] == nil}
		line := id + "\t"
		if p, ok := progress[id]; ok {
			item["status"], item["status_name"] = int(p.Status), p.Status.String()
			line += p.Status.String()
		} else {
			line += "unknown"
		}
		if e := errs[id]; e != nil {
			item["error"] = e.Error()
			line += "\t" + e.Error()
		}
		list = append(list, item)
		if !a.asJSON {
			fmt.Fprintln(a.stdout, line)
		}
	}
	if a.asJSON {
		writeJSON(a.stdout, map[string]any{"event": "result", "command": a.name, "ok": code == exitOK, "exit_code": code, "instances": list})
	}
	return code
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error {
	if v == "" {
		return errors.New("must not be empty")
	}
	*l = append(*l, v)
	return nil
}

// intervalFlag is MIN..MAX, or one duration for both.
type intervalFlag struct{ min, max time.Duration }

func (f *intervalFlag) String() string {
	if f.min == 0 && f.max == 0 {
		return ""
	}
	return f.min.String() + ".." + f.max.String()
}

func (f *intervalFlag) Set(v string) error {
	lo, hi, ranged := strings.Cut(v, "..")
	if !ranged {
		hi = lo
	}
	min, err1 := time.ParseDuration(strings.TrimSpace(lo))
	max, err2 := time.ParseDuration(strings.TrimSpace(hi))
	if err1 != nil || err2 != nil || min <= 0 || max < min {
		return fmt.Errorf("want MIN..MAX such as 1s..15s, with 0 < MIN <= MAX")
	}
	f.min, f.max = min, max
	return nil
}

// sortedIDs returns the keys of m in order.
func sortedIDs[V any](m map[string]V) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
