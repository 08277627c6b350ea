package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The parts of govulncheck's JSON stream (protocol v1, golang.org/x/vuln/internal/govulncheck)
// that the report needs. The stream is a sequence of messages, each with one field set.
type (
	message struct {
		Config  *config  `json:"config"`
		OSV     *entry   `json:"osv"`
		Finding *finding `json:"finding"`
	}
	config struct {
		ProtocolVersion string `json:"protocol_version"`
		ScannerVersion  string `json:"scanner_version"`
		DB              string `json:"db"`
		GoVersion       string `json:"go_version"`
		ScanLevel       string `json:"scan_level"`
		ScanMode        string `json:"scan_mode"`
	}
	entry struct {
		ID      string `json:"id"`
		Summary string `json:"summary"`
	}
	// A finding's trace runs from the vulnerable symbol (first frame) to the scanned code's
	// entry point (last frame). A module- or package-level finding (required or imported, not
	// called) has one frame without a function.
	finding struct {
		OSV          string  `json:"osv"`
		FixedVersion string  `json:"fixed_version"`
		Trace        []frame `json:"trace"`
	}
	frame struct {
		Module   string    `json:"module"`
		Version  string    `json:"version"`
		Package  string    `json:"package"`
		Function string    `json:"function"`
		Receiver string    `json:"receiver"`
		Position *position `json:"position"`
	}
	position struct {
		Filename string `json:"filename"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
	}
)

// vuln is one vulnerability that the scan found, reachable or not.
type vuln struct {
	id, summary     string
	module, version string // the module that has it, "stdlib" for the standard library
	fixed           string // the fixed version govulncheck names; empty when there is none
	calls           map[string]bool
}

// stdlib reports whether the vulnerability is in the Go toolchain rather than a required module.
func (v *vuln) stdlib() bool { return v.module == "stdlib" || v.module == "toolchain" }

// reachable reports whether the scanned code calls a vulnerable symbol.
func (v *vuln) reachable() bool { return len(v.calls) > 0 }

// scan is what one govulncheck run found.
type scan struct {
	config config
	vulns  map[string]*vuln // by OSV id and module: one advisory can name several modules
}

// read decodes a govulncheck -format json stream. It refuses a stream that it cannot read as a
// symbol-level source scan, where a finding without a function would not mean "not called".
func read(r io.Reader) (*scan, error) {
	s := &scan{vulns: map[string]*vuln{}}
	summaries := map[string]string{}
	seenConfig := false
	dec := json.NewDecoder(r)
	for {
		var m message
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading govulncheck's JSON: %w", err)
		}
		switch {
		case m.Config != nil:
			if err := checkConfig(*m.Config); err != nil {
				return nil, err
			}
			s.config, seenConfig = *m.Config, true
		case m.OSV != nil:
			summaries[m.OSV.ID] = m.OSV.Summary
		case m.Finding != nil:
			if !seenConfig {
				return nil, errors.New("a finding came before govulncheck's config")
			}
			if err := s.add(*m.Finding); err != nil {
				return nil, err
			}
		}
	}
	if !seenConfig {
		return nil, errors.New("no config in the stream: is it govulncheck -format json?")
	}
	for _, v := range s.vulns {
		v.summary = summaries[v.id]
	}
	return s, nil
}

// checkConfig refuses a scan whose findings this program cannot classify.
func checkConfig(c config) error {
	if !strings.HasPrefix(c.ProtocolVersion, "v1.") {
		return fmt.Errorf("govulncheck JSON protocol %q, want v1.x", c.ProtocolVersion)
	}
	if c.ScanLevel != "symbol" || c.ScanMode != "source" {
		return fmt.Errorf("a %s-level %s scan; want a symbol-level source scan", c.ScanLevel, c.ScanMode)
	}
	return nil
}

// add records one finding; a finding whose first frame names a function is a call path.
func (s *scan) add(f finding) error {
	if f.OSV == "" || len(f.Trace) == 0 {
		return fmt.Errorf("a finding without a vulnerability id or a trace: %+v", f)
	}
	top := f.Trace[0]
	key := f.OSV + " " + top.Module
	v := s.vulns[key]
	if v == nil {
		v = &vuln{id: f.OSV, module: top.Module, version: top.Version, calls: map[string]bool{}}
		s.vulns[key] = v
	}
	if f.FixedVersion != "" {
		v.fixed = f.FixedVersion
	}
	if top.Function != "" {
		v.calls[callPath(f.Trace)] = true
	}
	return nil
}

// callPath says where the scanned code reaches the vulnerable symbol, as govulncheck's text
// output does: "call.go:170:24: koophone.Client.send calls retryablehttp.Client.Do", or
// "… calls io.ReadAll, which eventually calls http.persistConn.Read" for a longer trace.
func callPath(trace []frame) string {
	n := len(trace)
	entry := trace[n-1]
	where := "?"
	if p := entry.Position; p != nil {
		where = fmt.Sprintf("%s:%d:%d", p.Filename, p.Line, p.Column)
	}
	switch n {
	case 1:
		return fmt.Sprintf("%s: %s", where, symbol(entry))
	case 2:
		return fmt.Sprintf("%s: %s calls %s", where, symbol(entry), symbol(trace[0]))
	}
	return fmt.Sprintf("%s: %s calls %s, which eventually calls %s", where, symbol(entry), symbol(trace[n-2]), symbol(trace[0]))
}

// symbol names a frame's function as Go code would: pkg.Type.Method or pkg.Func.
func symbol(f frame) string {
	name := f.Package[strings.LastIndex(f.Package, "/")+1:] + "."
	if f.Receiver != "" {
		name += strings.TrimPrefix(f.Receiver, "*") + "."
	}
	return name + f.Function
}
