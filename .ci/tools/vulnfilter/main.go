// Command vulnfilter reads the JSON stream of a govulncheck source scan (-format json) on its
// standard input and says what the scanned module's code reaches.
//
// A reachable vulnerability in a required module is this repository's to fix: vulnfilter prints
// it with its call paths and exits 1. A reachable vulnerability in the standard library belongs
// to the Go toolchain that builds the program: vulnfilter prints it, with the Go release that
// fixes it, and does not fail. Vulnerabilities in code that is required or imported but never
// called are listed by id. A stream that is not a symbol-level source scan, or not JSON, makes
// it exit 2, so that nothing unread passes as clean.
//
// .ci/vulncheck runs it on each module of the repository.
package main

import (
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Stdin, os.Stdout, os.Stderr)) }

// run reads a stream from in, reports to out and returns the exit status: 0 clean (standard
// library findings aside), 1 for a reachable vulnerability in a required module, 2 for a stream
// it cannot read.
func run(in io.Reader, out, errOut io.Writer) int {
	s, err := read(in)
	if err != nil {
		fmt.Fprintln(errOut, "vulnfilter:", err)
		return 2
	}
	if s.report(out) {
		return 1
	}
	return 0
}
