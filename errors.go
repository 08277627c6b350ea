package koophone

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Sentinel errors. Test for them with errors.Is: an [*APIError] matches the
// category of its code (or, for a code without a category, of its HTTP
// status), and HTTP 403 and 429 match ErrPermissionDenied and ErrThrottled
// too; errors returned before anything was sent wrap them directly.
var (
	// ErrInvalidParameter: KOOPHONE.API.1000, 3002, 3003, 3006 to 3009,
	// 5002, 5004, HTTP 400, and every argument or option rejected before
	// anything is sent.
	ErrInvalidParameter = errors.New("koophone: invalid parameter")
	// ErrPermissionDenied: KOOPHONE.API.1001, 2002 (cloud app not
	// authorised), APIGW.0302, HTTP 403.
	ErrPermissionDenied = errors.New("koophone: permission denied")
	// ErrInstanceNotFound: KOOPHONE.API.4001.
	ErrInstanceNotFound = errors.New("koophone: instance not found")
	// ErrInternal: KOOPHONE.API.9999, and HTTP 500 without a code.
	ErrInternal = errors.New("koophone: internal service error")
	// ErrUnauthorized: APIGW.0301, APIGW.0307, HTTP 401.
	ErrUnauthorized = errors.New("koophone: unauthorized")
	// ErrThrottled: APIGW.0308, HTTP 429.
	ErrThrottled = errors.New("koophone: throttled")
	// ErrMalformedResponse: a response body that cannot be what the API
	// documents (not JSON, the wrong shape, data missing, larger than 1 MiB).
	ErrMalformedResponse = errors.New("koophone: malformed response")
	// ErrPrepareFailed: the instance reached status -1 ([PrepareFailed]).
	ErrPrepareFailed = errors.New("koophone: preparing the instance failed")
	// ErrWaitTimeout: the time allowed by [WithMaxWait] (or the context's
	// deadline) ran out before the wait ended. Errors that match it also
	// match context.DeadlineExceeded.
	ErrWaitTimeout = errors.New("koophone: timed out waiting")
	// ErrTaskNotFound: KOOPHONE.API.1323, a task the service does not know.
	ErrTaskNotFound = errors.New("koophone: task not found")
	// ErrNotAssigned: KOOPHONE.API.2210, the user–instance binding does not exist.
	ErrNotAssigned = errors.New("koophone: instance not assigned to the user")
	// ErrNoInstanceAvailable: KOOPHONE.API.2003 and KPAPI.2209, no idle or
	// assignable instance.
	ErrNoInstanceAvailable = errors.New("koophone: no instance available")
	// ErrOperationNotAllowed: the instances' state or billing does not allow
	// the operation: KOOPHONE.API.2004 frozen, 2005 being recovered, 2006
	// being backed up, 5001 pay-per-use (cannot be deleted), 5005 not all running.
	ErrOperationNotAllowed = errors.New("koophone: operation not allowed in the instance's state")
	// ErrTaskFailed: a job of a task ended failed ([JobFailed] or
	// [JobInstallFailed]); [Client.WaitTask] reports each as a [*JobError].
	ErrTaskFailed = errors.New("koophone: task failed")
	// ErrLimiter is matched by the error of a call that its [Limiter]
	// refused: the limiter's Wait returned an error for one of its
	// attempts, which was not sent. The call's error wraps the limiter's
	// own too, and the context's when the call's context had ended. It
	// tells a limiter's failure (its store unreachable, a quota that would
	// hold the call past its deadline) apart from the service's or the
	// network's.
	ErrLimiter = errors.New("koophone: the limiter refused the attempt")
)

// APIError is the error for every answer from the service (or a gateway in
// front of it) that is not a success: a business error sent with HTTP 200, a
// gateway error, an HTML error page, a body that cannot be decoded. Its
// fields are safe to log; it never holds a token or a whole response body.
//
// Use errors.As to reach it and errors.Is with the sentinels (ErrInstanceNotFound,
// ErrThrottled, ...) to test its category.
type APIError struct {
	Operation  string // the operation called, e.g. "ShowProgress"
	HTTPStatus int    // 200 for business errors sent with HTTP 200
	Code       string // e.g. "KOOPHONE.API.4001", "APIGW.0308"; empty when the body had none
	Message    string // the service's error_msg, or a short sanitised description
	RequestID  string // the response's request id, else the one sent

	malformed bool // the body was not what the operation documents
	permanent bool // never worth another attempt (an oversized body)
}

// Error formats the error as
// "koophone: ShowProgress: KOOPHONE.API.4001 (HTTP 200): instance not exist (request id 6f0...)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("koophone: ")
	if e.Operation != "" {
		b.WriteString(e.Operation)
		b.WriteString(": ")
	}
	if e.malformed {
		b.WriteString("malformed response ")
	}
	if e.Code != "" {
		b.WriteString(e.Code)
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "(HTTP %d)", e.HTTPStatus)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	return b.String()
}

// Is reports whether the error belongs to the category of target, one of the
// sentinel errors of this package. The code decides where it has a category
// (compared case-insensitively, "KP.API." read as "KOOPHONE.API."); otherwise
// the HTTP status does. HTTP 403 and 429, which the service documents only
// with the gateway's codes, match ErrPermissionDenied and ErrThrottled
// whatever the code, which may match a sentinel of its own too (429 with
// KOOPHONE.API.2003 is ErrThrottled and ErrNoInstanceAvailable). HTTP 401
// does so only without a categorised code: older versions of the service
// send business codes with it (401 with KOOPHONE.API.4001 is
// ErrInstanceNotFound, not ErrUnauthorized).
func (e *APIError) Is(target error) bool {
	switch {
	case target == nil:
		return false
	case e.malformed && target == ErrMalformedResponse, e.category() == target:
		return true
	}
	switch e.HTTPStatus {
	case http.StatusForbidden, http.StatusTooManyRequests:
		return statusCategory[e.HTTPStatus] == target
	}
	return false
}

// category returns the sentinel this error belongs to, or nil.
func (e *APIError) category() error {
	if cat, ok := codeCategory[canonicalCode(e.Code)]; ok {
		return cat
	}
	if e.malformed {
		return nil
	}
	return statusCategory[e.HTTPStatus]
}

// InstanceError is the error about one instance in a call about many, such
// as [Client.WaitAllReady]. Err is the cause; errors.Is and errors.As see
// through it.
type InstanceError struct {
	InstanceID string
	Err        error
}

// Error formats the error as `koophone: instance "id": <cause>`.
func (e *InstanceError) Error() string {
	cause := "<nil>"
	if e.Err != nil {
		cause = strings.TrimPrefix(e.Err.Error(), "koophone: ")
	}
	return fmt.Sprintf("koophone: instance %q: %s", e.InstanceID, cause)
}

// Unwrap returns the cause.
func (e *InstanceError) Unwrap() error { return e.Err }

// InstanceErrors returns every [*InstanceError] inside err, in order,
// looking through wrapped errors and errors.Join trees (depth first); nil if
// there is none. Use it on the error of [Client.WaitAllReady] to list the
// instances that did not become ready, where errors.As finds only the first.
func InstanceErrors(err error) []*InstanceError { return collect[*InstanceError](err) }

// JobError is a job of a task that failed, as [Client.WaitTask] reports it.
// It matches [ErrTaskFailed] with errors.Is.
type JobError struct {
	TaskID     string
	JobID      string
	InstanceID string    // the instance the job ran on, as its JobResult says; "" when unknown
	Status     JobStatus // JobFailed or JobInstallFailed
	Code       string    // the job's error_code, e.g. "CPS0005", sanitised
	Message    string    // the job's error_msg, sanitised
}

// Error formats the error as `koophone: task "t" job "j" on instance "i"
// install-failed: CPS0005: message`, without the instance when it is not
// known.
func (e *JobError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "koophone: task %q job %q", e.TaskID, e.JobID)
	if e.InstanceID != "" {
		fmt.Fprintf(&b, " on instance %q", e.InstanceID)
	}
	fmt.Fprintf(&b, " %s", e.Status)
	if e.Code != "" {
		b.WriteString(": ")
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is ErrTaskFailed.
func (e *JobError) Is(target error) bool { return target == ErrTaskFailed }

// JobErrors returns every [*JobError] inside err, in order, looking through
// wrapped errors and errors.Join trees; nil if there is none.
func JobErrors(err error) []*JobError { return collect[*JobError](err) }

// collect returns every error of type T in err's tree, depth first.
func collect[T error](err error) []T {
	var out []T
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
			return
		case T:
			out = append(out, e)
			return
		case interface{ Unwrap() []error }:
			for _, inner := range e.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// invalidArgError is an argument or option rejected before anything was sent.
type invalidArgError struct {
	what string // what was wrong, starting with the argument's name
}

func (e *invalidArgError) Error() string { return "koophone: invalid parameter: " + e.what }

func (e *invalidArgError) Is(target error) bool { return target == ErrInvalidParameter }

// invalidArg returns an error matching ErrInvalidParameter that says what is wrong.
func invalidArg(format string, args ...any) error {
	return &invalidArgError{what: fmt.Sprintf(format, args...)}
}

// callError is a call that got no answer to map into an [APIError]: a
// network failure, a cancelled context, a token source that failed.
type callError struct {
	op        string
	requestID string
	err       error
	last      error // when the caller gave up (err is ctx's): what the attempt before got; shown, not wrapped
}

func (e *callError) Error() string {
	msg := "koophone: " + e.op + ": " + e.err.Error()
	if e.last != nil {
		msg += "; the last attempt: " + attemptText(e.op, e.requestID, e.last)
	}
	if e.requestID != "" {
		msg += " (request id " + e.requestID + ")"
	}
	return msg
}

func (e *callError) Unwrap() error { return e.err }

// attemptText is the text of an attempt's error within its call's error:
// without the prefix and request id (requestID) the call's error already
// has.
func attemptText(op, requestID string, err error) string {
	if ce, ok := err.(*callError); ok {
		return ce.err.Error()
	}
	text := strings.TrimPrefix(err.Error(), "koophone: "+op+": ")
	return strings.TrimSuffix(text, " (request id "+requestID+")")
}

// IAMError is a failure to get a token from IAM ([NewIAMTokenSource]). Its
// message says what IAM said and what to check; it never holds the
// password or a token, even when IAM echoes them. errors.Is matches
// ErrUnauthorized for HTTP 401 (a wrong domain, user or password, or a
// locked user), ErrPermissionDenied for 403, and ErrInvalidParameter for
// 400 and 404 (an unknown project). An HTTP 429 or 5xx is transient (a
// wait tolerates it); any other 4xx is remembered by the token source,
// which never sends the refused credentials again.
type IAMError struct {
	HTTPStatus int    // IAM's HTTP status; 0 when the answer could not be used
	Code       string // IAM's error code (e.g. "IAM.0006"), when it sent one
	Message    string // IAM's message, sanitised
}

// Error formats the error as "koophone: IAM token: HTTP 401 IAM.0006: <message>; <what to check>".
func (e *IAMError) Error() string {
	var b strings.Builder
	b.WriteString("koophone: IAM token: ")
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, "HTTP %d", e.HTTPStatus)
		if e.Code != "" {
			b.WriteString(" " + e.Code)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	switch e.HTTPStatus {
	case http.StatusUnauthorized:
		b.WriteString("; check the domain name, user name and password, and whether the user is locked")
	case http.StatusForbidden:
		b.WriteString("; the user may not get a token for this project")
	case http.StatusBadRequest, http.StatusNotFound:
		b.WriteString("; check the project name or id")
	}
	return b.String()
}

// Is matches the sentinel of the error's HTTP status.
func (e *IAMError) Is(target error) bool {
	switch e.HTTPStatus {
	case http.StatusUnauthorized:
		return target == ErrUnauthorized
	case http.StatusForbidden:
		return target == ErrPermissionDenied
	case http.StatusBadRequest, http.StatusNotFound:
		return target == ErrInvalidParameter
	}
	return false
}

// transient reports whether IAM may answer differently soon: HTTP 429, a
// 5xx, or a success without a usable token.
func (e *IAMError) transient() bool {
	return e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500 || e.HTTPStatus/100 == 2
}

// rejected reports whether IAM refused the request as sent (a 4xx other
// than 429): sending the same credentials again gets the same answer and
// counts towards locking the user.
func (e *IAMError) rejected() bool {
	return e.HTTPStatus/100 == 4 && e.HTTPStatus != http.StatusTooManyRequests
}

// maxJoinedShown is how many of the errors joined by joinErrors its text
// shows.
const maxJoinedShown = 10

// joinErrors is errors.Join of errs, one per instance, job or task, whose
// text shows at most maxJoinedShown of them and counts the rest, so that a
// wait over thousands of instances or jobs does not produce a megabyte of
// text. errors.Is, errors.As, [InstanceErrors] and [JobErrors] see every one.
// errs holds no nil.
func joinErrors(errs []error) error {
	if len(errs) <= maxJoinedShown {
		return errors.Join(errs...)
	}
	return &joinedErrors{errs: errs}
}

// joinedErrors is many errors joined, shown in part; see joinErrors.
type joinedErrors struct{ errs []error }

func (e *joinedErrors) Error() string {
	var b strings.Builder
	for _, err := range e.errs[:maxJoinedShown] {
		b.WriteString(err.Error())
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "koophone: and %d more errors (%d in all)", len(e.errs)-maxJoinedShown, len(e.errs))
	return b.String()
}

func (e *joinedErrors) Unwrap() []error { return e.errs }
