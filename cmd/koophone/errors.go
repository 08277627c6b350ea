package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/koophone-go/koophone"
)

// Exit codes, documented in the usage text and the README.
const (
	exitOK          = 0
	exitFailed      = 1 // an instance failed to prepare (status -1), a job of a task failed, or exec failed on an instance
	exitUsage       = 2
	exitAPI         = 3 // bad parameter, not found, no permission, the service could not be reached, or the result could not be written
	exitTimeout     = 4
	exitAuth        = 5
	exitInterrupted = 130
)

// Exit codes a command can return, for its help.
var (
	callExits    = []int{exitOK, exitUsage, exitAPI, exitAuth, exitInterrupted}
	allExits     = []int{exitOK, exitFailed, exitUsage, exitAPI, exitTimeout, exitAuth, exitInterrupted}
	offlineExits = []int{exitOK, exitUsage}
)

// exitMeaning says what each exit code means.
var exitMeaning = map[int]string{
	exitOK:          "ok",
	exitFailed:      "an instance failed to prepare, or a job failed",
	exitUsage:       "usage error",
	exitAPI:         "API or network error",
	exitTimeout:     "timed out",
	exitAuth:        "authentication failed",
	exitInterrupted: "interrupted",
}

// exitCodes lists codes with their meaning, "0 ok · 2 usage error";
// failed, when not "", says what 1 means.
func exitCodes(codes []int, failed string) string {
	parts := make([]string, len(codes))
	for i, c := range codes {
		meaning := exitMeaning[c]
		if c == exitFailed && failed != "" {
			meaning = failed
		}
		parts[i] = fmt.Sprintf("%d %s", c, meaning)
	}
	return strings.Join(parts, " · ")
}

// usageError is a bad command line, found before anything was sent.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usageErrorf returns a usage error that says what is wrong, starting with
// the flag's name.
func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitCode maps an error to the exit code a script can trust. An argument
// or option the SDK refused before sending (ErrInvalidParameter, not from
// the service) is a usage error; a request that timed out is a network
// error: only a wait that ran out of time exits 4.
func exitCode(err error) int {
	var usage *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &usage):
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, koophone.ErrUnauthorized):
		return exitAuth
	case errors.Is(err, koophone.ErrInvalidParameter) && !fromService(err):
		return exitUsage
	case errors.Is(err, koophone.ErrWaitTimeout):
		return exitTimeout
	case errors.Is(err, koophone.ErrPrepareFailed), errors.Is(err, koophone.ErrTaskFailed):
		return exitFailed
	}
	return exitAPI
}

// fromService reports whether err holds an answer from KooPhone or IAM.
func fromService(err error) bool {
	var apiErr *koophone.APIError
	var iamErr *koophone.IAMError
	return errors.As(err, &apiErr) || errors.As(err, &iamErr)
}

// fail reports err, on stderr and with --json as an error event on stdout,
// and returns its exit code.
func (s *session) fail(err error) int {
	code := s.errorEvent(err)
	msg, where := trimPrefix(err.Error()), strings.TrimSpace("koophone "+s.name)
	var unknown *unknownCommandError
	if errors.As(err, &unknown) { // s.name is the unknown command
		where = unknown.parent.CommandPath()
	}
	if code == exitUsage {
		msg += fmt.Sprintf(" (see %s --help)", where)
	}
	fmt.Fprintf(s.stderr, "%s: %s\n", where, clean(msg))
	return code
}

// errorEvent prints err as an error event on stdout if --json is given
// (through --jq if that is given and compiles), and returns its exit code.
func (s *session) errorEvent(err error) int {
	code := exitCode(err)
	if s.jq == nil && s.g.jq != "" {
		_ = s.compileJQ(true) // an error found before --jq was compiled goes through it too
	}
	if !s.g.asJSON {
		return code
	}
	ev := map[string]any{"event": "error", "command": s.name, "exit_code": code, "error": err.Error()}
	var apiErr *koophone.APIError
	if errors.As(err, &apiErr) {
		ev["code"], ev["http_status"], ev["request_id"] = apiErr.Code, apiErr.HTTPStatus, apiErr.RequestID
	}
	s.emit(ev)
	return code
}

// trimPrefix drops the "koophone: " that starts the SDK's errors, where the
// line already starts with "koophone COMMAND: ".
func trimPrefix(msg string) string { return strings.TrimPrefix(msg, "koophone: ") }
