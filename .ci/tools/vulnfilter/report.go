package main

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"golang.org/x/mod/semver"
)

// maxCalls is how many call paths the report shows for one vulnerability.
const maxCalls = 3

// report writes what the scan found, the standard library first, and reports whether a module
// that the scanned packages build with has a reachable vulnerability (which fails CI). shipped
// lists those modules; a module outside it is required by tests alone, and its vulnerabilities
// are printed, never failing. A nil shipped holds every module.
func (s *scan) report(w io.Writer, shipped map[string]bool) (failed bool) {
	c := s.config
	fmt.Fprintf(w, "govulncheck %s, database %s, %s\n", c.ScannerVersion, c.DB, c.GoVersion)
	var std, mods, testOnly []*vuln
	for _, v := range s.sorted() {
		switch {
		case v.stdlib():
			std = append(std, v)
		case shipped == nil || shipped[v.module]:
			mods = append(mods, v)
		default:
			testOnly = append(testOnly, v)
		}
	}
	fmt.Fprintf(w, "standard library (the builder's Go toolchain; printed, never failing): %s\n", stdlibAdvice(c.GoVersion, called(std)))
	list(w, std)
	failing := called(mods)
	fmt.Fprintf(w, "required modules: %s\n", count(failing, ": FAIL"))
	list(w, mods)
	if len(testOnly) > 0 {
		fmt.Fprintf(w, "modules that only tests require (printed, never failing): %s\n", count(called(testOnly), ""))
		list(w, testOnly)
	}
	return len(failing) > 0
}

// count says how many vulnerabilities are reachable, with suffix when there is one or more.
func count(vs []*vuln, suffix string) string {
	if len(vs) == 0 {
		return "no reachable vulnerability"
	}
	return fmt.Sprintf("%d reachable %s%s", len(vs), plural(len(vs), "vulnerability", "vulnerabilities"), suffix)
}

// called returns the vulnerabilities that the scanned code reaches.
func called(vs []*vuln) []*vuln {
	return slices.DeleteFunc(slices.Clone(vs), func(v *vuln) bool { return !v.reachable() })
}

// sorted returns the vulnerabilities in a stable order: by id, then module.
func (s *scan) sorted() []*vuln {
	vs := make([]*vuln, 0, len(s.vulns))
	for _, v := range s.vulns {
		vs = append(vs, v)
	}
	slices.SortFunc(vs, func(a, b *vuln) int {
		return strings.Compare(a.id+" "+a.module, b.id+" "+b.module)
	})
	return vs
}

// stdlibAdvice names the Go release that fixes every reachable standard-library vulnerability.
func stdlibAdvice(goVersion string, called []*vuln) string {
	if len(called) == 0 {
		return "no reachable vulnerability in " + goVersion
	}
	newest, unfixed := "", []string{}
	for _, v := range called {
		switch {
		case v.fixed == "":
			unfixed = append(unfixed, v.id)
		case newest == "" || semver.Compare(v.fixed, newest) > 0:
			newest = v.fixed
		}
	}
	n := fmt.Sprintf("%d reachable in %s", len(called), goVersion)
	if newest != "" {
		n += fmt.Sprintf("; build with go%s or newer", strings.TrimPrefix(newest, "v"))
	}
	if len(unfixed) > 0 {
		n += "; no fix released yet for " + strings.Join(unfixed, ", ")
	}
	return n
}

// list writes the reachable vulnerabilities with their call paths, then the others by id.
func list(w io.Writer, vs []*vuln) {
	var notCalled []string
	for _, v := range vs {
		if !v.reachable() {
			notCalled = append(notCalled, v.id)
			continue
		}
		fixed := "no fixed version"
		if v.fixed != "" {
			fixed = "fixed in " + v.fixed
		}
		fmt.Fprintf(w, "  %s %s@%s (%s): %s\n", v.id, v.module, v.version, fixed, v.summary)
		calls := make([]string, 0, len(v.calls))
		for c := range v.calls {
			calls = append(calls, c)
		}
		slices.Sort(calls)
		for _, c := range calls[:min(len(calls), maxCalls)] {
			fmt.Fprintf(w, "      %s\n", c)
		}
		if more := len(calls) - maxCalls; more > 0 {
			fmt.Fprintf(w, "      and %d more call %s\n", more, plural(more, "path", "paths"))
		}
	}
	if len(notCalled) > 0 {
		fmt.Fprintf(w, "  required or imported, not called: %s\n", strings.Join(notCalled, ", "))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
