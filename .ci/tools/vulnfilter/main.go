// Command vulnfilter reads the JSON stream of a govulncheck source scan (-format json) on its
// standard input and says what the scanned module's code reaches.
//
// A reachable vulnerability in a module that the scanned packages build with is this
// repository's to fix: vulnfilter prints it with its call paths and exits 1. With -shipped FILE,
// those modules are the ones FILE lists, one a line (go list -deps without tests names them); a
// vulnerability in a module that only tests require is printed and does not fail. A reachable
// vulnerability in the standard library belongs to the Go toolchain that builds the program:
// vulnfilter prints it, with the Go release that fixes it, and does not fail. Vulnerabilities in
// code that is required or imported but never called are listed by id. A stream that is not a
// symbol-level source scan, or not JSON, makes it exit 2, so that nothing unread passes as clean.
//
// .ci/vulncheck runs it on each module of the repository.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

// run reads a stream from in, reports to out and returns the exit status: 0 clean (standard
// library and test-only findings aside), 1 for a reachable vulnerability in a module that ships,
// 2 for bad arguments or a stream it cannot read.
func run(args []string, in io.Reader, out, errOut io.Writer) int {
	flags := flag.NewFlagSet("vulnfilter", flag.ContinueOnError)
	flags.SetOutput(errOut)
	shippedFile := flags.String("shipped", "", "`file` listing the modules that the scanned packages build with outside tests, one a line (default: every module)")
	if err := flags.Parse(args); err != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(errOut, "vulnfilter:", err)
		return 2
	}
	var shipped map[string]bool
	if *shippedFile != "" {
		b, err := os.ReadFile(*shippedFile)
		if err != nil {
			return fail(err)
		}
		shipped = map[string]bool{}
		for _, m := range strings.Fields(string(b)) {
			shipped[m] = true
		}
		if len(shipped) == 0 { // it names the scanned module at least
			return fail(fmt.Errorf("%s lists no module", *shippedFile))
		}
	}
	s, err := read(in)
	if err != nil {
		return fail(err)
	}
	if s.report(out, shipped) {
		return 1
	}
	return 0
}
