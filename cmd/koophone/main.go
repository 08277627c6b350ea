// Command koophone prepares KooPhone cloud phones, waits until they can
// stream, and manages the fleet (list, buy, assign, reset, run commands,
// install apps), for integration scripts and CI pipelines. Run "koophone
// help" for the commands, "koophone COMMAND --help" for one command.
//
//	go install github.com/koophone-go/koophone/cmd/koophone@latest
//	export KOOPHONE_TOKEN=... KOOPHONE_USER_ID=user-1
//	koophone wait --prepare --instance phone-1 --timeout 10m
//
// Exit codes: 0 ok, 1 an instance failed to prepare or a job failed, 2 usage error,
// 3 API or network error, 4 timed out, 5 authentication failed,
// 130 interrupted.
//
// # Adding a command
//
// A command is one [command] value in its own file, cmd_NAME.go, and one
// line in the commands table below. The value says how --help describes
// it and which exit codes it can return; its flags function registers the
// command's own flags and returns the function that runs it:
//
//	var statusCmd = command{
//		name:     "status",
//		short:    "query the status of instances",
//		long:     "Query the status of up to 100 instances (POST /v1/instances/batch-query-status). ...",
//		examples: []string{"koophone status --instance phone-1 --instance phone-2"},
//		exits:    callExits,
//		flags: func(fs *flag.FlagSet) runFunc {
//			ids := batchFlag(fs)
//			return func(ctx context.Context, s *session) (*output, error) {
//				if err := ids.batch(); err != nil {
//					return nil, err
//				}
//				c, err := s.client(ctx, seed{ids: *ids, prepared: true})
//				if err != nil {
//					return nil, err
//				}
//				results, err := c.BatchQueryStatus(ctx, *ids)
//				if err != nil {
//					return nil, err
//				}
//				rows := make([][]value, len(results))
//				for i, r := range results {
//					rows[i] = []value{field("instance_id", r.InstanceID), field("status", r.Status)}
//				}
//				return rowsOf("instances", rows), nil
//			}
//		},
//	}
//
// Commands alike share their flags function: stop and release are
// endSession, reset and backup startTask, and reboot, delete and video set
// call onInstances.
//
// A command of a group is named with both words ("task get"); one that
// takes positional arguments names them in args ("TASK_ID") and finds them
// in [session.args].
//
// The rules that keep every command alike:
//   - The global flags (--endpoint, --token-file, --user, --json, --quiet,
//     --simulate, --request-timeout) belong to the [session]; a command
//     registers only its own, with the shared ones: instancesFlag and
//     waitFlags (flags.go), taskFlags (tasks.go), pageFlags (listing.go).
//   - Check the arguments first and return [usageErrorf] for a bad one:
//     exit 2 before anything is sent. Then [session.client] builds the
//     client (or, with --simulate, the fake service that [seed] describes).
//   - Return an SDK error as it is. [exitCode] picks the exit code with
//     errors.Is and errors.As on the SDK's sentinels and types, and the
//     session reports it (never match an error's text).
//   - Return the result as an [output] of [value]s and never write to
//     stdout: the printer chooses between a table on a terminal,
//     tab-separated text and --json, and escapes every string it prints.
//   - List in exits only the codes the command can return: --help shows them.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/koophone-go/koophone"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// runFunc runs a command once its flags are parsed. It returns what to
// print, or the error to report.
type runFunc func(ctx context.Context, s *session) (*output, error)

// command is one subcommand: its help and how it runs.
type command struct {
	name     string
	short    string   // the line in "koophone help"
	long     string   // the paragraph in "koophone NAME --help"
	examples []string // command lines, shown by --help
	exits    []int    // the exit codes it can return, shown by --help
	failed   string   // what exit 1 means for it, when it can return 1
	local    bool     // it takes only --json: no connection flags
	args     string   // its positional arguments for --help, "TASK_ID"; "" = none
	// flags registers the command's own flags on fs and returns the
	// function that runs the command with their values.
	flags func(fs *flag.FlagSet) runFunc
}

// commands is every command, in the order "koophone help" lists them.
var commands = []*command{
	&prepareCmd,
	&progressCmd,
	&waitCmd,
	&statusCmd,
	&tokenCmd,
	&stopCmd,
	&releaseCmd,
	&instancesListCmd,
	&appsListCmd,
	&appsInstallCmd,
	&skusCmd,
	&createCmd,
	&deleteCmd,
	&assignCmd,
	&unassignCmd,
	&resetCmd,
	&rebootCmd,
	&backupCmd,
	&execCmd,
	&taskGetCmd,
	&taskWaitCmd,
	&videoSetCmd,
	&videoTemplateCmd,
	&versionCmd,
}

// lookup returns the command called name, or nil.
func lookup(name string) *command {
	for _, c := range commands {
		if c.name == name {
			return c
		}
	}
	return nil
}

// find returns the command args start with, one word ("wait") or two
// ("task get"), its name and the arguments after it. For an unknown
// command it returns nil and the name args start with.
func find(args []string) (*command, string, []string) {
	if len(args) > 1 {
		if c := lookup(args[0] + " " + args[1]); c != nil {
			return c, c.name, args[2:]
		}
	}
	return lookup(args[0]), args[0], args[1:]
}

// subcommands lists the commands of group ("task get, task wait"), or "".
func subcommands(group string) string {
	var names []string
	for _, c := range commands {
		if strings.HasPrefix(c.name, group+" ") {
			names = append(names, c.name)
		}
	}
	return strings.Join(names, ", ")
}

// parseArgs parses args with fs and returns the positional arguments,
// which may come between the flags; all after "--" are positional.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// run is the whole command: it parses args, runs one command and returns
// the exit code. main only wires it to the process.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage())
		return exitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage())
		return exitOK
	case "--version":
		args = append([]string{"version"}, args[1:]...)
	}
	cmd, name, rest := find(args)
	s := &session{name: name, stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	if cmd == nil {
		s.g.asJSON = wantsJSON(rest)
		if subs := subcommands(name); subs != "" {
			return s.fail(usageErrorf("want a subcommand: %s", subs))
		}
		s.errorEvent(usageErrorf("unknown command %q", name))
		fmt.Fprintf(stderr, "koophone: unknown command %q\n\n%s", clean(name), usage())
		return exitUsage
	}
	fs, runCmd := s.flagSet(cmd)
	pos, err := parseArgs(fs, rest)
	if err != nil {
		if err == flag.ErrHelp {
			return exitOK
		}
		// The flag package has printed the error and the usage.
		s.g.asJSON = s.g.asJSON || wantsJSON(rest)
		return s.errorEvent(usageErrorf("%v", err))
	}
	if len(pos) > 0 && cmd.args == "" {
		return s.fail(usageErrorf("unexpected argument %q", pos[0]))
	}
	s.args = pos
	defer s.close()
	out, err := runCmd(ctx, s)
	if err != nil {
		return s.fail(err)
	}
	s.print(out)
	return out.code
}

// wantsJSON reports whether args ask for --json, for the errors found
// before the flags are parsed, or while they are.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if name != "json" {
			continue
		}
		on, err := strconv.ParseBool(value) // as the flag package reads it
		return !hasValue || (err == nil && on)
	}
	return false
}

// usage is the text of "koophone help", built from the commands table.
func usage() string {
	var b strings.Builder
	b.WriteString(`koophone prepares KooPhone cloud phones, waits until they can stream, and manages the fleet.

Usage:
  koophone COMMAND [flags] [ARGS]

Commands:
`)
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-15s %s\n", c.name, c.short)
	}
	fmt.Fprintf(&b, "  %-15s %s\n", "help", "print this help")
	b.WriteString(`
Flags of every command (version and video template take only --json):
  --endpoint URL      service endpoint (env KOOPHONE_ENDPOINT; default ` + koophone.DefaultEndpoint + `)
  --token-file PATH   read the IAM token from a file ("-" for standard input)
  --user ID           the user id (env KOOPHONE_USER_ID); prepare, progress and wait
                      need it, assign and unassign with --instance
  --json              print one JSON object per line: every event, then the result
  --quiet             print only the result
  --simulate          run against an in-process fake service (no account needed;
                      not with --endpoint or --token-file)
  --request-timeout D give up on one HTTP attempt after D (default 30s)

Credentials: --token-file, else the environment: KOOPHONE_TOKEN; or HUAWEICLOUD_SDK_AK,
HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID; or KOOPHONE_IAM_USER, KOOPHONE_IAM_PASSWORD,
KOOPHONE_IAM_DOMAIN, KOOPHONE_IAM_PROJECT and KOOPHONE_IAM_REGION. There is no --token flag:
a token on the command line would show in the process list.

Exit codes:
  ` + exitCodes(allExits, "") + `

Examples:
  koophone wait --prepare --user user-1 --instance phone-1 --timeout 10m
  koophone wait --simulate --user demo --instance phone-1 --instance phone-2
  koophone progress --json --user user-1 --instance phone-1
  koophone instances list --simulate --all
  koophone exec --simulate --instance phone-1 -- getprop ro.build.version.release
`)
	return b.String()
}
