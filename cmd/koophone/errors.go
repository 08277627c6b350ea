package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/koophone-go/koophone"
)

// Exit codes, documented in the usage text and the README.
const (
	exitOK          = 0
	exitFailed      = 1 // an instance failed to prepare (status -1)
	exitUsage       = 2
	exitAPI         = 3 // bad parameter, not found, no permission, or the service could not be reached
	exitTimeout     = 4
	exitAuth        = 5
	exitInterrupted = 130
)

// usageError is a bad command line, found before anything was sent.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usageErrorf returns a usage error that says what is wrong, starting with
// the flag's name.
func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// exitCode maps an error to the exit code a script can trust.
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
	case errors.Is(err, koophone.ErrWaitTimeout), errors.Is(err, context.DeadlineExceeded):
		return exitTimeout
	case errors.Is(err, koophone.ErrPrepareFailed):
		return exitFailed
	}
	return exitAPI
}

// fail reports err, on stderr and with --json as an error event on stdout,
// and returns its exit code.
func (s *session) fail(err error) int {
	code := exitCode(err)
	if s.g.asJSON {
		ev := map[string]any{"event": "error", "command": s.name, "exit_code": code, "error": err.Error()}
		var apiErr *koophone.APIError
		if errors.As(err, &apiErr) {
			ev["code"], ev["http_status"], ev["request_id"] = apiErr.Code, apiErr.HTTPStatus, apiErr.RequestID
		}
		writeJSON(s.stdout, ev)
	}
	msg := err.Error()
	if code == exitUsage {
		msg += fmt.Sprintf(" (see koophone %s --help)", s.name)
	}
	fmt.Fprintf(s.stderr, "koophone %s: %s\n", s.name, msg)
	return code
}

// instanceErrors lists the *koophone.InstanceError values inside err,
// errors.Join trees included, in order.
//
// TODO: use koophone.InstanceErrors once the SDK has it.
func instanceErrors(err error) []*koophone.InstanceError {
	switch e := err.(type) {
	case *koophone.InstanceError:
		return []*koophone.InstanceError{e}
	case interface{ Unwrap() []error }:
		var all []*koophone.InstanceError
		for _, inner := range e.Unwrap() {
			all = append(all, instanceErrors(inner)...)
		}
		return all
	case interface{ Unwrap() error }:
		return instanceErrors(e.Unwrap())
	}
	return nil
}
