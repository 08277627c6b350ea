package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// scanFile runs vulnfilter with args on a govulncheck stream in testdata, checks its exit status
// and returns its output.
func scanFile(t *testing.T, name string, wantStatus int, args ...string) string {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out, errOut bytes.Buffer
	if status := run(args, f, &out, &errOut); status != wantStatus {
		t.Errorf("status %d, want %d", status, wantStatus)
	}
	if errOut.Len() > 0 {
		t.Errorf("stderr: %s", errOut.String())
	}
	return out.String()
}

// wantLines checks that out has each of lines as a whole line.
func wantLines(t *testing.T, out string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(out, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("output lacks the line %q; output:\n%s", l, out)
		}
	}
}

// testdata/stdlib.json is part of a real scan of the root module with Go 1.26.8: two
// reachable standard-library vulnerabilities, one imported and not called.
func TestStandardLibraryFindingsArePrintedAndDoNotFail(t *testing.T) {
	t.Parallel()
	out := scanFile(t, "stdlib.json", 0)
	wantLines(t, out,
		"govulncheck v1.9.0, database file:///tmp/vulndb, go1.26.8",
		"standard library (the builder's Go toolchain; printed, never failing): 2 reachable in go1.26.8; build with go1.26.10 or newer",
		"  GO-2026-6809 stdlib@v1.26.8 (fixed in v1.26.10): Distrust compromised intermediate certificates in crypto/x509",
		"      errors.go:407:13: koophone.joinedErrors.Error calls fmt.Fprintf, which eventually calls x509.Certificate.Verify",
		"      and 3 more call paths",
		"  required or imported, not called: GO-2026-6609",
		"required modules: no reachable vulnerability",
	)
}

// testdata/module.json is a real scan of the root package against a database of two entries
// for go-retryablehttp: Client.Do, which the SDK calls, and Client.PostForm, which it does not.
func TestReachableModuleVulnerabilityFails(t *testing.T) {
	t.Parallel()
	out := scanFile(t, "module.json", 1)
	wantLines(t, out,
		"standard library (the builder's Go toolchain; printed, never failing): no reachable vulnerability in go1.26.8",
		"required modules: 1 reachable vulnerability: FAIL",
		"      inventory.go:466:16: koophone.Client.DeleteInstances calls koophone.Client.do, which eventually calls go-retryablehttp.Client.Do",
		"  required or imported, not called: GO-0000-0002",
	)
	if !strings.Contains(out, "  GO-0000-0001 github.com/hashicorp/go-retryablehttp@v0.7.8 (no fixed version): Canary") {
		t.Errorf("the reachable entry is not named with its module and version:\n%s", out)
	}
}

// A module that the scanned packages build with fails the scan; one that only tests require is
// printed under its own heading and does not.
func TestOnlyModulesThatShipFail(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, modules string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(modules), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	ships := write("ships", "github.com/koophone-go/koophone\ngithub.com/hashicorp/go-retryablehttp\n")
	scanFile(t, "module.json", 1, "-shipped", ships)

	testOnly := write("test-only", "github.com/koophone-go/koophone\n")
	out := scanFile(t, "module.json", 0, "-shipped", testOnly)
	wantLines(t, out,
		"required modules: no reachable vulnerability",
		"modules that only tests require (printed, never failing): 1 reachable vulnerability",
		"      inventory.go:466:16: koophone.Client.DeleteInstances calls koophone.Client.do, which eventually calls go-retryablehttp.Client.Do",
		"  required or imported, not called: GO-0000-0002",
	)

	for _, bad := range []string{filepath.Join(dir, "missing"), write("empty", "\n")} {
		var stdout, stderr bytes.Buffer
		if status := run([]string{"-shipped", bad}, strings.NewReader(symbolScan), &stdout, &stderr); status != 2 {
			t.Errorf("-shipped %s: status %d, want 2", bad, status)
		}
	}
}

const symbolScan = `{"config":{"protocol_version":"v1.0.0","scanner_version":"v1.9.0","go_version":"go1.26.8","scan_level":"symbol","scan_mode":"source"}}`

func TestUnreadableStreamsAreRefused(t *testing.T) {
	t.Parallel()
	for name, stream := range map[string]string{
		"empty":                  "",
		"not JSON":               "Scanning your code...\n",
		"truncated":              symbolScan + `{"finding":{"osv":"GO-1"`,
		"finding before config":  `{"finding":{"osv":"GO-1","trace":[{"module":"m","function":"F"}]}}` + symbolScan,
		"package-level scan":     strings.Replace(symbolScan, `"symbol"`, `"package"`, 1),
		"binary scan":            strings.Replace(symbolScan, `"source"`, `"binary"`, 1),
		"protocol v2":            strings.Replace(symbolScan, `"v1.0.0"`, `"v2.0.0"`, 1),
		"finding without trace":  symbolScan + `{"finding":{"osv":"GO-1"}}`,
		"finding without its id": symbolScan + `{"finding":{"trace":[{"module":"m"}]}}`,
	} {
		var out, errOut bytes.Buffer
		if status := run(nil, strings.NewReader(stream), &out, &errOut); status != 2 {
			t.Errorf("%s: status %d, want 2; output:\n%s", name, status, out.String())
		}
		if !strings.HasPrefix(errOut.String(), "vulnfilter: ") {
			t.Errorf("%s: stderr %q does not say why", name, errOut.String())
		}
	}
}

// One advisory can name the standard library and a module; each is judged on its own, and a
// vulnerability that is only imported never fails.
func TestEachModuleOfAnAdvisoryIsJudgedOnItsOwn(t *testing.T) {
	t.Parallel()
	stream := symbolScan +
		`{"finding":{"osv":"GO-1","fixed_version":"v1.26.9","trace":[{"module":"stdlib","version":"v1.26.8","package":"net/http","function":"Get"},{"module":"example.com/m","package":"example.com/m","function":"main","position":{"filename":"main.go","line":3,"column":1}}]}}` +
		`{"finding":{"osv":"GO-1","fixed_version":"v0.2.0","trace":[{"module":"golang.org/x/net","version":"v0.1.0","package":"golang.org/x/net/http2"}]}}`
	var out, errOut bytes.Buffer
	if status := run(nil, strings.NewReader(stream), &out, &errOut); status != 0 {
		t.Errorf("status %d, want 0:\n%s%s", status, out.String(), errOut.String())
	}
	wantLines(t, out.String(),
		"  GO-1 stdlib@v1.26.8 (fixed in v1.26.9): ",
		"      main.go:3:1: m.main calls http.Get",
		"  required or imported, not called: GO-1",
		"required modules: no reachable vulnerability",
	)
}

func TestStdlibAdviceNamesTheNewestFixAndWhatHasNone(t *testing.T) {
	t.Parallel()
	vs := []*vuln{{id: "GO-1", fixed: "v1.26.9"}, {id: "GO-2", fixed: "v1.26.10"}, {id: "GO-3"}}
	got := stdlibAdvice("go1.26.8", vs)
	want := "3 reachable in go1.26.8; build with go1.26.10 or newer; no fix released yet for GO-3"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
