package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/itchyny/gojq"
)

// compileJQ compiles --jq, which implies --json, if it was given: a bad
// expression, an empty one included, is a usage error before anything is
// sent.
func (s *session) compileJQ(given bool) error {
	if !given {
		return nil
	}
	query, err := gojq.Parse(s.g.jq)
	if err == nil {
		s.jq, err = gojq.Compile(query)
	}
	if err != nil {
		s.g.asJSON = false // no JSON but what the expression would have made of it
		return usageErrorf("--jq %q: %v", s.g.jq, err)
	}
	s.g.asJSON = true
	return nil
}

// jqArg is the last --jq EXPR of args before "--", for the errors found
// while they are parsed, or "".
func jqArg(args []string) string {
	expr := ""
	for i, a := range args {
		switch {
		case a == "--":
			return expr
		case a == "--jq" && i+1 < len(args):
			expr = args[i+1]
		case strings.HasPrefix(a, "--jq="):
			expr = strings.TrimPrefix(a, "--jq=")
		}
	}
	return expr
}

// emit prints one JSON object of the output, cleaned as writeJSON cleans
// it; with --jq, what the expression makes of it instead, one value a
// line, strings raw (as jq -r prints them). The first error the expression
// raises is kept in jqErr, for the exit code; halt (and halt_error, which
// is an error) ends the output.
func (s *session) emit(v map[string]any) {
	switch {
	case s.jq == nil:
		writeJSON(s.stdout, v)
		return
	case s.jqHalted:
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
		case *gojq.HaltError:
			if out.Value() != nil || out.ExitCode() != 0 { // halt_error: a failure
				s.jqFailed(out)
			}
			s.jqHalted = true // halt, as jq's: no more output, and no error
			return
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
