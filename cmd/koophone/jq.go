package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/itchyny/gojq"
	"github.com/spf13/pflag"
)

// compileJQ compiles --jq, which implies --json: a bad expression is a
// usage error before anything is sent.
func (s *session) compileJQ() error {
	if s.g.jq == "" {
		return nil
	}
	query, err := gojq.Parse(s.g.jq)
	if err == nil {
		s.jq, err = gojq.Compile(query)
	}
	if err != nil {
		return usageErrorf("--jq %q: %v", s.g.jq, err)
	}
	s.g.asJSON = true
	return nil
}

// emit prints one JSON object of the output, cleaned as writeJSON cleans
// it; with --jq, what the expression makes of it instead, one value a
// line, strings raw (as jq -r prints them). The first error the expression
// raises is kept in jqErr, for the exit code.
func (s *session) emit(v map[string]any) {
	if s.jq == nil {
		writeJSON(s.stdout, v)
		return
	}
	b, err := json.Marshal(cleanData(v))
	var in any
	if err == nil {
		err = json.Unmarshal(b, &in) // the plain values gojq takes
	}
	if err != nil {
		s.jqFailed(err)
		return
	}
	enc := json.NewEncoder(s.stdout)
	enc.SetEscapeHTML(false)
	iter := s.jq.Run(in)
	for {
		out, ok := iter.Next()
		if !ok {
			return
		}
		switch out := out.(type) {
		case error:
			s.jqFailed(out)
			return
		case string:
			fmt.Fprintln(s.stdout, out)
		default:
			_ = enc.Encode(out) // gojq's values always encode; a closed stdout is not worth a panic
		}
	}
}

// jqFailed reports the first error of --jq on stderr.
func (s *session) jqFailed(err error) {
	if s.jqErr == nil {
		s.jqErr = err
		fmt.Fprintf(s.stderr, "koophone %s: --jq %q: %s\n", s.name, s.g.jq, clean(err.Error()))
	}
}

// maxStdinIDs bounds what --instance - reads.
const maxStdinIDs = 1 << 20

// readIDs gives each --instance - of fs the ids standard input holds, one
// a line; blank lines are skipped and spaces around an id trimmed.
// Standard input can be read once: by one flag.
func (s *session) readIDs(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		ids, ok := f.Value.(*idList)
		if !ok || !ids.fromStdin || err != nil {
			return
		}
		if err = s.useStdin("--" + f.Name + " -"); err != nil {
			return
		}
		sc := bufio.NewScanner(io.LimitReader(s.stdin, maxStdinIDs+1))
		read := 0
		for sc.Scan() {
			read += len(sc.Bytes()) + 1
			if id := strings.TrimSpace(sc.Text()); id != "" {
				ids.ids = append(ids.ids, id)
			}
		}
		switch {
		case errors.Is(sc.Err(), bufio.ErrTooLong):
			err = usageErrorf("--%s -: a line of standard input is longer than %d bytes: want one id a line", f.Name, bufio.MaxScanTokenSize)
		case sc.Err() != nil || read > maxStdinIDs:
			err = usageErrorf("--%s -: cannot read standard input (at most %d bytes of ids, one a line)", f.Name, maxStdinIDs)
		case len(ids.ids) == 0:
			err = usageErrorf("--%s -: standard input holds no id", f.Name)
		}
	})
	return err
}

// useStdin records that flag reads standard input, or says that another
// flag does already.
func (s *session) useStdin(flag string) error {
	if s.stdinUsedBy != "" {
		return usageErrorf("%s and %s both read standard input: give one", s.stdinUsedBy, flag)
	}
	s.stdinUsedBy = flag
	return nil
}
