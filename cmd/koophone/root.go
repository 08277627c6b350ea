package main

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/koophone-go/koophone"
)

func init() {
	cobra.EnableCommandSorting = false // help lists the commands in the table's order
}

// newRoot builds the command tree of one run of s from the commands table.
// A command that ran leaves its exit code in s.code and returns nil; an
// error returned to cobra is a command line it refused (exit 2).
func newRoot(s *session) *cobra.Command {
	root := &cobra.Command{
		Use:           "koophone",
		Short:         "koophone prepares KooPhone cloud phones, waits until they can stream, and manages the fleet.",
		Long:          rootLong,
		Example:       indent(rootExamples),
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(cc *cobra.Command, _ []string) error {
			fmt.Fprint(s.stderr, rootHelp(cc)) // no command at all
			s.code = s.errorEvent(usageErrorf("want a command: see koophone --help"))
			return nil
		},
	}
	root.Args = func(_ *cobra.Command, args []string) error {
		if len(args) > 0 {
			s.name = args[0]
			if isCommand(root, args[0]) { // only after "--", which ends the flags
				return usageErrorf(`the command comes after "--", which ends the flags: give it before "--"`)
			}
			return unknownCommand(root, args[0])
		}
		return nil
	}
	root.SuggestionsMinimumDistance = 2
	root.SetIn(s.stdin)
	root.SetOut(s.stdout)
	root.SetErr(s.stderr)
	defaultHelp := root.HelpFunc()
	root.SetHelpFunc(func(cc *cobra.Command, args []string) {
		if cc != root {
			defaultHelp(cc, args)
			return
		}
		fmt.Fprint(cc.OutOrStdout(), rootHelp(cc))
	})
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	s.g.register(root.PersistentFlags())
	root.SetHelpCommand(helpCommand(s, root))
	parents := map[string]*cobra.Command{}
	for _, c := range commands {
		parent, use := root, c.name
		if group, sub, ok := strings.Cut(c.name, " "); ok {
			if parents[group] == nil {
				parents[group] = groupCommand(s, group)
				root.AddCommand(parents[group])
			}
			parent, use = parents[group], sub
		}
		parent.AddCommand(leaf(s, c, use))
	}
	// cobra's completion command is a group of one command per shell: made
	// here, so that alone or with an unknown shell it is a usage error too.
	root.InitDefaultCompletionCmd()
	if completion, _, err := root.Find([]string{"completion"}); err == nil && completion != root {
		completion.Args, completion.RunE, completion.SuggestionsMinimumDistance = nil, groupRun(s, "completion"), 2
	}
	return root
}

// leaf is the cobra command of c, called use under its group.
func leaf(s *session, c *command, use string) *cobra.Command {
	cc := &cobra.Command{
		Use:     strings.TrimSpace(use + " [flags] " + c.args),
		Short:   c.short,
		Long:    c.long + "\n\nExit codes: " + exitCodes(c.exits, c.failed),
		Example: indent(c.examples),
	}
	runCmd := c.flags(cc.Flags())
	cc.Flags().SetInterspersed(!c.verbatim)
	cc.RunE = func(cc *cobra.Command, pos []string) error {
		s.name = c.name
		s.code = s.execute(cc, c, pos, runCmd)
		return nil
	}
	return cc
}

// execute runs c with its positional arguments pos, prints its output or
// its error, and returns the exit code.
func (s *session) execute(cc *cobra.Command, c *command, pos []string, runCmd runFunc) int {
	if len(pos) > 0 && c.args == "" {
		return s.fail(usageErrorf("unexpected argument %q", pos[0]))
	}
	s.args = pos
	if err := s.prepare(cc.Flags(), c.local); err != nil {
		return s.fail(err)
	}
	defer s.close()
	out, err := runCmd(cc.Context(), s)
	if err != nil {
		return s.fail(err)
	}
	return s.print(out)
}

// groupCommand is the command of a group ("task"): alone, or with an
// unknown subcommand, it is a usage error that lists its subcommands.
func groupCommand(s *session, group string) *cobra.Command {
	return &cobra.Command{
		Use:                        group,
		Short:                      groups[group],
		SuggestionsMinimumDistance: 2,
		RunE:                       groupRun(s, group),
	}
}

// groupRun runs a group's command without a known subcommand: a usage
// error that names the subcommand it may be a typo of, or lists them all.
func groupRun(s *session, group string) func(*cobra.Command, []string) error {
	return func(cc *cobra.Command, args []string) error {
		s.name = group
		if len(args) > 0 {
			s.code = s.fail(unknownCommand(cc, args[0]))
			return nil
		}
		var names []string
		for _, sub := range cc.Commands() {
			names = append(names, group+" "+sub.Name())
		}
		s.code = s.fail(usageErrorf("want a subcommand: %s", strings.Join(names, ", ")))
		return nil
	}
}

// helpCommand is "koophone help [COMMAND]": the help of the command its
// arguments name, or a usage error for one that does not exist.
func helpCommand(s *session, root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "print the help of koophone, or of a command",
		RunE: func(_ *cobra.Command, args []string) error {
			target, rest, err := root.Find(args)
			if err == nil && len(rest) == 0 {
				return target.Help()
			}
			s.name = "help"
			if target == nil {
				target = root
			}
			s.code = s.fail(unknownCommand(target, strings.Join(rest, " ")))
			return nil
		},
	}
}

// unknownCommandError is a command that parent does not have.
type unknownCommandError struct {
	parent *cobra.Command
	msg    string
}

func (e *unknownCommandError) Error() string { return e.msg }

// unknownCommand is a usage error for name under parent, with the commands
// it may be a typo of.
func unknownCommand(parent *cobra.Command, name string) error {
	msg := fmt.Sprintf("unknown command %q", name)
	if parent.HasParent() {
		msg = fmt.Sprintf("unknown command %q for %q", name, parent.CommandPath())
	}
	if sug := parent.SuggestionsFor(name); len(sug) > 0 {
		msg += " (did you mean " + strings.Join(sug, " or ") + "?)"
	}
	return &usageError{err: &unknownCommandError{parent: parent, msg: msg}}
}

// asUsageError is err, a command line cobra refused, as a usage error.
func asUsageError(err error) error {
	var usage *usageError
	if errors.As(err, &usage) {
		return err
	}
	return &usageError{err: err}
}

// prepare checks the global flags for a command (local: one that takes
// only --json and --jq; --request-timeout above 0), compiles --jq and
// reads the ids that --instance - takes from standard input.
func (s *session) prepare(fs *pflag.FlagSet, local bool) error {
	if local {
		for _, name := range []string{"endpoint", "token-file", "user", "quiet", "simulate", "request-timeout"} {
			if fs.Changed(name) {
				return usageErrorf("--%s: %s takes only --json and --jq", name, s.name)
			}
		}
	}
	if t := time.Duration(s.g.requestTimeout); fs.Changed("request-timeout") && t <= 0 { // 0 is not "no limit"
		return usageErrorf("--request-timeout %s must be positive", t)
	}
	if err := s.compileJQ(fs.Changed("jq")); err != nil {
		return err
	}
	return s.readIDs(fs)
}

// rootHelp is the text of "koophone help": every command of the table,
// two-word ones included, and the global flags.
func rootHelp(root *cobra.Command) string {
	var b strings.Builder
	b.WriteString(root.Long + "\n\nUsage:\n  koophone COMMAND [flags] [ARGS]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(&b, "  %-15s %s\n", c.name, c.short)
	}
	fmt.Fprintf(&b, "  %-15s %s\n", "completion", "print a shell completion script: bash, zsh, fish or powershell")
	fmt.Fprintf(&b, "  %-15s %s\n", "help", "print this help, or a command's: koophone help COMMAND")
	b.WriteString("\nFlags of every command (version and video template take only --json and --jq):\n")
	b.WriteString(root.PersistentFlags().FlagUsages())
	b.WriteString("\nExamples:\n" + root.Example + "\n")
	return b.String()
}

// indent is lines, each indented as cobra's help wants examples.
func indent(lines []string) string { return "  " + strings.Join(lines, "\n  ") }

var rootExamples = []string{
	"koophone wait --prepare --user user-1 --instance phone-1 --timeout 10m",
	"koophone --simulate wait --user demo --instance phone-1 --instance phone-2",
	"koophone progress --json --user user-1 --instance phone-1",
	"TASK=$(koophone exec --async --jq .task_id --instance phone-1 -- 'sh warmup.sh')",
	"koophone instances list --jq 'select(.event == \"instance\") | .instance_id' | koophone status --instance -",
	"source <(koophone completion bash)",
}

var rootLong = `koophone prepares KooPhone cloud phones, waits until they can stream, and manages the fleet.

Global flags go before or after the command. With --simulate, every command runs against an
in-process fake service (no account needed; not with --endpoint or --token-file).
Default endpoint: ` + koophone.DefaultEndpoint + `; endpoints must be https (plain http only to
a loopback address).

Credentials: --token-file, else the environment: KOOPHONE_TOKEN; or HUAWEICLOUD_SDK_AK,
HUAWEICLOUD_SDK_SK and HUAWEICLOUD_SDK_PROJECT_ID; or KOOPHONE_IAM_USER, KOOPHONE_IAM_PASSWORD,
KOOPHONE_IAM_DOMAIN, KOOPHONE_IAM_PROJECT and KOOPHONE_IAM_REGION. There is no --token flag:
a token on the command line would show in the process list.

Exit codes:
  ` + exitCodes(allExits, "")
