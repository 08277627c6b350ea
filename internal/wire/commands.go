package wire

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// CommandRequest is the body of SyncCommand and AsyncCommand.
type CommandRequest struct {
	Command     string   `json:"command"`
	InstanceIDs []string `json:"instance_ids"`
}

// CommandData is the data of a SyncCommand answer.
type CommandData struct {
	CmdResults *[]JobResult `json:"cmd_results"`
}

// TaskJobsData is the data of a GetTask answer.
type TaskJobsData struct {
	Jobs []JobResult `json:"jobs"`
}

// JobResult is where a command on one instance (an entry of SyncCommand's
// cmd_results, with instance_id) or a job of a task (an entry of GetTask's
// jobs, with job_id) stands: its status, and the error and output the
// service reports for it.
type JobResult struct {
	InstanceID string `json:"instance_id"`
	JobID      string `json:"job_id"`
	Status     *Int   `json:"status"`
	ErrorCode  Text   `json:"error_code"`
	ErrorMsg   string `json:"error_msg"`
	ExecuteMsg string `json:"execute_msg"`
}

// ScrubText replaces the error code, message and output with f of them:
// the service's free text, which may echo what was sent.
func (r *JobResult) ScrubText(f func(string) string) {
	r.ErrorCode, r.ErrorMsg, r.ExecuteMsg = Text(f(string(r.ErrorCode))), f(r.ErrorMsg), f(r.ExecuteMsg)
}

// maxOutputBytes bounds a command's output (execute_msg) as the SDK keeps
// it; the service documents at most 1024 bytes.
const maxOutputBytes = 64 << 10

// SanitiseOutput makes what a command printed safe to show: valid UTF-8,
// line breaks ("\r\n" read as "\n") and tabs kept, other control and
// format (bidi) characters dropped, at most 64 KiB (then "…").
func SanitiseOutput(s string) string {
	if len(s) <= maxOutputBytes && cleanOutput(s) {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD") {
		if r != '\n' && r != '\t' && (unicode.IsControl(r) || unicode.Is(unicode.Cf, r)) {
			continue
		}
		if b.Len()+utf8.RuneLen(r) > maxOutputBytes-len("…") {
			b.WriteString("…")
			break
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cleanOutput reports whether s is printable ASCII, line breaks and tabs
// only: the common case, kept as it is.
func cleanOutput(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\n' && c != '\t') || c > 0x7e {
			return false
		}
	}
	return true
}
