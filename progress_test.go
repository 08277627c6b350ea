package koophone_test

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/koophone-go/koophone"
)

// TestPrepareProgressGolden sends the API reference's example request and
// decodes its example answer.
func TestPrepareProgressGolden(t *testing.T) {
	t.Parallel()
	wantReq, err := os.ReadFile("testdata/show_progress_request.json")
	require.NoError(t, err)
	resp, err := os.ReadFile("testdata/show_progress_response.json")
	require.NoError(t, err)
	c, s := setup(t, always(http.StatusOK, string(resp)))

	p, err := c.PrepareProgress(timeout(t), "1a2b3c4d5e6f", "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f")
	require.NoError(t, err)
	assert.Equal(t, strings.TrimSpace(string(wantReq)), string(s.Requests()[0].Raw))
	assert.Equal(t, koophone.PrepareReady, p.Status)
	assert.Equal(t, 0, p.WaitingCount)
	assert.Equal(t, s.Requests()[0].Header.Get("X-Request-Id"), p.RequestID)
}

func TestPrepareProgressKeepsUnknownStatuses(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		body string
		want koophone.PrepareStatus
		wc   int
	}{
		{`{"data":{"status":-1,"waitingCount":0},"error_code":"0","error_msg":"ok"}`, koophone.PrepareFailed, 0},
		{`{"data":{"status":3,"waitingCount":12},"error_code":"0","error_msg":"OK"}`, koophone.PrepareBackingUp, 12},
		{`{"data":{"status":6},"error_code":"0","error_msg":"OK"}`, koophone.PrepareStatus(6), 0},
		{`{"data":{"status":42,"waitingCount":1,"extra":{"x":1}},"error_code":"0","unknown":true}`, koophone.PrepareStatus(42), 1},
		{`{"data":{"status":1,"waitingCount":2},"error_code":0}`, koophone.PrepareQueuing, 2},
	} {
		c, _ := setup(t, always(http.StatusOK, tc.body))
		p, err := c.PrepareProgress(timeout(t), "u", "i")
		require.NoError(t, err, tc.body)
		assert.Equal(t, tc.want, p.Status, tc.body)
		assert.Equal(t, tc.wc, p.WaitingCount, tc.body)
	}
}

func TestPrepareStatusString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		s        koophone.PrepareStatus
		name     string
		terminal bool
	}{
		{koophone.PrepareFailed, "failed", true},
		{koophone.PrepareReady, "ready", true},
		{koophone.PrepareQueuing, "queuing", false},
		{koophone.PrepareRestoring, "restoring", false},
		{koophone.PrepareBackingUp, "backing-up", false},
		{koophone.PrepareStatus(7), "PrepareStatus(7)", false},
		{koophone.PrepareStatus(-2), "PrepareStatus(-2)", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.name, tt.s.String())
		assert.Equal(t, tt.terminal, tt.s.Terminal(), tt.name)
	}
}

// badIDs are ids the service would reject, with what the error must say.
var badIDs = []struct{ id, want string }{
	{"", "is empty"},
	{strings.Repeat("a", 33), "33 characters; at most 32"},
	{"abc\x00", "control character"},
	{"abc\n", "control character"},
	{"\xff\xfe", "not valid UTF-8"},
}

func TestPrepareProgressRejectsBadArguments(t *testing.T) {
	t.Parallel()
	c, s := setup(t, always(http.StatusOK, okReady))
	for _, b := range badIDs {
		_, err := c.PrepareProgress(timeout(t), b.id, "i")
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		assert.ErrorContains(t, err, "koophone: invalid parameter: user id")
		assert.ErrorContains(t, err, b.want)

		_, err = c.PrepareProgress(timeout(t), "u", b.id)
		assert.ErrorIs(t, err, koophone.ErrInvalidParameter)
		assert.ErrorContains(t, err, "instance id")
		assert.ErrorContains(t, err, b.want)
	}
	// 32 characters, multi-byte ones included, are fine.
	_, err := c.PrepareProgress(timeout(t), strings.Repeat("é", 32), strings.Repeat("a", 32))
	require.NoError(t, err)
	assert.Len(t, s.Requests(), 1, "only the valid call was sent")
}

// Integers in answers decode from JSON numbers and numeric strings, and an
// error_code of 0 in any numeric spelling is a success.
func TestNumbersAsStringsAndZeroCodes(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		`{"data":{"status":"1","waitingCount":"7"},"error_code":"0"}`,
		`{"data":{"status":1.0,"waitingCount":7},"error_code":0.0}`,
		`{"data":{"status":" 1 ","waitingCount":"7"},"error_code":0}`,
	} {
		c, _ := setup(t, always(http.StatusOK, body))
		p, err := c.PrepareProgress(timeout(t), "u", "i")
		require.NoError(t, err, body)
		assert.Equal(t, koophone.PrepareQueuing, p.Status, body)
		assert.Equal(t, 7, p.WaitingCount, body)
	}
}
