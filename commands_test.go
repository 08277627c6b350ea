package koophone_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

func TestRunCommand(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, `{"error_code":"0","error_msg":"ok","data":{"cmd_results":[
		{"instance_id":"i-1","status":2,"error_code":"","error_msg":"","execute_msg":"total 0\ndrwx Download\n"},
		{"instance_id":"i-2","status":"-1","error_code":"CPS0005","error_msg":"Phone not found.","execute_msg":""},
		{"instance_id":"i-3","status":1},
		{"instance_id":"i-4","status":9}]}}`))
	results, err := c.RunCommand(timeout(t), "ls -l /sdcard", []string{"i-1", "i-2", "i-3", "i-4"})
	require.NoError(t, err, "failed results are not an error")
	assert.Equal(t, []koophone.CommandResult{
		{InstanceID: "i-1", Status: koophone.JobSucceeded, Output: "total 0\ndrwx Download\n"},
		{InstanceID: "i-2", Status: koophone.JobFailed, Code: "CPS0005", Message: "Phone not found."},
		{InstanceID: "i-3", Status: koophone.JobRunning},
		{InstanceID: "i-4", Status: koophone.JobStatus(9)},
	}, results)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/instances/sync-command", reqs[0].Path)
	assert.JSONEq(t, `{"command":"ls -l /sdcard","instance_ids":["i-1","i-2","i-3","i-4"]}`, string(reqs[0].Raw))
}

func TestRunCommandMalformedAnswers(t *testing.T) {
	t.Parallel()
	for body, want := range map[string]string{
		`{"error_code":"0","data":{}}`:                                      "data.cmd_results is missing",
		`{"error_code":"0","data":{"cmd_results":[{"instance_id":"i-1"}]}}`: "data.cmd_results[0].status is missing",
		`{"error_code":"0","data":{"cmd_results":{"instance_id":"i-1"}}}`:   "data.cmd_results",
		`{"error_code":"0","data":{"cmd_results":[{"status":"running"}]}}`:  "data.cmd_results.status",
	} {
		c, s := setup(t, always(http.StatusOK, body))
		_, err := c.RunCommand(timeout(t), "id", []string{"i-1"})
		assert.ErrorIs(t, err, koophone.ErrMalformedResponse, body)
		assert.ErrorContains(t, err, want, body)
		assert.Len(t, s.Requests(), 1, "a write is not repeated")
	}
}

func TestRunCommandOutputIsMadeSafe(t *testing.T) {
	t.Parallel()
	hostile := "line 1\r\nline 2\x1b[2J\u202eevil\tend\xff" + strings.Repeat("x", 70<<10)
	c, _ := setup(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		body := map[string]any{"error_code": "0", "data": map[string]any{"cmd_results": []any{map[string]any{
			"instance_id": "i-1", "status": -1, "error_code": "CPS\x1b0005", "error_msg": "bad\nthing\u202e", "execute_msg": hostile,
		}}}}
		raw, _ := json.Marshal(body)
		answer(w, http.StatusOK, string(raw))
	})
	results, err := c.RunCommand(timeout(t), "id", []string{"i-1"})
	require.NoError(t, err)
	r := results[0]
	assert.Equal(t, "CPS 0005", r.Code, "control characters become spaces")
	assert.Equal(t, "bad thing", r.Message)
	assert.True(t, strings.HasPrefix(r.Output, "line 1\nline 2[2Jevil\tend\uFFFDxxx"), r.Output[:40])
	assert.LessOrEqual(t, len(r.Output), 64<<10)
	assert.True(t, strings.HasSuffix(r.Output, "…"))
}

func TestStartCommand(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, taskOK))
	task, err := c.StartCommand(timeout(t), "pm list packages", []string{"i-1", "i-2"})
	require.NoError(t, err)
	assert.Equal(t, "RM_6837a1", task.ID)
	assert.Equal(t, []koophone.Job{{InstanceID: "i-1", JobID: "j-1"}, {InstanceID: "i-2", JobID: "j-2"}}, task.Jobs)
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v1/instances/async-command", reqs[0].Path)
	assert.Equal(t, map[string]any{"command": "pm list packages", "instance_ids": []any{"i-1", "i-2"}}, reqs[0].Body)
}

func TestCommandsRejectBadArguments(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, taskOK))
	tests := []struct {
		command string
		ids     []string
		want    string
	}{
		{"", []string{"i"}, "command is empty"},
		{strings.Repeat("é", 513), []string{"i"}, "command has 1026 bytes; at most 1024"},
		{"echo a\nrm -rf /", []string{"i"}, "control character (U+000A) at byte 6"},
		{"echo \x00", []string{"i"}, "control character (U+0000)"},
		{"echo \u0085", []string{"i"}, "control character (U+0085)"},
		{"echo \xff", []string{"i"}, "not valid UTF-8"},
		{"echo \u202eevil", []string{"i"}, "invisible formatting control character (U+202E) at byte 5"},
		{"r\u200bm -rf /x", []string{"i"}, "invisible formatting control character (U+200B) at byte 1"},
		{"echo \ufeff", []string{"i"}, "(U+FEFF)"},
		{" \u3000 ", []string{"i"}, "command is only white space"},
		{"id", []string{" "}, `instance id 0 " " is only white space`},
		{"id", nil, "none given"},
		{"id", []string{"a", "a"}, "given twice"},
		{"id", hundredAndOne(), "101 given"},
	}
	for _, tt := range tests {
		_, err := c.RunCommand(timeout(t), tt.command, tt.ids)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		assert.ErrorContains(t, err, tt.want)
		_, err = c.StartCommand(timeout(t), tt.command, tt.ids)
		assert.ErrorContains(t, err, tt.want)
	}
	assert.Empty(t, s.Requests())

	// The documented character set is not enforced; 1024 bytes are allowed.
	for _, command := range []string{"echo 'hello, world' | wc -c", strings.Repeat("é", 512), "echo ünïcode"} {
		_, err := c.StartCommand(timeout(t), command, []string{"i-1", "i-2"})
		assert.NoError(t, err, command)
	}
	assert.Len(t, s.Requests(), 3)
}
