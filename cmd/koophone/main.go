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
// 3 API or network error (or a result that could not be written to
// standard output), 4 timed out, 5 authentication failed, 130 interrupted.
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
//		flags: func(fs *pflag.FlagSet) runFunc {
//			ids := batchFlag(fs)
//			return func(ctx context.Context, s *session) (*output, error) {
//				if err := ids.batch(); err != nil {
//					return nil, err
//				}
//				c, err := s.client(ctx, seed{ids: ids.ids, prepared: true})
//				if err != nil {
//					return nil, err
//				}
//				results, err := c.BatchQueryStatus(ctx, ids.ids)
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
// A command of a group is named with both words ("task get"), and the
// group gets a line in groups; one that takes positional arguments names
// them in args ("TASK_ID") and finds them in [session.args]. [newRoot]
// builds the cobra command tree from the table: cobra parses the flags
// (global ones in any position), prints help and completions and suggests
// commands for typos; the session runs the command and prints its output.
//
// The rules that keep every command alike:
//   - The global flags (--endpoint, --token-file, --user, --json, --jq,
//     --quiet, --simulate, --request-timeout) belong to the [session]; a command
//     registers only its own, with the shared ones: instancesFlag and
//     waitFlags (flags.go), taskFlags (tasks.go), pageFlags (listing.go).
//   - Check the arguments first and return [usageErrorf] for a bad one,
//     naming the flag; collect them with [problems] to report all at
//     once: exit 2 before anything is sent. Then [session.client] builds the
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
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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
	local    bool     // it takes only --json and --jq: no connection flags
	args     string   // its positional arguments for --help, "TASK_ID"; "" = none
	// verbatim: the first positional argument and every argument after
	// it, "--" and flag-like words included, are the positional arguments
	// exactly as given (exec's command line).
	verbatim bool
	// flags registers the command's own flags on fs and returns the
	// function that runs the command with their values.
	flags func(fs *pflag.FlagSet) runFunc
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

// groups are the first words of two-word commands, with their help line.
var groups = map[string]string{
	"apps":      "list the apps on an instance, install an APK",
	"instances": "list the tenant's instances",
	"task":      "look at a task, or wait until it has ended",
	"video":     "print a video settings file, apply one",
}

// run is the whole command: it parses args, runs one command and returns
// the exit code. main only wires it to the process. A command that
// succeeded but could not write its result (a full disk) exits 3.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] { // spellings the CLI took before it used cobra
		case "--version":
			args = append([]string{"version"}, args[1:]...)
		case "-help":
			args = append([]string{"--help"}, args[1:]...)
		}
	}
	out := &resultWriter{w: stdout}
	s := &session{stdin: stdin, stdout: out, stderr: stderr, getenv: os.Getenv}
	code := s.run(ctx, args)
	if out.err != nil {
		fmt.Fprintf(stderr, "koophone: cannot write to standard output: %s\n", clean(out.err.Error()))
		if code == exitOK {
			code = exitAPI
		}
	}
	return code
}

// run parses args, runs one command and returns its exit code.
func (s *session) run(ctx context.Context, args []string) int {
	s.stdin = stdinReader{ctx: ctx, r: s.stdin}
	root := newRoot(s)
	root.SetArgs(args)
	found, err := root.ExecuteContextC(ctx)
	if err == nil {
		return s.code
	}
	if s.stdoutFailed(err) { // cobra's own output (completion) that could not be written: run reports it
		return exitAPI
	}
	// A flag, argument or command cobra refused, before the command ran.
	if name := firstWord(root, args); found == root && name != "" && !isCommand(root, name) {
		s.name, err = name, unknownCommand(root, name) // not a flag of the command it is not
	} else if s.name == "" && found != nil && found != root {
		s.name = strings.TrimPrefix(found.CommandPath(), root.Name()+" ")
	}
	s.g.asJSON = s.g.asJSON || wantsJSON(args)
	if s.g.jq == "" {
		s.g.jq = jqArg(args) // not parsed: it came after the error
	}
	return s.fail(asUsageError(err))
}

// stdoutFailed reports whether err is the error with which writing to
// standard output failed.
func (s *session) stdoutFailed(err error) bool {
	w := s.stdout
	if h, ok := w.(*hidingWriter); ok {
		w = h.w
	}
	out, ok := w.(*resultWriter)
	return ok && out.err != nil && errors.Is(err, out.err)
}

// firstWord is the first of args that is neither a flag of root nor a
// flag's value, or "".
func firstWord(root *cobra.Command, args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case !strings.HasPrefix(a, "-"):
			return a
		case strings.HasPrefix(a, "--") && !strings.Contains(a, "="):
			if f := root.PersistentFlags().Lookup(a[2:]); f != nil && f.NoOptDefVal == "" {
				i++ // its value
			}
		}
	}
	return ""
}

// isCommand reports whether root has a command called name.
func isCommand(root *cobra.Command, name string) bool {
	for _, c := range root.Commands() {
		if c.Name() == name {
			return true
		}
	}
	return false
}

// wantsJSON reports whether args ask for --json (or --jq), for the errors
// found while the flags are parsed.
func wantsJSON(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "-"), "-"), "=")
		if name == "jq" {
			return true
		}
		if name != "json" {
			continue
		}
		on, err := strconv.ParseBool(value) // as the flag package reads it
		return !hasValue || (err == nil && on)
	}
	return false
}
